"""The soak's world: networks and partners in the database, their personas, the bot's process, the faults."""

from __future__ import annotations

import asyncio
import math
import random
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.demo.clock import bot_is_idle
from bot.demo.personas import Persona
from bot.services import CONSENT_VERSION
from localapi.faults import CHAOS_KINDS
from localapi.server import ApiError, LocalBotApi
from storage.db import open_db
from storage.people import create_invite, create_network, organisation_for, redeem_invite

FIRST_PARTNER_ID = 200_000
FIRST_COORDINATOR_ID = 100_000
ADMIN_ID = 9_000
SCALES = ("goals_clear", "benefit", "needs_focus", "autonomy", "ideas_inside")
# Chaos draws a kind uniformly from a tuple, so repeating a kind weighs it: every kind twice but 429 once. A 429 holds
# every sender for retry_after, at least one whole real second (that is `scale` seconds of Telegram's time).
WEIGHTED_KINDS = ("429", "500", "500", "502", "502", "stall", "stall", "stall_processed", "stall_processed", "reset",
                  "reset", "reset_processed", "reset_processed")  # the resets only where the server has them
LOST_IN_FLIGHT = frozenset({"stall_processed", "reset_processed"})  # Telegram took the call, the answer was lost
GOALS = ("Bis Ende des Jahres 20 Familien gemeinsam begleiten und jede Woche eine Fallkonferenz halten.",
         "Alleinerziehende schneller in Arbeit vermitteln, mit Kinderbetreuung aus einer Hand.")
NOTES = ("Die Fallkonferenz hat gut funktioniert.", "Bitte mehr Zeit für den Austausch einplanen.")


@dataclass(frozen=True)
class Member:
    """A partner of the soak: persona (user id, answers) and membership."""

    persona: Persona
    membership_id: int
    network_id: int
    locale: str


def persona_for(index: int, user_id: int, months: int, rng: random.Random) -> Persona:
    """A partner persona with its own levels (a random walk per scale question) and, for some, typed texts."""
    levels = {}
    for step in SCALES:
        level, walk = rng.choice((2, 3, 4, 4, 5)), []
        for _month in range(months):
            level = min(5, max(1, level + rng.choice((-1, 0, 0, 0, 1))))
            walk.append(level)
        levels[step] = tuple(walk)
    texts = {"anything_else": rng.choice(NOTES)} if rng.random() < 0.2 else {}
    goal = rng.choice(GOALS) if rng.random() < 0.3 else ""
    return Persona(f"p{index}", f"Partner{index}", "Soak", user_id, f"Organisation {index}", levels=levels,
                   texts=texts, goal=goal)


def populate(db_path: Path, partners: int, per_network: int, months: int, joined: datetime,
             rng: random.Random) -> tuple[list[Member], list[int]]:
    """Networks of `per_network` partners and one coordinator each, joined before the first month; (partners,
    coordinator user ids)."""
    db = open_db(db_path)
    members: list[Member] = []
    coordinators: list[int] = []
    try:
        with db.atomic():
            for start in range(0, partners, per_network):
                number = start // per_network
                network = create_network(db, f"Netzwerk {number + 1}", joined)
                invite = create_invite(db, network, "coordinator", None, joined, 14)
                coordinators.append(FIRST_COORDINATOR_ID + number)
                redeem_invite(db, invite.token, coordinators[-1], f"Koordination{number + 1}", "de",
                              CONSENT_VERSION, joined)
                for i in range(start, min(partners, start + per_network)):
                    organisation = organisation_for(db, network, f"Organisation {i + 1}", joined)
                    invite = create_invite(db, network, "partner", organisation, joined, 14)
                    locale = "en" if i % 4 == 3 else "de"
                    persona = persona_for(i + 1, FIRST_PARTNER_ID + i, months, rng)
                    membership = redeem_invite(db, invite.token, persona.user_id, persona.first_name, locale,
                                               CONSENT_VERSION, joined)
                    members.append(Member(persona, membership.id, network, locale))
    finally:
        db.close()
    return members, coordinators


def rounds_close(db: Database, period: str) -> datetime:
    """When the month's rounds close (every network keeps the default schedule)."""
    row = db.execute("SELECT MIN(closes_at) FROM rounds WHERE period = ?", [period]).fetchone()
    if row is None or row[0] is None:
        raise RuntimeError(f"the rounds of {period} did not open")
    return datetime.fromisoformat(str(row[0]))


