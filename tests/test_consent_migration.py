"""m020 on a database of the schema before it: each consent takes the privacy its network had when it was given, so
only a member whose network switched after they agreed is asked again for that (and the new text, version 4, asks
everyone once, as every new consent text does)."""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database

from bot.core.consent import CONSENT_VERSION
from storage.consents import pending_sql
from storage.db import open_db
from storage.migrations import migrations

# (network, its privacy now, its recorded switches, when its member agreed): the member is the network's partner
JAN, MAR = "2026-01-01T00:00:00+00:00", "2026-03-01T00:00:00+00:00"
NETWORKS = [
    ("Anonym seit je", "anonymous", [("2026-01-01T00:00:00+00:00", "anonymous")], "2026-02-01T09:00:00+00:00"),
    ("Vorher mit Namen", "named", [("2026-01-01T00:00:00+00:00", "anonymous"), ("2026-03-01T00:00:00+00:00", "named")],
     "2026-04-01T09:00:00+00:00"),
    ("Danach mit Namen", "named", [("2026-01-01T00:00:00+00:00", "anonymous"), ("2026-05-01T00:00:00+00:00", "named")],
     "2026-02-01T09:00:00+00:00"),
    ("Nach m013 gegründet", "anonymous", [], "2026-06-01T09:00:00+00:00"),
    ("Hin und zurück", "anonymous", [(JAN, "named"), (MAR, "anonymous")],
     "2026-02-01T09:00:00+00:00"),
]


def _old_database(path: Path) -> None:
    old = Database(str(path))
    migrations.apply(old, stop_before="m020_consent_privacy")
    for number, (name, privacy, switches, agreed) in enumerate(NETWORKS, start=1):
        old.execute("INSERT INTO networks (id, name, created_at, privacy) VALUES (?, ?, '2026-01-01T00:00:00+00:00',"
                    " ?)", [number, name, privacy])
        for changed_at, setting in switches:
            old.execute("INSERT INTO privacy_changes (network_id, privacy, changed_at) VALUES (?, ?, ?)",
                        [number, setting, changed_at])
        old.execute("INSERT INTO organisations (id, network_id, name, created_at) VALUES (?, ?, 'Träger', ?)",
                    [number, number, agreed])
        old.execute("INSERT INTO users (id, first_name, created_at) VALUES (?, 'P', ?)", [500 + number, agreed])
        old.execute("INSERT INTO memberships (id, network_id, user_id, role, organisation_id, consent_version,"
                    " joined_at) VALUES (?, ?, ?, 'partner', ?, 3, ?)", [number, number, 500 + number, number, agreed])
        old.execute("INSERT INTO consents (membership_id, version, agreed_at) VALUES (?, 3, ?)", [number, agreed])
    old.conn.commit()
    old.close()


def test_each_consent_takes_the_privacy_of_its_moment_and_only_a_later_switch_asks_again(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _old_database(path)
    db = open_db(path)  # applies m020 and whatever follows
    assert db.execute("SELECT membership_id, privacy FROM consents ORDER BY membership_id").fetchall() == [
        (1, "anonymous"), (2, "named"), (3, "anonymous"), (4, "anonymous"), (5, "named")]

    def pending(version: int) -> list[int]:
        return [row[0] for row in db.execute(f"SELECT m.id FROM memberships m JOIN networks n ON n.id = m.network_id"
                                             f" WHERE {pending_sql()} ORDER BY m.id", [version])]

    assert pending(3) == [3, 5]  # the text of version 3 unchanged: only a switch after agreeing asks again
    assert pending(CONSENT_VERSION) == [1, 2, 3, 4, 5]  # the new text asks everyone once
    db.close()
