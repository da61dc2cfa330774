"""Health checks: /healthz while the process runs, /readyz while the database and the sender work, `bot health`."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest

from bot.cli.main import main
from bot.config import Settings
from bot.jobs.outbox import OutboxSender
from bot.telegram.health import database_answers, start_health
from tests.e2e import Harness


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The e2e settings with the health server on (on a free port)."""
    return replace(settings, health_port=free_port())


@pytest.fixture
def health_env(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The environment `python -m bot health` reads: the same health port as the running bot."""
    monkeypatch.setenv("NETZPULS_ENV_FILE", str(tmp_path / "none.env"))
    monkeypatch.setenv("NETZPULS_HEALTH_PORT", str(settings.health_port))
    monkeypatch.delenv("NETZPULS_HEALTH_LISTEN", raising=False)
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # main() sets it for the process; undone after the test
    yield


async def get(settings: Settings, path: str, method: str = "GET") -> tuple[int, str]:
    """Ask the bot's health server; (status, body)."""
    async with aiohttp.ClientSession() as session, session.request(
            method, f"http://127.0.0.1:{settings.health_port}{path}") as response:
        return response.status, (await response.text()).strip()


def sender(harness: Harness) -> OutboxSender:
    """The running bot's outbox sender."""
    assert harness.app is not None
    found = harness.app.bot_data["outbox_sender"]
    assert isinstance(found, OutboxSender)
    return found


async def test_healthz_and_readyz_answer_while_the_bot_runs(harness: Harness, settings: Settings) -> None:
    assert await get(settings, "/healthz") == (200, "ok")
    assert await get(settings, "/readyz") == (200, "ready")
    assert await get(settings, "/readyz?verbose=1") == (200, "ready")
    assert await get(settings, "/healthz", "HEAD") == (200, "")


@pytest.mark.parametrize(("method", "path"), [("GET", "/"), ("GET", "/metrics"), ("GET", "/healthz/x"),
                                              ("POST", "/healthz"), ("DELETE", "/readyz")])
async def test_anything_else_is_not_found(harness: Harness, settings: Settings, method: str, path: str) -> None:
    assert (await get(settings, path, method))[0] == 404


async def test_a_malformed_request_gets_400_and_the_server_keeps_answering(harness: Harness,
                                                                           settings: Settings) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", settings.health_port)
    writer.write(b"NONSENSE\r\n\r\n")
    await writer.drain()
    assert (await reader.read()).startswith((b"HTTP/1.1 400 ", b"HTTP/1.0 400 "))  # 1.0: no version was read
    writer.close()
    assert await get(settings, "/healthz") == (200, "ok")


async def test_readyz_is_503_while_the_database_file_is_gone(harness: Harness, settings: Settings) -> None:
    moved = settings.db_path.with_name("elsewhere.db")
    settings.db_path.rename(moved)  # the volume went away; the bot's open connections do not notice
    try:
        status, reason = await get(settings, "/readyz")
        assert (status, reason) == (503, "database: unable to open database file")
        assert await get(settings, "/healthz") == (200, "ok")  # alive all the same: no restart would help
    finally:
        moved.rename(settings.db_path)
    assert await get(settings, "/readyz") == (200, "ready")


def test_a_locked_or_broken_database_does_not_answer(tmp_path: Path) -> None:
    # The bot's database runs in WAL mode, where readers are not blocked; a rollback-journal file can be locked.
    locked = sqlite3.connect(tmp_path / "locked.db", isolation_level=None)
    locked.execute("CREATE TABLE meta (key TEXT)")
    locked.execute("BEGIN EXCLUSIVE")
    assert database_answers(tmp_path / "locked.db") == "database: database is locked"
    locked.execute("COMMIT")
    assert database_answers(tmp_path / "locked.db") is None
    locked.close()
    (tmp_path / "garbage.db").write_bytes(b"not a database" * 100)
    assert database_answers(tmp_path / "garbage.db") == "database: file is not a database"
    assert database_answers(tmp_path / "missing.db") == "database: unable to open database file"
    assert not (tmp_path / "missing.db").exists(), "the check must not create a database"


async def test_readyz_is_503_when_the_sender_stopped(harness: Harness, settings: Settings) -> None:
    await sender(harness).stop()  # post_shutdown stops it again: nothing happens then
    assert await get(settings, "/readyz") == (503, "outbox sender is not running")
    assert await get(settings, "/healthz") == (200, "ok")


async def test_health_command_exit_codes(harness: Harness, settings: Settings, health_env: None,
                                         capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    assert await asyncio.to_thread(main, ["health"]) == 0
    await sender(harness).stop()
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["health"]) == 1
    assert capsys.readouterr().err.strip() == "not ready: 503 outbox sender is not running"
    monkeypatch.setenv("NETZPULS_HEALTH_PORT", str(free_port()))  # nobody listens there
    assert await asyncio.to_thread(main, ["health"]) == 1
    assert "not ready: no answer from http://127.0.0.1:" in capsys.readouterr().err
    monkeypatch.setenv("NETZPULS_HEALTH_PORT", "0")
    assert await asyncio.to_thread(main, ["health"]) == 1
    assert "the health server is off" in capsys.readouterr().err


async def test_the_health_server_closes_with_the_bot(harness: Harness, settings: Settings) -> None:
    assert await get(settings, "/healthz") == (200, "ok")
    await harness.stop()
    with pytest.raises(aiohttp.ClientConnectionError):
        await get(settings, "/healthz")


async def test_a_taken_health_port_is_logged_and_the_bot_goes_on(settings: Settings,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        assert await start_health(replace(settings, health_port=port), lambda: True) is None
    assert f"health server cannot listen on 127.0.0.1:{port}" in caplog.text
    assert await start_health(replace(settings, health_port=0), lambda: True) is None  # 0: off
