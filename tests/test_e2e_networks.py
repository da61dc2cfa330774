"""End to end through the local Bot API: one person is a partner in two networks and the coordinator of a third.

They join the second and third network by invite link; each network's round prompt reaches them; they answer both
check-ins, each by its prompt and its buttons, typed text going to the network they act in, each check-in resuming
at its own step; a coordinator command runs in the third network without asking; /checkin asks which network once
the choice is old, and remembers the answer; /network lists and switches; /mydata covers all three; the digest of
the third network reaches them."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

from bot.i18n import Catalogs, Gettext
from bot.telegram import callbacks
from bot.usecases.identity import CHOICE_HOURS
from localapi.server import SentMessage
from storage.people import Membership, membership_in
from tests.e2e import Harness

FEB_OPENS = datetime(2027, 2, 2, 8, 0, tzinfo=UTC)
FEB_CLOSES = datetime(2027, 2, 12, 8, 0, tzinfo=UTC)
PAULA, QUIRIN = 801, 831  # Paula: partner in Eins and Zwei, coordinator of Drei; Quirin: a partner in Drei
EINS, ZWEI, DREI = "Netzwerk Eins", "Netzwerk Zwei", "Netzwerk Drei"
ORG_EINS, ORG_ZWEI, ORG_DREI = "Jobcenter Eins", "Kita Zwei", "Caritas Drei"
TEXT_ZWEI = "Zwei: gemeinsame Fallkonferenzen"  # typed into Zwei's check-in (the goal statement)
TEXT_EINS = "Eins: uns fehlt ein gemeinsames Ziel"  # typed into Eins's check-in (what is missing)


async def arrival(harness: Harness, user: int, test: Callable[[SentMessage], bool]) -> SentMessage:
    """The first new message in the user's chat that passes the test (those before it count as seen)."""
    chat = harness.api.chats[user]

    def found() -> int | None:
        return next((n for n in range(chat.seen, len(chat.arrivals)) if test(chat.arrivals[n])), None)

    await harness.api.wait_until(lambda: found() is not None, timeout=10, message=f"a message for {user}")
    index = found()
    assert index is not None
    chat.seen = index + 1
    return chat.arrivals[index]


def data_of(message: SentMessage) -> list[str]:
    """The callback data of a message's buttons."""
    return [b["callback_data"] for row in (message.reply_markup or {}).get("inline_keyboard", []) for b in row
            if "callback_data" in b]


def round_of(prompt: SentMessage) -> int:
    """The round a prompt's buttons are for."""
    data = callbacks.RoundPrompt.unpack(data_of(prompt)[0])
    assert data is not None
    return data.round_id


def answers_by_network(harness: Harness, membership: Membership) -> dict[str, tuple[int, str]]:
    """The member's stored answers (current revision): step → (network id, stored value)."""
    found = harness.db.execute("SELECT step_id, network_id, value_json FROM answers WHERE membership_id = ?"
                               " ORDER BY revision", [membership.id]).fetchall()
    return {step: (network, value) for step, network, value in found}


def current_membership(harness: Harness) -> int | None:
    """The membership Paula's commands and typed text are for now."""
    row = harness.db.execute("SELECT current_membership_id FROM users WHERE id = ?", [PAULA]).fetchone()
    return None if row is None or row[0] is None else int(row[0])


async def outbox_empty(harness: Harness) -> None:
    """Wait until nothing the bot sends on its own is still on its way."""
    await harness.api.wait_until(lambda: harness.db.execute("SELECT COUNT(*) FROM outbox WHERE status IN"
                                                            " ('queued', 'sending')").fetchone()[0] == 0,
                                 timeout=20, message="an empty outbox")


async def three_networks(harness: Harness) -> tuple[dict[str, int], dict[str, Membership]]:
    """The three networks, Quirin in Drei, and Paula in all three (joined in this order: Eins, Zwei, Drei)."""
    networks = {name: harness.network(name) for name in (EINS, ZWEI, DREI)}
    await harness.join(QUIRIN, "Quirin", harness.invite(networks[DREI], ORG_DREI))
    await harness.join(PAULA, "Paula", harness.invite(networks[EINS], ORG_EINS))
    await harness.join_another(PAULA, harness.invite(networks[ZWEI], ORG_ZWEI))
    await harness.join_another(PAULA, harness.invite(networks[DREI]))
    found = {name: membership_in(harness.db, PAULA, network) for name, network in networks.items()}
    members = {name: member for name, member in found.items() if member is not None}
    assert [(m.network_name, m.role) for m in members.values()] == [
        (EINS, "partner"), (ZWEI, "partner"), (DREI, "coordinator")]
    return networks, members


