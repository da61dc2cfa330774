"""A check-in that respects time, over the local Bot API: "Frage k von n" with n never going up, and "Antworten
ändern" under the thanks opening this round's answers (joining: tests/test_e2e_welcome.py)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from localapi.server import SentMessage
from tests.e2e import Harness

FEB_OPENS = datetime(2027, 2, 2, 8, 0, tzinfo=UTC)  # first Tuesday of February 2027, 09:00 in Berlin
FEB_CLOSES = datetime(2027, 2, 12, 8, 0, tzinfo=UTC)
MAR_OPENS = datetime(2027, 3, 2, 8, 0, tzinfo=UTC)
HEADING = re.compile(r"^Frage (\d+) von (\d+)\n")


def position(message: SentMessage) -> tuple[int, int]:
    """The "Frage k von n" a question shows."""
    match = HEADING.match(message.text)
    assert match is not None, message.text
    return int(match[1]), int(match[2])


async def prompted(harness: Harness, user: int) -> tuple[SentMessage, SentMessage]:
    """Open the February round and tap "Jetzt starten" under its prompt: what comes before the first question,
    and the question."""
    harness.clock.now = FEB_OPENS
    [prompt] = await harness.api.wait_for_messages(user, 1)
    line, first = await harness.tap(user, prompt, "Jetzt starten", count=2)
    return line, first


async def test_question_k_of_n_counts_up_while_n_only_falls_also_after_a_restart(harness: Harness) -> None:
    member = await harness.partner()
    user = member.user_id
    _line, goals = await prompted(harness, user)
    shown = [position(goals)]
    [missing] = await harness.tap(user, goals, "2")  # low: the follow-up "what is missing" comes
    shown.append(position(missing))
    [benefit] = await harness.send(user, "Ein messbares Ziel")
    shown.append(position(benefit))

    await harness.restart()  # the total shown is kept with the check-in, not only in memory

    back, again = await harness.send(user, "/checkin", count=2)
    assert "Willkommen zurück" in back.text and position(again) == shown[-1]
    [agreements] = await harness.tap(user, again, "5")  # high: "why so little benefit" is off the path
    shown.append(position(agreements))
    [anything] = await harness.tap(user, agreements, "Ja, alle")  # kept: "which agreement failed" is off too
    shown.append(position(anything))
    [thanks] = await harness.tap(user, anything, "Überspringen")

    assert shown == [(1, 7), (2, 7), (3, 7), (4, 6), (5, 5)]
    numbers, totals = [k for k, _n in shown], [n for _k, n in shown]
    assert numbers == list(range(1, len(shown) + 1)) and totals == sorted(totals, reverse=True)
    assert totals[-1] == len(shown)  # the last question says it is the last
    # Each answered question keeps the heading it was asked with, the answer below it.
    assert harness.api.messages(user)[-2].text.startswith("Frage 5 von 5\n") and "Danke" in thanks.text
    assert position(again) == (3, 7) and again.text.endswith("✓ 5")


async def test_change_answers_under_the_thanks_opens_this_round_s_answers(harness: Harness) -> None:
    member = await harness.partner()
    other = await harness.partner(user_id=502, organisation="Kita Sonnenschein", network_id=member.network_id)
    user = member.user_id
    _line, goals = await prompted(harness, user)
    await harness.api.wait_for_messages(other.user_id, 1)  # the other partner's prompt
    thanks = await harness.finish_checkin(user, goals)
    assert thanks.buttons() == [["Antworten ändern"]]

    [opened] = await harness.tap(user, thanks, "Antworten ändern")
    [listing] = await harness.send(user, "/answers")
    assert opened.text == listing.text and opened.buttons() == listing.buttons()  # the same as /answers
    assert opened.text.startswith("Ihre Antworten:\n1. Wie klar") and "Tippen Sie auf eine Nummer" in opened.text
    [question] = await harness.tap(user, opened, "1")
    [changed] = await harness.tap(user, question, "3")
    assert changed.text == "Geändert. Ihre neue Antwort: 3"
    assert harness.db.execute("SELECT value_json FROM answers WHERE step_id = 'goals_clear' ORDER BY revision DESC"
                              " LIMIT 1").fetchone() == ("3",)

    # Another partner's tap on it (forged): refused, nothing shown.
    assert thanks.reply_markup is not None
    query = harness.api.forge_callback(other.user_id, 1, thanks.reply_markup["inline_keyboard"][0][0]["callback_data"])
    assert (await harness.api.wait_for_callback_answer(query)).text == "Dieser Knopf ist nicht für Sie bestimmt."

    # March: a newer check-in is under way; the February thanks still open February's answers, now closed.
    harness.clock.now = FEB_CLOSES
    await harness.api.wait_until(lambda: harness.db.execute("SELECT status FROM rounds").fetchall() == [("closed",)])
    harness.clock.now = MAR_OPENS

    def march_prompts() -> list[SentMessage]:
        return [m for m in harness.api.messages(user) if m.message_id > thanks.message_id
                and ["Jetzt starten", "Später"] in m.buttons()]

    await harness.api.wait_until(lambda: bool(march_prompts()), message="March's prompt")  # after February's result
    [march] = march_prompts()
    harness.api.new_messages(user)  # read
    _line, first = await harness.tap(user, march, "Jetzt starten", count=2)
    await harness.tap(user, first, "1")
    [february] = await harness.tap(user, thanks, "Antworten ändern")
    assert "→ 3" in february.text and "nicht mehr ändern" in february.text and not february.buttons()
    [latest] = await harness.send(user, "/answers")
    assert "→ 1" in latest.text and latest.buttons()  # /answers: March's, still open
