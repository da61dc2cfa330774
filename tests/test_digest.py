"""The coordinator's digest, the partners' result and the coaching tips, on a small hand-made network history."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.core.chart_data import chart_data, response_rate
from bot.core.digest.build import build_digest, main_topic, partner_feedback
from bot.core.digest.split import split_messages
from bot.core.factor_levels import FactorState, factor_states
from bot.core.history import (
    AnswerFact,
    Evidence,
    Function,
    History,
    MembershipEvent,
    Participation,
    ParticipationStatus,
    Partner,
    Privacy,
    RoundFacts,
    Severity,
    Signal,
)
from bot.core.limits import utf16_len as utf16_length
from bot.core.script.model import Value
from bot.i18n import Catalogs
from bot.usecases.scripts import load_tips
from tests.e2e import ROOT
from tests.texts import plain

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
        1: ("done", "done", "done", "done"), 2: ("done", "done", "done", "missed"),
        3: ("done", "done", "done", "missed")}
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
                    why="result,time"))
BENEFIT = _signal("unclear_benefit", 5, 3, "evaluation", "urgent", (),
                  _ev("share", None, affected=3, total=3),
                  *(_ev("low_answer", org, step="benefit", value=2) for org in (JOBCENTER, JUGENDAMT, SCHULDNER)),
                  _ev("drop", JOBCENTER, step="benefit", before=4, after=2))
ENGAGEMENT = _signal("fading_engagement", None, 1, "selektion", "warning", (SUCHT,),
                     _ev("missed", SUCHT, rounds=2, since=2))
SIGNALS = [AUTONOMY, VAGUE, BENEFIT, ENGAGEMENT]  # deliberately not in order of severity


def with_privacy(history: History, privacy: Privacy) -> History:
    """The history with every round opened under this privacy setting."""
    return replace(history, rounds=tuple(replace(facts, privacy=privacy) for facts in history.rounds))


NAMED = with_privacy(HISTORY, "named")
TIPS = load_tips(ROOT / "dialogs")
WITHOUT_SCHULDNER_IN_MARCH = tuple(a for a in HISTORY.answers if a.round_id != 30 or a.organisation_id != SCHULDNER)


def digest(privacy: Privacy = "named", signals: list[Signal] | None = None, history: History = HISTORY,
           **kwargs: Any) -> list[str]:
    """The digest's messages as the coordinator reads them."""
    return [plain(message) for message in build_digest(
        with_privacy(history, privacy), 30, SIGNALS if signals is None else signals, TIPS, "en", identity, plural,
        network_name="Netzwerk Musterstadt", month="March 2027", **kwargs)]


def _signals_part(messages: list[str]) -> str:
    """From the signals' heading to the end of the last signal's tip."""
    text = "\n".join(messages)
    start = text.index("Signals, most urgent first\n")
    tips = [index for index in range(start, len(text)) if text.startswith("💡", index)]
    return text[start:text.index("\n", tips[-1]) if "\n" in text[tips[-1]:] else len(text)]


def test_response_rate_counts_those_who_finished_in_time_of_all_but_the_excused() -> None:
    assert response_rate(HISTORY, 30) == (3, 4)
    late = History(7, ROUNDS, PARTNERS, participations=(
        Participation(30, JOBCENTER, "done"), Participation(30, JUGENDAMT, "late"),
        Participation(30, SCHULDNER, "missed"), Participation(30, SUCHT, "excused")))
    assert response_rate(late, 30) == (1, 3)  # a late answer counts in no result: not as answered either
    text = "\n".join(build_digest(late, 30, [], TIPS, "en", identity, plural, network_name="N", month="M"))
    assert "1 of 3 partners answered (33%)." in text
    assert "Answered late (not counted): Jugendamt Musterstadt" in text and "No answer from: Schuldnerberatung" in text
    paused = History(7, ROUNDS, PARTNERS, participations=(
        Participation(30, JOBCENTER, "done"), Participation(30, JUGENDAMT, "excused"),
        Participation(30, SCHULDNER, "pending")))
    assert response_rate(paused, 30) == (1, 2)