def label(_: Gettext, member: Membership) -> str:
    """How a network choice button names a membership."""
    role = _("coordination") if member.role == "coordinator" else member.organisation_name
    return _("{network} ({role})").format(network=member.network_name, role=role)


async def test_joining_another_network_by_its_invite_link(harness: Harness) -> None:
    eins, zwei = harness.network(EINS), harness.network(ZWEI)
    await harness.join(PAULA, "Paula", harness.invite(eins, ORG_EINS))
    [consent] = await harness.send(PAULA, f"/start {harness.invite(zwei, ORG_ZWEI)}")
    assert ORG_ZWEI in consent.text and ZWEI in consent.text, consent.text
    [language] = await harness.tap(PAULA, consent, "Ich stimme zu")
    await harness.tap(PAULA, language, "Deutsch")
    assert membership_in(harness.db, PAULA, eins) is not None and membership_in(harness.db, PAULA, zwei) is not None
    [again] = await harness.send(PAULA, f"/start {harness.invite(zwei, 'Caritas Zwei')}")  # the same network: no
    assert not again.buttons() and "Caritas Zwei" not in again.text, again.text


async def test_each_round_prompt_names_its_network(harness: Harness) -> None:
    _networks, members = await three_networks(harness)
    harness.clock.now = FEB_OPENS
    prompts = [await arrival(harness, PAULA, lambda m: any(d.startswith("p:") for d in data_of(m))) for _ in "12"]
    rounds = {round_of(prompt): prompt for prompt in prompts}
    for member in (members[EINS], members[ZWEI]):
        [(round_id,)] = harness.db.execute("SELECT id FROM rounds WHERE network_id = ?", [member.network_id])
        assert member.network_name in rounds[round_id].text, rounds[round_id].text


