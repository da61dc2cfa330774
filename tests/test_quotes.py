"""The partners' own words as the digest places and shows them (bot/core/quotes.py, bot/core/digest/words.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.digest.build import build_digest
from bot.core.digest.lines import make_reader
from bot.core.digest.words import quote_lines
from bot.core.history import AnswerFact, History, Participation, Partner, Privacy, RoundFacts, Signal
from bot.core.quotes import Quote, is_words, place_quotes, round_quotes
from bot.core.script.model import Value
from bot.core.user_text import one_line
from bot.usecases.scripts import load_tips
from tests.e2e import ROOT
from tests.texts import plain

PARTNERS = tuple(Partner(n, name) for n, name in enumerate(("Jobcenter", "Kita Regenbogen", "Suchthilfe",
                                                            "Caritas"), start=1))
LONG = ("Dank der Fallkonferenz im Februar hat Herr K. nach zwei Jahren wieder eine Stelle, weil Schuldner- und "
        "Suchtberatung am selben Tag Termine hatten; bitte beim nächsten Treffen davon erzählen lassen, damit alle "
        "sehen, was die gemeinsame Arbeit bringt, und die anderen Partner ähnliche Fälle mitbringen. " * 2)


def _round(privacy: Privacy) -> RoundFacts:
    return RoundFacts(10, 1, "2027-03", datetime(2027, 3, 2, tzinfo=UTC), datetime(2027, 3, 12, tzinfo=UTC), True,
                      privacy)


def _text(organisation: int, step: str, value: Value, factor: int | None = None, risk: int | None = None, *,
          kind: str = "text", named: bool = False) -> AnswerFact:
    return AnswerFact(10, organisation, step, kind, factor, risk, value, None, False,
                      datetime(2027, 3, 3, tzinfo=UTC), quote_named=named, words=True)


def _history(privacy: Privacy, answers: tuple[AnswerFact, ...], answering: int = 4) -> History:
    scale = tuple(AnswerFact(10, org, "benefit", "scale", 3, 5, 4, 4, False, datetime(2027, 3, 3, tzinfo=UTC))
                  for org in range(1, answering + 1))
    return History(7, (_round(privacy),), PARTNERS, (*scale, *answers),
                   tuple(Participation(10, org, "done") for org in range(1, answering + 1)))


WORDS = (_text(2, "benefit_why", ("less_duplication", "faster_contacts"), 3, 5, kind="choice"),
         _text(1, "anything_else", LONG), _text(3, "agreements_what", "Fallkonferenz\nfiel aus", 4, 2),
         _text(4, "anything_else", "Mehr Zeit für Austausch", named=True))


def test_a_named_round_quotes_every_text_with_its_organisation_in_the_partners_order() -> None:
    quotes = round_quotes(_history("named", WORDS), 10)
    assert [(quote.organisation_id, quote.step_id) for quote in quotes] == [
        (1, "anything_else"), (2, "benefit_why"), (3, "agreements_what"), (4, "anything_else")]
    assert quotes[2].value == "Fallkonferenz fiel aus"  # one line: it cannot fake the digest's structure


def test_an_anonymous_round_quotes_without_names_unless_allowed_and_never_under_three() -> None:
    quotes = round_quotes(_history("anonymous", WORDS), 10)
    assert {quote.organisation_id for quote in quotes} == {None, 4}  # only Caritas allowed its name
    assert round_quotes(_history("anonymous", WORDS[:2], answering=2), 10) == ()  # two answering: nothing


@pytest.mark.parametrize(("answer", "words"), [
    (_text(1, "anything_else", "  \n "), False),  # an optional question passed by
    (_text(1, "anything_else", "Danke"), True),
    (AnswerFact(10, 1, "benefit", "scale", 3, 5, 2, 2, False, datetime(2027, 3, 3, tzinfo=UTC)), False),
    (_text(1, "benefit_why", ("other",), 3, 5, kind="choice"), True),
])
def test_words_are_texts_and_follow_up_choices(answer: AnswerFact, words: bool) -> None:
    assert is_words(answer) is words


def test_each_quote_is_placed_once_under_the_first_signal_it_belongs_to() -> None:
    benefit = Signal("unclear_benefit", 5, 3, "evaluation", "urgent", (2,), (), 1)
    broken = Signal("broken_agreements", 2, 4, "regulation", "warning", (3,), (), 1)
    placed = place_quotes(round_quotes(_history("named", WORDS), 10), [benefit, broken, benefit])
    assert [quote.step_id for quote in placed.by_signal[0]] == ["benefit_why"]
    assert [quote.step_id for quote in placed.by_signal[1]] == ["agreements_what"]
    assert 2 not in placed.by_signal and placed.by_factor == {}
    assert [quote.organisation_id for quote in placed.network] == [1, 4]  # no factor: from the network


def test_quote_lines_name_the_question_once_and_quote_every_answer_in_full() -> None:
    history = _history("named", WORDS)
    questions = {"anything_else": "Möchten Sie der Koordination noch etwas mitgeben?",
                 "benefit_why": "Was würde den Nutzen erhöhen?"}
    labels = {"less_duplication": "Weniger Doppelarbeit", "faster_contacts": "Kürzere Wege"}
    reader = make_reader(history, "de", lambda text: text, lambda one, many, n: one if n == 1 else many,
                         lambda step: questions.get(step, step), lambda _step, value: labels.get(str(value), ""))
    quotes = round_quotes(history, 10)
    lines = quote_lines([quote for quote in quotes if quote.step_id != "agreements_what"], reader)
    assert lines[0] == "💬 “Möchten Sie der Koordination noch etwas mitgeben?”"
    assert lines[1] == f"   – Jobcenter: <i>“{' '.join(LONG.split())}”</i>"  # whole, however long
    assert lines[2] == "   – Caritas: <i>“Mehr Zeit für Austausch”</i>"
    assert lines[3:] == ["💬 “Was würde den Nutzen erhöhen?”",
                         "   – Kita Regenbogen: <i>Weniger Doppelarbeit, Kürzere Wege</i>"]
    same = [Quote(10, "anything_else", "text", "Danke", None, None, None)] * 3
    assert quote_lines(same, reader)[1] == "   – <i>“Danke”</i> (3×)"  # unnamed and alike: once, counted
    escaped = quote_lines([Quote(10, "anything_else", "text", "a < b & c", None, None, 1)], reader)
    assert escaped[1] == "   – Jobcenter: <i>“a &lt; b &amp; c”</i>"


def test_one_line_folds_breaks_and_runs_of_spaces() -> None:
    assert one_line("  Erste Zeile\n🔴 Dringend:\t fake  ") == "Erste Zeile 🔴 Dringend: fake"


def test_a_digest_folds_the_longest_words_to_notes_rather_than_split_and_never_cuts_one() -> None:
    history = _history("named", WORDS)
    tips = load_tips(ROOT / "dialogs")

    def digest(limit: int) -> list[str]:
        return [plain(message) for message in build_digest(
            history, 10, [], tips, "en", lambda text: text, lambda one, many, n: one if n == 1 else many,
            network_name="N", month="March", limit=limit)]

    [whole] = digest(10**6)
    assert " ".join(LONG.split()) in whole
    [folded] = digest(len(whole) - 200)  # one message still: the longest answers are left to /notes
    assert "“anything_else”: 2 answers, to read in /notes" in folded and "Mehr Zeit für Austausch" not in folded
    assert "Fallkonferenz fiel aus" in folded  # the shorter ones stay
    assert len(digest(300)) > 1  # where folding cannot make one message, it splits and keeps every word
    assert " ".join(LONG.split()) in " ".join(" ".join(digest(300)).split())


def test_a_name_permission_that_would_leave_fewer_than_three_unnamed_is_not_honoured() -> None:
    texts = tuple(_text(org, "anything_else", f"Text {org}", named=org in (1, 2)) for org in (1, 2, 3))
    three = _history("anonymous", texts, answering=3)
    assert {quote.organisation_id for quote in round_quotes(three, 10)} == {None}  # C's would be told by elimination
    five = _history("anonymous", texts, answering=5)
    assert {quote.organisation_id for quote in round_quotes(five, 10)} == {1, 2, None}  # three stay unnamed
