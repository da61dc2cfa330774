"""No Telegram id reaches a text a person reads: /scripts → Versions names who published by role (admin, network
coordination, you), through the local Bot API."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import Settings
from bot.usecases.script_admin import Publication, publisher
from tests.e2e import ADMIN_ID, Harness, mentions_number
from tests.script_sample import SAMPLE, sample_dialogs

EDITED = SAMPLE.replace("How clear is the network's shared goal to you right now?",
                        "How well do you know the network's shared goal?")
OWN = EDITED.replace("How well do you know the network's shared goal?", "Goal?")
CLARA = 100


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """Only the sample script (version 2), whatever dialogs/ holds."""
    return replace(settings, dialogs_dir=sample_dialogs(tmp_path / "dialogs"))


async def _publish(harness: Harness, user: int, content: str, label: str) -> None:
    harness.api.send_document(user, "monthly_checkin.yaml", content.encode())
    [summary] = await harness.api.wait_for_messages(user, 1)
    await harness.tap(user, summary, label)


async def test_versions_name_who_published_by_role_never_by_telegram_id(harness: Harness) -> None:
    network = harness.network("Netzwerk Nord")
    await harness.join(CLARA, "Clara", harness.invite(network))
    harness.api.add_user(ADMIN_ID, "Ada", language_code="en")
    await _publish(harness, ADMIN_ID, EDITED, "Publish")  # version 3, for every network
    await _publish(harness, CLARA, OWN, "Veröffentlichen")  # version 4, for Clara's network

    [listing] = await harness.send(CLARA, "/scripts")
    [versions] = await harness.tap(CLARA, listing, "Versionen / Zurücksetzen")
    assert "Version 3 veröffentlicht (von Admin)" in versions.text
    assert "Version 4 veröffentlicht (von Ihnen)" in versions.text
    assert not mentions_number(versions.text, ADMIN_ID) and not mentions_number(versions.text, CLARA)

    [overview] = await harness.send(ADMIN_ID, "/scripts")
    [admin_versions] = await harness.tap(ADMIN_ID, overview, "Versions / Rollback")
    assert "version 3 published (by you)" in admin_versions.text
    assert "version 4 published (by network coordination)" in admin_versions.text
    assert not mentions_number(admin_versions.text, ADMIN_ID) and not mentions_number(admin_versions.text, CLARA)


def test_every_kind_of_publisher_is_a_role() -> None:
    admins = frozenset({ADMIN_ID})
    network, everyone = 7, None

    def who(by: str, network_id: int | None) -> str:
        return publisher(Publication(3, "2027-01-05T09:00", by, "publish", network_id), CLARA, admins)

    assert [who("file", everyone), who("cli", everyone), who("erased", network), who(str(CLARA), network),
            who(str(ADMIN_ID), network), who("555", everyone), who("555", network)] == \
        ["file", "cli", "erased", "you", "admin", "admin", "coordination"]
