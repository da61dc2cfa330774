"""The end-to-end harness: the real bot against the local Bot API server, and steps a person takes."""

from __future__ import annotations

import asyncio
import re
import shutil
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlite_utils import Database
from telegram.ext import Application

from bot.config import Settings
from bot.core import engine
from bot.core.engine import Accepted, Press
from bot.core.script.model import Script
from bot.telegram.app import build_application, start_application, stop_application
from localapi.server import LocalBotApi, SentMessage
from storage.checkins import StepRecord, get_checkin, record_step, revise_answer, start_checkin
from storage.db import open_db
from storage.people import (
    Membership,
    active_membership,
    create_invite,
    create_network,
    find_invite,
    membership_in,
    organisation_for,
)

ROOT = Path(__file__).resolve().parent.parent
# A frozen copy of the monthly script (version 2, no rotation): the fixture tests walk; dialogs/ is for admins.
TEST_DIALOGS = ROOT / "tests" / "dialogs"
NOW = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)
ADMIN_ID = 9001
LINK_RE = re.compile(r"https://t\.me/(\w+)\?start=([A-Za-z0-9_-]+)")
AGREE = {"de": "Ich stimme zu", "en": "I agree"}
# What the consent text names as the controller and the data-protection contact: placeholders, clearly not real.
TEST_CONTROLLER = "Testträger e. V. (Platzhalter), Musterstraße 1, 12345 Musterstadt"
TEST_PRIVACY_CONTACT = "datenschutz@example.org (Platzhalter)"
LANGUAGE = {"de": "Deutsch", "en": "English"}


async def updates_handled(app: Application[Any, Any, Any, Any, Any, Any], timeout: float = 5.0) -> None:
    """Wait until every update put into the app's queue so far is handled; AssertionError after `timeout` seconds."""
    # The bot handles different people's updates at the same time: a later answer in one chat says nothing about
    # another chat's updates. PTB calls update_queue.task_done() only once an update's handling has ended (in the
    # finally of its processing task), so join() also waits for an update already taken off the queue whose task
    # has not started yet, when the queue is empty and nothing counts as running.
    try:
        await asyncio.wait_for(app.update_queue.join(), timeout)
    except TimeoutError:
        raise AssertionError(f"updates still being handled after {timeout}s") from None


class FakeClock:
    """A settable clock for tests: call it for 'now', move it with advance()."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move the clock forward by a timedelta's keyword arguments."""
        self.now += timedelta(**delta)