async def test_a_partner_of_two_networks_and_coordinator_of_a_third(harness: Harness, catalogs: Catalogs) -> None:
    _ = catalogs.gettext("de")
    networks, members = await three_networks(harness)
    eins, zwei, drei = members[EINS], members[ZWEI], members[DREI]
    assert current_membership(harness) == drei.id  # the network joined last

    # /network lists all three, the current one marked, and switches.
    [listing] = await harness.send(PAULA, "/network")
    assert listing.buttons() == [[label(_, eins)], [label(_, zwei)], ["✓ " + label(_, drei)]]
    await harness.tap(PAULA, listing, label(_, eins), count=0)
    await harness.api.wait_until(lambda: listing.edit_count == 1, message="the choice shown")
    assert listing.text == _("Network: {network}").format(network=label(_, eins)) and not listing.buttons()
    assert current_membership(harness) == eins.id
    # A coordinator command runs in Drei, their only coordination, without asking.
    [partners] = await harness.send(PAULA, "/partners")
    assert ORG_DREI in partners.text and ORG_EINS not in partners.text and ORG_ZWEI not in partners.text
    assert data_of(partners) == ["n:kinds"]  # only "Art ändern": nothing to choose a network with

    # The round opens in all three: Paula gets the prompts of Eins and Zwei, Quirin that of Drei.
    harness.clock.now = FEB_OPENS
    prompts: dict[int, SentMessage] = {}
    for _n in range(2):
        prompt = await arrival(harness, PAULA, lambda m: any(d.startswith("p:") for d in data_of(m)))
        [(network_id,)] = harness.db.execute("SELECT network_id FROM rounds WHERE id = ?", [round_of(prompt)])
        prompts[network_id] = prompt
    assert set(prompts) == {networks[EINS], networks[ZWEI]}
    [quirins] = await harness.api.wait_for_messages(QUIRIN, 1)

    # Eins by its prompt, to the question after a low clarity; then Zwei by its prompt, to the goal statement.
    _intro, goals_eins = await harness.tap(PAULA, prompts[networks[EINS]], _("Start now"), count=2)
    [missing_eins] = await harness.tap(PAULA, goals_eins, "2")
    _intro, goals_zwei = await harness.tap(PAULA, prompts[networks[ZWEI]], _("Start now"), count=2)
    [statement_zwei] = await harness.tap(PAULA, goals_zwei, "5")
    assert missing_eins.text != statement_zwei.text
    # Typed text answers the check-in of the network Paula acts in now: Zwei, whose prompt she tapped last.
    [benefit_zwei] = await harness.send(PAULA, TEXT_ZWEI)
    assert answers_by_network(harness, zwei) == {"goals_clear": (networks[ZWEI], "5"),
                                                 "goal_statement": (networks[ZWEI], json.dumps(TEXT_ZWEI))}
    assert answers_by_network(harness, eins) == {"goals_clear": (networks[EINS], "2")}
    # /checkin (the choice is fresh) continues Zwei at its step; after switching, Eins continues at its own.
    back, again_zwei = await harness.send(PAULA, "/checkin", count=2)
    assert back.text == _("Welcome back! Let's continue where you stopped.")
    assert again_zwei.text == benefit_zwei.text
    [listing] = await harness.send(PAULA, "/network")
    await harness.tap(PAULA, listing, label(_, eins), count=0)
    back, again_eins = await harness.send(PAULA, "/checkin", count=2)
    assert again_eins.text == missing_eins.text
    [benefit_eins] = await harness.send(PAULA, TEXT_EINS)  # now typed text answers Eins
    assert answers_by_network(harness, eins) == {"goals_clear": (networks[EINS], "2"),
                                                 "goals_missing": (networks[EINS], json.dumps(TEXT_EINS))}
    assert len(answers_by_network(harness, zwei)) == 2

    # A day later the choice is old: /checkin asks which of the two partner networks, and a tap runs it there.
    harness.clock.advance(hours=CHOICE_HOURS + 1)
    [question] = await harness.send(PAULA, "/checkin")
    assert question.text == _("You are in several networks. Which one is /{command} for? I'll remember it; "
                              "/network switches.").format(command="checkin")
    assert question.buttons() == [[label(_, eins)], [label(_, zwei)]]
    back, again_zwei = await harness.tap(PAULA, question, label(_, zwei), count=2)
    assert question.text == _("Network: {network}").format(network=label(_, zwei))
    assert back.text == _("Welcome back! Let's continue where you stopped.") and again_zwei.text == benefit_zwei.text
    assert current_membership(harness) == zwei.id
    back, again_zwei = await harness.send(PAULA, "/checkin", count=2)  # remembered: not asked again
    assert again_zwei.text == benefit_zwei.text
    # Both check-ins to their end, by the buttons of each: every tap acts in the network of its message.
    [agreements_eins] = await harness.tap(PAULA, benefit_eins, "4")
    [agreements_zwei] = await harness.tap(PAULA, again_zwei, "5")
    [anything_eins] = await harness.tap(PAULA, agreements_eins, "Ja, alle")
    [anything_zwei] = await harness.tap(PAULA, agreements_zwei, "Größtenteils")
    await harness.tap(PAULA, anything_eins, _("Skip"))
    await harness.tap(PAULA, anything_zwei, _("Skip"))
    eins_answers, zwei_answers = answers_by_network(harness, eins), answers_by_network(harness, zwei)
    assert {network for network, _value in eins_answers.values()} == {networks[EINS]}
    assert {network for network, _value in zwei_answers.values()} == {networks[ZWEI]}
    assert (eins_answers["benefit"][1], zwei_answers["benefit"][1]) == ("4", "5")
    assert (eins_answers["agreements_kept"][1], zwei_answers["agreements_kept"][1]) == ('"all"', '"most"')
    statuses = harness.db.execute("SELECT membership_id, status FROM checkins ORDER BY membership_id").fetchall()
    assert statuses == [(eins.id, "done"), (zwei.id, "done")]

    # /mydata: all three memberships, and the answers of both check-ins.
    [document] = await harness.send(PAULA, "/mydata")
    data = json.loads(document.file or b"")
    assert [(m["network"], m["role"], m["organisation"]) for m in data["memberships"]] == [
        (EINS, "partner", ORG_EINS), (ZWEI, "partner", ORG_ZWEI), (DREI, "coordinator", None)]
    assert {a["membership_id"] for a in data["answers"]} == {eins.id, zwei.id}

    # Quirin answers Drei; at the close Paula gets Drei's digest as its coordinator.
    _intro, goals = await harness.tap(QUIRIN, quirins, _("Start now"), count=2)
    await harness.finish_checkin(QUIRIN, goals)
    await outbox_empty(harness)
    harness.api.new_messages(PAULA)
    harness.clock.now = FEB_CLOSES
    digest = await arrival(harness, PAULA, lambda m: m.text.startswith("Netzpuls-Überblick"))
    assert digest.text.startswith(f"Netzpuls-Überblick · {DREI} · Februar 2027"), digest.text
