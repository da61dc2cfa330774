"""Who is in the network: invite links withdrawn, the coordinator role handed over, a partner removed."""

from __future__ import annotations

import re

from storage.people import active_membership, new_token
from tests.e2e import LINK_RE, Harness


async def test_invite_tokens_are_long_random_and_fit_telegram_start_parameters() -> None:
    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22,64}", token) for token in tokens)  # 16 random bytes = 128 bits


async def test_coordinator_withdraws_an_open_invite_and_the_link_stops_working(harness: Harness) -> None:
    network = harness.network()
    coordinator = await harness.join(100, "Clara", harness.invite(network))
    [invite] = await harness.send(coordinator.user_id, "/invite Kita Sonnenschein")
    match = LINK_RE.search(invite.text)
    assert match is not None
    [listing] = await harness.send(coordinator.user_id, "/invites")
    assert "Kita Sonnenschein" in listing.text and listing.reply_markup is not None
    await harness.tap(coordinator.user_id, listing, "✕ Kita Sonnenschein", count=0)
    await harness.api.wait_until(lambda: "Keine offenen" in harness.api.messages(coordinator.user_id)[-1].text)
    harness.api.add_user(300, "Ben")
    [refusal] = await harness.send(300, f"/start {match[2]}")
    assert "zurückgezogen" in refusal.text
    assert active_membership(harness.db, 300) is None


async def test_coordinator_hands_the_role_over_to_a_successor(harness: Harness) -> None:
    network = harness.network()
    old = await harness.join(100, "Clara", harness.invite(network))
    [handover] = await harness.send(old.user_id, "/handover")
    match = LINK_RE.search(handover.text)
    assert match is not None and "Rolle endet" in handover.text
    new = await harness.join(101, "Dana", match[2])
    assert new.role == "coordinator" and new.network_id == network
    assert active_membership(harness.db, old.user_id) is None
    assert harness.db.execute("SELECT left_reason FROM memberships WHERE id = ?", [old.id]).fetchone() == (
        "handed_over",)
    [refusal] = await harness.send(old.user_id, "/partners")
    assert "nicht angemeldet" in refusal.text


async def test_coordinator_removes_a_partner_who_is_told_and_gets_no_more_checkins(harness: Harness) -> None:
    network = harness.network()
    coordinator = await harness.join(100, "Clara", harness.invite(network))
    partner = await harness.partner(network_id=network)
    [choice] = await harness.send(coordinator.user_id, "/remove")
    await harness.tap(coordinator.user_id, choice, "Jobcenter Musterstadt", count=0)
    confirm = harness.api.messages(coordinator.user_id)[-1]
    assert "entfernen?" in confirm.text
    await harness.tap(coordinator.user_id, confirm, "Nein", count=0)
    assert active_membership(harness.db, partner.user_id) is not None
    [choice] = await harness.send(coordinator.user_id, "/remove")
    await harness.tap(coordinator.user_id, choice, "Jobcenter Musterstadt", count=0)
    await harness.tap(coordinator.user_id, harness.api.messages(coordinator.user_id)[-1], "Ja, entfernen", count=0)
    [told] = await harness.api.wait_for_messages(partner.user_id, 1)
    assert "aus dem Netzwerk genommen" in told.text
    assert active_membership(harness.db, partner.user_id) is None
    [overview] = await harness.send(coordinator.user_id, "/partners")
    assert "Jobcenter" not in overview.text
    # Inviting the organisation again takes it back in.
    [invite] = await harness.send(coordinator.user_id, "/invite Jobcenter Musterstadt")
    assert LINK_RE.search(invite.text)
    [overview] = await harness.send(coordinator.user_id, "/partners")
    assert "Jobcenter Musterstadt" in overview.text
