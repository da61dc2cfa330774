"""One chat's pace holds up no other chat: the outbox sends other chats' rows while one chat waits for its second."""

from __future__ import annotations

from dataclasses import replace

from bot.config import Settings
from localapi.server import LocalBotApi
from storage.outbox import Outgoing, enqueue
from tests.e2e import NOW, FakeClock, Harness

COORDINATOR = 7001
PARTNERS = range(7101, 7111)


async def _digest_then_singles(api: LocalBotApi, settings: Settings, clock: FakeClock, singles: range,
                               timeout: float) -> list[int]:
    """A five-part digest to the coordinator queued before one message to each of `singles`, sent at Telegram's
    real rates (30/s overall, one a second per chat); the chat ids in the order the server got them."""
    harness = Harness(api, replace(settings, send_rate=30.0, chat_rate=1.0), clock)
    for user in (COORDINATOR, *singles):
        api.add_user(user, f"Person {user}", started=True)
    await harness.start()
    try:
        digest = [Outgoing(f"digest:{n}", "digest", COORDINATOR, f"Digest Teil {n + 1}") for n in range(5)]
        results = [Outgoing(f"result:{chat}", "result", chat, "Eure Ergebnisse") for chat in singles]
        enqueue(harness.db, digest + results, NOW)
        assert harness.app is not None
        harness.app.bot_data["services"].wake_sender()
        await api.wait_for_messages(COORDINATOR, 5, timeout=timeout)
        for chat in singles:
            await api.wait_for_messages(chat, 1)
    finally:
        await harness.stop()
        harness.db.close()
    return [int(r.params["chat_id"]) for r in api.requests if r.method == "sendMessage"]


async def test_at_a_rounds_close_the_coordinators_five_messages_hold_up_no_partner_result(
        api: LocalBotApi, settings: Settings, clock: FakeClock) -> None:
    # The close queues the coordinator's digest (five messages) before the partners' results.
    sent = await _digest_then_singles(api, settings, clock, PARTNERS, 15.0)
    second_part = [i for i, chat in enumerate(sent) if chat == COORDINATOR][1]
    # Every partner's result went out before the coordinator's second part, which waited for the chat's own second;
    # nobody waited behind it.
    assert all(sent.index(chat) < second_part for chat in PARTNERS), sent


async def test_many_single_messages_queued_behind_a_digest_do_not_hold_its_next_parts(
        api: LocalBotApi, settings: Settings, clock: FakeClock) -> None:
    many = range(7201, 7291)  # three seconds of sends at the overall rate
    sent = await _digest_then_singles(api, settings, clock, many, 30.0)
    second_part = [i for i, chat in enumerate(sent) if chat == COORDINATOR][1]
    # The digest's second part went once its second had come, between the others, not after all of them: a pass
    # that waited for a free send slot midway reached it only after every later row.
    assert second_part < max(sent.index(chat) for chat in many), sent
