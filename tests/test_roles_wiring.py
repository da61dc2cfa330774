"""The wiring of roles and context: every command and button handler is guarded, each update gets a BotContext."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import pytest
from sqlite_utils import Database
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.config import Settings
from bot.telegram import callbacks, roles
from bot.telegram import context as context_module
from bot.telegram.app import build_application
from bot.telegram.context import BotContext
from bot.usecases.identity import Identity, identify
from tests.e2e import Harness


def test_every_command_and_button_runs_behind_the_role_guard(tmp_path: Path) -> None:
    app = build_application(Settings(token="123:roles", db_path=tmp_path / "unused.db"))
    assert app.context_types.context is BotContext
    handlers = [handler for group in app.handlers.values() for handler in group]
    commands = [h for h in handlers if isinstance(h, CommandHandler)]
    buttons = [h for h in handlers if isinstance(h, CallbackQueryHandler) and h.pattern is not None]
    assert {c for h in commands for c in h.commands} == set(roles.COMMANDS)
    assert all(getattr(h.callback, "__wrapped__", None) is not None for h in [*commands, *buttons])


def test_roles_of_an_identity() -> None:
    assert Identity(1, None, "de").roles == {"stranger"}
    assert Identity(1, None, "de", is_admin=True).roles == {"stranger", "admin"}
    assert roles.COMMANDS["scripts"].allows(frozenset({"stranger", "admin"}))
    assert not roles.COMMANDS["checkin"].allows(frozenset({"coordinator", "admin"}))
    assert roles.BUTTONS[callbacks.Coach.PREFIX] == roles.COORDINATORS


async def test_the_identity_is_read_once_per_update(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    coordinator = await harness.join(100, "Clara", harness.invite(harness.network()))
    read: list[int | None] = []

    def counting(db: Database, user_id: int | None, language_code: str | None, admins: Collection[int]) -> Identity:
        read.append(user_id)
        return identify(db, user_id, language_code, admins)

    monkeypatch.setattr(context_module, "identify", counting)
    [listing] = await harness.send(coordinator.user_id, "/partners")  # reachable, consent gate, guard, handler
    assert listing.text
    assert read == [coordinator.user_id]
