"""The coordinator's digest, the partners' result and the coaching tips, on a small hand-made network history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.core.coaching import advice, tip
from bot.core.digest import (
    FactorLevel,
    build_digest,
    chart_data,
    factor_levels,
    main_topic,
    partner_feedback,
    response_rate,
)
from bot.core.digest_evidence import Privacy
from bot.core.digest_split import split_messages, utf16_length
from bot.core.history import (
    AnswerFact,
    Evidence,
    Function,
    History,
    MembershipEvent,
    Participation,
    ParticipationStatus,
    Partner,
    RoundFacts,
    Severity,
    Signal,
)
from bot.core.script import Value
from bot.i18n import Catalogs

JOBCENTER, JUGENDAMT, SCHULDNER, SUCHT = 1, 2, 3, 4
PARTNERS = (Partner(JOBCENTER, "Jobcenter Musterstadt", "jobcenter"), Partner(JUGENDAMT, "Jugendamt Musterstadt"),
            Partner(SCHULDNER, "Schuldnerberatung Caritas"), Partner(SUCHT, "Suchtberatung Diakonie"))
NAMES = [partner.name for partner in PARTNERS]
ANSWERING_NAMES = NAMES[:3]  # the partners whose answers the signals below are about


def identity(text: str) -> str:
    return text


def plural(singular: str, plural_: str, count: int) -> str:
    return singular if count == 1 else plural_


def _round(number: int) -> RoundFacts:
    opened = datetime(2027, number, 4, 8, tzinfo=UTC)
    return RoundFacts(number * 10, number, f"2027-{number:02d}", opened, opened + timedelta(days=14), True)


ROUNDS = (_round(1), _round(2), _round(3))
FACTORS = {"goals_clear": (2, 1), "benefit": (3, 5), "autonomy": (9, 8), "needs_focus": (7, 3)}


def _answer(number: int, organisation: int, step: str, value: Value) -> AnswerFact:
    factor, risk = FACTORS.get(step, (2, 1))
    level = value if isinstance(value, int) and not isinstance(value, bool) else None
    kind = "scale" if step in FACTORS else "text"
    return AnswerFact(number * 10, organisation, step, kind, factor, risk, value, level, False,
                      datetime(2027, number, 5, 9, tzinfo=UTC))


def _answers() -> tuple[AnswerFact, ...]:
    found = []
    # round → step → answers of Jobcenter, Jugendamt, Schuldnerberatung, Suchtberatung (None: no answer)
    scale: dict[int, dict[str, tuple[int | None, ...]]] = {
        1: {"goals_clear": (3, 3, 2, 4), "benefit": (4, 4, 4, 4), "needs_focus": (3, 3, 3, None)},
        2: {"goals_clear": (3, 3, 3, 3), "benefit": (4, 4, 4, None)},
        3: {"goals_clear": (4, 4, 3, None), "benefit": (2, 2, 2, None), "autonomy": (4, 2, None, None),
            "needs_focus": (3, 4, 3, None)},
    }
    for number, steps in scale.items():
        for step, values in steps.items():
            for organisation, value in zip((JOBCENTER, JUGENDAMT, SCHULDNER, SUCHT), values, strict=True):
                if value is not None:
                    found.append(_answer(number, organisation, step, value))
    found.append(_answer(3, SCHULDNER, "goal_statement", "Fälle besser gemeinsam"))
    return tuple(found)


def _participations() -> tuple[Participation, ...]:
    status: dict[int, tuple[ParticipationStatus, ...]] = {
        1: ("done", "done", "done", "done"), 2: ("done", "done", "late", "missed"),
        3: ("done", "done", "late", "missed")}
    return tuple(Participation(number * 10, organisation, one)
                 for number, statuses in status.items()
                 for organisation, one in zip((JOBCENTER, JUGENDAMT, SCHULDNER, SUCHT), statuses, strict=True))


HISTORY = History(7, ROUNDS, PARTNERS, _answers(), _participations(),
                  (MembershipEvent(JUGENDAMT, "replaced", datetime(2027, 3, 1, tzinfo=UTC)),
                   MembershipEvent(JOBCENTER, "joined", datetime(2026, 12, 1, tzinfo=UTC))))


def _signal(rule: str, risk: int | None, factor: int, function: Function, severity: Severity,
            organisations: tuple[int, ...], *evidence: Evidence) -> Signal:
    return Signal(rule, risk, factor, function, severity, organisations, evidence, 3)


def _ev(code: str, organisation: int | None, round_number: int = 3, **params: str | int | float) -> Evidence:
    return Evidence(code, round_number, organisation, tuple(params.items()))


AUTONOMY = _signal("autonomy", 8, 9, "regulation", "info", (JUGENDAMT,),
                   _ev("low_answer", JUGENDAMT, step="autonomy", value=2))
VAGUE = _signal("vague_goals", 1, 2, "regulation", "warning", (SCHULDNER,),
                _ev("vague_goal", SCHULDNER, step="goal_statement", text="Fälle besser gemeinsam",
                    why="short,no_action"))
BENEFIT = _signal("unclear_benefit", 5, 3, "evaluation", "urgent", (),
                  _ev("share", None, affected=3, total=3),
                  *(_ev("low_answer", org, step="benefit", value=2) for org in (JOBCENTER, JUGENDAMT, SCHULDNER)),
                  _ev("drop", JOBCENTER, step="benefit", before=4, after=2))
ENGAGEMENT = _signal("fading_engagement", None, 1, "selektion", "warning", (SUCHT,),
                     _ev("missed", SUCHT, rounds=2, since=2))
SIGNALS = [AUTONOMY, VAGUE, BENEFIT, ENGAGEMENT]  # deliberately not in order of severity


def digest(privacy: Privacy = "named", signals: list[Signal] | None = None, **kwargs: Any) -> list[str]:
    return build_digest(HISTORY, 30, SIGNALS if signals is None else signals, privacy, "en", identity, plural,
                        network_name="Netzwerk Musterstadt", month="March 2027", **kwargs)


def _signals_part(messages: list[str]) -> str:
    text = "\n".join(messages)
    return text[text.index("Signals, most urgent first:"):]


def test_response_rate_counts_done_and_late_of_all_but_the_excused() -> None:
    assert response_rate(HISTORY, 30) == (3, 4)
    paused = History(7, ROUNDS, PARTNERS, participations=(
        Participation(30, JOBCENTER, "done"), Participation(30, JUGENDAMT, "excused"),
        Participation(30, SCHULDNER, "pending")))
    assert response_rate(paused, 30) == (1, 2)


def test_factor_levels_with_means_earlier_rounds_and_trends() -> None:
    levels = {level.factor: level for level in factor_levels(HISTORY, 30)}
    assert levels[2] == FactorLevel(2, 3.7, 3, (3.0, 3.0), "up")
    assert levels[3] == FactorLevel(3, 2.0, 3, (4.0, 4.0), "down")
    assert levels[7] == FactorLevel(7, 3.3, 3, (3.0,), "flat")  # measured in rounds 1 and 3 only
    assert levels[9] == FactorLevel(9, 3.0, 2, (), "new")
    assert list(levels) == [2, 3, 7, 9]
    hidden = {level.factor: level for level in factor_levels(HISTORY, 30, min_answers=3)}
    assert hidden[9] == FactorLevel(9, None, 2, (), None)
    assert hidden[2].level == 3.7
    first = {level.factor: level for level in factor_levels(HISTORY, 10)}
    assert first[2].trend == "new" and first[2].previous == ()


def test_trend_looks_back_over_trend_rounds_at_most() -> None:
    rounds = tuple(_round(number) for number in range(1, 7))
    answers = tuple(_answer(number, org, "goals_clear", number % 5 + 1) for number in range(1, 7) for org in (1, 2, 3))
    levels = factor_levels(History(7, rounds, PARTNERS, answers), 60)
    assert levels[0].previous == (4.0, 5.0, 1.0) and levels[0].level == 2.0 and levels[0].trend == "up"


def test_digest_in_english_has_everything_in_order() -> None:
    messages = digest()
    assert len(messages) == 1
    text = messages[0]
    lines = text.splitlines()
    assert lines[0] == "Netzpuls digest for Netzwerk Musterstadt, March 2027"
    assert lines[1] == "3 of 4 partners answered (75%)."
    assert "No answer from: Suchtberatung Diakonie" in lines
    assert "Answered late: Schuldnerberatung Caritas" in lines
    assert "New contact person: Jugendamt Musterstadt" in lines
    assert "Joined: Jobcenter Musterstadt" not in lines  # before the round's window
    assert "Shared goals: 3.7 ↗ (before: 3.0 · 3.0; 3 answers)" in lines
    assert "Visible benefit for each partner: 2.0 ↘ (before: 4.0 · 4.0; 3 answers)" in lines
    assert "Clear target-group focus: 3.3 → (before: 3.0; 3 answers)" in lines
    assert "Autonomy of each partner preserved: 3.0 (first measurement; 2 answers)" in lines
    order = [text.index(marker) for marker in ("answered (75%)", "No answer from", "Success factors", "Shared goals",
                                               "Signals, most urgent first", "🔴", "🟠", "🔵")]
    assert order == sorted(order)
    signals = _signals_part(messages)
    headers = [line for line in signals.splitlines() if line[:1] in "🔴🟠🔵" and line]
    assert headers == [
        "🔴 Urgent: Unclear benefit – the network",
        "🟠 Warning: No shared goals, or only vague ones – Schuldnerberatung Caritas",
        "🟠 Warning: Fading engagement – Suchtberatung Diakonie",
        "🔵 Info: Autonomy seems restricted – Jugendamt Musterstadt",
    ]
    tips = [line for line in signals.splitlines() if line.startswith("💡 Tip (")]
    assert [t.split(")")[0] for t in tips] == ["💡 Tip (Evaluation", "💡 Tip (Regulation", "💡 Tip (Selection",
                                               "💡 Tip (Regulation"]
    assert "next meeting" in tips[0]


def test_each_signal_is_a_header_one_evidence_line_and_one_tip() -> None:
    blocks = _signals_part(digest()).split("\n\n")
    assert len(blocks) == 4
    for block in blocks:
        lines = [line for line in block.splitlines() if line != "Signals, most urgent first:"]
        assert len(lines) == 3 and lines[2].startswith("💡 Tip (")
    benefit = blocks[0].splitlines()[2]
    assert benefit.startswith("3 of 3 partners affected; Jobcenter Musterstadt: low answer on “Visible benefit")
    assert "fell from 4 to 2" in benefit
    assert "“Fälle besser gemeinsam” (too short, no action)" in blocks[1]
    assert "Suchtberatung Diakonie: missed 2 check-ins in a row" in blocks[2]


def test_digest_named_shows_who_said_what() -> None:
    signals = _signals_part(digest("named"))
    for name in ANSWERING_NAMES:
        assert name in signals
    assert "Schuldnerberatung Caritas: vague goal: “Fälle besser gemeinsam”" in signals


def test_digest_anonymous_shows_answers_only_aggregated() -> None:
    messages = digest("anonymous")
    text = "\n".join(messages)
    signals = _signals_part(messages)
    for name in ANSWERING_NAMES:
        assert name not in signals, name
    assert "Suchtberatung Diakonie: missed 2 check-ins in a row" in signals  # participation facts stay named
    assert "No answer from: Suchtberatung Diakonie" in text
    assert "New contact person: Jugendamt Musterstadt" in text
    assert "3 partners gave a low answer on “Visible benefit for each partner”" in signals
    assert "fell from" not in signals  # one partner's drop: not 3 answers
    assert "🔵 Info: Autonomy seems restricted – one partner" in signals
    assert "(details hidden: fewer than 3 answers)" in signals
    assert "vague goal: “Fälle besser gemeinsam”" in signals  # quoted, without saying whose
    assert "Autonomy of each partner preserved: too few answers" in text
    assert "Shared goals: 3.7 ↗" in text


def test_anonymous_free_texts_lose_organisation_names() -> None:
    quoted = _signal("vague_goals", 1, 2, "regulation", "info", (JOBCENTER,),
                     _ev("vague_goal", JOBCENTER, text="mit dem jugendamt musterstadt reden", why="short"))
    signals = _signals_part(digest("anonymous", [quoted]))
    assert "mit dem […] reden" in signals and "Jobcenter" not in signals


def test_a_network_signal_about_two_partners_hides_their_answers() -> None:
    two = _signal("autonomy", 8, 9, "regulation", "warning", (),
                  _ev("share", None, affected=2, total=4),
                  _ev("low_answer", JOBCENTER, step="autonomy", value=1),
                  _ev("low_answer", JUGENDAMT, step="autonomy", value=2))
    line = _signals_part(digest("anonymous", [two])).splitlines()[2]
    assert line == "2 of 4 partners affected (details hidden: fewer than 3 answers)"
    named = _signals_part(digest("named", [two])).splitlines()[2]
    assert "Jobcenter Musterstadt: low answer on “Autonomy of each partner preserved”: 1" in named


def test_mixed_signal_names_only_the_participation_facts_in_anonymous() -> None:
    mixed = _signal("fluctuation", 9, 1, "selektion", "urgent", (JOBCENTER, JUGENDAMT),
                    _ev("contact_changed", JUGENDAMT),
                    _ev("concern_answer", JOBCENTER, step="contact_change", value=True))
    signals = _signals_part(digest("anonymous", [mixed]))
    assert "Staff fluctuation in the member organisations – Jugendamt Musterstadt and one more partner" in signals
    assert "Jugendamt Musterstadt: new contact person" in signals
    assert "Jobcenter" not in signals


def test_every_evidence_code_reads_as_words() -> None:
    everything = _signal("something_new", 4, 5, "allokation", "info", (JOBCENTER,), *(
        _ev("dont_know", JOBCENTER, step="benefit", rounds=2),
        _ev("goal_statement", JOBCENTER, round_number=2, text="Mehr Jugendliche in Ausbildung"),
        _ev("divergent_goals", None, overlap=0.05, statements=3),
        _ev("concern_answer", JOBCENTER, step="agreements_kept", value="not_kept"),
        _ev("no_cooperation", JOBCENTER, step="partners_worked_with"),
        _ev("falling_trend", JOBCENTER, factor=3, levels="4,3,2"),
        _ev("falling_trend", None, factor=4, levels="80,60,40"),
        _ev("later_answers", JUGENDAMT, round_number=1, days=1.0),
        _ev("later_answers", JUGENDAMT, round_number=2, days=3.5),
        _ev("later_answers", JUGENDAMT, days=6.0),
        _ev("unreachable", SCHULDNER), _ev("left", SUCHT), _ev("joined", SUCHT),
        _ev("new_contacts", SUCHT, count=2)))
    line = _signals_part(digest("named", [everything])).splitlines()[2]
    for words in ("“don't know” on “Visible benefit for each partner” in 2 rounds in a row",
                  "goal: “Mehr Jugendliche in Ausbildung” (Feb)",
                  "the partners' goal statements have little in common",
                  "“agreements_kept”: not kept", "worked with none of the other partners",
                  "“Visible benefit for each partner” falling: 4 → 3 → 2",
                  "share of partners without problems with “Binding commitments and reliability” falling: "
                  "80 → 60 → 40 %",
                  "Jugendamt Musterstadt: answered later each round: 1 → 3.5 → 6 days after the invitation",
                  "Schuldnerberatung Caritas: the bot cannot reach the contact person",
                  "Suchtberatung Diakonie: left the network, new in the network"):
        assert words in line, words
    assert line.count("Jugendamt") == 1
    assert "Tip (Allocation)" in _signals_part(digest("named", [everything]))


def test_question_and_answer_labels_come_from_the_caller() -> None:
    concern = _signal("broken_agreements", 2, 4, "regulation", "warning", (JOBCENTER,),
                      _ev("concern_answer", JOBCENTER, step="agreements_kept", value="not_kept"))
    messages = digest("named", [concern], question_label=lambda step: f"Q:{step}",
                      answer_label=lambda step, value: f"A:{value}")
    assert "Jobcenter Musterstadt: “Q:agreements_kept”: A:not_kept" in "\n".join(messages)


def test_no_signals_and_no_answers_say_so() -> None:
    empty = History(7, ROUNDS, PARTNERS)
    text = "\n".join(build_digest(empty, 30, [], "anonymous", "en", identity, plural, network_name="N", month="M"))
    assert "Nobody was asked to answer in this round." in text
    assert "No success factor was measured on a scale in this round." in text
    assert "No warning signs in this round." in text


GERMAN = {
    "Netzpuls digest for {network}, {month}": "Netzpuls-Überblick für {network}, {month}",
    "{count} of {total} partners answered ({percent}%).": "{count} von {total} Partnern haben geantwortet "
                                                          "({percent} %).",
    "Shared goals": "Gemeinsame Ziele",
    "{factor}: {level} {arrow} (before: {previous}; {answers})": "{factor}: {level} {arrow} (vorher: {previous}; "
                                                                 "{answers})",
    "{count} answers": "{count} Antworten",
    "Urgent": "Dringend",
    "Unclear benefit": "Unklarheit über den Nutzen",
    "the network": "das Netzwerk",
    "Evaluation": "Evaluation",
    "Tip ({function}): {advice}": "Tipp ({function}): {advice}",
}


def test_digest_in_german_uses_the_translations_and_decimal_commas() -> None:
    def german(text: str) -> str:
        return GERMAN.get(text, text)

    def german_plural(singular: str, plural_: str, count: int) -> str:
        return german(singular if count == 1 else plural_)

    text = "\n".join(build_digest(HISTORY, 30, SIGNALS, "named", "de", german, german_plural,
                                  network_name="Netzwerk Musterstadt", month="März 2027"))
    assert text.startswith("Netzpuls-Überblick für Netzwerk Musterstadt, März 2027\n"
                           "3 von 4 Partnern haben geantwortet (75 %).")
    assert "Gemeinsame Ziele: 3,7 ↗ (vorher: 3,0 · 3,0; 3 Antworten)" in text
    assert "🔴 Dringend: Unklarheit über den Nutzen – das Netzwerk" in text
    assert "💡 Tipp (Evaluation): " in text


def _many_signals(count: int) -> list[Signal]:
    severities: tuple[Severity, ...] = ("info", "warning", "urgent")
    return [_signal("broken_agreements", 2, 4, "regulation", severities[index % 3], (JOBCENTER,),
                    *(_ev("concern_answer", JOBCENTER, step=f"agreement_{index}_{n}", value="not_kept")
                      for n in range(5)))
            for index in range(count)]


def test_a_long_digest_is_split_between_lines_within_telegrams_limit() -> None:
    signals = _many_signals(120)
    messages = digest("named", signals)
    assert len(messages) > 3
    for message in messages:
        assert 0 < utf16_length(message) <= 4096
        assert not message.startswith("\n") and not message.endswith("\n")
    whole = digest("named", signals, limit=10**7)
    assert len(whole) == 1
    assert "\n".join(messages).split() == whole[0].split()
    # each signal's block stays in one message, most severe first across messages
    markers = [line[0] for message in messages for line in message.splitlines() if line[:1] in "🔴🟠🔵" and line]
    assert markers == sorted(markers, key="🔴🟠🔵".index) and len(markers) == 120
    for message in messages:
        for block in message.split("\n\n"):
            if block[:1] in "🔴🟠🔵":
                assert len(block.splitlines()) == 3


def test_an_overlong_line_is_split_at_word_boundaries() -> None:
    words = [f"Wort{n}" for n in range(3000)]
    line = " ".join(words)
    pieces = split_messages([["Kopf"], [line, "Ende"]], limit=500)
    assert all(utf16_length(piece) <= 500 for piece in pieces)
    assert " ".join(pieces).split() == ["Kopf", *words, "Ende"]
    for piece in pieces:
        assert set(piece.split()) <= {"Kopf", "Ende", *words}  # no word cut in two


def test_split_counts_emoji_as_two_units_and_cuts_only_a_word_longer_than_a_message() -> None:
    pieces = split_messages([["🔴" * 6]], limit=4)
    assert pieces == ["🔴🔴", "🔴🔴", "🔴🔴"]
    assert split_messages([["a b", "c"], ["d"]], limit=3) == ["a b", "c", "d"]
    assert split_messages([["ab", "c"], ["d"]], limit=10) == ["ab\nc\n\nd"]


def test_partner_feedback_has_aggregates_and_the_topic_but_no_names() -> None:
    topic = main_topic(SIGNALS, identity)
    assert topic == "Unclear benefit"
    text = partner_feedback(HISTORY, 30, topic, "en", identity, plural, month="March 2027")
    assert text.splitlines() == [
        "What the network learned in March 2027",
        "3 of 4 partners answered (75%).",
        "Went up: Shared goals (3.0 → 3.7)",
        "Went down: Visible benefit for each partner (4.0 → 2.0)",
        "The coordinator will take this up at the next meeting: Unclear benefit",
        "Thank you for taking part!",
    ]
    for name in NAMES:
        assert name not in text
    assert "Fälle" not in text and "Autonomy" not in text  # no free text; a factor with 2 answers is left out
    scrubbed = partner_feedback(HISTORY, 30, "Talk with Jobcenter Musterstadt", "en", identity, plural)
    assert "Jobcenter" not in scrubbed and scrubbed.startswith("What the network learned in this round")


def test_partner_feedback_without_changes_or_topic() -> None:
    text = partner_feedback(HISTORY, 20, None, "en", identity, plural)
    assert "No success factor changed noticeably." in text
    assert "coordinator" not in text
    assert main_topic([], identity) is None


@pytest.mark.parametrize("rule", ["vague_goals", "divergent_goals", "low_goal_clarity", "unclear_benefit",
                                  "fluctuation", "broken_agreements", "burden", "autonomy", "offer_orientation",
                                  "fading_engagement", "little_knowledge", "leadership", "inner_advocacy",
                                  "parallel_structures"])
def test_every_rule_has_its_own_tip_about_the_next_meeting(rule: str) -> None:
    signal = _signal(rule, 1, 1, "evaluation", "info", ())
    assert advice(signal, identity) != advice(_signal("unknown", None, 1, "evaluation", "info", ()), identity)
    assert "next meeting" in advice(signal, identity)
    assert tip(signal, identity).startswith("Tip (Evaluation): ")


def test_unknown_rules_get_a_tip_by_risk_factor_or_a_general_one() -> None:
    by_risk = advice(_signal("new_rule", 7, 5, "allokation", "info", ()), identity)
    assert "money" in by_risk
    assert advice(_signal("burden", 7, 5, "allokation", "info", ()), identity) == by_risk
    general = advice(_signal("new_rule", None, 5, "allokation", "info", ()), identity)
    assert "next meeting" in general and general != by_risk
    assert len({advice(_signal(f"r{risk}", risk, 1, "selektion", "info", ()), identity) for risk in range(1, 10)}) == 9


def test_chart_data_hides_small_means_in_an_anonymous_network() -> None:
    named = chart_data(HISTORY, 30)
    assert named.periods == ("2027-01", "2027-02", "2027-03")
    assert dict(named.factors)[2] == (3.0, 3.0, 3.7)
    assert dict(named.factors)[9] == (None, None, 3.0)
    assert named.responses == ((4, 4), (3, 4), (3, 4))
    anonymous = chart_data(HISTORY, 30, min_answers=3, rounds=2)
    assert anonymous.periods == ("2027-02", "2027-03") and 9 not in dict(anonymous.factors)


@pytest.mark.parametrize(("lang", "expected"), [
    ("de", ["Netzpuls-Überblick für Netzwerk Musterstadt, März 2027", "3 von 4 Partnern haben geantwortet (75 %).",
            "Gemeinsame Ziele: 3,7 ↗", "🔴 Dringend: Unklarheit über den Nutzen – das Netzwerk",
            "💡 Tipp (Evaluation): Bitten Sie beim nächsten Treffen"]),
    ("en", ["Netzpuls digest for Netzwerk Musterstadt, März 2027", "3 of 4 partners answered (75%).",
            "Shared goals: 3.7 ↗", "🔴 Urgent: Unclear benefit – the network",
            "💡 Tip (Evaluation): At the next meeting, ask each partner"]),
])
def test_digest_with_the_real_catalogs(catalogs: Catalogs, lang: str, expected: list[str]) -> None:
    messages = build_digest(HISTORY, 30, SIGNALS, "anonymous", lang, catalogs.gettext(lang), catalogs.ngettext(lang),
                            network_name="Netzwerk Musterstadt", month="März 2027")
    text = "\n".join(messages)
    assert all(len(message) <= 4096 for message in messages)
    for part in expected:
        assert part in text, part