def test_factor_states_with_means_earlier_rounds_trends_and_who_rated_low() -> None:
    levels = {state.factor: state for state in factor_states(NAMED, 30, "digest")}
    assert list(levels) == list(range(1, 12))  # every success factor, measured or not
    assert levels[2] == FactorState(2, 3, "2027-03", 3.7, 3, (3.0, 3.0), "up", 0, 1, 2,
                                    ((SCHULDNER, 3.0), (JOBCENTER, 4.0), (JUGENDAMT, 4.0)), (), "named")
    assert levels[3].level == 2.0 and levels[3].trend == "down" and (levels[3].low, levels[3].high) == (3, 0)
    assert levels[3].dropped == ((JOBCENTER, 4.0, 2.0), (JUGENDAMT, 4.0, 2.0), (SCHULDNER, 4.0, 2.0))
    assert (levels[7].level, levels[7].previous, levels[7].trend) == (3.3, (3.0,), "flat")  # rounds 1 and 3 only
    assert (levels[9].level, levels[9].answers, levels[9].trend) == (3.0, 2, "new")
    assert levels[1] == FactorState(1, None, None, None, 0, (), None)  # never measured
    anonymous = {state.factor: state for state in factor_states(HISTORY, 30, "digest")}
    assert anonymous[9].hidden and anonymous[9].level is None  # two answers: each would learn the other's
    assert anonymous[2].level == 3.7 and anonymous[2].partners == () and anonymous[2].shown == "aggregate"
    assert (anonymous[3].low, anonymous[3].middle, anonymous[3].high, anonymous[3].dropped) == (3, 0, 0, ())
    assert anonymous[3].fell == 3  # counted without names
    first = {state.factor: state for state in factor_states(NAMED, 10, "digest")}
    assert first[2].trend == "new" and first[2].previous == ()


def test_a_rotating_factor_keeps_its_last_level_and_round() -> None:
    later = replace(NAMED, rounds=(*NAMED.rounds, replace(_round(4), privacy="named")))
    needs = {state.factor: state for state in factor_states(later, 40, "digest")}[7]
    assert (needs.round_number, needs.period, needs.level) == (3, "2027-03", 3.3)


def test_trend_looks_back_over_trend_rounds_at_most() -> None:
    rounds = tuple(_round(number) for number in range(1, 7))
    answers = tuple(_answer(number, org, "goals_clear", number % 5 + 1) for number in range(1, 7) for org in (1, 2, 3))
    levels = factor_states(History(7, rounds, PARTNERS, answers), 60, "digest")
    assert levels[1].previous == (4.0, 5.0, 1.0) and levels[1].level == 2.0 and levels[1].trend == "up"


def test_digest_in_english_has_everything_in_order() -> None:
    messages = digest()
    assert len(messages) == 1
    text = messages[0]
    lines = text.splitlines()
    assert lines[0] == "Netzpuls digest · Netzwerk Musterstadt · March 2027"
    assert lines[1] == "📊 3 of 4 partners answered (75%)."
    assert lines[2] == ("📌 Most important change: Jobcenter Musterstadt rates “Visible benefit for each partner” at 2,"
                        " before 4")
    assert "No answer from: Suchtberatung Diakonie" in lines
    assert not any(line.startswith("Answered late") for line in lines)
    assert "Contact person changed: Jugendamt Musterstadt" in lines
    assert "Joined: Jobcenter Musterstadt" not in lines  # before the round's window
    todo = lines.index("To do now")
    assert lines[todo + 1:todo + 4] == [
        "1. 🔴 all partners: ask for a case where the network helped, and what would make it more useful",
        "2. 🟠 Schuldnerberatung Caritas: agree on one checkable goal at the next meeting",
        "3. 🟠 Suchtberatung Diakonie: call and ask what would make taking part worthwhile"]
    assert "Shared goals: 3.0 · 3.0 · 3.7 ↗ (3 answers)" in lines  # the values oldest first, then the direction
    assert ("Visible benefit for each partner: 4.0 · 4.0 · 2.0 ↘ (3 answers; low: Jobcenter Musterstadt 2, "
            "Jugendamt Musterstadt 2, Schuldnerberatung Caritas 2; fell: Jobcenter Musterstadt from 4 to 2, Jugendamt "
            "Musterstadt from 4 to 2, Schuldnerberatung Caritas from 4 to 2)") in lines
    assert "Clear target-group focus: 3.0 · 3.3 ≈ (3 answers)" in lines
    assert ("Autonomy of each partner preserved: 3.0 (first measurement; 2 answers; low: Jugendamt Musterstadt 2)"
            in lines)
    assert lines[-1] == "Not measured yet: Personal commitment, Binding commitments and reliability, Clear task " \
                        "structure, Network rules exist and are accepted, Decision makers involved, Advocacy inside " \
                        "the own organisation, Connection to existing networks"
    order = [text.index(marker) for marker in ("answered (75%)", "Most important change", "No answer from",
                                               "To do now", "Signals, most urgent first", "🔴 Urgent", "🟠 Warning",
                                               "🔵 Info", "Success factors", "Shared goals")]
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


