"""The demo's people: a coordinator and ten partner organisations, each answering the check-ins its own way.

A persona answers a step by its id and kind (whatever the rotation module of the round asks), with button values
(option ids, 1-5, yes/no, skip) or a typed text. The behaviours are built to cause exactly these risk signals:
vague goals (AWO), unclear benefit from round 3 (Kita Sonnenschein), fluctuation in round 3
(Suchtberatung: Jonas is no longer responsible, names Lena, who joins with a welcome pack), fading engagement from
round 3 (Bildungsträger: silent after round 1).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.core.engine import CONTINUE, NO, SKIP
from bot.core.script.model import Step

NETWORK_NAME = "Netzwerk Alleinerziehende Musterstadt"
# The network's goal in one sentence, as the coordinator sets it under /goals (the successor's welcome pack shows it).
NETWORK_GOAL = ("Bis Ende 2027 finden 150 Alleinerziehende in Musterstadt Arbeit oder Ausbildung, mit "
                "Kinderbetreuung und Beratung aus einer Hand.")
VAGUE_GOAL = "Irgendwie besser zusammenarbeiten, mal schauen."
NORMAL_CHOICES: Mapping[str, tuple[str, ...]] = {
    # monthly check-in: answers that are no sign of any risk
    "agreements_kept": ("most", "all"),
    "time_for_network": ("same", "up_to_2h"),  # monthly, then the onboarding's options
    "network_rules": ("shared",),
    "leadership_involved": ("supports",),
    "other_networks": ("coordinated",),
    "benefit_why": ("faster_contacts",),
    # onboarding check-in
    "expectations": ("quick_contacts", "client_results"),
    "goal_source": ("coordinator",),
    "contribution": ("expertise", "cases"),
}


@dataclass(frozen=True)
class Reply:
    """What a persona does at one step: tap the buttons with these values in order, tick these partners, or type."""

    values: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()  # organisation names to tick on a partners step (then "Done")
    text: str | None = None


@dataclass(frozen=True)
class Persona:
    """A person in the demo; partners belong to an organisation and answer each round by their behaviour."""

    key: str
    first_name: str
    last_name: str
    user_id: int
    organisation: str = ""  # "" for the coordinator
    behaviour: str = "normal"  # engaged, fading_benefit, vague_goals, contact_change, silent, normal
    about: str = ""  # one line for the README and the transcript's head
    goal: str = ""  # the goal in one sentence (onboarding and goal_statement)
    levels: Mapping[str, tuple[int, ...]] = field(default_factory=dict)  # scale step → answer per round
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # step → preferred option ids
    texts: Mapping[str, str] = field(default_factory=dict)  # text step → what is typed ("round:step" wins)
    worked_with: tuple[str, ...] = ()  # keys of partner organisations ticked on the partners step
    rounds: tuple[int, ...] | None = None  # the rounds answered (None: every round from `joins_before`)
    after_reminder: tuple[int, ...] = ()  # rounds answered only after the first reminder
    joins_before: int = 1  # a successor joins in this round (after the contact person stepped down) or before it
    steps_down_in: int | None = None  # the round whose prompt this contact person answers "I'm no longer responsible"
    successor_line: str = ""  # what they type when asked who takes over

    @property
    def name(self) -> str:
        """First and last name."""
        return f"{self.first_name} {self.last_name}"

    @property
    def file_stem(self) -> str:
        """The transcript's file name without the extension."""
        return f"{self.key}-{self.first_name.lower()}"

    def answers_round(self, number: int) -> bool:
        """Whether the persona answers this round at all."""
        return number >= self.joins_before and (self.rounds is None or number in self.rounds)

    def answer(self, step: Step, number: int, names: Mapping[str, str]) -> Reply:
        """The reply to a step of round `number` (0: the onboarding); `names` maps persona keys to organisations."""
        if step.kind == "scale":
            levels = self.levels.get(step.id, (4,))
            return Reply((str(levels[min(max(number, 1), len(levels)) - 1]),))
        if step.kind == "yes_no":
            return Reply((NO,))
        if step.kind == "info":
            return Reply((CONTINUE,))
        if step.kind == "number":
            return Reply(text=str(step.minimum if step.minimum is not None else 1))
        if step.kind == "partners":
            return Reply(partners=tuple(names[key] for key in self.worked_with if key in names))
        if step.kind == "choice":
            ids = [option.id for option in step.options]
            chosen = (tuple(one for one in self.choices.get(step.id, ()) if one in ids)
                      or tuple(one for one in NORMAL_CHOICES.get(step.id, ()) if one in ids) or (ids[0],))
            return Reply(chosen if step.multiple else chosen[:1])
        text = self.texts.get(f"{number}:{step.id}") or self.texts.get(step.id)
        if text is None and step.id in ("own_goal", "goal_statement"):
            text = self.goal or None
        return Reply(text=text) if text else Reply((SKIP,))


