"""Risk rules over small hand-made histories: each rule fires on its sign and stays quiet just below its threshold."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import pytest

from bot.core.history import (
    SEVERITIES,
    AnswerFact,
    EventKind,
    Evidence,
    History,
    MembershipEvent,
    Participation,
    ParticipationStatus,
    Partner,
    RoundFacts,
    Signal,
    Thresholds,
)
from bot.core.risk.rules import (
    RULES,
    autonomy,
    broken_agreements,
    burden,
    divergent_goals,
    fading_engagement,
    find_signals,
    fluctuation,
    inner_advocacy,
    leadership,
    little_knowledge,
    low_goal_clarity,
    offer_orientation,
    parallel_structures,
    unclear_benefit,
    vague_goals,
    vague_reasons,
)
from bot.core.script.model import DONT_KNOW, Value

START = datetime(2027, 1, 4, 9, 0)
ORGS = (1, 2, 3, 4)


# --- a tiny builder -------------------------------------------------------------------------------------------------

def round_facts(number: int) -> RoundFacts:
    """Monthly rounds, open for two weeks."""
    opened = START + timedelta(days=30 * (number - 1))
    return RoundFacts(100 + number, number, f"2027-{number:02d}", opened, opened + timedelta(days=14), True)


def rid(number: int) -> int:
    return 100 + number


def at(number: int, days: float = 1.0) -> datetime:
    """A moment `days` after round `number` opened."""
    return round_facts(number).opened_at + timedelta(days=days)


def answer(number: int, org: int, step: str, kind: str, value: Value, *, factor: int | None = None,
           risk: int | None = None, concern: bool = False) -> AnswerFact:
    level = value if kind == "scale" and isinstance(value, int) and not isinstance(value, bool) else None
    return AnswerFact(rid(number), org, step, kind, factor, risk, value, level, concern, at(number))


def scale_of(step: str, factor: int | None, risk: int | None) -> Callable[[int, int, Value], AnswerFact]:
    def make(number: int, org: int, value: Value) -> AnswerFact:
        return answer(number, org, step, "scale", value, factor=factor, risk=risk)
    return make


def choice_of(step: str, factor: int | None, risk: int | None, concerns: tuple[Value, ...],
              kind: str = "choice") -> Callable[[int, int, Value], AnswerFact]:
    def make(number: int, org: int, value: Value) -> AnswerFact:
        return answer(number, org, step, kind, value, factor=factor, risk=risk, concern=value in concerns)
    return make


goals_clear = scale_of("goals_clear", 2, 1)
benefit = scale_of("benefit", 3, 5)
needs_focus = scale_of("needs_focus", 7, 3)
own_way = scale_of("autonomy", 9, 8)
ideas_inside = scale_of("ideas_inside", 10, None)
resources = scale_of("resources", None, 7)
agreements = choice_of("agreements_kept", 4, 2, ("partly", "not_kept", "none_made"))
time_for_network = choice_of("time_for_network", 1, 6, ("less", "hardly"))
leadership_involved = choice_of("leadership_involved", 8, None, ("informed_only", "not_involved"))
other_networks = choice_of("other_networks", 11, None, ("parallel",))
contact_change = choice_of("contact_change", 1, 9, (True,), kind="yes_no")


def worked_with(number: int, org: int, value: Value) -> AnswerFact:
    return answer(number, org, "partners_worked_with", "partners", value, factor=5, risk=4)


def statement(number: int, org: int, value: Value) -> AnswerFact:
    return answer(number, org, "goal_statement", "text", value, factor=2, risk=1)


def series(make: Callable[[int, int, Value], AnswerFact], org: int, *values: Value) -> list[AnswerFact]:
    """One organisation's answers in rounds 1, 2, ..."""
    return [make(number, org, value) for number, value in enumerate(values, start=1)]


def everyone(make: Callable[[int, int, Value], AnswerFact], value: Value, orgs: Iterable[int] = ORGS,
             rounds: int = 3) -> list[AnswerFact]:
    """The same answer of several organisations in rounds 1..rounds."""
    return [make(number, org, value) for org in orgs for number in range(1, rounds + 1)]


