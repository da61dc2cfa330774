"""After a stop, a send left in flight is checked instead of sent again blindly: Telegram numbers a private chat's
messages one by one, so the message, if it arrived, has the id it was expected to get (or one a little later, if
the person wrote meanwhile). Editing that message with identical content tells: "message is not modified" means it
is there, "message to edit not found" means no message has that id yet. What the check cannot decide is not sent
twice but reported to the admins (docs/ARCHITECTURE.md, "Checking a send cut short")."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Collection
from datetime import datetime
from enum import Enum
from typing import Any

from sqlite_utils import Database
from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.core.pacing import backoff
from bot.i18n import Catalogs
from bot.telegram.ratelimit import retry_seconds
from bot.usecases.identity import locale_of_user
from storage.outbox import Outgoing, enqueue
from storage.outbox_delivery import (
    UNKNOWN,
    InFlight,
    in_flight,
    mark_delivered,
    mark_undecided,
    requeue_undelivered,
    requeue_unsent,
)

Call = Callable[..., Awaitable[Any]]  # runs a storage function with the sender's connection: call(function, *args)

log = logging.getLogger(__name__)

AHEAD = 2  # ids after the expected one that are tried too: the person may have written while the send was under way
_TRIES = 3  # attempts of one edit that fails for a passing reason (network, 429)
_NOT_MODIFIED = "message is not modified"
_NOT_FOUND = "message to edit not found"
_GONE = ("chat not found", "user is deactivated")  # nothing can arrive there: sending again gets the same refusal
# Answers for an id that holds some other message: the person's own (not editable) or one of another kind.
_OTHER = ("message can't be edited", "there is no text in the message to edit",
          "there is no caption in the message to edit")


class Found(Enum):
    """What the check found out about one row."""

    DELIVERED = "delivered"
    ABSENT = "absent"
    UNDECIDED = "undecided"


async def check_in_flight(bot: Bot, call: Call, catalogs: Catalogs, admins: Collection[int],
                          clock: Callable[[], datetime]) -> Counter[str]:
    """Settle every row the last stop left "sending"; counts by outcome (unsent, delivered, absent, undecided).
    The undecided rows are reported to the admins in one message each."""
    counts: Counter[str] = Counter()
    undecided: list[int] = []
    for row in await call(in_flight):
        if row.expected_message_id is None:  # stopped before its request went out
            await call(requeue_unsent, row.id)
            counts["unsent"] += 1
            continue
        found, message_id, why = await probe(bot, row)
        counts[found.value] += 1
        if found is Found.DELIVERED:
            assert message_id is not None
            await call(mark_delivered, row.id, message_id, clock())
        elif found is Found.ABSENT:
            await call(requeue_undelivered, row.id)
        else:
            log.error("outbox: message %d was in flight when the bot stopped and cannot be checked (%s); it is not "
                      "sent again", row.id, why)
            await call(mark_undecided, row.id, why)
            undecided.append(row.id)
    if undecided:
        await call(report_undecided, catalogs, admins, undecided, clock())
    if counts:
        log.warning("outbox: checked the sends in flight at the last stop: %s", dict(counts))
    return counts


async def probe(bot: Bot, row: InFlight) -> tuple[Found, int | None, str]:
    """Edit the expected message (and up to AHEAD later ones) with the row's own content: whether it arrived,
    the id it has then, and why not decided."""
    if row.expected_message_id is None or row.expected_message_id == UNKNOWN:
        return Found.UNDECIDED, None, "the chat's last message id was not known"
    for message_id in range(row.expected_message_id, row.expected_message_id + AHEAD + 1):
        answer = await _edit_same(bot, row, message_id)
        if answer is None:  # the edit changed a message: the one at this id was another of the bot's
            return Found.UNDECIDED, None, f"message {message_id} of the chat was another one and was edited"
        said = answer.lower()
        if _NOT_MODIFIED in said:
            return Found.DELIVERED, message_id, ""
        if _NOT_FOUND in said:  # ids are given in order: no message has this id, so none after it either
            return Found.ABSENT, None, ""
        if "forbidden" in said or any(gone in said for gone in _GONE):  # the sender's usual handling takes over
            return Found.ABSENT, None, ""
        if not any(other in said for other in _OTHER):
            return Found.UNDECIDED, None, answer
    return Found.UNDECIDED, None, f"messages {row.expected_message_id} to {row.expected_message_id + AHEAD} are others"


async def _edit_same(bot: Bot, row: InFlight, message_id: int) -> str | None:
    """Edit one message with the row's content; Telegram's refusal as text, None if the edit went through."""
    markup = InlineKeyboardMarkup.de_json(row.reply_markup, bot) if row.reply_markup is not None else None
    if row.has_photo:
        edit = functools.partial(bot.edit_message_caption, row.chat_id, message_id, caption=row.text or None)
    else:
        edit = functools.partial(bot.edit_message_text, row.text, row.chat_id, message_id)
    for attempt in range(1, _TRIES + 1):
        try:
            await edit(reply_markup=markup, parse_mode=row.parse_mode)
        except (BadRequest, Forbidden) as error:
            return f"{type(error).__name__}: {error.message}"
        except RetryAfter as error:
            await asyncio.sleep(retry_seconds(error))
        except NetworkError as error:  # TimedOut included: the edit may not have been answered; asking again is safe
            if attempt == _TRIES:
                return f"network: {error}"
            await asyncio.sleep(backoff(attempt))
        else:
            return None
    return "Telegram kept asking to wait"


def report_undecided(db: Database, catalogs: Catalogs, admins: Collection[int], row_ids: list[int],
                     now: datetime) -> None:
    """Queue each admin one message naming the rows that may or may not have arrived (no personal data)."""
    messages = []
    ids = ", ".join(str(row_id) for row_id in row_ids)
    for admin in sorted(admins):
        _ = catalogs.gettext(locale_of_user(db, admin))
        text = _("After a restart, {count} message(s) that were being sent when the bot stopped could not be checked: "
                 "they may or may not have arrived, and they are not sent again. Outbox rows: {ids}. Details are in "
                 "the log.").format(count=len(row_ids), ids=ids)
        messages.append(Outgoing(f"undecided:{now.isoformat()}:{row_ids[0]}:{admin}", "notice", admin, text))
    with db.atomic():
        enqueue(db, messages, now)