COORDINATOR = Persona("koordination", "Clara", "Wagner", 100,
                      about="coordinates the network: invites the partners, reads the digests")

PARTNERS: tuple[Persona, ...] = (
    Persona("jobcenter", "Anna", "Becker", 101, "Jobcenter Musterstadt", "engaged",
            "engaged: high answers, a concrete goal, works with many partners",
            "Bis Ende 2027 vermitteln wir 40 Alleinerziehende in Arbeit oder Ausbildung, mit Kinderbetreuung aus "
            "einer Hand.",
            levels={"goals_clear": (5,), "benefit": (5,), "needs_focus": (5,), "autonomy": (5,),
                    "ideas_inside": (5,)},
            choices={"agreements_kept": ("all",), "time_for_network": ("more", "up_to_4h"),
                     "leadership_involved": ("decides",), "expectations": ("quick_contacts", "less_duplication",
                                                                           "joint_projects"),
                     "contribution": ("expertise", "cases", "joint_tasks")},
            texts={"2:anything_else": "Die Fallkonferenz im Januar hat zwei Müttern schnell einen Kitaplatz gebracht."},
            worked_with=("arbeitgeberservice", "kita", "schuldnerberatung", "bildungstraeger", "jugendamt")),
    Persona("jugendamt", "Markus", "Hoffmann", 102, "Jugendamt Musterstadt", about="answers as usual",
            goal="Alleinerziehende Familien früh beraten und bis Ende 2027 jeder Familie eine feste Ansprechperson "
                 "für Kinderbetreuung und Arbeit vermitteln.",
            worked_with=("kita", "caritas", "frauenberatung")),
    Persona("schuldnerberatung", "Petra", "Schneider", 103, "Schuldnerberatung der Diakonie", about="answers as usual",
            goal="Bis Ende 2027 sollen 30 verschuldete Alleinerziehende eine Schuldenregulierung beginnen, damit "
                 "Arbeit und Ausbildung möglich werden.",
            levels={"benefit": (4, 5, 4, 4)}, choices={"other_networks": ("partly",)},
            worked_with=("jobcenter", "suchtberatung")),
    Persona("suchtberatung", "Jonas", "Richter", 104, "Suchtberatung Musterstadt", "contact_change",
            "contact change: at round 3's prompt Jonas taps \"Ich bin nicht mehr zuständig\", names Lena and leaves a "
            "hand-over note",
            "Alleinerziehende mit Suchtproblemen schneller in Beratung vermitteln, mindestens zehn Fälle pro Jahr, "
            "damit Arbeit wieder möglich wird.",
            rounds=(1, 2), worked_with=("schuldnerberatung", "jugendamt"), steps_down_in=3,
            successor_line="Lena Vogel, lena.vogel@suchtberatung-musterstadt.de, Tel. 0421 555 0142",
            texts={"handover_notes": "Offene Fälle liegen in der Teamablage unter \"Netzwerk\". Die Fallkonferenz mit "
                                     "Schuldnerberatung und Jugendamt ist jeden zweiten Dienstag; Petra Schneider "
                                     "kennt alle laufenden Absprachen."}),
    Persona("kita", "Sabine", "Krüger", 105, "Kita Sonnenschein", "fading_benefit",
            "fading benefit: the network helps less and less (benefit 5, 4, 2, 1)",
            "Für Kinder von Alleinerziehenden bis Ende 2027 zwanzig Kitaplätze mit langen Öffnungszeiten sichern, "
            "damit Arbeit und Ausbildung klappen.",
            levels={"benefit": (5, 4, 2, 1)},
            choices={"time_for_network": ("unsure", "up_to_2h"), "benefit_why": ("less_effort", "client_results"),
                     "contribution": ("cases", "rooms_means")},
            worked_with=("jobcenter", "jugendamt")),
    Persona("caritas", "Thomas", "Weber", 106, "Caritas Familienberatung", about="answers as usual",
            goal="Alleinerziehende beraten und begleiten, bis Ende 2027 sollen 50 Familien über Kinderbetreuung, "
                 "Arbeit und Ausbildung Bescheid wissen.",
            levels={"benefit": (3, 4, 4, 4), "ideas_inside": (3,)}, choices={"other_networks": ("partly",)},
            worked_with=("jugendamt", "frauenberatung")),
    Persona("awo", "Monika", "Schulz", 107, "AWO Kreisverband Musterstadt", "vague_goals",
            "vague goals: whenever asked for the network's goal (every third round), her answer stays vague",
            VAGUE_GOAL, levels={"goals_clear": (3,)},
            choices={"network_rules": ("unknown",), "expectations": ("unsure",), "goal_source": ("not_yet",)},
            texts={"goals_missing": VAGUE_GOAL, "2:goals_missing": "Weiß nicht, vielleicht mehr Austausch."},
            worked_with=("caritas",)),
    Persona("bildungstraeger", "Daniel", "Fischer", 108, "Bildungsträger Perspektive gGmbH", "silent",
            "goes silent: answers round 1, then never again (prompts and reminders stay unanswered)",
            "Bis Ende 2027 sollen 25 Alleinerziehende eine Ausbildung in Teilzeit beginnen, mit Kinderbetreuung und "
            "Coaching.",
            rounds=(1,), worked_with=("jobcenter", "arbeitgeberservice")),
    Persona("arbeitgeberservice", "Stefan", "Braun", 109, "Arbeitgeberservice der Agentur für Arbeit",
            about="answers as usual",
            goal="Bis Ende 2027 vermitteln wir 30 Alleinerziehende in Arbeit oder Ausbildung bei Arbeitgebern mit "
                 "familienfreundlichen Arbeitszeiten.",
            levels={"goals_clear": (5,)}, choices={"other_networks": ("none_known",), "contribution": ("contacts",
                                                                                                      "joint_tasks")},
            worked_with=("jobcenter", "bildungstraeger")),
    Persona("frauenberatung", "Julia", "Neumann", 110, "Frauenberatung Musterstadt",
            about="answers as usual; in round 2 only after the first reminder",
            goal="Alleinerziehende Mütter stärken: bis Ende 2027 sollen 40 Frauen mit Beratung den Weg in Arbeit oder "
                 "Ausbildung finden.",
            levels={"benefit": (5, 4, 4, 5)}, after_reminder=(2,), worked_with=("jugendamt", "caritas")),
)