def newest_round(db: Database, membership_id: int) -> int:
    """The id of the newest round of the member's network (0: none)."""
    row = db.execute("SELECT r.id FROM rounds r JOIN memberships m ON m.network_id = r.network_id WHERE m.id = ?"
                     " ORDER BY r.period DESC LIMIT 1", [membership_id]).fetchone()
    return int(row[0]) if row else 0


async def settle(db_path: Path, now: Callable[[], datetime], poll: float, timeout: float) -> bool:
    """Wait until the bot has done everything due at the clock's time (three calm looks `poll` apart); False after
    `timeout` seconds."""
    db = open_db(db_path)
    loop = asyncio.get_running_loop()
    deadline, calm = loop.time() + timeout, 0
    try:
        while calm < 3:
            calm = calm + 1 if bot_is_idle(db, now()) else 0
            if loop.time() > deadline:
                return False
            await asyncio.sleep(poll)
    finally:
        db.close()
    return True


def restart_plan(months: int) -> dict[int, str]:
    """Which months restart the bot, and when: one during a broadcast, one while partners answer."""
    if months < 2:
        return {1: "answering"}
    first = math.ceil(months / 3)
    return {first: "sending", max(first + 1, math.ceil(2 * months / 3)): "answering"}


class FaultLog:
    """Which faults hit which message: (chat, text or caption) → fault kinds, recorded as the server draws them."""

    def __init__(self, api: LocalBotApi) -> None:
        self.by_message: dict[tuple[int, str], Counter[str]] = defaultdict(Counter)
        draw = api.faults.next

        def next_fault(method: str) -> Any:
            fault = draw(method)
            # The server records the request just before it draws its fault, in the same step of the event loop.
            if fault is not None and api.requests and method.startswith("send"):
                params = api.requests[-1].params
                chat, text = params.get("chat_id"), params.get("text") or params.get("caption") or ""
                kind = str(fault.error_code) if isinstance(fault, ApiError) else str(fault.kind)
                if isinstance(chat, int):
                    self.by_message[(chat, str(text))][kind] += 1
            return fault

        setattr(api.faults, "next", next_fault)  # noqa: B010 (an instance attribute in front of the method)


class FaultPlan:
    """Faults through the server's fault API: random ones (chaos) on the method in play, a few queued ones."""

    def __init__(self, api: LocalBotApi, rate: float, reply_rate: float, seed: int, short: float,
                 long: float) -> None:
        self.api, self.rate, self.reply_rate, self.seed = api, rate, reply_rate, seed
        self.short, self.long = short, long
        self.kinds = tuple(kind for kind in WEIGHTED_KINDS if kind in CHAOS_KINDS)
        self.phase = 0

    def _chaos(self, rate: float, method: str) -> None:
        """Random faults on this method at this rate (off at 0), with a new seed for each phase."""
        self.phase += 1
        if rate <= 0:
            self.api.chaos_off()
            return
        self.api.chaos(rate, seed=self.seed * 10_000 + self.phase, method=method, kinds=self.kinds, retry_after=1,
                       stall_seconds=self.short)

    def sending(self, month: int) -> None:
        """The bot sends on its own (prompts, reminders): chaos on sendMessage, and in some months one answer
        lost in flight after Telegram took the message and one before it did (both longer than the timeout)."""
        self._chaos(self.rate, "sendMessage")
        if self.rate > 0 and month % 3 == 0:
            self.api.stall_next("sendMessage", self.long, processed=True)
            self.api.stall_next("sendMessage", self.long, processed=False)

    def closing(self) -> None:
        """Rounds close (digests with charts, feedback): chaos on sendMessage, and sendPhoto fails once."""
        self._chaos(self.rate, "sendMessage")
        if self.rate > 0:
            self.api.fail_next("sendPhoto", 500, "Internal Server Error")

    def answering(self, first: bool) -> None:
        """Partners answer (the bot replies): chaos at the reply rate; in a month's first wave one refused edit,
        callback answer and poll for updates."""
        self._chaos(self.reply_rate, "sendMessage")
        if self.reply_rate > 0 and first:
            self.api.fail_next("editMessageText", 500, "Internal Server Error")
            self.api.fail_next("answerCallbackQuery", 502, "Bad Gateway")
            self.api.fail_next("getUpdates", 502, "Bad Gateway")

    def off(self) -> None:
        """No more random faults."""
        self.api.chaos_off()
