"""Who is writing: the active membership, the language and the roles of a Telegram user, in one query."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from sqlite_utils import Database

from bot.i18n import DEFAULT_LOCALE, pick_locale
from storage.people import Membership as Membership
from storage.people import choose_membership as choose_membership
from storage.people import mark_reachable, user_locale

Role = Literal["stranger", "partner", "coordinator", "admin"]
ROLES: tuple[Role, ...] = ("stranger", "partner", "coordinator", "admin")
CHOICE_HOURS = 12  # how long a chosen network holds for a member of several: one working day's conversation

# The user's language even without a membership, the membership they chose last, and each active membership with
# whether it was marked unreachable (a 403): one row per membership, or one row without one, or none for someone
# never registered.
_IDENTITY = """SELECT u.locale, u.current_membership_id, u.current_chosen_at, m.id, m.network_id, n.name,
    u.first_name, m.role, m.organisation_id, o.name, m.unreachable_at IS NOT NULL
    FROM users u LEFT JOIN memberships m ON m.user_id = u.id AND m.left_at IS NULL
    LEFT JOIN networks n ON n.id = m.network_id
    LEFT JOIN organisations o ON o.id = m.organisation_id
    WHERE u.id = ? ORDER BY m.id"""


@dataclass(frozen=True)
class Identity:
    """A Telegram user as the bot sees them: their memberships (one per network), the one this update acts in (None
    for strangers, and for members of several networks who have not chosen one), language, admin, reachability."""

    user_id: int | None
    member: Membership | None
    locale: str
    is_admin: bool = False
    unreachable: bool = False
    memberships: tuple[Membership, ...] = ()
    chosen_at: datetime | None = None  # when `member` was chosen (None: not chosen, or the only membership)

    @property
    def roles(self) -> frozenset[Role]:
        """Stranger (no active membership) or the roles of all memberships, and admin for NETZPULS_ADMINS."""
        found: set[Role] = {m.role for m in self.memberships} or {"stranger"}
        return frozenset(found | {"admin"} if self.is_admin else found)

    def acting_in(self, member: Membership, now: datetime) -> Identity:
        """The same person, acting in this one of their memberships from now on."""
        return replace(self, member=member, chosen_at=now)

    def chosen_for(self, now: datetime) -> Membership | None:
        """The membership this person's commands are for without asking: their only one, or the one they chose or
        acted in within the last CHOICE_HOURS (a choice made yesterday is asked again rather than assumed)."""
        if len(self.memberships) == 1:
            return self.memberships[0]
        fresh = self.chosen_at is not None and now - self.chosen_at < timedelta(hours=CHOICE_HOURS)
        return self.member if fresh else None


def identify(db: Database, user_id: int | None, language_code: str | None, admins: Collection[int]) -> Identity:
    """The identity of a Telegram user (None: an update without a user), read in one query."""
    if user_id is None:
        return Identity(None, None, pick_locale(language_code))
    found = db.execute(_IDENTITY, [user_id]).fetchall()
    is_admin = user_id in admins
    if not found:
        return Identity(user_id, None, pick_locale(language_code), is_admin)
    locale = str(found[0][0]) if found[0][0] else pick_locale(language_code)
    memberships = tuple(
        Membership(id=row[3], network_id=row[4], network_name=row[5], user_id=user_id, first_name=row[6],
                   role=row[7], organisation_id=row[8], organisation_name=row[9], locale=row[0])
        for row in found if row[3] is not None)
    chosen = next((m for m in memberships if m.id == found[0][1]), None)
    member = chosen or (memberships[0] if len(memberships) == 1 else None)
    chosen_at = datetime.fromisoformat(found[0][2]) if chosen is not None and found[0][2] else None
    unreachable = any(bool(row[10]) for row in found if row[3] is not None)
    return Identity(user_id, member, locale, is_admin, unreachable, memberships, chosen_at)


def note_reachable(db: Database, identity: Identity) -> bool:
    """A member marked unreachable wrote again, so messages reach them again; True if that changed anything."""
    if identity.user_id is None or not identity.unreachable:
        return False
    return mark_reachable(db, identity.user_id)


def locale_of_user(db: Database, user_id: int) -> str:
    """The language a user chose (the default for people never registered), e.g. for messages to admins."""
    return user_locale(db, user_id) or DEFAULT_LOCALE
