"""Who is writing: the active membership, the language and the roles of a Telegram user, in one query."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from sqlite_utils import Database

from bot.i18n import DEFAULT_LOCALE, pick_locale
from storage.people import Membership as Membership
from storage.people import mark_reachable, user_locale

Role = Literal["stranger", "partner", "coordinator", "admin"]
ROLES: tuple[Role, ...] = ("stranger", "partner", "coordinator", "admin")

# The membership as storage.people.active_membership reads it, the user's language even without one, and whether
# the membership was marked unreachable (a 403): one row, or none for someone never registered.
_IDENTITY = """SELECT u.locale, m.id, m.network_id, n.name, u.first_name, m.role, m.organisation_id, o.name,
    m.unreachable_at IS NOT NULL
    FROM users u LEFT JOIN memberships m ON m.user_id = u.id AND m.left_at IS NULL
    LEFT JOIN networks n ON n.id = m.network_id
    LEFT JOIN organisations o ON o.id = m.organisation_id
    WHERE u.id = ?"""


@dataclass(frozen=True)
class Identity:
    """A Telegram user as the bot sees them: membership (None for strangers), language, admin, reachability."""

    user_id: int | None
    member: Membership | None
    locale: str
    is_admin: bool = False
    unreachable: bool = False

    @property
    def roles(self) -> frozenset[Role]:
        """Stranger (no active membership) or the membership's role, and admin for NETZPULS_ADMINS."""
        base: Role = "stranger" if self.member is None else self.member.role
        return frozenset({base, "admin"} if self.is_admin else {base})


def identify(db: Database, user_id: int | None, language_code: str | None, admins: Collection[int]) -> Identity:
    """The identity of a Telegram user (None: an update without a user), read in one query."""
    if user_id is None:
        return Identity(None, None, pick_locale(language_code))
    row = db.execute(_IDENTITY, [user_id]).fetchone()
    is_admin = user_id in admins
    if row is None:
        return Identity(user_id, None, pick_locale(language_code), is_admin)
    locale = str(row[0]) if row[0] else pick_locale(language_code)
    if row[1] is None:
        return Identity(user_id, None, locale, is_admin)
    member = Membership(id=row[1], network_id=row[2], network_name=row[3], user_id=user_id, first_name=row[4],
                        role=row[5], organisation_id=row[6], organisation_name=row[7], locale=row[0])
    return Identity(user_id, member, locale, is_admin, bool(row[8]))


def note_reachable(db: Database, identity: Identity) -> bool:
    """A member marked unreachable wrote again, so messages reach them again; True if that changed anything."""
    if identity.user_id is None or not identity.unreachable:
        return False
    return mark_reachable(db, identity.user_id)


def locale_of_user(db: Database, user_id: int) -> str:
    """The language a user chose (the default for people never registered), e.g. for messages to admins."""
    return user_locale(db, user_id) or DEFAULT_LOCALE
