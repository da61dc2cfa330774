"""The monthly check-in end to end: every answer stored once with its version, resumable after a restart."""

from __future__ import annotations

import json

import pytest

from tests.e2e import Harness

LABELS = {
    "de": {"dont_know": "Weiß nicht", "option": "Weniger Doppelarbeit", "partly": "Teilweise",
           "skip": "Überspringen", "intro": "Zeit für den kurzen Netzwerk-Check-in", "q1": "Frage 1 von 7\nWie klar",
           "outro": "Danke, Ihre Antworten", "limit": "höchstens 200 Zeichen", "done_mark": "✓ Weiß nicht"},
    "en": {"dont_know": "Don't know", "option": "Less duplicated work", "partly": "Partly", "skip": "Skip",
           "intro": "Time for the short network check-in", "q1": "Question 1 of 7\nHow clear",
           "outro": "Thank you, your answers", "limit": "at most 200 characters", "done_mark": "✓ Don't know"},
}


@pytest.mark.parametrize("locale", ["de", "en"])
async def test_full_checkin_with_follow_ups_stores_every_answer_once(harness: Harness, locale: str) -> None:
    text = LABELS[locale]
    member = await harness.partner(locale=locale)
    user = member.user_id
    intro, goals = await harness.send(user, "/checkin", count=2)
    assert text["intro"] in intro.text
    assert goals.text.startswith(text["q1"])
    assert goals.reply_markup is not None
    assert [[b["text"] for b in row] for row in goals.reply_markup["inline_keyboard"]] == [["1", "2", "3", "4", "5"]]

    [missing] = await harness.tap(user, goals, "2")
    edited = harness.api.messages(user)[-2]
    assert edited.text.endswith("✓ 2") and edited.reply_markup is None
    assert text["limit"] in missing.text
    [benefit] = await harness.send(user, "Ein messbares gemeinsames Ziel")
    [why] = await harness.tap(user, benefit, text["dont_know"])
    assert text["done_mark"] in harness.api.messages(user)[-2].text
    [agreements] = await harness.tap(user, why, text["option"])
    [what] = await harness.tap(user, agreements, text["partly"])
    [anything] = await harness.send(user, "Fallkonferenz fiel zweimal aus")
    [outro] = await harness.tap(user, anything, text["skip"])
    assert text["outro"] in outro.text

    stored = harness.answers(member.id)
    assert [(step, json.loads(value)) for step, value, _version in stored] == [
        ("goals_clear", 2),
        ("goals_missing", "Ein messbares gemeinsames Ziel"),
        ("benefit", "dont_know"),
        ("benefit_why", "less_duplication"),
        ("agreements_kept", "partly"),
        ("agreements_what", "Fallkonferenz fiel zweimal aus"),
        ("anything_else", None),
    ]
    assert {version for _s, _v, version in stored} == {2}
    risks = harness.db.execute("SELECT step_id, factor, risk FROM answers ORDER BY id").fetchall()
    assert risks[:3] == [("goals_clear", 2, 1), ("goals_missing", 2, 1), ("benefit", 3, 5)]
    assert risks[-1] == ("anything_else", None, None)  # no factor: a message to the coordinator
    assert harness.db.execute("SELECT status, finished_at IS NOT NULL FROM checkins").fetchall() == [("done", 1)]
    assert not what.reply_markup


async def test_checkin_resumes_after_a_restart_of_the_bot(harness: Harness) -> None:
    member = await harness.partner()
    user = member.user_id
    _intro, goals = await harness.send(user, "/checkin", count=2)
    [statement] = await harness.tap(user, goals, "4")
    [benefit] = await harness.send(user, "Mehr Alleinerziehende in Ausbildung bis Ende 2027")

    await harness.restart()

    back, again = await harness.send(user, "/checkin", count=2)
    assert "Willkommen zurück" in back.text
    assert again.text.startswith("Frage 3 von 7\nWie sehr hilft")
    # The button under the question sent before the restart still works, and counts once.
    [agreements] = await harness.tap(user, benefit, "5")
    assert "Absprachen" in agreements.text
    assert [step for step, _v, _n in harness.answers(member.id)] == ["goals_clear", "goal_statement", "benefit"]
    assert statement.message_id < benefit.message_id


async def test_double_tap_is_stored_once(harness: Harness) -> None:
    member = await harness.partner()
    _intro, goals = await harness.send(member.user_id, "/checkin", count=2)
    first = harness.api.tap(member.user_id, goals.message_id, text="3")
    second = harness.api.tap(member.user_id, goals.message_id, text="3")
    await harness.api.wait_for_messages(member.user_id, 1)
    answer = await harness.api.wait_for_callback_answer(second)
    await harness.api.wait_for_callback_answer(first)
    assert "schon beantwortet" in str(answer)
    assert [step for step, _v, _n in harness.answers(member.id)] == ["goals_clear"]


async def test_a_finished_checkin_can_be_followed_by_a_new_one(harness: Harness) -> None:
    member = await harness.partner()
    user = member.user_id
    _intro, goals = await harness.send(user, "/checkin", count=2)
    outro = await harness.finish_checkin(user, goals)
    assert "Danke" in outro.text
    _intro, first = await harness.send(user, "/checkin", count=2)
    assert first.text.startswith("Frage 1")
    assert harness.db.execute("SELECT status FROM checkins ORDER BY id").fetchall() == [("done",), ("open",)]
