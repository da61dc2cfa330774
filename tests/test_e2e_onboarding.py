"""Joining through invite links, consent, language, /invite, /partners, /help and menus: the real bot over HTTP."""

from __future__ import annotations

import pytest

from bot.services import CONSENT_VERSION
from tests.e2e import ADMIN_ID, AGREE, LINK_RE, Harness


async def test_coordinator_joins_invites_a_partner_who_joins_in_english(harness: Harness) -> None:
    network = harness.network("Netzwerk Alleinerziehende Musterstadt")
    harness.api.add_user(100, "Clara", language_code="de")
    [consent] = await harness.send(100, f"/start {harness.invite(network)}")
    assert "Netzwerk Alleinerziehende Musterstadt" in consent.text
    assert "Was ich speichere" in consent.text and "Ihre Rechte" in consent.text
    [language] = await harness.tap(100, consent, "Ich stimme zu")
    assert consent.reply_markup is None or not harness.api.messages(100)[0].reply_markup
    [welcome] = await harness.tap(100, language, "Deutsch")
    assert "koordinieren jetzt" in welcome.text
    assert [c["command"] for c in harness.api.commands({"type": "chat", "chat_id": 100}, None)] == [
        "invite", "partners", "invites", "remove", "handover", "digest", "privacy", "coach", "actions", "notes",
        "goals", "export", "report", "settings", "scripts", "language", "mydata", "delete", "leave", "help"]

    [invite] = await harness.send(100, "/invite Jobcenter Musterstadt")
    match = LINK_RE.search(invite.text)
    assert match is not None, invite.text
    assert match[1] == harness.api.bot_username
    assert "Jobcenter Musterstadt" in invite.text

    harness.api.add_user(200, "Anna", language_code="en")
    [consent_en] = await harness.send(200, f"/start {match[2]}")
    assert "contact person of Jobcenter Musterstadt" in consent_en.text
    assert "What I store" in consent_en.text
    [language_en] = await harness.tap(200, consent_en, "I agree")
    [welcome_en] = await harness.tap(200, language_en, "English")
    assert "Welcome, Anna!" in welcome_en.text and "/checkin" in welcome_en.text
    assert [c["command"] for c in harness.api.commands({"type": "chat", "chat_id": 200}, None)] == [
        "checkin", "answers", "pause", "language", "mydata", "delete", "leave", "help"]

    [overview] = await harness.send(100, "/partners")
    assert "Jobcenter Musterstadt: dabei (Anna" in overview.text
    assert "1 von 1 sind dabei." in overview.text
    memberships = harness.db.execute("SELECT user_id, role, consent_version FROM memberships ORDER BY id").fetchall()
    assert memberships == [(100, "coordinator", CONSENT_VERSION), (200, "partner", CONSENT_VERSION)]
    assert harness.db.execute("SELECT locale FROM users WHERE id = 200").fetchone() == ("en",)


async def test_partners_lists_pending_invites(harness: Harness) -> None:
    network = harness.network()
    await harness.join(100, "Clara", harness.invite(network))
    await harness.send(100, "/invite Schuldnerberatung")
    [overview] = await harness.send(100, "/partners")
    assert "Schuldnerberatung: eingeladen, noch nicht dabei" in overview.text
    assert "0 von 1 sind dabei." in overview.text


async def test_declining_consent_stores_nothing(harness: Harness) -> None:
    token = harness.invite(harness.network(), "Suchtberatung")
    harness.api.add_user(300, "Otto", language_code="de")
    [consent] = await harness.send(300, f"/start {token}")
    await harness.tap(300, consent, "Ablehnen", count=0)
    await harness.api.wait_until(lambda: "Nichts" in harness.api.messages(300)[-1].text
                                 or "nichts" in harness.api.messages(300)[-1].text)
    assert "nichts gespeichert" in harness.api.messages(300)[-1].text
    assert harness.db.execute("SELECT COUNT(*) FROM users").fetchone() == (0,)
    assert harness.db.execute("SELECT COUNT(*) FROM memberships").fetchone() == (0,)
    assert harness.db.execute("SELECT used_at FROM invites WHERE token = ?", [token]).fetchone() == (None,)