def history(answers: Iterable[AnswerFact] = (), *, rounds: int = 3, orgs: Iterable[int] = ORGS,
            participations: Iterable[Participation] = (), events: Iterable[MembershipEvent] = (),
            **thresholds: float) -> History:
    return History(7, tuple(round_facts(number) for number in range(1, rounds + 1)),
                   tuple(Partner(org, f"Org {org}") for org in orgs), tuple(answers), tuple(participations),
                   tuple(events), Thresholds(**thresholds))  # type: ignore[arg-type]


def codes(signal: Signal) -> list[str]:
    return [one.code for one in signal.evidence]


def params(evidence: Evidence) -> dict[str, str | int | float]:
    return dict(evidence.params)


def only(signals: list[Signal]) -> Signal:
    assert len(signals) == 1, signals
    return signals[0]


# --- vague_reasons --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "reasons"), [
    ("Irgendwie besser zusammenarbeiten", ["whom", "result", "time"]),
    ("Mal schauen, was das Netzwerk für uns bringt", ["result", "time"]),  # "uns": whom is implied
    ("Eventuell mehr Jugendliche bis 2028 in Ausbildung bringen", ["result"]),  # "mehr": a direction, no result
    ("Weiß nicht, vielleicht Familien besser beraten", ["result", "time"]),
    ("Wir wollen die Zusammenarbeit aller Partner im Landkreis stärken", ["result", "time"]),
    ("Better cooperation between all partners in the region", ["result", "time"]),
    ("To be seen what the network does for us", ["result", "time"]),
    ("Maybe help young people find training places next year", ["result"]),
    ("Don’t know yet", ["whom", "result", "time"]),
    ("Single parents", ["result", "time"]),
    ("keine Ahnung", ["whom", "result", "time"]),  # a hedge, not a quantifier ("kein ...")
    ("Langzeitarbeitslose Eltern schneller in Arbeit vermitteln", ["result", "time"]),
    ("10 Alleinerziehende in Ausbildung vermitteln", ["time"]),
    ("Support single parents to find a job by December", ["result"]),
])
def test_vague_goal_statements_and_why(text: str, reasons: list[str]) -> None:
    assert vague_reasons(text) == reasons


@pytest.mark.parametrize("text", [
    "Bis Juni 10 Alleinerziehende in Ausbildung vermitteln",
    "Fallkonferenzen für Jugendliche einmal pro Monat abhalten",  # a fixed rhythm of a checkable event
    "Refer 20 percent more young people to apprenticeships this year",
    "Bis Juni 10 Azubis vermitteln",  # exactly five words: no length rule by default
])
def test_concrete_goal_statements_are_not_vague(text: str) -> None:
    assert vague_reasons(text) == []


def test_min_words_sets_what_is_short() -> None:
    assert vague_reasons("Bis Juni 10 Azubis vermitteln", min_words=6) == ["result"]
    assert vague_reasons("20 bis Juni", min_words=6) == ["whom"]  # too short to leave whom implied


# --- vague_goals ----------------------------------------------------------------------------------------------------

CONCRETE = "Bis Juni 10 Alleinerziehende in Ausbildung vermitteln"


def test_a_vague_statement_is_an_info_for_its_partner() -> None:
    found = [statement(3, 1, "Irgendwie besser zusammenarbeiten"), *(statement(3, org, CONCRETE) for org in (2, 3, 4))]
    signal = only(vague_goals(history(found), rid(3)))
    assert (signal.rule, signal.risk, signal.factor, signal.function) == ("vague_goals", 1, 2, "regulation")
    assert (signal.severity, signal.organisations, signal.round_number) == ("info", (1,), 3)
    assert signal.evidence[0] == Evidence("vague_goal", 3, 1, (
        ("step", "goal_statement"), ("text", "Irgendwie besser zusammenarbeiten"),
        ("why", "whom,result,time")))


def test_a_vague_statement_again_is_a_warning() -> None:
    found = [statement(1, 1, "mal sehen"), statement(3, 1, "eventuell mehr Austausch"),
             *(statement(3, org, CONCRETE) for org in (2, 3, 4))]
    signal = only(vague_goals(history(found), rid(3)))
    assert signal.severity == "warning"
    assert [(one.code, one.round_number) for one in signal.evidence] == [("vague_goal", 1), ("vague_goal", 3)]


