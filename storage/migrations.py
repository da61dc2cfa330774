"""The schema, as an ordered set of sqlite-utils migrations; never edit one that has shipped, add a new one."""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("netzpuls")


@migrations()
def m001_initial(db: Database) -> None:
    """Networks, people, invites, scripts, check-ins and answers."""
    statements = [
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE networks (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            created_at TEXT NOT NULL)""",
        """CREATE TABLE organisations (
            id INTEGER PRIMARY KEY,
            network_id INTEGER NOT NULL REFERENCES networks(id),
            name TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (network_id, name COLLATE NOCASE))""",
        """CREATE TABLE users (
            id INTEGER PRIMARY KEY,            -- the Telegram user id (= private chat id)
            first_name TEXT NOT NULL,
            locale TEXT NOT NULL DEFAULT 'de',
            created_at TEXT NOT NULL)""",
        """CREATE TABLE memberships (
            id INTEGER PRIMARY KEY,
            network_id INTEGER NOT NULL REFERENCES networks(id),
            user_id INTEGER NOT NULL REFERENCES users(id),
            role TEXT NOT NULL CHECK (role IN ('coordinator', 'partner')),
            organisation_id INTEGER REFERENCES organisations(id),
            consent_version INTEGER NOT NULL,
            joined_at TEXT NOT NULL,
            left_at TEXT,
            left_reason TEXT,
            CHECK ((role = 'partner') = (organisation_id IS NOT NULL)))""",
        # One active membership per person, one active contact person per organisation.
        "CREATE UNIQUE INDEX memberships_active_user ON memberships(user_id) WHERE left_at IS NULL",
        """CREATE UNIQUE INDEX memberships_active_contact ON memberships(organisation_id)
            WHERE left_at IS NULL AND organisation_id IS NOT NULL""",
        """CREATE TABLE invites (
            token TEXT PRIMARY KEY,
            network_id INTEGER NOT NULL REFERENCES networks(id),
            role TEXT NOT NULL CHECK (role IN ('coordinator', 'partner')),
            organisation_id INTEGER REFERENCES organisations(id),
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at TEXT,
            used_by INTEGER REFERENCES users(id))""",
        """CREATE TABLE scripts (
            id INTEGER PRIMARY KEY,
            script_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            source TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (script_id, version))""",
        """CREATE TABLE checkins (
            id INTEGER PRIMARY KEY,
            membership_id INTEGER NOT NULL REFERENCES memberships(id),
            network_id INTEGER NOT NULL REFERENCES networks(id),
            organisation_id INTEGER NOT NULL REFERENCES organisations(id),
            script_id TEXT NOT NULL,
            script_version INTEGER NOT NULL,
            state TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('open', 'done')),
            prompt_message_id INTEGER,          -- the message that shows the current step
            started_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            finished_at TEXT)""",
        "CREATE UNIQUE INDEX checkins_one_open ON checkins(membership_id) WHERE status = 'open'",
        """CREATE TABLE answers (
            id INTEGER PRIMARY KEY,
            checkin_id INTEGER NOT NULL REFERENCES checkins(id),
            membership_id INTEGER NOT NULL REFERENCES memberships(id),
            network_id INTEGER NOT NULL REFERENCES networks(id),
            organisation_id INTEGER NOT NULL REFERENCES organisations(id),
            script_id TEXT NOT NULL,
            script_version INTEGER NOT NULL,
            step_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            factor INTEGER,
            value_json TEXT NOT NULL,           -- the exact answer: number, true/false, option id, text or null
            value_num REAL,                     -- numeric answers again, for aggregates
            answered_at TEXT NOT NULL,
            UNIQUE (checkin_id, step_id))""",
        "CREATE INDEX answers_network_factor ON answers(network_id, factor, answered_at)",
    ]
    for statement in statements:
        db.execute(statement)
