"""The bot notes the last message id of each chat from what it receives and what its handlers send: what the outbox
expects the chat's next message to be (bot/jobs/outbox_recovery.py)."""

from __future__ import annotations

from storage.message_ids import last_message_id
from tests.e2e import Harness

STRANGER = 7301


async def test_a_received_message_and_the_reply_to_it_are_both_noted(harness: Harness) -> None:
    harness.api.add_user(STRANGER, "Clara", language_code="de")
    asked = harness.api.send_text(STRANGER, "/help")
    [reply] = await harness.api.wait_for_messages(STRANGER, 1)
    assert reply.message_id == asked + 1
    await harness.api.wait_until(lambda: last_message_id(harness.db, STRANGER) == reply.message_id)