def test_vague_statements_of_several_partners_are_a_network_signal() -> None:
    found = [statement(3, 1, "mal sehen"), statement(3, 2, "keine Ahnung"),
             *(statement(3, org, CONCRETE) for org in (3, 4))]
    signal = only(vague_goals(history(found), rid(3)))
    assert (signal.severity, signal.organisations) == ("warning", ())
    assert codes(signal) == ["share", "vague_goal", "vague_goal"]
    assert params(signal.evidence[0]) == {"affected": 2, "total": 4}


def test_concrete_or_old_statements_give_no_vague_goals() -> None:
    found = [statement(1, 1, "mal sehen"), *(statement(3, org, CONCRETE) for org in ORGS)]
    assert vague_goals(history(found), rid(3)) == []


# --- divergent_goals ------------------------------------------------------------------------------------------------

APART = ("Bis Juni 10 Alleinerziehende in Ausbildung vermitteln",
         "Schulden verschuldeter Haushalte schneller regulieren",
         "Wohnungslose Menschen dauerhaft unterbringen")
CLOSE = ("Bis Juni 10 Alleinerziehende in Ausbildung vermitteln",
         "Alleinerziehende schneller in eine Ausbildung vermitteln",
         "Mehr Alleinerziehende in Ausbildung bringen")
ALL_BUT_ONE = (*CLOSE[:2], APART[2])  # two of three share a goal: aligned by "all but one"


def test_statements_without_a_shared_goal_diverge() -> None:
    found = [statement(3, org, text) for org, text in zip(ORGS, APART, strict=False)]
    signal = only(divergent_goals(history(found), rid(3)))
    assert (signal.rule, signal.risk, signal.factor, signal.function) == ("divergent_goals", 1, 2, "regulation")
    assert (signal.severity, signal.organisations) == ("warning", ())
    assert codes(signal) == ["divergent_goals", "goal_statement", "goal_statement", "goal_statement"]
    assert params(signal.evidence[0]) == {"overlap": 0.33, "statements": 3}  # at most one of three shares a goal
    assert params(signal.evidence[2]) == {"step": "goal_statement", "text": APART[1]}


def test_two_diverging_statements_are_an_info() -> None:
    found = [statement(1, 1, APART[0]), statement(3, 2, APART[1])]  # the newest of each within trend_rounds
    assert only(divergent_goals(history(found), rid(3))).severity == "info"


@pytest.mark.parametrize(("found", "why"), [
    ([statement(3, org, text) for org, text in zip(ORGS, CLOSE, strict=False)], "they share the goal"),
    ([statement(3, org, text) for org, text in zip(ORGS, ALL_BUT_ONE, strict=False)], "all but one share it"),
    ([statement(3, 1, APART[0])], "only one statement"),
    ([statement(2, 1, APART[0]), statement(2, 2, APART[1])], "nothing new in this round"),
    ([statement(3, 1, APART[0]), statement(3, 2, "Irgendwie besser zusammenarbeiten")], "one names no goal"),
])
def test_statements_that_do_not_diverge(found: list[AnswerFact], why: str) -> None:
    assert divergent_goals(history(found), rid(3)) == [], why


def test_statements_naming_no_goal_are_left_out() -> None:
    found = [*(statement(3, org, text) for org, text in zip(ORGS, APART, strict=False)),
             statement(3, 4, "Irgendwie besser zusammenarbeiten")]
    signal = only(divergent_goals(history(found), rid(3)))
    assert params(signal.evidence[0])["statements"] == 3
    assert "Irgendwie besser zusammenarbeiten" not in [params(one).get("text") for one in signal.evidence]


def test_a_stricter_overlap_makes_all_but_one_diverge() -> None:
    found = [statement(3, org, text) for org, text in zip(ORGS, ALL_BUT_ONE, strict=False)]
    assert divergent_goals(history(found), rid(3)) == []
    assert only(divergent_goals(history(found, goal_overlap=1.0), rid(3))).rule == "divergent_goals"


# --- answer rules: one sign fires, just above the low level does not ------------------------------------------------

