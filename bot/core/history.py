"""A network's history as plain data (rounds, answers, participation, membership events): what risk rules read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Literal, NamedTuple

from bot.core.script.model import Value

# Answers a partner gave when it joined (the onboarding check-in, outside any round) are its baseline: they stand in
# the history under this round id and number, before every round, so that a partner's trend starts where it began.
BASELINE_ROUND = 0
BASELINE_SCRIPT = "onboarding_checkin"

Privacy = Literal["anonymous", "named"]  # of a round: may the coordinator see who answered what (bot.core.disclosure)
Severity = Literal["info", "warning", "urgent"]
SEVERITIES: tuple[Severity, ...] = ("urgent", "warning", "info")  # most severe first
Function = Literal["selektion", "allokation", "regulation", "evaluation"]
ParticipationStatus = Literal["pending", "done", "late", "missed", "excused"]
# "replaced": a new contact person took over (through an invite for the organisation, or after the old one stepped
# down); "stepped_down": the contact person said they are no longer responsible and no successor has joined yet
EventKind = Literal["joined", "replaced", "stepped_down", "left", "unreachable"]


@dataclass(frozen=True)
class RoundFacts:
    """One check-in round of the network; `number` counts the network's rounds from 1."""

    id: int
    number: int
    period: str  # "2027-01"
    opened_at: datetime
    closes_at: datetime
    closed: bool
    privacy: Privacy = "anonymous"  # named only if the network was named when the round opened and still is
    asks: frozenset[int] = frozenset()  # the success factors its check-in asked about (whoever answered, or not)


@dataclass(frozen=True)
class Partner:
    """A partner organisation of the network (its contact person may change; the organisation stays)."""

    organisation_id: int
    name: str
    kind: str = "other"
    active: bool = True  # has an active contact person


class AnswerFact(NamedTuple):
    """The current answer (newest revision) of one step in one organisation's check-in of one round (round_id
    BASELINE_ROUND: the organisation's newest onboarding answer, its baseline).

    `level` is the answer on the scale 1-5 where there is one (a scale answer, or a choice whose option carries a
    level; None for "don't know" and other kinds); `concern` is
    True when the step's script marks this answer as a sign of its risk factor (`concern:` in the YAML). A named
    tuple, not a frozen dataclass: a network's history holds thousands, and a frozen dataclass takes six times as
    long to build (a tenth of a digest's time).
    """

    round_id: int
    organisation_id: int
    step_id: str
    kind: str
    factor: int | None
    risk: int | None
    value: Value
    level: int | None
    concern: bool
    answered_at: datetime
    late: bool = False
    quote_named: bool = False  # a free text the partner allowed to be quoted with its name where the round is anonymous
    # a free text, or a choice without levels that is no sign of a risk (a follow-up such as "what would raise the
    # benefit"): the partner's own words, quoted rather than counted
    words: bool = False


@dataclass(frozen=True)
class Participation:
    """Whether an organisation answered a round: pending, done, late, missed or excused (paused)."""

    round_id: int
    organisation_id: int
    status: ParticipationStatus
    prompted_at: datetime | None = None
    finished_at: datetime | None = None


@dataclass(frozen=True)
class MembershipEvent:
    """A fact about an organisation's contact person: joined, replaced (by a new one), stepped down (no longer
    responsible, the successor not joined yet), left, unreachable."""

    organisation_id: int
    kind: EventKind
    at: datetime


@dataclass(frozen=True)
class Thresholds:
    """When rules fire; defaults here, a network may set its own."""

    low_level: int = 2  # a scale answer at or below this is low
    drop: int = 2  # a fall by this many points from one round to the next of the same partner
    dont_know_rounds: int = 2  # "don't know" in this many rounds in a row
    missed_in_row: int = 2  # missed check-ins in a row
    low_share: float = 0.34  # a network-level signal when at least this share of answering partners is low
    fluctuation_share: float = 0.25  # network-level fluctuation when this share of partners is affected
    new_contacts_per_quarter: int = 2  # several new contact persons within three rounds
    # a goal statement of fewer words than this must name whom explicitly to be concrete (bot.core.goal_text); it is
    # vague when it misses a checkable result or a time frame, whatever its length
    vague_min_words: int = 3
    # divergent goals: the share of the partners' statements (those naming a target group or field) that must pursue
    # one goal, besides the rule "all but one, both of two" (bot.core.goal_concepts.needed); 1.0: all must agree
    goal_overlap: float = 0.5
    trend_rounds: int = 3  # rounds a trend looks back over
    later_days: float = 2.0  # "ever later answers": each of the last rounds answered this many days later
    collapse_drop: int = 3  # benefit collapses: a fall by this many points to the low level (urgent)
    collapse_share: float = 0.5  # ... or at least this share of the answering partners low in one round
    network_min_partners: int = 2  # a network-level signal needs at least this many partners affected
    quarter_rounds: int = 3  # rounds counted as a quarter (new contact persons)


