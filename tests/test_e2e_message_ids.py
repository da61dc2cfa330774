"""The bot notes the last message id of each chat from what it receives and what its handlers send: what the outbox
expects the chat's next message to be (bot/jobs/outbox_recovery.py)."""

from __future__ import annotations

from storage.message_ids import last_message_id
from tests.e2e import Harness

PARTNER, STRANGER = 7301, 7302


async def test_a_received_message_and_the_reply_to_it_are_both_noted(harness: Harness) -> None:
    await harness.partner(PARTNER)
    harness.api.new_messages(PARTNER)  # what joining brought
    asked = harness.api.send_text(PARTNER, "/help")
    [reply] = await harness.api.wait_for_messages(PARTNER, 1)
    assert reply.message_id == asked + 1
    await harness.api.wait_until(lambda: last_message_id(harness.db, PARTNER) == reply.message_id)


async def test_a_strangers_chat_leaves_no_id_behind(harness: Harness) -> None:
    """Someone who never joined: answered, but their Telegram id is not kept for the crash check."""
    harness.api.add_user(STRANGER, "Clara", language_code="de")
    harness.api.send_text(STRANGER, "/help")
    await harness.api.wait_for_messages(STRANGER, 1)
    await harness.handled()
    assert harness.db.execute("SELECT COUNT(*) FROM chat_message_ids WHERE chat_id = ?", [STRANGER]).fetchone() == (0,)