ANSWER_RULES = [  # rule, function, factory, healthy value, a sign, risk, factor, management function, evidence code
    ("low_goal_clarity", low_goal_clarity, goals_clear, 3, 2, 1, 2, "regulation", "low_answer"),
    ("unclear_benefit", unclear_benefit, benefit, 3, 2, 5, 3, "evaluation", "low_answer"),
    ("broken_agreements", broken_agreements, agreements, "all", "not_kept", 2, 4, "regulation", "concern_answer"),
    ("burden", burden, time_for_network, "same", "hardly", 6, 5, "allokation", "concern_answer"),
    ("burden", burden, resources, 3, 2, 7, 5, "allokation", "low_answer"),
    ("autonomy", autonomy, own_way, 3, 2, 8, 9, "regulation", "low_answer"),
    ("offer_orientation", offer_orientation, needs_focus, 3, 2, 3, 7, "evaluation", "low_answer"),
    ("little_knowledge", little_knowledge, worked_with, ("2", "3"), (), 4, 5, "allokation", "no_cooperation"),
    ("leadership", leadership, leadership_involved, "decides", "not_involved", None, 8, "selektion", "concern_answer"),
    ("inner_advocacy", inner_advocacy, ideas_inside, 3, 2, None, 10, "regulation", "low_answer"),
    ("parallel_structures", parallel_structures, other_networks, "coordinated", "parallel", None, 11, "selektion",
     "concern_answer"),
]
JUST_ABOVE: dict[str, Value] = {"low_goal_clarity": 3, "unclear_benefit": 3, "broken_agreements": "most",
                                "burden": "unsure", "autonomy": 3, "offer_orientation": 3, "little_knowledge": ("2",),
                                "leadership": "supports", "inner_advocacy": 3, "parallel_structures": "partly"}


@pytest.mark.parametrize(("rule", "find", "make", "healthy", "sign", "risk", "factor", "function", "code"),
                         ANSWER_RULES)
def test_an_answer_rule_fires_on_one_sign(rule, find, make, healthy, sign, risk, factor, function, code) -> None:
    found = [*series(make, 1, healthy, healthy, sign), *everyone(make, healthy, (2, 3, 4))]
    signal = only(find(history(found), rid(3)))
    assert (signal.rule, signal.risk, signal.factor, signal.function) == (rule, risk, factor, function)
    assert (signal.severity, signal.organisations, signal.round_number) == ("info", (1,), 3)
    assert codes(signal) == [code]
    assert signal.evidence[0].round_number == 3 and signal.evidence[0].organisation_id == 1
    assert params(signal.evidence[0]).get("step") == make(3, 1, sign).step_id
    # just above the low level (or a harmless option) it stays quiet, and so do the healthy rounds before
    quiet = [*series(make, 1, healthy, healthy, JUST_ABOVE[rule]), *everyone(make, healthy, (2, 3, 4))]
    assert find(history(quiet), rid(3)) == []
    assert find(history(found), rid(2)) == []


@pytest.mark.parametrize(("rule", "find", "make", "healthy", "sign"), [row[:5] for row in ANSWER_RULES])
def test_a_sign_confirmed_in_the_round_before_is_a_warning(rule, find, make, healthy, sign) -> None:
    found = [*series(make, 1, healthy, sign, sign), *everyone(make, healthy, (2, 3, 4))]
    signal = only(find(history(found), rid(3)))
    assert (signal.rule, signal.severity, signal.organisations) == (rule, "warning", (1,))
    assert [(one.round_number, one.organisation_id) for one in signal.evidence] == [(2, 1), (3, 1)]


@pytest.mark.parametrize(("rule", "find", "make", "healthy", "sign"), [row[:5] for row in ANSWER_RULES])
def test_signs_of_several_partners_are_one_network_signal(rule, find, make, healthy, sign) -> None:
    found = [*series(make, 1, healthy, healthy, sign), *series(make, 2, healthy, healthy, sign),
             *everyone(make, healthy, (3, 4, 5))]
    signal = only(find(history(found, orgs=(1, 2, 3, 4, 5)), rid(3)))  # 2 of 5 = 0.4 >= low_share
    assert (signal.rule, signal.organisations) == (rule, ())
    assert signal.severity == "warning"
    assert signal.evidence[0] == Evidence("share", 3, None, (("affected", 2), ("total", 5)))
    assert [one.organisation_id for one in signal.evidence[1:]] == [1, 2]
    # with a higher share needed, they stay per partner
    assert [one.organisations for one in find(history(found, orgs=(1, 2, 3, 4, 5), low_share=0.5), rid(3))] == [
        (1,), (2,)]