@pytest.mark.parametrize(
    ("locale", "case", "expected"),
    [
        ("de", "used", "wurde schon benutzt"),
        ("de", "unknown", "kenne ich nicht"),
        ("de", "expired", "ist abgelaufen"),
        ("en", "used", "has already been used"),
        ("en", "unknown", "I don't know this invite link"),
        ("en", "expired", "has expired"),
    ],
)
async def test_bad_invite_links_get_a_polite_answer(harness: Harness, locale: str, case: str, expected: str) -> None:
    token = harness.invite(harness.network(), "Kita Sonnenschein")
    if case == "used":
        await harness.join(401, "Erster", token)
    elif case == "unknown":
        token = "A" * 22
    else:
        harness.clock.advance(days=15)
    harness.api.add_user(402, "Zweite", language_code=locale)
    [reply] = await harness.send(402, f"/start {token}")
    assert expected in reply.text
    assert harness.db.execute("SELECT COUNT(*) FROM memberships WHERE user_id = 402").fetchone() == (0,)


async def test_a_member_cannot_redeem_a_second_link(harness: Harness) -> None:
    network = harness.network()
    member = await harness.partner(network_id=network)
    [reply] = await harness.send(member.user_id, f"/start {harness.invite(network, 'Jugendamt')}")
    assert "in diesem Netzwerk bereits angemeldet" in reply.text


async def test_tapping_agree_on_a_link_used_meanwhile_registers_nobody(harness: Harness) -> None:
    token = harness.invite(harness.network(), "Caritas")
    harness.api.add_user(601, "Eva", language_code="de")
    [consent] = await harness.send(601, f"/start {token}")
    await harness.join(602, "Frank", token)
    [reply] = await harness.tap(601, consent, AGREE["de"])
    assert "wurde schon benutzt" in reply.text
    assert harness.db.execute("SELECT COUNT(*) FROM memberships WHERE user_id = 601").fetchone() == (0,)


@pytest.mark.parametrize(
    ("role", "locale", "expected", "absent"),
    [
        ("stranger", "de", "Einladungslink", "/invite"),
        ("stranger", "en", "invite link", "/checkin"),
        ("partner", "de", "/checkin – Monatlichen Check-in", "/invite"),
        ("partner", "en", "/checkin – Start or continue", "/partners"),
        ("coordinator", "de", "/invite <Name der Organisation>", "/checkin"),
        ("coordinator", "en", "/partners – Partners and whether", "/checkin"),
        ("admin", "de", "Als Admin erhalten Sie Fehlermeldungen", "/invite"),
    ],
)
async def test_help_says_what_each_role_can_do(harness: Harness, role: str, locale: str, expected: str,
                                               absent: str) -> None:
    user_id = ADMIN_ID if role == "admin" else 700
    network = harness.network()
    if role == "partner":
        await harness.join(user_id, "Pia", harness.invite(network, "Diakonie"), locale)
    elif role == "coordinator":
        await harness.join(user_id, "Carl", harness.invite(network), locale)
    else:
        harness.api.add_user(user_id, "Sam", language_code=locale)
    [reply] = await harness.send(user_id, "/help")
    assert expected in reply.text
    assert absent not in reply.text


async def test_default_menu_is_set_per_language_at_start(harness: Harness) -> None:
    german = harness.api.commands({"type": "default"}, None)
    english = harness.api.commands({"type": "default"}, "en")
    assert [c["command"] for c in german] == ["start", "mydata", "delete", "help"]
    assert german[-1]["description"] == "Was ich für Sie tun kann"
    assert english[-1]["description"] == "What I can do for you"


async def test_language_can_be_changed_later(harness: Harness) -> None:
    member = await harness.partner(locale="de")
    [question] = await harness.send(member.user_id, "/language")
    [done] = await harness.tap(member.user_id, question, "English")
    assert done.text == "Done. /help shows what you can do."
    [reply] = await harness.send(member.user_id, "/help")
    assert "/checkin – Start or continue" in reply.text
    menu = harness.api.commands({"type": "chat", "chat_id": member.user_id}, None)
    assert menu[0]["description"] == "Start or continue the monthly check-in"


async def test_a_coordinator_sees_only_their_own_network(harness: Harness) -> None:
    north, south = harness.network("Netz Nord"), harness.network("Netz Süd")
    await harness.join(100, "Clara", harness.invite(north))
    await harness.join(110, "Sven", harness.invite(south))
    await harness.send(100, "/invite Jobcenter Nord")
    await harness.partner(user_id=501, organisation="Jugendamt Süd", network_id=south)
    [overview] = await harness.send(100, "/partners")
    assert "Jobcenter Nord" in overview.text
    assert "Jugendamt Süd" not in overview.text and "Anna" not in overview.text
    [other] = await harness.send(110, "/partners")
    assert "Jugendamt Süd: dabei (Anna" in other.text and "Jobcenter Nord" not in other.text
