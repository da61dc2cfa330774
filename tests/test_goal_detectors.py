"""The vague-goal and divergent-goal detectors (bot.core.goal_text, bot.core.goal_concepts) on the cases of issue 16,
and the benchmark's goals on the repository's labelled data (bench.signals)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bench._signals_data import load_groups, load_statements, old_divergent
from bench._signals_score import evaluate
from bot.core.goal_concepts import concepts, diverge
from bot.core.history import AnswerFact, History, Partner, RoundFacts, Thresholds
from bot.core.risk.goals import REASONS, divergent_goals, vague_reasons

START = datetime(2027, 1, 5, 9, 0)
YOUNG_PEOPLE_INTO_TRAINING = (  # seven partners, one goal, in their own words (and one in English)
    "Jugendliche sollen nach der Schule eine Ausbildung beginnen.",
    "Junge Menschen bei der Ausbildungsplatzsuche unterstützen.",
    "U25 in eine Lehrstelle vermitteln.",
    "Mehr Schulabgängerinnen und Schulabgänger starten eine duale Ausbildung.",
    "Young people into vocational training.",
    "Bis 2027 finden 30 junge Leute aus dem Leistungsbezug einen Ausbildungsplatz.",
    "Heranwachsende ohne Abschluss bekommen eine Lehre.",
)


def _history(texts: tuple[str, ...] | list[str], **thresholds: float) -> History:
    opened = START
    facts = RoundFacts(101, 1, "2027-01", opened, opened + timedelta(days=10), True)
    answers = tuple(AnswerFact(101, org, "goal_statement", "text", 2, 1, text, None, False, opened + timedelta(hours=1))
                    for org, text in enumerate(texts, start=1))
    return History(7, (facts,), tuple(Partner(org, f"Org {org}") for org in range(1, len(texts) + 1)), answers,
                   thresholds=Thresholds(**thresholds))  # type: ignore[arg-type]


# --- vague goals ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Die Mitgliedszahl bis zum Jahresende um 10 % steigern",
    "In vier Wochen isst jedes Kind der Gruppe täglich Obst",
    "Save $500/month by December",
    "Bis Ende 2026 haben 40 Alleinerziehende aus dem SGB II eine Teilzeitausbildung begonnen.",
    "Innerhalb von zehn Werktagen erhält jede ratsuchende Person einen Ersttermin.",  # a per-person bound
    "Pro Quartal findet ein Treffen aller Netzwerkpartner statt.",  # a rhythm
    "Halve the number of evictions from council housing within three years.",
    "Every care leaver has a personal adviser by the age of 18.",
    "The steering group meets monthly to review the action plan.",
])
def test_concrete_statements_are_not_vague(text: str) -> None:
    assert vague_reasons(text) == []


@pytest.mark.parametrize(("text", "reasons"), [
    ("Mehr Alleinerziehende in Arbeit bringen", ["result", "time"]),
    ("Wir wollen die Chancen auf eine förderliche Entwicklung aller Kinder erhöhen", ["result", "time"]),
    ("Seit 2015 begleiten wir Familien in schwierigen Lagen.", ["result", "time"]),  # "seit" is no time frame
    ("Langfristig sollen alle Jugendlichen einen Abschluss erreichen.", ["time"]),
    ("Zeitnah die Zusammenarbeit verbessern.", ["result", "time"]),
    ("20 neue Mitglieder im Alter von 10 bis 15 Jahren gewinnen.", ["time"]),  # an age is no time frame
    ("Bis 2028 sollen bis zu 100 Plätze entstehen können.", ["result"]),  # a ceiling alone is no target
    ("Improve outcomes for families by 2027.", ["result"]),
    ("We will reduce youth unemployment soon.", ["result", "time"]),
    ("Improve everyone's mental health and wellbeing.", ["whom", "result", "time"]),
    ("Irgendwie besser zusammenarbeiten", ["whom", "result", "time"]),
])
def test_vague_statements_say_what_they_miss(text: str, reasons: list[str]) -> None:
    assert vague_reasons(text) == reasons


@pytest.mark.parametrize(("text", "reasons"), [
    ("keine Ahnung", ["whom", "result", "time"]),  # no goal at all: all three missing, in the set's order
    ("Help people", ["whom", "result", "time"]),  # "people": nobody in particular
    ("", ["whom", "result", "time"]),
    ("x", ["whom", "result", "time"]),
    ("Bis 2030", ["whom", "result"]),  # a time frame alone
    ("Jedes Kind", ["result", "time"]),  # a target group alone
    ("Die Versorgung optimieren.", ["result", "time"]),  # the object it changes is its whom; "optimieren" no result
    ("By 2027 every partner has named a deputy", []),  # a state reached by a defined set: concrete
])
def test_reasons_are_codes_of_the_set_in_order(text: str, reasons: list[str]) -> None:
    found = vague_reasons(text)
    assert found == reasons
    assert found == sorted(found, key=REASONS.index) and set(found) <= set(REASONS)


# --- divergent goals ------------------------------------------------------------------------------------------------

def test_seven_partners_with_one_goal_in_their_own_words_do_not_diverge() -> None:
    assert old_divergent(YOUNG_PEOPLE_INTO_TRAINING)  # the old word overlap raised a false warning
    apart, found = diverge([concepts(text) for text in YOUNG_PEOPLE_INTO_TRAINING], Thresholds().goal_overlap)
    assert not apart
    assert (found.support, found.counted, found.goal) == (7, 7, ("t.youth", "f.training"))
    assert divergent_goals(_history(YOUNG_PEOPLE_INTO_TRAINING), 101) == []


@pytest.mark.parametrize("texts", [
    ("Alleinerziehende in Arbeit bringen.", "Alleinerziehende aus der Überschuldung holen.",
     "Alleinerziehenden Müttern die Wohnung sichern.", "Für Alleinerziehende Betreuung in Randzeiten ausbauen."),
    ("Jugendliche in Ausbildung bringen.", "Jugendliche vor Sucht schützen.", "Schuldenfreiheit für Familien."),
    ("Ehrenamtliche Lesepaten ausbilden.", "Alleinerziehende Mütter in eine Teilzeitausbildung vermitteln.",
     "Ausbildungsbetriebe für Geflüchtete öffnen.", "Die Ausbildung von Erzieherinnen ausbauen."),  # one word, 4 goals
    ("Reduce alcohol-related hospital admissions.", "Older people are less lonely.",
     "Ältere Menschen sollen ihre Grundsicherung beantragen.", "Homeless people get a GP."),
])
def test_clearly_divergent_groups_diverge(texts: tuple[str, ...]) -> None:
    apart, _ = diverge([concepts(text) for text in texts], Thresholds().goal_overlap)
    assert apart
    signal = divergent_goals(_history(texts), 101)[0]
    assert (signal.rule, signal.severity) == ("divergent_goals", "warning")
    assert [one.code for one in signal.evidence] == ["divergent_goals", *["goal_statement"] * len(texts)]


@pytest.mark.parametrize("text", ["Irgendwie besser zusammenarbeiten", "Mal sehen.", "Better cooperation, somehow."])
def test_statements_naming_no_goal_count_neither_for_nor_against(text: str) -> None:
    assert diverge([concepts(text), concepts(YOUNG_PEOPLE_INTO_TRAINING[0])], 0.5)[1].counted == 1
    aligned = (*YOUNG_PEOPLE_INTO_TRAINING[:3], text)
    divergent = ("Jugendliche in Ausbildung bringen.", "Wohnungslose unterbringen.", text)
    assert diverge([concepts(one) for one in aligned], Thresholds().goal_overlap)[1].counted == 3
    assert divergent_goals(_history(aligned), 101) == []
    signal = divergent_goals(_history(divergent), 101)[0]
    assert (signal.severity, dict(signal.evidence[0].params)["statements"]) == ("info", 2)


@pytest.mark.parametrize(("first", "second"), [
    ("Jugendliche", "junge Menschen"), ("Jugendliche", "young people"), ("U25", "Heranwachsende"),
    ("Ausbildung", "Ausbildungsplatzsuche"), ("Lehrstelle", "apprenticeship"), ("Wohnungslose", "rough sleepers"),
    ("Alleinerziehende", "single parents"), ("Geflüchtete", "refugees"), ("Schuldnerberatung", "debt advice"),
])
def test_words_for_the_same_thing_name_the_same_concept(first: str, second: str) -> None:
    one, other = concepts(first), concepts(second)
    assert (one.targets | one.fields) & (other.targets | other.fields)


# --- the benchmark's goals on the repository's data -----------------------------------------------------------------

def test_the_benchmark_meets_its_goals_on_the_repository_data() -> None:
    report = evaluate(load_statements(), load_groups())
    assert {name for name, _, _ in report.goals} == {
        "vague goals de", "vague goals en", "vague goals all", "divergent goals de", "divergent goals en",
        "divergent goals mixed", "divergent goals all"}
    assert [(name, detail) for name, met, detail in report.goals if not met] == []