def test_burden_names_the_risk_of_the_answer_behind_it() -> None:
    found = [time_for_network(3, 1, "same"), resources(3, 1, 1), time_for_network(3, 2, "hardly"),
             *(time_for_network(3, org, "same") for org in range(3, 9))]
    assert [(one.organisations, one.risk) for one in burden(history(found, orgs=range(1, 9)), rid(3))] == [
        ((1,), 7), ((2,), 6)]


def test_rules_read_factors_and_risks_not_step_ids() -> None:
    renamed = [one._replace(step_id="wie_hilfreich") for one in series(benefit, 1, 4, 4, 1)]
    assert codes(only(unclear_benefit(history(renamed), rid(3)))) == ["low_answer", "drop"]
    # an answer with a risk belongs to that risk's rule, whatever its factor
    assert unclear_benefit(history(series(time_for_network, 1, "same", "same", "hardly")), rid(3)) == []


# --- unclear_benefit: drops, collapse, don't know, trend --------------------------------------------------------------

@pytest.mark.parametrize(("levels", "severity", "found"), [
    ((5, 5, 3), "warning", ["drop"]),  # a drop by 2, not low
    ((5, 5, 4), None, []),  # a drop by 1
    ((4, 4, 2), "warning", ["low_answer", "drop"]),  # a drop by 2 to low
    ((4, 4, 1), "urgent", ["low_answer", "drop"]),  # collapsed: a drop by 3 to low
    ((5, 5, 3, 3), None, []),  # the drop was a round ago
    ((5, 4, 3), "info", ["falling_trend"]),  # falling over trend_rounds rounds
    ((5, 4, 4), None, []),
    ((3, DONT_KNOW, DONT_KNOW), "warning", ["dont_know"]),  # "don't know" twice in a row
    ((3, 3, DONT_KNOW), None, []),
    ((DONT_KNOW, 3, DONT_KNOW), None, []),
])
def test_benefit_drops_collapse_and_dont_know(levels: tuple[Value, ...], severity: str | None,
                                              found: list[str]) -> None:
    signals = unclear_benefit(history(series(benefit, 1, *levels), rounds=len(levels)), rid(len(levels)))
    if severity is None:
        assert signals == []
        return
    signal = only(signals)
    assert (signal.severity, signal.organisations, codes(signal)) == (severity, (1,), found)


def test_benefit_evidence_params() -> None:
    signal = only(unclear_benefit(history(series(benefit, 4, 4, 4, 1)), rid(3)))
    assert signal.evidence == (Evidence("low_answer", 3, 4, (("step", "benefit"), ("value", 1))),
                               Evidence("drop", 3, 4, (("step", "benefit"), ("before", 4), ("after", 1))))
    trend = only(unclear_benefit(history(series(benefit, 2, 5, 4, 3)), rid(3)))
    assert trend.evidence == (Evidence("falling_trend", 3, 2, (("factor", 3), ("levels", "5,4,3"))),)
    unsure = only(unclear_benefit(history(series(benefit, 3, 4, DONT_KNOW, DONT_KNOW)), rid(3)))
    assert unsure.evidence == (Evidence("dont_know", 3, 3, (("step", "benefit"), ("rounds", 2))),)


@pytest.mark.parametrize(("low", "orgs", "severity"), [
    ((1, 2), ORGS, "urgent"),  # half of the answering partners low
    ((1, 2), (1, 2, 3, 4, 5), "warning"),  # 2 of 5: a network signal, not a collapse
])
def test_half_the_partners_with_low_benefit_is_urgent(low: tuple[int, ...], orgs: tuple[int, ...],
                                                      severity: str) -> None:
    found = [benefit(3, org, 2 if org in low else 4) for org in orgs]
    signal = only(unclear_benefit(history(found, orgs=orgs), rid(3)))
    assert (signal.severity, signal.organisations) == (severity, ())


# --- broken_agreements: a falling share of partners keeping them ---------------------------------------------------

