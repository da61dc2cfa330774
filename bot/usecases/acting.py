"""Which network a person acts in: the network a button belongs to, read from the ids its data carries."""

from __future__ import annotations

from sqlite_utils import Database

from storage.db import scalar
from storage.people import Membership, membership_by_id

# A button's data field naming a row, and the table whose row tells the network (every one has network_id).
_OWNERS: tuple[tuple[str, str], ...] = (
    ("checkin_id", "checkins"), ("round_id", "rounds"), ("answer_id", "answers"),
    ("session_id", "coaching_sessions"), ("action_id", "actions"),
)


def network_of_button(db: Database, data: object) -> int | None:
    """The network a button's data belongs to, by the first id it carries that names a row; None if it carries none
    (the button acts where its person acts now)."""
    for field, table in _OWNERS:
        row_id = getattr(data, field, None)
        if isinstance(row_id, int):
            found = scalar(db, f"SELECT network_id FROM {table} WHERE id = ?", [row_id])
            return None if found is None else int(found)
    return None


def own_membership(db: Database, user_id: int | None, membership_id: int) -> Membership | None:
    """The active membership with this id, if it is this person's."""
    found = membership_by_id(db, membership_id)
    return found if found is not None and found.user_id == user_id else None