def test_the_digest_is_html_with_every_user_text_escaped() -> None:
    tricky = replace(HISTORY, partners=tuple(replace(partner, name="Kita <b>Sonne</b> & Co")
                                             if partner.organisation_id == JOBCENTER else partner
                                             for partner in HISTORY.partners))
    [html] = build_digest(with_privacy(tricky, "named"), 30, SIGNALS, TIPS, "en", identity, plural,
                          network_name="Netz & <Werk>", month="March 2027")
    assert html.startswith("<b>Netzpuls digest · Netz &amp; &lt;Werk&gt; · March 2027</b>\n")
    assert "Kita &lt;b&gt;Sonne&lt;/b&gt; &amp; Co" in html and "<b>Sonne</b>" not in html
    assert set(re.findall(r"</?([a-z]+)>", html)) <= {"b", "i"}  # Telegram's tags only, each closed
    assert html.count("<b>") == html.count("</b>") and html.count("<i>") == html.count("</i>")


def test_each_signal_is_a_header_one_evidence_line_and_one_tip() -> None:
    blocks = _signals_part(digest()).split("\n\n")
    assert len(blocks) == 4
    for block in blocks:
        lines = [line for line in block.splitlines() if line != "Signals, most urgent first"]
        assert len(lines) == 3 and lines[2].startswith("💡 Tip (")
    benefit = blocks[0].splitlines()[2]
    # a low answer that also fell is one phrase, its question quoted once
    assert benefit.startswith("3 of 3 partners affected; Jobcenter Musterstadt: “Visible benefit for each partner”: "
                              "2 (before: 4); ")
    assert "“Fälle besser gemeinsam” (missing: what checkable result? by when?)" in blocks[1]
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
    assert "Contact person changed: Jugendamt Musterstadt" in text
    assert "3 partners gave a low answer on “Visible benefit for each partner”" in signals
    assert "1 partner rated “Visible benefit for each partner” much lower than before" in signals  # counted, unnamed
    assert "fell from" not in signals
    assert "🔵 Info: Autonomy seems restricted – one partner" in signals
    assert "1 partner gave a low answer on “Autonomy of each partner preserved”" in signals
    assert "vague goal: “Fälle besser gemeinsam”" in signals  # quoted, without saying whose
    assert "Autonomy of each partner preserved: too few answers (Mar)" in text  # two answers would tell each other's
    assert "Shared goals: 3.0 · 3.0 · 3.7 ↗ (3 answers; low 0 · middle 1 · high 2)" in text
    assert ("Visible benefit for each partner: 4.0 · 4.0 · 2.0 ↘ (3 answers; low 3 · middle 0 · high 0; "
            "3 partners fell sharply)") in text  # never only the mean