def test_fewer_partners_keeping_agreements_round_by_round_is_a_network_signal() -> None:
    five = (1, 2, 3, 4, 5)
    found = [*series(agreements, 1, "all", "not_kept", "partly"), *series(agreements, 2, "all", "all", "not_kept"),
             *everyone(agreements, "most", (3, 4, 5))]
    signal = only(broken_agreements(history(found, orgs=five, low_share=0.6), rid(3)))
    assert (signal.severity, signal.organisations) == ("warning", ())
    assert codes(signal)[:2] == ["share", "falling_trend"]
    assert params(signal.evidence[1]) == {"factor": 4, "levels": "100,80,60"}
    # just below: the share did not fall in the last round, so two partner signals
    steady = [*series(agreements, 1, "all", "not_kept", "partly"), *series(agreements, 2, "all", "not_kept", "all"),
              *everyone(agreements, "most", (3, 4, 5))]
    assert [one.organisations for one in broken_agreements(history(steady, orgs=five, low_share=0.6), rid(3))] == [
        (1,)]


def test_levels_of_two_questions_on_one_risk_are_compared_each_with_itself() -> None:
    """Agreements kept (all, most, all: 5, 4, 5) and, new in round 3, shared rules (one partner's: 3): the rules
    answer is a sign of its own, not a drop from the agreements' 5."""
    kept = [answer(number, 1, "agreements_kept", "choice", value, factor=4, risk=2)._replace(level=level)
            for number, value, level in ((1, "all", 5), (2, "most", 4), (3, "all", 5))]
    rules = answer(3, 1, "network_rules", "choice", "one_dominates", factor=6, risk=2, concern=True)._replace(level=3)
    signal = only(broken_agreements(history([*kept, rules], orgs=(1,)), rid(3)))
    assert codes(signal) == ["concern_answer"] and signal.severity == "info"
    falling = [*kept[:2], kept[2]._replace(value="partly", level=2, concern=True), rules]
    found = only(broken_agreements(history(falling, orgs=(1,)), rid(3)))
    assert "drop" in codes(found)
    assert next(params(one) for one in found.evidence if one.code == "drop")["step"] == "agreements_kept"


# --- fluctuation ----------------------------------------------------------------------------------------------------

def event(org: int, kind: EventKind, number: int, days: float = 3.0) -> MembershipEvent:
    return MembershipEvent(org, kind, at(number, days))


@pytest.mark.parametrize(("kind", "severity", "code"), [
    ("replaced", "warning", "contact_changed"),
    ("unreachable", "urgent", "unreachable"),
    ("left", "urgent", "left"),
])
def test_a_contact_person_event_in_this_round(kind: EventKind, severity: str, code: str) -> None:
    signal = only(fluctuation(history(events=[event(2, kind, 3)]), rid(3)))
    assert (signal.rule, signal.risk, signal.factor, signal.function) == ("fluctuation", 9, 1, "selektion")
    assert (signal.severity, signal.organisations) == (severity, (2,))
    assert signal.evidence == (Evidence(code, 3, 2),)


@pytest.mark.parametrize("moment", [
    at(2, 3),  # in the round before
    at(4, 3),  # after this round
    at(1, -10),  # joined before the first round opened
])
def test_events_outside_this_rounds_window_are_not_new(moment: datetime) -> None:
    events = [MembershipEvent(2, "left", moment), MembershipEvent(3, "joined", at(1, -10))]
    assert fluctuation(history(events=events, rounds=3), rid(3)) == []


def test_an_event_between_two_rounds_belongs_to_the_next() -> None:
    between = MembershipEvent(2, "unreachable", round_facts(2).closes_at + timedelta(days=1))
    assert fluctuation(history(events=[between]), rid(2)) == []
    assert only(fluctuation(history(events=[between]), rid(3))).severity == "urgent"


def test_several_new_contact_persons_within_a_quarter() -> None:
    events = [event(1, "replaced", 2), event(1, "replaced", 3)]
    signal = only(fluctuation(history(events=events, rounds=4), rid(4)))
    assert (signal.severity, signal.organisations) == ("warning", (1,))
    assert signal.evidence == (Evidence("new_contacts", 4, 1, (("count", 2),)),)
    # just below: the first change lies before the quarter (rounds 2-4)
    earlier = [event(1, "replaced", 1), event(1, "replaced", 3)]
    assert fluctuation(history(events=earlier, rounds=4), rid(4)) == []


