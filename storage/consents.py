"""Consents: each row is one "I agree" to a consent text's version under the privacy setting that text named.

The rule of bot.core.consent.covers, in SQL for the scans over every member: a member's consent is pending when their
latest consent is to an older text or to another privacy than their network's now."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from bot.core.consent import ConsentTerms
from storage.db import first


def pending_sql(member: str = "m", network: str = "n") -> str:
    """An SQL expression, true while the member (alias `member`) of the network (alias `network`) has not agreed to
    the text in use under the network's privacy now; it takes the text version in use as its one parameter. The latest
    consent comes first in the index consents_member (versions never go down)."""
    return (f"NOT COALESCE((SELECT c.version >= ? AND c.privacy = {network}.privacy FROM consents c"
            f" WHERE c.membership_id = {member}.id ORDER BY c.version DESC, c.id DESC LIMIT 1), 0)")


def agreed_terms(db: Database, membership_id: int) -> ConsentTerms | None:
    """What the member agreed to last (None: never, or their consent rows were erased)."""
    row = first(db, "SELECT version, privacy FROM consents WHERE membership_id = ? ORDER BY version DESC, id DESC"
                    " LIMIT 1", [membership_id])
    if row is None:
        return None
    return ConsentTerms(int(row["version"]), "named" if row["privacy"] == "named" else "anonymous")


def record_consent(db: Database, membership_id: int, terms: ConsentTerms, now: datetime) -> None:
    """Store that the member agreed to these terms; a renewal question still queued for them is moot."""
    with db.atomic():
        db.execute("INSERT INTO consents (membership_id, version, privacy, agreed_at) VALUES (?, ?, ?, ?)",
                   [membership_id, terms.version, terms.privacy, now.isoformat()])
        db.execute("UPDATE memberships SET consent_version = ? WHERE id = ?", [terms.version, membership_id])
        # the question may still wait in the outbox (quiet hours) if they agreed when they wrote next
        db.execute("UPDATE outbox SET status = 'dropped', last_error = 'agreed' WHERE kind = 'consent'"
                   " AND membership_id = ? AND status = 'queued'", [membership_id])


def latest_privacy_change(db: Database, network_id: int) -> int:
    """The id of the network's latest privacy switch (0: none recorded): a renewal question asked for a switch is
    asked once per switch."""
    row = first(db, "SELECT MAX(id) AS id FROM privacy_changes WHERE network_id = ?", [network_id])
    return int(row["id"] or 0) if row is not None else 0


def drop_questions(db: Database, network_id: int) -> int:
    """The unsent renewal questions of the network's members are moot (its setting changed again): dropped."""
    cursor = db.execute("UPDATE outbox SET status = 'dropped', last_error = 'asked anew' WHERE kind = 'consent'"
                        " AND status = 'queued' AND membership_id IN (SELECT id FROM memberships WHERE network_id = ?)",
                        [network_id])
    return cursor.rowcount