SUCCESSORS: tuple[Persona, ...] = (
    Persona("suchtberatung", "Lena", "Vogel", 111, "Suchtberatung Musterstadt", "contact_change",
            "the new contact person of the Suchtberatung from round 3: invited with the coordinator's button, she gets "
            "a welcome pack (goal, steps, partners, last result, Jonas's note) before her first questions",
            "Bis Ende 2027 wollen wir Alleinerziehende mit Suchtproblemen in Beratung und danach in Arbeit oder "
            "Ausbildung begleiten.",
            levels={"goals_clear": (3, 3, 3, 4)}, joins_before=3,
            worked_with=("schuldnerberatung", "jobcenter")),
)

EXPECTED_SIGNALS: Mapping[int, frozenset[str]] = {
    1: frozenset({"vague_goals"}),  # the goal statement is asked in rounds 1 and 4 (module "commitment")
    2: frozenset(),
    3: frozenset({"unclear_benefit", "fluctuation", "fading_engagement"}),
    4: frozenset({"vague_goals", "unclear_benefit", "fading_engagement"}),
}


def everyone() -> tuple[Persona, ...]:
    """The coordinator, the partners and their successors: everyone who has a chat with the bot."""
    return (COORDINATOR, *PARTNERS, *SUCCESSORS)


def organisations() -> dict[str, str]:
    """Persona key → organisation name, for the partners step."""
    return {persona.key: persona.organisation for persona in PARTNERS}