def test_a_handover_stored_as_replaced_and_joined_is_one_new_contact() -> None:
    once = [event(1, "replaced", 3), event(1, "joined", 3, 3.5)]
    signal = only(fluctuation(history(events=once), rid(3)))
    assert (signal.severity, signal.organisations, codes(signal)) == ("warning", (1,), ["contact_changed"])
    twice = [event(1, "replaced", 2), event(1, "joined", 2, 3.5), *once]
    assert codes(only(fluctuation(history(events=twice), rid(3)))) == ["contact_changed", "new_contacts"]


def test_fluctuation_in_a_share_of_partners_is_a_network_signal() -> None:
    events = [event(1, "replaced", 2), event(3, "left", 3)]
    signal = only(fluctuation(history(events=events), rid(3)))  # 2 of 4 >= fluctuation_share
    assert (signal.severity, signal.organisations) == ("urgent", ())
    assert signal.evidence == (Evidence("share", 3, None, (("affected", 2), ("total", 4))),
                               Evidence("contact_changed", 2, 1), Evidence("left", 3, 3))
    # just below the share: only the partner that left this round
    below = only(fluctuation(history(events=events, fluctuation_share=0.6), rid(3)))
    assert (below.severity, below.organisations) == ("urgent", (3,))


def test_new_partners_joining_are_no_network_fluctuation() -> None:
    events = [event(1, "replaced", 3), event(5, "joined", 2), event(6, "joined", 3)]
    signal = only(fluctuation(history(events=events, orgs=(1, 2, 3, 4, 5, 6)), rid(3)))
    assert (signal.severity, signal.organisations) == ("warning", (1,))


def test_an_announced_contact_change_is_an_info() -> None:
    found = [contact_change(3, 2, True), contact_change(3, 1, False)]
    signal = only(fluctuation(history(found), rid(3)))
    assert (signal.severity, signal.organisations) == ("info", (2,))
    assert signal.evidence == (Evidence("concern_answer", 3, 2, (("step", "contact_change"), ("value", True))),)


# --- fading_engagement ----------------------------------------------------------------------------------------------

def took_part(number: int, org: int, status: ParticipationStatus, days: float | None = None) -> Participation:
    if days is None:
        return Participation(rid(number), org, status)
    return Participation(rid(number), org, status, at(number, 0), at(number, days))


def test_missed_check_ins_in_a_row() -> None:
    signal = only(fading_engagement(history(participations=[took_part(2, 3, "missed"), took_part(3, 3, "missed")]),
                                    rid(3)))
    assert (signal.rule, signal.risk, signal.factor, signal.function) == ("fading_engagement", None, 1, "selektion")
    assert (signal.severity, signal.organisations) == ("warning", (3,))
    assert signal.evidence == (Evidence("missed", 3, 3, (("rounds", 2), ("since", 2))),)


@pytest.mark.parametrize("statuses", [("done", "missed"), ("missed", "late"), ("missed", "excused")])
def test_missed_not_in_a_row(statuses: tuple[ParticipationStatus, ParticipationStatus]) -> None:
    found = [took_part(2, 3, statuses[0]), took_part(3, 3, statuses[1])]
    assert fading_engagement(history(participations=found), rid(3)) == []


def test_a_partner_without_contact_person_is_not_asked_to_engage() -> None:
    missed = [took_part(2, 3, "missed"), took_part(3, 3, "missed")]
    base = history(participations=missed)
    gone = replace(base, partners=tuple(replace(one, active=one.organisation_id != 3) for one in base.partners))
    assert fading_engagement(gone, rid(3)) == []


@pytest.mark.parametrize(("days", "fires"), [((1, 3.5, 6), True), ((1, 3, 4.9), False), ((6, 3.5, 1), False)])
def test_ever_later_answers(days: tuple[float, ...], fires: bool) -> None:
    found = [took_part(number, 2, "done", one) for number, one in enumerate(days, start=1)]
    signals = fading_engagement(history(participations=found), rid(3))
    if not fires:
        assert signals == []
        return
    signal = only(signals)
    assert (signal.severity, signal.organisations) == ("info", (2,))
    assert signal.evidence == tuple(Evidence("later_answers", number, 2, (("days", float(one)),))
                                    for number, one in enumerate(days, start=1))


def test_later_answers_fall_back_on_answer_times() -> None:
    found = [benefit(number, 2, 4)._replace(answered_at=at(number, one)) for number, one in ((1, 1), (2, 4), (3, 7))]
    assert codes(only(fading_engagement(history(found), rid(3)))) == ["later_answers"] * 3