class Harness:
    """One running bot, the server it talks to, and a database connection for the test's own checks."""

    def __init__(self, api: LocalBotApi, settings: Settings, clock: FakeClock) -> None:
        self.api = api
        self.settings = settings
        self.clock = clock
        self.app: Application | None = None  # type: ignore[type-arg]
        self.db: Database = open_db(settings.db_path)

    async def start(self) -> None:
        """Build and start the bot."""
        self.app = build_application(self.settings, self.clock)
        await start_application(self.app, poll_timeout=1)

    async def stop(self) -> None:
        """Stop the bot and close the test's connection."""
        if self.app is not None:
            await stop_application(self.app)
            self.app = None

    async def handled(self, timeout: float = 5.0) -> None:
        """Wait until every update the bot has taken in is handled (see updates_handled)."""
        assert self.app is not None
        await updates_handled(self.app, timeout)

    async def restart(self) -> None:
        """Stop the bot and start a fresh process-equivalent on the same database."""
        await self.stop()
        await self.start()

    def network(self, name: str = "Netzwerk Alleinerziehende Musterstadt") -> int:
        """Create a network directly in the database."""
        return create_network(self.db, name, NOW)

    def invite(self, network_id: int, organisation: str | None = None) -> str:
        """A fresh invite token: for a coordinator, or for a partner organisation."""
        if organisation is None:
            return create_invite(self.db, network_id, "coordinator", None, NOW, 14).token
        org_id = organisation_for(self.db, network_id, organisation, NOW)
        return create_invite(self.db, network_id, "partner", org_id, NOW, 14).token

    async def send(self, user_id: int, text: str, count: int = 1) -> list[SentMessage]:
        """Send a text as the user and wait for the bot's `count` replies."""
        self.api.send_text(user_id, text)
        return await self.api.wait_for_messages(user_id, count)

    async def tap(self, user_id: int, message: SentMessage, label: str, count: int = 1) -> list[SentMessage]:
        """Tap a button by its label and wait for `count` new messages (0: wait for the callback answer)."""
        query_id = self.api.tap(user_id, message.message_id, text=label)
        if count == 0:
            await self.api.wait_for_callback_answer(query_id)
            return []
        return await self.api.wait_for_messages(user_id, count)

    async def finish_checkin(self, user_id: int, goals: SentMessage) -> SentMessage:
        """From the first question of the default script, the shortest way to the end (high answers); the outro."""
        [statement] = await self.tap(user_id, goals, "5")
        [benefit] = await self.tap(user_id, statement, "Überspringen")
        [agreements] = await self.tap(user_id, benefit, "4")
        [anything] = await self.tap(user_id, agreements, "Ja, alle")
        [outro] = await self.tap(user_id, anything, "Überspringen")
        return outro

    async def join(self, user_id: int, first_name: str, token: str, locale: str = "de") -> Membership:
        """Open an invite link, agree, pick the language: the way a person joins."""
        self.api.add_user(user_id, first_name, language_code=locale)
        [consent] = await self.send(user_id, f"/start {token}")
        [language] = await self.tap(user_id, consent, AGREE[locale])
        await self.tap(user_id, language, LANGUAGE[locale])
        member = active_membership(self.db, user_id)
        assert member is not None
        return member

    async def join_another(self, user_id: int, token: str, locale: str = "de") -> Membership:
        """A member of another network opens an invite link, agrees and picks the language; their new membership."""
        invite = find_invite(self.db, token)
        assert invite is not None
        [consent] = await self.send(user_id, f"/start {token}")
        [language] = await self.tap(user_id, consent, AGREE[locale])
        await self.tap(user_id, language, LANGUAGE[locale])
        member = membership_in(self.db, user_id, invite.network_id)
        assert member is not None
        return member

    async def partner(self, user_id: int = 501, organisation: str = "Jobcenter Musterstadt", locale: str = "de",
                      network_id: int | None = None) -> Membership:
        """A partner who has joined through the bot."""
        network = network_id if network_id is not None else self.network()
        return await self.join(user_id, "Anna", self.invite(network, organisation), locale)

    def answers(self, membership_id: int) -> list[tuple[str, str, int]]:
        """(step, stored JSON value, script version) of every stored answer of a member, in order."""
        rows = self.db.execute(
            "SELECT step_id, value_json, script_version FROM answers WHERE membership_id = ? ORDER BY id",
            [membership_id],
        ).fetchall()
        return [(r[0], r[1], r[2]) for r in rows]


def with_coaching(settings: Settings, folder: Path) -> Settings:
    """The settings with the frozen monthly test script plus the shipped coaching dialog (the digest offers it)."""
    dialogs = folder / "dialogs"
    shutil.copytree(TEST_DIALOGS, dialogs)
    shutil.copy(ROOT / "dialogs" / "coaching.yaml", dialogs / "coaching.yaml")
    return replace(settings, dialogs_dir=dialogs)


def mentions_number(text: str, number: int) -> bool:
    """Whether the number stands in the text as a number of its own, not as digits inside a longer one (a random
    pseudonym may well contain "501")."""
    return re.search(rf"(?<!\d){number}(?!\d)", text) is not None


def clarity_two_then_four(db: Database, script: Script, member: Membership, round_id: int) -> None:
    """The member rates goal clarity 2 at NOW and changes it to 4 an hour later (revision 1 is the current one)."""
    state = engine.start(script)
    checkin = start_checkin(db, member, script.id, script.version, state.to_json(), NOW, round_id)
    outcome = engine.answer(script, state, "goals_clear", Press("2"))
    assert isinstance(outcome, Accepted)
    assert record_step(db, checkin, StepRecord("goals_clear", "scale", 2, True, 2, outcome.state.to_json(), False,
                                               risk=1), NOW)
    fresh = get_checkin(db, checkin.id)
    assert fresh is not None
    revise_answer(db, fresh, StepRecord("goals_clear", "scale", 2, True, 4, outcome.state.to_json(), False, risk=1),
                  NOW + timedelta(hours=1))
