"""Shared fixtures: the default script, a fresh database per test, compiled catalogs."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

from bot.config import Settings
from bot.core.script.loader import load_script_file
from bot.core.script.model import Script
from bot.core.tips import Tips
from bot.i18n import Catalogs, compile_catalogs
from bot.usecases.scripts import load_tips
from localapi.server import LocalBotApi
from storage.db import open_db
from tests.e2e import ADMIN_ID, NOW, ROOT, TEST_CONTROLLER, TEST_DIALOGS, TEST_PRIVACY_CONTACT, FakeClock, Harness


@pytest.fixture(autouse=True)
def environment_kept() -> Iterator[None]:
    """Each test leaves the environment as it found it: main() sets PTB_TIMEDELTA for its process, which would
    change how PTB words a later test's RetryAfter."""
    before = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(before)


@pytest.fixture
def monthly_script() -> Script:
    """The test copy of the monthly check-in (tests/dialogs/, version 2, no rotation modules)."""
    return load_script_file(TEST_DIALOGS / "monthly_checkin.yaml")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A fresh, migrated SQLite file."""
    database = open_db(tmp_path / "netzpuls.db")
    yield database
    database.close()


@pytest.fixture(scope="session")
def tips() -> Tips:
    """The shipped coaching tips (dialogs/tips/coaching_tips.yaml)."""
    return load_tips(ROOT / "dialogs")


@pytest.fixture(scope="session")
def catalogs() -> Catalogs:
    """The real Babel catalogs, compiled from locales/."""
    compile_catalogs(ROOT / "locales")
    return Catalogs(ROOT / "locales")


@pytest.fixture
def clock() -> FakeClock:
    """A clock that stands still until a test moves it."""
    return FakeClock(NOW)


@pytest.fixture
async def api() -> AsyncIterator[LocalBotApi]:
    """A local Telegram Bot API server on 127.0.0.1 for one test."""
    server = LocalBotApi()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def settings(api: LocalBotApi, tmp_path: Path) -> Settings:
    """Settings pointing the bot at the local server and a fresh database file."""
    return Settings(token=api.token, api_url=api.base_url, db_path=tmp_path / "netzpuls.db",
                    admins=frozenset({ADMIN_ID}), locales_dir=ROOT / "locales", dialogs_dir=TEST_DIALOGS,
                    tick_seconds=0.05, send_timeout=1.0,
                    send_rate=1000.0, chat_rate=1000.0,  # pacing is tested on its own
                    health_port=0,  # tests/test_health.py turns it on, on a free port
                    report_worker=False,  # charts in a thread: faster; tests/test_report_worker.py has the process
                    controller=TEST_CONTROLLER, privacy_contact=TEST_PRIVACY_CONTACT)


@pytest.fixture
async def harness(api: LocalBotApi, settings: Settings, clock: FakeClock) -> AsyncIterator[Harness]:
    """The real bot, long-polling the local server, plus a second database connection for the test."""
    running = Harness(api, settings, clock)
    await running.start()
    yield running
    await running.stop()
    running.db.close()
