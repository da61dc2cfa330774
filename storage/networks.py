"""Every network at a glance, for operators (`python -m bot network list`), and names already taken."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from storage.db import rows


@dataclass(frozen=True)
class NetworkRow:
    """One network: its coordinators' first names, partner organisations (with an active contact / all not removed),
    privacy, when it was created and the newest round's period (None: none yet)."""

    id: int
    name: str
    coordinators: tuple[str, ...]
    contacts: int
    organisations: int
    privacy: str
    created_at: datetime
    latest_period: str | None


def network_rows(db: Database) -> list[NetworkRow]:
    """Every network, by id."""
    found = rows(
        db, """SELECT n.id, n.name, n.privacy, n.created_at,
                  (SELECT COUNT(*) FROM organisations o WHERE o.network_id = n.id AND o.removed_at IS NULL)
                    AS organisations,
                  (SELECT COUNT(DISTINCT m.organisation_id) FROM memberships m JOIN organisations o
                     ON o.id = m.organisation_id
                   WHERE m.network_id = n.id AND m.role = 'partner' AND m.left_at IS NULL AND o.removed_at IS NULL)
                    AS contacts,
                  (SELECT MAX(r.period) FROM rounds r WHERE r.network_id = n.id) AS latest_period
           FROM networks n ORDER BY n.id""")
    coordinators: dict[int, list[str]] = {}
    for row in rows(db, "SELECT m.network_id, u.first_name FROM memberships m JOIN users u ON u.id = m.user_id"
                        " WHERE m.role = 'coordinator' AND m.left_at IS NULL ORDER BY m.id"):
        coordinators.setdefault(int(row["network_id"]), []).append(str(row["first_name"]))
    return [NetworkRow(int(r["id"]), str(r["name"]), tuple(coordinators.get(int(r["id"]), [])), int(r["contacts"]),
                       int(r["organisations"]), str(r["privacy"]), datetime.fromisoformat(str(r["created_at"])),
                       r["latest_period"]) for r in found]


def networks_named(db: Database, name: str) -> list[tuple[int, str]]:
    """(id, name) of the networks whose name equals `name` ignoring case and surrounding space (Unicode-aware)."""
    wanted = " ".join(name.split()).casefold()
    return [(int(r["id"]), str(r["name"])) for r in rows(db, "SELECT id, name FROM networks ORDER BY id")
            if " ".join(str(r["name"]).split()).casefold() == wanted]