@dataclass(frozen=True)
class History:
    """Everything the rules see of one network, oldest round first."""

    network_id: int
    rounds: tuple[RoundFacts, ...]
    partners: tuple[Partner, ...]
    answers: tuple[AnswerFact, ...] = ()
    participations: tuple[Participation, ...] = ()
    events: tuple[MembershipEvent, ...] = ()
    thresholds: Thresholds = field(default_factory=Thresholds)
    privacy_changes: tuple[tuple[datetime, Privacy], ...] = ()  # the network's settings with their time, oldest first

    def privacy_at(self, moment: datetime) -> Privacy:
        """The network's privacy setting at a moment (anonymous, the default, before any was made)."""
        found: Privacy = "anonymous"
        for at, privacy in self.privacy_changes:
            if at > moment:
                break
            found = privacy
        return found

    # Indexes built on first use: ten rules and the digest each look at a slice of thousands of answers.
    @cached_property
    def by_round(self) -> dict[int, tuple[AnswerFact, ...]]:
        """Each round's answers, in stored order."""
        rounds: dict[int, list[AnswerFact]] = {}
        for answer in self.answers:
            rounds.setdefault(answer.round_id, []).append(answer)
        return {round_id: tuple(answers) for round_id, answers in rounds.items()}

    @cached_property
    def levels(self) -> dict[int, dict[int, dict[int, float]]]:
        """Round id → success factor → organisation → its level in that round (the mean of its levelled answers to
        the factor, one decimal)."""
        given: dict[tuple[int, int, int], list[int]] = {}
        for answer in self.answers:
            if answer.level is not None and answer.factor is not None:
                key = (answer.round_id, answer.factor, answer.organisation_id)
                found = given.get(key)
                if found is None:
                    given[key] = [answer.level]
                else:
                    found.append(answer.level)
        levels: dict[int, dict[int, dict[int, float]]] = {}
        for (round_id, factor, organisation), values in given.items():
            level = float(values[0]) if len(values) == 1 else round(sum(values) / len(values), 1)
            levels.setdefault(round_id, {}).setdefault(factor, {})[organisation] = level
        return levels

    @cached_property
    def answering(self) -> dict[int, int]:
        """Round id → how many organisations gave at least one answer in it."""
        seen: dict[int, set[int]] = {}
        for answer in self.answers:
            seen.setdefault(answer.round_id, set()).add(answer.organisation_id)
        return {round_id: len(organisations) for round_id, organisations in seen.items()}

    @cached_property
    def taking_part(self) -> dict[tuple[int, int], list[Participation]]:
        """The participations by (round id, organisation id), in stored order."""
        index: dict[tuple[int, int], list[Participation]] = {}
        for one in self.participations:
            index.setdefault((one.round_id, one.organisation_id), []).append(one)
        return index

    @cached_property
    def _topic_index(self) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
        """Positions of the answers that are not texts: by risk factor, and (without one) by success factor."""
        by_risk: dict[int, list[int]] = {}
        by_factor: dict[int, list[int]] = {}
        for position, answer in enumerate(self.answers):
            if answer.kind == "text":
                continue
            if answer.risk is not None:
                by_risk.setdefault(answer.risk, []).append(position)
            elif answer.factor is not None:
                by_factor.setdefault(answer.factor, []).append(position)
        return by_risk, by_factor

    def round(self, round_id: int) -> RoundFacts:
        """The round with this id (KeyError if the history has none)."""
        for facts in self.rounds:
            if facts.id == round_id:
                return facts
        raise KeyError(f"round {round_id} is not in the history of network {self.network_id}")

    def numbers_up_to(self, round_id: int) -> dict[int, int]:
        """Round id → round number of the rounds up to and including this one, and the baseline (number 0)."""
        number = self.round(round_id).number
        return {BASELINE_ROUND: 0} | {facts.id: facts.number for facts in self.rounds if facts.number <= number}

    def about(self, risks: tuple[int, ...], factors: tuple[int, ...]) -> list[AnswerFact]:
        """The answers (no texts) about these risk factors, or, for answers without a risk factor, about these success
        factors, in stored order."""
        by_risk, by_factor = self._topic_index
        # an answer sits in one list only (one risk factor, or one success factor)
        positions = [p for risk in set(risks) for p in by_risk.get(risk, ())]
        positions += [p for factor in set(factors) for p in by_factor.get(factor, ())]
        return [self.answers[p] for p in sorted(positions)]


@dataclass(frozen=True)
class Evidence:
    """One fact behind a signal, as data: `code` names what happened, `params` the details (rendered per language).

    Codes: low_answer(step, value), drop(step, before, after), dont_know(step, rounds), vague_goal(text, why),
    divergent_goals(), concern_answer(step, value), falling_trend(factor, levels), missed(rounds), later_answers(days),
    contact_changed(), stepped_down(), unreachable(), left(), new_contacts(count), share(affected, total).
    """

    code: str
    round_number: int | None = None
    organisation_id: int | None = None
    params: tuple[tuple[str, str | int | float], ...] = ()


@dataclass(frozen=True)
class Signal:
    """A risk showing up: which rule, the risk factor (None for fading engagement), how severe, whom it concerns
    (no organisations: the whole network), the evidence, and the success factor and management function it touches."""

    rule: str
    risk: int | None
    factor: int
    function: Function
    severity: Severity
    organisations: tuple[int, ...]
    evidence: tuple[Evidence, ...]
    round_number: int  # the round it was found in (urgent signals are sent once per rule, organisation and round)
    streak: int = 1  # rounds in a row it has shown up, this one included (bot.core.escalation; 1 until counted)


def sort_signals(signals: Iterable[Signal]) -> list[Signal]:
    """Signals most severe first (urgent, warning, info), in their given order within a severity."""
    return sorted(signals, key=lambda signal: SEVERITIES.index(signal.severity))