def test_with_fewer_than_three_answering_organisations_nothing_from_the_answers_shows() -> None:
    two = replace(HISTORY, answers=WITHOUT_SCHULDNER_IN_MARCH)
    text = "\n".join(digest("anonymous", history=two))
    assert "Signs from the answers are not shown: fewer than 3 organisations answered." in text
    assert "No warning signs" not in text  # it would tell that the two answered well
    assert "Shared goals: too few answers (Mar)" in text and "Unclear benefit" not in text
    assert "Autonomy seems restricted" not in text and "Fälle" not in text
    assert "🟠 Warning: Fading engagement – Suchtberatung Diakonie" in text  # taking part is always shown by name
    named = "\n".join(digest("named", history=two))
    assert "Unclear benefit" in named and "Signs from the answers are not shown" not in named


def test_anonymous_free_texts_lose_organisation_names() -> None:
    quoted = _signal("vague_goals", 1, 2, "regulation", "info", (JOBCENTER,),
                     _ev("vague_goal", JOBCENTER, text="mit dem jugendamt musterstadt reden", why="time"))
    signals = _signals_part(digest("anonymous", [quoted]))
    assert "mit dem […] reden" in signals and "Jobcenter" not in signals


def test_a_network_signal_about_two_partners_hides_their_answers() -> None:
    two = _signal("autonomy", 8, 9, "regulation", "warning", (),
                  _ev("share", None, affected=2, total=4),
                  _ev("low_answer", JOBCENTER, step="autonomy", value=1),
                  _ev("low_answer", JUGENDAMT, step="autonomy", value=2))
    line = _signals_part(digest("anonymous", [two])).splitlines()[2]
    assert line == "2 of 4 partners affected; 2 partners gave a low answer on “Autonomy of each partner preserved”"
    few = _signal("autonomy", 8, 9, "regulation", "warning", (), _ev("share", None, affected=2, total=2),
                  _ev("low_answer", JOBCENTER, step="autonomy", value=1))
    assert _signals_part(digest("anonymous", [few])).splitlines()[2] == "(details hidden: fewer than 3 answers)"
    named = _signals_part(digest("named", [two])).splitlines()[2]
    assert "Jobcenter Musterstadt: low answer on “Autonomy of each partner preserved”: 1" in named


@pytest.mark.parametrize(("rounds", "expected"), [
    ((3,), "Schuldnerberatung Caritas: vague goal: “Fälle besser gemeinsam”"),
    ((1,), "Schuldnerberatung Caritas: vague goal: “Fälle besser gemeinsam” (Jan)"),
    ((1, 3), "Schuldnerberatung Caritas: vague goal: “Fälle besser gemeinsam” (Jan, Mar)"),
])
def test_the_same_fact_from_several_rounds_shows_once_with_its_months(rounds: tuple[int, ...], expected: str) -> None:
    repeated = _signal("vague_goals", 1, 2, "regulation", "warning", (SCHULDNER,), *(
        _ev("vague_goal", SCHULDNER, number, step="goal_statement", text="Fälle besser gemeinsam")
        for number in rounds))
    assert _signals_part(digest("named", [repeated])).splitlines()[2] == expected


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
                  "“Visible benefit for each partner” falling: 4 · 3 · 2",
                  "share of partners without problems with “Binding commitments and reliability” falling: "
                  "80 · 60 · 40 %",
                  "Jugendamt Musterstadt: answered later each round: 1 · 3.5 · 6 days after the invitation",
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
    text = "\n".join(build_digest(empty, 30, [], TIPS, "en", identity, plural, network_name="N", month="M"))
    assert "Nobody was asked to answer in this round." in text
    assert "Not measured yet: Personal commitment, Shared goals, " in text
    assert "No organisation answered in this round, so there are no signs from answers." in text
    assert "No warning signs in this round." in "\n".join(digest("anonymous", []))