def test_several_partners_missing_is_a_network_signal() -> None:
    missed = [took_part(number, org, "missed") for number in (2, 3) for org in (1, 2)]
    signal = only(fading_engagement(history(participations=missed), rid(3)))
    assert (signal.severity, signal.organisations, codes(signal)) == ("warning", (), ["share", "missed", "missed"])


# --- thresholds per network, order, purity --------------------------------------------------------------------------

@pytest.mark.parametrize(("find", "found", "extra", "setting"), [
    (unclear_benefit, series(benefit, 1, 4, 4, 3), {}, {"low_level": 3}),
    (unclear_benefit, series(benefit, 1, 5, 5, 4), {}, {"drop": 1}),
    (unclear_benefit, series(benefit, 1, 4, 4, DONT_KNOW), {}, {"dont_know_rounds": 1}),
    (unclear_benefit, series(benefit, 1, 5, 5, 4), {}, {"trend_rounds": 2}),
    (fading_engagement, [], {"participations": [took_part(3, 1, "missed")]}, {"missed_in_row": 1}),
    (fading_engagement, [], {"participations": [took_part(n, 1, "done", d) for n, d in ((1, 1), (2, 2), (3, 3))]},
     {"later_days": 1.0}),
    (fluctuation, [], {"events": [event(1, "replaced", 3), event(1, "replaced", 2)]}, {"new_contacts_per_quarter": 3}),
    (vague_goals, [statement(3, 1, "Bis Juni 10 Azubis vermitteln")], {}, {"vague_min_words": 6}),
])
def test_a_networks_thresholds_change_the_outcome(find, found, extra, setting) -> None:
    default = find(history(found, **extra), rid(3))
    own = find(history(found, **extra, **setting), rid(3))
    assert default != own


def test_a_threshold_thresholds_lacks_yet_is_read_when_a_network_has_it() -> None:
    @dataclass(frozen=True)
    class Later(Thresholds):
        collapse_drop: int = 2

    found = series(benefit, 1, 4, 4, 2)
    assert only(unclear_benefit(history(found), rid(3))).severity == "warning"
    assert only(unclear_benefit(replace(history(found), thresholds=Later()), rid(3))).severity == "urgent"


def test_network_share_thresholds_change_the_outcome() -> None:
    events = [event(1, "replaced", 3), event(2, "replaced", 3)]
    assert [one.organisations for one in fluctuation(history(events=events), rid(3))] == [()]
    assert [one.organisations for one in fluctuation(history(events=events, fluctuation_share=0.75), rid(3))] == [
        (1,), (2,)]


def test_find_signals_sorts_most_severe_first_then_by_risk() -> None:
    found = [*series(benefit, 1, 4, 4, 2), *series(agreements, 2, "all", "not_kept", "not_kept"),
             *series(own_way, 3, 3, 3, 2), statement(3, 4, "mal sehen")]
    signals = find_signals(history(found, events=[event(4, "left", 3)]), rid(3))
    assert [(one.severity, one.risk, one.rule) for one in signals] == [
        ("urgent", 9, "fluctuation"),
        ("warning", 2, "broken_agreements"),
        ("warning", 5, "unclear_benefit"),
        ("info", 1, "vague_goals"),
        ("info", 8, "autonomy"),
    ]
    assert [SEVERITIES.index(one.severity) for one in signals] == sorted(SEVERITIES.index(one.severity)
                                                                          for one in signals)
    assert find_signals(history(found, events=[event(4, "left", 3)]), rid(3)) == signals  # stable, pure


def test_a_quiet_network_has_no_signals() -> None:
    found = [*everyone(goals_clear, 4), *everyone(benefit, 4), *everyone(agreements, "all"),
             *(statement(1, org, CONCRETE) for org in ORGS)]
    assert find_signals(history(found), rid(3)) == []


def test_every_rule_is_public_and_an_unknown_round_is_an_error() -> None:
    assert set(RULES) >= {"vague_goals", "divergent_goals", "low_goal_clarity", "unclear_benefit", "fluctuation",
                          "broken_agreements", "burden", "autonomy", "offer_orientation", "fading_engagement"}
    with pytest.raises(KeyError):
        find_signals(history(), rid(9))
