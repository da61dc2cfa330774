"""/notes and /goals as pure functions: every page within Telegram's limit, a quote never cut, a question quoted once
per page; an anonymous round under three answering organisations shows nothing and never a name, a named round
shows names; onboarding words by the privacy of their moment; each partner's current goal, the vague ones marked."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.core.goal_board import Board, board_messages, statement, workshop_markdown
from bot.core.history import BASELINE_ROUND, AnswerFact, History
from bot.core.notes_pages import NETWORK, Note, note_pages, overview, topic_counts, visible_length
from bot.core.quotes import baseline_quotes, current_goals, every_quote
from tests.test_risk_rules import START, answer, history, rid

QUESTION = "Möchten Sie der Koordination noch etwas mitgeben? (optional)"
GOAL_QUESTION = "Wie würden Sie das Ziel des Netzwerks in einem Satz beschreiben?"


def identity(text: str) -> str:
    return text


def plural(singular: str, plural_: str, count: int) -> str:
    return singular if count == 1 else plural_


def long_text(number: int, length: int = 300) -> str:
    """A text of exactly `length` characters that names its number at both ends (a cut one would lose its end)."""
    head, tail = f"Anfang {number}: ", f" Ende {number}."
    return head + ("Fallkonferenz & Kinderbetreuung <wichtig> " * 20)[:length - len(head) - len(tail)] + tail


def notes(count: int, rounds: int = 1, length: int = 300, named: bool = True) -> list[Note]:
    """`count` answers to the closing question per round, each `length` characters long."""
    return [Note(number, f"Monat {number}", None, QUESTION, long_text(number * 1000 + index, length), "text",
                 f"Organisation {index}" if named else None)
            for number in range(1, rounds + 1) for index in range(count)]


def visible(page: str) -> str:
    """A page as Telegram shows it (tags gone, entities read)."""
    return html.unescape(re.sub(r"<[^>]*>", "", page))


@pytest.mark.parametrize("limit", [4096, 1000, 700])
@pytest.mark.parametrize("by_round", [True, False])
def test_pages_stay_within_the_limit_and_never_cut_a_quote(limit: int, by_round: bool) -> None:
    given = notes(40, rounds=1 if by_round else 3)
    pages = note_pages("📝 Aus dem Netzwerk", given, identity, by_round=by_round, limit=limit)
    assert len(pages) > 1
    assert all(visible_length(page) <= limit for page in pages)
    shown = [visible(page) for page in pages]
    for note in given:
        assert sum(1 for page in shown if f"“{note.said}”" in page) == 1, note.said[:20]
    assert [page.split("\n", 1)[0] for page in shown][-1].endswith(f"page {len(pages)} of {len(pages)}")


def test_a_question_is_quoted_once_per_page_above_its_answers() -> None:
    given = [*notes(30), Note(1, "Monat 1", 2, GOAL_QUESTION, "Mehr Ausbildung", "text", "Org 9")]
    pages = [visible(page) for page in note_pages("📝 Monat 1", given, identity, by_round=True, limit=2000)]
    assert len(pages) > 2
    for page in pages:
        lines = page.splitlines()
        assert lines.count(f"💬 “{QUESTION}”") <= 1
        if any(line.startswith("   – ") and "Anfang" in line for line in lines):
            assert lines.count(f"💬 “{QUESTION}”") == 1  # repeated at the top of each page it continues on
            question = lines.index(f"💬 “{QUESTION}”")
            assert all(index > question for index, line in enumerate(lines) if "Anfang" in line)
    # by round: under its success factor; the factor's words come before "from the network"
    first = pages[0].splitlines()
    assert first.index("Shared goals") < first.index(f"💬 “{GOAL_QUESTION}”") < first.index("From the network")


def test_by_factor_each_answer_carries_its_month_newest_first() -> None:
    given = [Note(1, "Januar 2027", 3, "Warum?", "Früher", "text", None),
             Note(2, "Februar 2027", 3, "Warum?", "Später", "text", "Kita"),
             Note(2, "Februar 2027", 3, "Was würde den Nutzen erhöhen?", "Weniger Doppelarbeit", "choice", None)]
    [page] = note_pages("📝 Visible benefit", given, identity, by_round=False)
    lines = visible(page).splitlines()
    assert lines[0] == "📝 Visible benefit"
    assert lines.count("💬 “Warum?”") == 1
    assert lines[lines.index("💬 “Warum?”") + 1:][:2] == ["   – Februar 2027 · Kita: “Später”",
                                                         "   – Januar 2027: “Früher”"]
    assert "   – Februar 2027: Weniger Doppelarbeit" in lines  # a follow-up choice: its labels, no quote marks


def test_the_overview_counts_by_factor_and_from_the_network() -> None:
    given = [*notes(2), Note(1, "Monat 1", 2, GOAL_QUESTION, "Mehr", "text")]
    counts = topic_counts(given)
    assert counts == {2: 1, NETWORK: 2}
    text = visible(overview("Netz <Süd>", counts, identity))
    assert "Netz <Süd>" in text and "• Shared goals: 1" in text and "• From the network: 2" in text
    assert "No free texts yet" in visible(overview("Netz", {}, identity))


def closing(number: int, org: int, text: str) -> AnswerFact:
    """The closing question of round `number`, answered by `org` (no success factor)."""
    return answer(number, org, "anything_else", "text", text)._replace(words=True)


def named_rounds(h: History) -> History:
    return replace(h, rounds=tuple(replace(facts, privacy="named") for facts in h.rounds))


def test_an_anonymous_round_under_three_answering_organisations_shows_nothing_and_never_a_name() -> None:
    h = history([closing(1, 1, "Geheim eins"), closing(1, 2, "Geheim zwei")], rounds=1)
    assert every_quote(h, "notes") == ()
    three = history([closing(1, org, f"Text {org}") for org in (3, 1, 2)], rounds=1)
    quotes = every_quote(three, "notes")
    assert [quote.value for quote in quotes] == ["Text 1", "Text 2", "Text 3"]  # by text: not in the order given
    assert all(quote.organisation_id is None for quote in quotes)


def test_a_named_round_shows_each_answer_with_its_organisation() -> None:
    h = named_rounds(history([closing(1, 2, "Von zwei"), closing(1, 1, "Von eins")], rounds=1))
    quotes = every_quote(h, "notes")
    assert [(quote.organisation_id, quote.value) for quote in quotes] == [(1, "Von eins"), (2, "Von zwei")]
    assert every_quote(h, "feedback") == ()  # the partners never read words by name


def joining(org: int, text: str, days: float = 1.0) -> AnswerFact:
    """An onboarding answer to own_goal, given `days` after START."""
    return AnswerFact(BASELINE_ROUND, org, "own_goal", "text", 2, 1, text, None, False, START + timedelta(days=days),
                      words=True)


def test_onboarding_words_show_only_if_given_while_named() -> None:
    switched = START + timedelta(days=5)
    two = replace(history([joining(1, "Früh eins"), joining(2, "Früh zwei"), joining(3, "Spät drei", days=9)],
                          rounds=1), privacy_changes=((switched, "named"),))
    quotes = baseline_quotes(two)
    assert [(quote.organisation_id, quote.value) for quote in quotes] == [(3, "Spät drei")]  # two unnamed: none
    # never unnamed, however many: a newcomer's text would appear the moment "X joined" is told by name
    three = replace(two, answers=(*two.answers, joining(4, "Früh vier")))
    assert {(quote.organisation_id, quote.value) for quote in baseline_quotes(three)} == {(3, "Spät drei")}
    # back to anonymous: applies to everything given before, for good
    back = replace(three, privacy_changes=((switched, "named"), (switched + timedelta(days=10), "anonymous")))
    assert baseline_quotes(back) == ()


def goal(number: int, org: int, text: str) -> AnswerFact:
    return answer(number, org, "goal_statement", "text", text, factor=2, risk=1)._replace(words=True)


def test_each_partners_current_goal_is_its_newest_and_anonymous_ones_need_three() -> None:
    answers = [goal(1, 1, "Alt eins"), goal(2, 1, "Neu eins"), joining(2, "Beim Einstieg zwei"),
               goal(1, 2, "Nur Runde eins"), answer(2, 2, "benefit", "scale", 4, factor=3)]
    named = named_rounds(history(answers, rounds=2))
    named = replace(named, privacy_changes=((START - timedelta(days=1), "named"),))
    quotes, withheld = current_goals(named, "goal_statement", "own_goal")
    assert [(quote.organisation_id, quote.value, quote.round_id) for quote in quotes] == [
        (1, "Neu eins", rid(2)), (2, "Nur Runde eins", rid(1))] and withheld == 0
    anonymous = history([goal(1, 1, "Eins"), goal(1, 2, "Zwei"), answer(1, 3, "benefit", "scale", 4, factor=3)],
                        rounds=1)
    assert current_goals(anonymous, "goal_statement", "own_goal") == ((), 2)  # three answered, two stated
    three = replace(anonymous, answers=(*anonymous.answers, goal(1, 3, "Drei")))
    quotes, withheld = current_goals(three, "goal_statement", "own_goal")
    assert [(quote.organisation_id, quote.value) for quote in quotes] == [(None, "Drei"), (None, "Eins"),
                                                                           (None, "Zwei")] and withheld == 0


def test_the_goal_board_marks_the_vague_ones_with_what_they_miss() -> None:
    vague = statement("Bessere Zusammenarbeit", "Jobcenter", "März 2027", 3)
    concrete = statement("Bis Ende 2027 finden 30 Alleinerziehende in Musterstadt einen Ausbildungsplatz.", None, "", 3)
    assert vague.lacks == ("whom", "result", "time") and concrete.lacks == ()
    board = Board("Netz", statement("Mehr Vernetzung", None, "", 3), (vague, concrete), withheld=0)
    [text] = [visible(message) for message in board_messages(board, identity, plural)]
    assert ("• Jobcenter · März 2027: “Bessere Zusammenarbeit”\n"
            "   ⚠️ vague, missing: for whom, a result one can check, by when") in text
    assert "✅ concrete" in text and "“Mehr Vernetzung”" in text
    assert "• “Bis Ende 2027 finden 30 Alleinerziehende in Musterstadt einen Ausbildungsplatz.”" in text  # unnamed
    file = workshop_markdown(board, "12. März 2027", identity, plural)
    assert file.startswith("# Goal workshop · Netz") and "> Mehr Vernetzung" in file
    assert "- Jobcenter · März 2027: “Bessere Zusammenarbeit” – vague, missing:" in file
    assert sum(1 for line in file.splitlines() if line[:3] in ("1. ", "2. ", "3. ")) == 3


def test_a_long_goal_board_is_split_between_statements() -> None:
    statements = tuple(statement(long_text(index, 200), f"Organisation {index}", "März 2027", 3) for index in range(40))
    messages = board_messages(Board("Netz", None, statements), identity, plural)
    assert len(messages) > 1 and all(visible_length(message) <= 4096 for message in messages)
    assert all(sum(1 for message in messages if found.text in visible(message)) == 1 for found in statements)


def test_unnamed_goals_come_from_one_round_so_an_older_one_cannot_be_told_apart() -> None:
    # February: four statements; March: three new ones, the fourth organisation missed (named as "no answer")
    answers = [goal(1, org, f"Februar {org}") for org in (1, 2, 3, 4)]
    answers += [goal(2, org, f"März {org}") for org in (1, 2, 3)]
    quotes, withheld = current_goals(history(answers, rounds=2, orgs=(1, 2, 3, 4)), "goal_statement", "own_goal")
    assert [quote.value for quote in quotes] == ["März 1", "März 2", "März 3"]  # not "Februar 4" beside them
    assert {quote.organisation_id for quote in quotes} == {None} and withheld == 1