GERMAN = {
    "Netzpuls digest · {network} · {month}": "Netzpuls-Überblick · {network} · {month}",
    "{count} of {total} partners answered ({percent}%).": "{count} von {total} Partnern haben geantwortet "
                                                          "({percent} %).",
    "Shared goals": "Gemeinsame Ziele",
    "{factor}: {values} ({details})": "{factor}: {values} ({details})",
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

    text = "\n".join(plain(message) for message in build_digest(
        NAMED, 30, SIGNALS, TIPS, "de", german, german_plural, network_name="Netzwerk Musterstadt", month="März 2027"))
    assert text.startswith("Netzpuls-Überblick · Netzwerk Musterstadt · März 2027\n"
                           "📊 3 von 4 Partnern haben geantwortet (75 %).")
    assert "Gemeinsame Ziele: 3,0 · 3,0 · 3,7 ↗ (3 Antworten)" in text
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
    assert main_topic(SIGNALS, identity) == "Unclear benefit"
    text = partner_feedback(NAMED, 30, SIGNALS, "en", identity, plural, month="March 2027")
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
    assert partner_feedback(HISTORY, 30, SIGNALS, "en", identity, plural).startswith(
        "What the network learned in this round")


def test_partner_feedback_with_two_answering_organisations_has_no_topic_from_their_answers() -> None:
    two = replace(NAMED, answers=WITHOUT_SCHULDNER_IN_MARCH)
    text = partner_feedback(two, 30, [BENEFIT, VAGUE, AUTONOMY], "en", identity, plural)  # named: partners see no names
    assert "Fewer than 3 organisations answered this time" in text
    assert "coordinator will take this up" not in text and "Went" not in text
    with_engagement = partner_feedback(two, 30, [BENEFIT, ENGAGEMENT], "en", identity, plural)
    assert "The coordinator will take this up at the next meeting: Fading engagement" in with_engagement


def test_partner_feedback_without_changes_or_topic() -> None:
    text = partner_feedback(HISTORY, 20, [], "en", identity, plural)
    assert "No success factor changed noticeably." in text
    assert "coordinator" not in text
    assert main_topic([], identity) is None


def test_chart_data_hides_small_means_in_an_anonymous_network() -> None:
    named = chart_data(NAMED, 30)
    assert named.periods == ("2027-01", "2027-02", "2027-03")
    assert dict(named.factors)[2] == (3.0, 3.0, 3.7)
    assert dict(named.factors)[9] == (None, None, 3.0)
    assert named.responses == ((4, 4), (3, 4), (3, 4))
    assert named.named and [name for _org, name in named.partners] == NAMES  # every active partner, answered or not
    assert len(named.latest) == 11
    anonymous = chart_data(HISTORY, 30, rounds=2)
    assert anonymous.periods == ("2027-02", "2027-03") and 9 not in dict(anonymous.factors)
    assert not anonymous.named and anonymous.partners == ()


@pytest.mark.parametrize(("lang", "expected"), [
    ("de", ["Netzpuls-Überblick · Netzwerk Musterstadt · März 2027", "3 von 4 Partnern haben geantwortet (75 %).",
            "Gemeinsame Ziele: 3,0 · 3,0 · 3,7 ↗", "Jetzt zu tun",
            "🔴 Dringend: Unklarheit über den Nutzen – das Netzwerk",
            "💡 Tipp (Evaluation): Bitten Sie beim nächsten Treffen"]),
    ("en", ["Netzpuls digest · Netzwerk Musterstadt · März 2027", "3 of 4 partners answered (75%).",
            "Shared goals: 3.0 · 3.0 · 3.7 ↗", "To do now", "🔴 Urgent: Unclear benefit – the network",
            "💡 Tip (Evaluation): At the next meeting, ask each partner"]),
])
def test_digest_with_the_real_catalogs(catalogs: Catalogs, lang: str, expected: list[str]) -> None:
    messages = build_digest(HISTORY, 30, SIGNALS, TIPS, lang, catalogs.gettext(lang), catalogs.ngettext(lang),
                            network_name="Netzwerk Musterstadt", month="März 2027")
    text = "\n".join(plain(message) for message in messages)
    assert all(len(message) <= 4096 for message in messages)
    for part in expected:
        assert part in text, part
