"""The soak's tally: lost messages, duplicates and errors, counted from the server's record of every chat, the
database and the bot's logs; and the table that shows each figure beside its goal."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from bench._soak_people import Ledger
from bench._soak_world import LOST_IN_FLIGHT, FaultLog
from bot.demo.chat import buttons
from bot.telegram import callbacks
from localapi.server import LocalBotApi, SentMessage

_NUMBERS = re.compile(r"\d+")


@dataclass
class Tally:
    """Every figure of a soak run."""

    lost_outbox: int = 0  # rows never delivered: still queued or sending at the end, or failed
    lost_in_server: int = 0  # rows marked sent that the server has no message for
    missing_prompts: int = 0  # partners (not paused) with no prompt or reminder of an opened round
    lost_answers: int = 0  # questions a partner answered that have no stored answer
    stuck: int = 0  # check-ins a partner gave up on: no question came after several tries
    dup_round: int = 0  # extra copies of a prompt or reminder in one chat
    dup_other: int = 0  # extra copies of any other queued message (digest, chart, feedback, ...)
    dup_in_flight: int = 0  # extra copies after Telegram took a send whose answer was lost: no client can tell
    dup_explained: int = 0  # of all extra copies: rows the bot counted as uncertain or in flight at a stop
    dup_after: Counter[str] = field(default_factory=Counter)  # extra copies by the faults their earlier sends met
    dup_answers: int = 0  # (check-in, step) with more than one stored answer (the soak makes no revisions)
    dup_replies: int = 0  # replies with buttons (a question, ...) shown twice: same chat, first text and buttons
    errors: int = 0  # log records at ERROR and above
    admin_reports: int = 0  # messages to the admin (only error reports go there)
    error_kinds: Counter[str] = field(default_factory=Counter)
    outbox: Counter[str] = field(default_factory=Counter)  # rows by kind/status
    answers: int = 0
    messages: int = 0  # messages the server accepted from the bot (texts, photos, documents)
    edits: int = 0
    checkins: int = 0

    @property
    def lost(self) -> int:
        """Messages lost, all kinds together."""
        return self.lost_outbox + self.lost_in_server + self.missing_prompts + self.lost_answers + self.stuck

    @property
    def duplicates(self) -> int:
        """Duplicates the bot could have avoided, all kinds together (not the resends after an answer lost in
        flight: the Bot API has no idempotent send, so a sender must choose between those and lost messages)."""
        return self.dup_round + self.dup_other + self.dup_answers


def _every_message(api: LocalBotApi) -> Iterable[SentMessage]:
    """Every message the bot sent, in every chat."""
    for chat in api.chats.values():
        yield from chat.bot_messages.values()


def count_outbox(db: Database, api: LocalBotApi, faults: FaultLog, tally: Tally) -> None:
    """Rows never delivered; per (chat, text): copies the server got beyond the rows sent, and the reverse."""
    sent: Counter[tuple[int, str]] = Counter()
    kinds: dict[tuple[int, str], str] = {}
    explained: Counter[tuple[int, str]] = Counter()
    for kind, status, chat, text, uncertain, in_flight in db.execute(
            "SELECT kind, status, chat_id, text, uncertain, in_flight_at_stop FROM outbox"):
        tally.outbox[f"{kind}/{status}"] += 1
        if status in ("queued", "sending", "failed"):
            tally.lost_outbox += 1
        if status == "sent":
            sent[(chat, text)] += 1
            kinds[(chat, text)] = kind
            explained[(chat, text)] += min(1, uncertain + in_flight)
    arrived: Counter[tuple[int, str]] = Counter()
    replies: Counter[tuple[int, str, str]] = Counter()
    for message in _every_message(api):
        tally.messages += 1
        tally.edits += message.edit_count
        key = (message.chat_id, message.raw_text or message.text)
        arrived[key] += 1
        first = message.history[0] if message.history else message
        if key not in sent and first.reply_markup:
            replies[(message.chat_id, first.text, json.dumps(first.reply_markup, sort_keys=True))] += 1
    tally.dup_replies = sum(count - 1 for count in replies.values())
    for key, rows in sent.items():
        extra = arrived[key] - rows
        if extra > 0:
            met = faults.by_message.get(key, Counter())
            lost = sorted(kind for kind in met if kind in LOST_IN_FLIGHT)
            # each answer lost in flight after Telegram took the message explains one copy, and only one
            in_flight = min(extra, sum(met[kind] for kind in lost))
            tally.dup_in_flight += in_flight
            if kinds[key] in ("prompt", "reminder"):
                tally.dup_round += extra - in_flight
            else:
                tally.dup_other += extra - in_flight
            tally.dup_explained += min(extra, explained[key])
            tally.dup_after[" or ".join(lost) if lost else "no answer lost in flight"] += extra
        elif extra < 0:
            tally.lost_in_server -= extra


def count_prompts(db: Database, api: LocalBotApi, tally: Tally) -> None:
    """Participants of each opened round, not paused when it opened, without any prompt or reminder of it."""
    rounds = db.execute("SELECT id, opened_at FROM rounds").fetchall()
    for round_id, opened_at in rounds:
        wanted = callbacks.RoundPrompt(round_id, "go").pack()
        for (user_id,) in db.execute(
                "SELECT m.user_id FROM participants p JOIN memberships m ON m.id = p.membership_id WHERE p.round_id = ?"
                " AND NOT EXISTS (SELECT 1 FROM pauses x WHERE x.membership_id = m.id AND x.starts_at <= ? AND"
                " x.ends_at > ?)", [round_id, opened_at, opened_at]).fetchall():
            chat = api.chats.get(user_id)
            if chat is None or not any(_had(message, wanted) for message in chat.bot_messages.values()):
                tally.missing_prompts += 1


def _had(message: SentMessage, wanted: str) -> bool:
    """Whether the message has, or had before an edit removed it, a button with this callback data."""
    return any(data == wanted for _label, data in buttons(message)) or any(
        button.get("callback_data") == wanted for version in message.history
        for row in (version.reply_markup or {}).get("inline_keyboard", []) for button in row)


def count_answers(db: Database, ledger: Ledger, tally: Tally) -> None:
    """Questions answered without a stored answer; steps stored more than once."""
    stored = {(int(c), str(s)) for c, s in db.execute("SELECT DISTINCT checkin_id, step_id FROM answers")}
    tally.lost_answers = len(ledger.given - stored)
    tally.stuck = len(ledger.stuck)
    tally.dup_answers = db.execute("SELECT COUNT(*) FROM (SELECT 1 FROM answers GROUP BY checkin_id, step_id"
                                   " HAVING COUNT(*) > 1)").fetchone()[0]
    tally.answers = db.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
    tally.checkins = db.execute("SELECT COUNT(*) FROM checkins").fetchone()[0]


def count_errors(log: Path, api: LocalBotApi, admin: int, tally: Tally) -> None:
    """ERROR and CRITICAL records of the bot's log (by logger and message, numbers masked); the admin's messages."""
    if log.exists():
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            level, _sep, rest = line.partition("|")
            if level in ("ERROR", "CRITICAL"):
                tally.errors += 1
                tally.error_kinds[_NUMBERS.sub("#", rest)[:110]] += 1
    chat = api.chats.get(admin)
    tally.admin_reports = len(chat.bot_messages) if chat is not None else 0


def tally_run(db: Database, api: LocalBotApi, faults: FaultLog, ledger: Ledger, log: Path, admin: int) -> Tally:
    """Count everything at the end of a run."""
    tally = Tally()
    count_outbox(db, api, faults, tally)
    count_prompts(db, api, tally)
    count_answers(db, ledger, tally)
    count_errors(log, api, admin, tally)
    return tally


def table(rows: Sequence[tuple[str, str, str]]) -> str:
    """(figure, value, goal) rows as a fixed-width table."""
    head = ("figure", "value", "goal")
    widths = [max(len(row[i]) for row in (head, *rows)) for i in range(3)]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths,
                                                                                                 strict=True)))
             for row in (head, *rows)]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def stamp(moment: datetime) -> str:
    """A moment for progress lines, in UTC."""
    return moment.strftime("%Y-%m-%d %H:%M UTC")
