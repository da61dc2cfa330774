"""Bad input gets a short, polite answer in the user's language, and nothing is stored wrongly."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from localapi.server import LocalBotApi, SentMessage
from storage.people import Membership
from tests.e2e import Harness


async def _at_text_step(harness: Harness, locale: str = "de") -> tuple[Membership, SentMessage]:
    """A partner whose check-in waits for a typed answer (goal_statement), one answer stored."""
    member = await harness.partner(locale=locale)
    _intro, goals = await harness.send(member.user_id, "/checkin", count=2)
    [statement] = await harness.tap(member.user_id, goals, "4")
    return member, statement


def _state(harness: Harness, member: Membership) -> tuple[object, ...]:
    return tuple(harness.db.execute("SELECT state FROM checkins WHERE membership_id = ?", [member.id]).fetchone())


SENDERS: dict[str, Callable[[LocalBotApi, int], object]] = {
    "sticker": lambda api, user: api.send_sticker(user),
    "photo": lambda api, user: api.send_photo(user),
    "voice": lambda api, user: api.send_voice(user),
    "location": lambda api, user: api.send_location(user, 52.52, 13.40),
    "document": lambda api, user: api.send_document(user, "notes.txt", b"hello"),
}


@pytest.mark.parametrize("kind", sorted(SENDERS))
@pytest.mark.parametrize(("locale", "expected"), [("de", "nur Textnachrichten"), ("en", "only read text messages")])
async def test_non_text_messages_get_a_polite_answer(harness: Harness, kind: str, locale: str, expected: str) -> None:
    member, _question = await _at_text_step(harness, locale)
    before = (_state(harness, member), harness.answers(member.id))
    SENDERS[kind](harness.api, member.user_id)
    [reply] = await harness.api.wait_for_messages(member.user_id, 1)
    assert expected in reply.text
    assert (_state(harness, member), harness.answers(member.id)) == before


@pytest.mark.parametrize(("locale", "expected"), [("de", "Ihre Antwort hat 201 Zeichen; bei dieser Frage sind "
                                                          "höchstens 200 möglich"),
                                                  ("en", "Your answer has 201 characters; this question allows at "
                                                         "most 200")])
async def test_overlong_text_is_refused_with_the_limit_then_a_short_one_is_taken(harness: Harness, locale: str,
                                                                                 expected: str) -> None:
    member, _question = await _at_text_step(harness, locale)
    [reply] = await harness.send(member.user_id, "x" * 201)
    assert expected in reply.text
    assert len(harness.answers(member.id)) == 1
    [next_question] = await harness.send(member.user_id, "y" * 200)
    assert next_question.reply_markup is not None
    assert harness.answers(member.id)[-1][1] == '"' + "y" * 200 + '"'


async def test_whitespace_only_text_is_refused(harness: Harness) -> None:
    member, _question = await _at_text_step(harness)
    [reply] = await harness.send(member.user_id, "   ")
    assert reply.text == "Bitte schreiben Sie eine kurze Antwort."
    assert len(harness.answers(member.id)) == 1


async def test_edited_message_changes_nothing(harness: Harness) -> None:
    member, _question = await _at_text_step(harness)
    sent = harness.api.send_text(member.user_id, "Gemeinsame Fallkonferenzen")
    await harness.api.wait_for_messages(member.user_id, 1)
    harness.api.edit_text(member.user_id, sent, "Etwas ganz anderes")
    [reply] = await harness.api.wait_for_messages(member.user_id, 1)
    assert "bearbeitet" in reply.text
    assert harness.answers(member.id)[-1][1] == '"Gemeinsame Fallkonferenzen"'


async def test_text_when_buttons_are_expected_gets_a_hint_and_the_question_again(harness: Harness) -> None:
    member = await harness.partner()
    await harness.send(member.user_id, "/checkin", count=2)
    hint, question = await harness.send(member.user_id, "ganz gut eigentlich", count=2)
    assert "mit den Knöpfen" in hint.text
    assert question.text.startswith("Frage 1")
    assert harness.answers(member.id) == []


async def test_stale_and_finished_and_forged_buttons_are_refused(harness: Harness) -> None:
    member, statement = await _at_text_step(harness)
    checkin_id = harness.db.execute("SELECT id FROM checkins").fetchone()[0]
    user = member.user_id

    stale = harness.api.forge_callback(user, statement.message_id, f"a:{checkin_id}:goals_clear:1")
    assert "schon beantwortet" in str(await harness.api.wait_for_callback_answer(stale))
    invalid = harness.api.forge_callback(user, statement.message_id, f"a:{checkin_id}:goal_statement:9")
    assert "als Nachricht" in str(await harness.api.wait_for_callback_answer(invalid))
    garbage = harness.api.forge_callback(user, statement.message_id, "totally:made:up")
    assert "nicht mehr gültig" in str(await harness.api.wait_for_callback_answer(garbage))
    unknown = harness.api.forge_callback(user, statement.message_id, "a:999999:goals_clear:1")
    assert "nicht mehr gültig" in str(await harness.api.wait_for_callback_answer(unknown))

    other = await harness.partner(user_id=502, organisation="Jugendamt Musterstadt")
    foreign = harness.api.forge_callback(other.user_id, statement.message_id, f"a:{checkin_id}:goal_statement:skip")
    assert "nicht für Sie bestimmt" in str(await harness.api.wait_for_callback_answer(foreign))
    assert [step for step, _v, _n in harness.answers(member.id)] == ["goals_clear"]
    assert harness.answers(other.id) == []

    [benefit] = await harness.tap(user, statement, "Überspringen")
    [agreements] = await harness.tap(user, benefit, "5")
    [anything] = await harness.tap(user, agreements, "Größtenteils")
    await harness.tap(user, anything, "Überspringen")
    finished = harness.api.forge_callback(user, anything.message_id, f"a:{checkin_id}:anything_else:skip")
    assert "schon abgeschlossen" in str(await harness.api.wait_for_callback_answer(finished))
    assert len(harness.answers(member.id)) == 5


@pytest.mark.parametrize(
    ("who", "command", "expected"),
    [
        ("partner", "/invite Jobcenter", "nur für die Netzwerkkoordination"),
        ("partner", "/partners", "nur für die Netzwerkkoordination"),
        ("coordinator", "/checkin", "für die Partnerorganisationen gedacht"),
        ("stranger", "/checkin", "noch nicht angemeldet"),
        ("stranger", "/invite Jobcenter", "noch nicht angemeldet"),
        ("stranger", "/language", "noch nicht angemeldet"),
        ("partner", "/frobnicate", "Den Befehl /frobnicate kenne ich nicht"),
        ("stranger", "hallo?", "keine Nachricht erwartet"),
    ],
)
async def test_commands_outside_the_role_are_refused_politely(harness: Harness, who: str, command: str,
                                                              expected: str) -> None:
    network = harness.network()
    if who == "partner":
        user = (await harness.partner(network_id=network)).user_id
    elif who == "coordinator":
        user = (await harness.join(800, "Carla", harness.invite(network))).user_id
    else:
        user = 900
        harness.api.add_user(user, "Fremd", language_code="de")
    [reply] = await harness.send(user, command)
    assert expected in reply.text
    assert harness.db.execute("SELECT COUNT(*) FROM invites WHERE role = 'partner' AND used_at IS NULL").fetchone() \
        == (0,)


async def test_invite_needs_a_sensible_organisation_name(harness: Harness) -> None:
    coordinator = await harness.join(800, "Carla", harness.invite(harness.network()))
    [empty] = await harness.send(coordinator.user_id, "/invite")
    assert "zum Beispiel: /invite Jobcenter Musterstadt" in empty.text
    [long] = await harness.send(coordinator.user_id, "/invite " + "X" * 101)
    assert "höchstens 100 Zeichen" in long.text
    assert harness.db.execute("SELECT COUNT(*) FROM organisations").fetchone() == (0,)


async def test_a_crash_in_a_handler_tells_the_admin_and_the_user(harness: Harness) -> None:
    harness.api.add_user(9001, "Admin", language_code="de")
    await harness.send(9001, "/help")
    member = await harness.partner()
    # A reply is tried three times (bot/telegram/ratelimit.py); only then does the handler fail.
    harness.api.fail_next("sendMessage", 500, "Internal Server Error", times=3)
    harness.api.send_text(member.user_id, "/help")
    [alert] = await harness.api.wait_for_messages(9001, 1)
    assert "Netzpuls-Fehler" in alert.text and "Anna" not in alert.text
    [sorry] = await harness.api.wait_for_messages(member.user_id, 1)
    assert "schiefgegangen" in sorry.text
