"""The schema, as an ordered set of sqlite-utils migrations; never edit one that has shipped, add a new one."""

from __future__ import annotations

import secrets

from sqlite_utils import Database, Migrations

migrations = Migrations("netzpuls")

# A migration imports nothing from the live code (bot/): an old migration must never change when the live code does,
# or a database migrated today would differ from one migrated when the migration shipped. What a migration needs from
# the live code is copied here, frozen, and named for the migration that uses it: the live code may change, the copy
# never does.

# Frozen for m006: bot.core.context._KIND_WORDS as it is at this freeze, unchanged since m006 began to fill in the kind
# of existing organisations. Words in an organisation's name that tell its kind (German and English), in this order.
_KIND_WORDS_M006: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("jobcenter", ("jobcenter", "arbeitsagentur", "agentur für arbeit", "job centre", "job center")),
    ("youth_office", ("jugendamt", "jugendhilfe", "youth")),
    ("counselling", ("beratung", "counsel")),
    ("care", ("kita", "kindertages", "tagespflege", "day care", "daycare", "kindergarten")),
    ("health", ("klinik", "gesundheit", "praxis", "health", "hospital", "psychiatr")),
    ("education", ("schule", "bildung", "volkshochschule", "school", "college", "education")),
    ("welfare", ("caritas", "diakonie", "awo", "arbeiterwohlfahrt", "paritätisch", "drk", "rotes kreuz", "welfare")),
    ("employer", (" gmbh", " ag ", "unternehmen", "betrieb", "handwerk", "employer", " ltd")),  # not gGmbH
)


def _frozen_guess_kind_m006(name: str) -> str:
    """m006's frozen copy of bot.core.context.guess_kind: the kind an organisation's name suggests ("other")."""
    lowered = f" {name.lower()} "
    for kind, words in _KIND_WORDS_M006:
        if any(word in lowered for word in words):
            return kind
    return "other"


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


@migrations()
def m002_rounds_outbox(db: Database) -> None:
    """Schedules, rounds and their participants, pauses, the outbox, and answer revisions."""
    statements = [
        # One row per network that changed its schedule; defaults (bot/core/calendar.py) otherwise.
        """CREATE TABLE schedules (
            network_id INTEGER PRIMARY KEY REFERENCES networks(id),
            timezone TEXT NOT NULL,
            state TEXT,
            weekday INTEGER NOT NULL,
            hour INTEGER NOT NULL,
            minute INTEGER NOT NULL,
            reminder_days TEXT NOT NULL,        -- "3,7"
            close_days INTEGER NOT NULL,
            quiet_start TEXT NOT NULL,          -- "19:00"
            quiet_end TEXT NOT NULL,
            quiet_weekends INTEGER NOT NULL,
            quiet_holidays INTEGER NOT NULL,
            updated_at TEXT NOT NULL)""",
        """CREATE TABLE rounds (
            id INTEGER PRIMARY KEY,
            network_id INTEGER NOT NULL REFERENCES networks(id),
            period TEXT NOT NULL,               -- "2027-01", the month in the network's time zone
            due_at TEXT NOT NULL,
            opened_at TEXT NOT NULL,
            closes_at TEXT NOT NULL,
            closed_at TEXT,
            status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
            UNIQUE (network_id, period))""",
        "CREATE UNIQUE INDEX rounds_one_open ON rounds(network_id) WHERE status = 'open'",
        """CREATE TABLE participants (
            id INTEGER PRIMARY KEY,
            round_id INTEGER NOT NULL REFERENCES rounds(id),
            membership_id INTEGER NOT NULL REFERENCES memberships(id),
            status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'late', 'missed', 'excused')),
            prompted_at TEXT,
            reminders_sent INTEGER NOT NULL DEFAULT 0,
            snoozed_until TEXT,
            finished_at TEXT,
            UNIQUE (round_id, membership_id))""",
        """CREATE TABLE pauses (
            id INTEGER PRIMARY KEY,
            membership_id INTEGER NOT NULL REFERENCES memberships(id),
            starts_at TEXT NOT NULL,
            ends_at TEXT NOT NULL,
            created_at TEXT NOT NULL)""",
        "CREATE INDEX pauses_member ON pauses(membership_id, ends_at)",
        "ALTER TABLE memberships ADD COLUMN unreachable_at TEXT",
        "ALTER TABLE checkins ADD COLUMN round_id INTEGER REFERENCES rounds(id)",
        "ALTER TABLE checkins ADD COLUMN editing_step TEXT",  # a step being changed through /answers
        # Every message sent on the bot's own initiative passes through here (bot/jobs/outbox.py).
        """CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            dedupe_key TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            chat_id INTEGER NOT NULL,
            text TEXT NOT NULL,
            reply_markup TEXT,                  -- JSON of an InlineKeyboardMarkup, or NULL
            network_id INTEGER REFERENCES networks(id),   -- set: the network's quiet hours apply
            membership_id INTEGER REFERENCES memberships(id),
            round_id INTEGER REFERENCES rounds(id),
            status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'dropped')),
            attempts INTEGER NOT NULL DEFAULT 0,
            in_flight_at_stop INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            created_at TEXT NOT NULL,
            sent_at TEXT,
            telegram_message_id INTEGER)""",
        "CREATE INDEX outbox_pending ON outbox(status, id) WHERE status IN ('queued', 'sending')",
        # Answers become revisions: a change through /answers adds a row, the old one stays.
        """CREATE TABLE answers_new (
            id INTEGER PRIMARY KEY,
            checkin_id INTEGER NOT NULL REFERENCES checkins(id),
            membership_id INTEGER NOT NULL REFERENCES memberships(id),
            network_id INTEGER NOT NULL REFERENCES networks(id),
            organisation_id INTEGER NOT NULL REFERENCES organisations(id),
            round_id INTEGER REFERENCES rounds(id),
            script_id TEXT NOT NULL,
            script_version INTEGER NOT NULL,
            step_id TEXT NOT NULL,
            revision INTEGER NOT NULL DEFAULT 0,
            kind TEXT NOT NULL,
            factor INTEGER,
            value_json TEXT NOT NULL,
            value_num REAL,
            late INTEGER NOT NULL DEFAULT 0,    -- given after the round had closed
            answered_at TEXT NOT NULL,
            UNIQUE (checkin_id, step_id, revision))""",
        """INSERT INTO answers_new (id, checkin_id, membership_id, network_id, organisation_id, script_id,
            script_version, step_id, kind, factor, value_json, value_num, answered_at)
           SELECT id, checkin_id, membership_id, network_id, organisation_id, script_id, script_version, step_id,
            kind, factor, value_json, value_num, answered_at FROM answers""",
        "DROP TABLE answers",
        "ALTER TABLE answers_new RENAME TO answers",
        "CREATE INDEX answers_network_factor ON answers(network_id, factor, answered_at)",
        "CREATE INDEX answers_round ON answers(round_id)",
    ]
    for statement in statements:
        db.execute(statement)


@migrations()
def m003_expired_checkins_uncertain_sends(db: Database) -> None:
    """Check-ins left unfinished when a newer round opened; sends that timed out and may have arrived."""
    db.execute("ALTER TABLE checkins ADD COLUMN expired_at TEXT")  # set: ended unfinished, status 'done'
    db.execute("ALTER TABLE outbox ADD COLUMN uncertain INTEGER NOT NULL DEFAULT 0")


@migrations()
def m004_answer_risk(db: Database) -> None:
    """Answers name the risk factor (1-9) their step can reveal, so risk rules need no step ids."""
    db.execute("ALTER TABLE answers ADD COLUMN risk INTEGER")
    db.execute("CREATE INDEX answers_network_risk ON answers(network_id, risk, answered_at)")


@migrations()
def m005_script_publications(db: Database) -> None:
    """Which stored script version is in use: every publish and rollback adds a row, none is overwritten."""
    db.execute("""CREATE TABLE script_publications (
        id INTEGER PRIMARY KEY,
        script_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        published_at TEXT NOT NULL,
        published_by TEXT NOT NULL,          -- "file" (dialogs/ at start), "cli", or a Telegram user id
        action TEXT NOT NULL CHECK (action IN ('publish', 'rollback')),
        FOREIGN KEY (script_id, version) REFERENCES scripts(script_id, version))""")
    db.execute("CREATE INDEX script_publications_current ON script_publications(script_id, id)")
    # Until now the newest stored version of each script was the one in use.
    db.execute("""INSERT INTO script_publications (script_id, version, published_at, published_by, action)
                  SELECT script_id, MAX(version), MAX(created_at), 'file', 'publish' FROM scripts GROUP BY script_id""")


@migrations()
def m006_script_drafts_network_scripts_organisation_kind(db: Database) -> None:
    """Scripts edited in the chat (drafts), publications for one network, and the kind of each organisation."""
    # NULL: the publication applies to every network that has none of its own.
    db.execute("ALTER TABLE script_publications ADD COLUMN network_id INTEGER REFERENCES networks(id)")
    db.execute("""CREATE TABLE script_drafts (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL,            -- who uploaded it (Telegram user id)
        network_id INTEGER REFERENCES networks(id),  -- a coordinator's own network; NULL: an admin's, for all
        script_id TEXT NOT NULL,
        source TEXT NOT NULL,                -- the validated YAML, version already set to the next free number
        file_name TEXT NOT NULL,
        base_version INTEGER NOT NULL,       -- the version in use when it was uploaded: the summary's "before"
        status TEXT NOT NULL CHECK (status IN ('pending', 'published', 'discarded')),
        preview_state TEXT,                  -- a running preview (engine state JSON); nothing else is stored
        created_at TEXT NOT NULL,
        decided_at TEXT)""")
    db.execute("CREATE INDEX script_drafts_user ON script_drafts(user_id, id)")
    # What the organisation is (jobcenter, youth_office, ...): scripts may branch on it ('role').
    db.execute("ALTER TABLE organisations ADD COLUMN kind TEXT NOT NULL DEFAULT 'other'")
    for organisation in list(db.query("SELECT id, name FROM organisations")):  # a dict by column name
        db.execute("UPDATE organisations SET kind = ? WHERE id = ?",
                   [_frozen_guess_kind_m006(str(organisation["name"])), organisation["id"]])


@migrations()
def m007_reports_privacy_alerts(db: Database) -> None:
    """Digests and partner feedback per closed round, urgent alerts sent once, privacy and thresholds per network."""
    db.execute("ALTER TABLE outbox ADD COLUMN photo BLOB")  # a chart: sent as a photo with the text as caption
    db.execute("ALTER TABLE networks ADD COLUMN privacy TEXT NOT NULL DEFAULT 'anonymous'"
               " CHECK (privacy IN ('anonymous', 'named'))")
    db.execute("ALTER TABLE networks ADD COLUMN thresholds TEXT")  # JSON of the fields of Thresholds that differ
    db.execute("""CREATE TABLE round_reports (
        round_id INTEGER PRIMARY KEY REFERENCES rounds(id),   -- digest, chart and partner feedback queued once
        signals INTEGER NOT NULL,
        created_at TEXT NOT NULL)""")
    # Rounds closed before this version had no digest: they are not reported now, months late.
    db.execute("INSERT INTO round_reports (round_id, signals, created_at) SELECT id, 0, COALESCE(closed_at, closes_at)"
               " FROM rounds WHERE status = 'closed'")
    db.execute("""CREATE TABLE signal_alerts (
        network_id INTEGER NOT NULL REFERENCES networks(id),
        rule TEXT NOT NULL,
        organisation_id INTEGER NOT NULL,    -- 0: the whole network
        round_number INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (network_id, rule, organisation_id, round_number))""")


@migrations()
def m008_coaching(db: Database) -> None:
    """The coordinator's coaching dialogs and the actions they commit to, with how each went."""
    db.execute("""CREATE TABLE coaching_sessions (
        id INTEGER PRIMARY KEY,
        membership_id INTEGER NOT NULL REFERENCES memberships(id),
        network_id INTEGER NOT NULL REFERENCES networks(id),
        round_id INTEGER REFERENCES rounds(id),      -- the round whose digest it follows
        script_id TEXT NOT NULL,
        script_version INTEGER NOT NULL,
        topics TEXT NOT NULL,                        -- JSON [[id, label], ...]: what could be chosen, fixed at start
        state TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'done')),
        prompt_message_id INTEGER,
        started_at TEXT NOT NULL,
        finished_at TEXT)""")
    db.execute("CREATE UNIQUE INDEX coaching_one_open ON coaching_sessions(membership_id) WHERE status = 'open'")
    db.execute("""CREATE TABLE actions (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL UNIQUE REFERENCES coaching_sessions(id),
        membership_id INTEGER NOT NULL REFERENCES memberships(id),
        network_id INTEGER NOT NULL REFERENCES networks(id),
        round_id INTEGER REFERENCES rounds(id),
        topic TEXT NOT NULL,
        topic_label TEXT NOT NULL,
        factor INTEGER,                              -- the success factor it aims at (its trend is shown beside it)
        what TEXT NOT NULL,
        with_whom TEXT,
        due TEXT NOT NULL,
        created_at TEXT NOT NULL,
        outcome TEXT CHECK (outcome IN ('done', 'partly', 'not_done')),
        outcome_note TEXT,
        note_pending INTEGER NOT NULL DEFAULT 0,     -- the next typed line is the note on how it went
        outcome_at TEXT)""")


@migrations()
def m009_rights_and_access(db: Database) -> None:
    """Consents by text version, revoked invites and handovers, removed partners, erased free texts."""
    db.execute("""CREATE TABLE consents (
        id INTEGER PRIMARY KEY,
        membership_id INTEGER NOT NULL REFERENCES memberships(id),
        version INTEGER NOT NULL,                    -- the version of the consent text agreed to
        agreed_at TEXT NOT NULL)""")
    db.execute("INSERT INTO consents (membership_id, version, agreed_at)"
               " SELECT id, consent_version, joined_at FROM memberships")
    db.execute("ALTER TABLE invites ADD COLUMN revoked_at TEXT")
    # A coordinator invite that hands the role over: the membership that ends when the successor joins.
    db.execute("ALTER TABLE invites ADD COLUMN replaces_membership_id INTEGER REFERENCES memberships(id)")
    db.execute("ALTER TABLE organisations ADD COLUMN removed_at TEXT")
    db.execute("ALTER TABLE answers ADD COLUMN erased_at TEXT")  # a free text erased (retention or /delete)


@migrations()
def m010_consent_lookup(db: Database) -> None:
    """Whether a member agreed to the consent text in use is looked up for every partner at every tick."""
    db.execute("CREATE INDEX consents_member ON consents (membership_id, version)")


@migrations()
def m011_answers_by_network(db: Database) -> None:
    """A network's answers in the order they were given, without sorting them (every digest reads them all)."""
    db.execute("CREATE INDEX answers_network ON answers (network_id)")


@migrations()
def m012_round_privacy(db: Database) -> None:
    """Each round keeps the network's privacy from when it opened: a switch to named applies from the next round on,
    and the answers given before stay anonymous. Rounds so far take the network's setting of today (as before)."""
    db.execute("ALTER TABLE rounds ADD COLUMN privacy TEXT NOT NULL DEFAULT 'anonymous'"
               " CHECK (privacy IN ('anonymous', 'named'))")
    db.execute("UPDATE rounds SET privacy = (SELECT privacy FROM networks WHERE networks.id = rounds.network_id)")


@migrations()
def m013_privacy_changes(db: Database) -> None:
    """When each network's privacy was set: answers given outside rounds (the onboarding) take the setting of the
    moment they were given. Networks so far: their setting of today, from when they were made."""
    db.execute("""CREATE TABLE privacy_changes (
        id INTEGER PRIMARY KEY,
        network_id INTEGER NOT NULL REFERENCES networks(id),
        privacy TEXT NOT NULL CHECK (privacy IN ('anonymous', 'named')),
        changed_at TEXT NOT NULL)""")
    db.execute("CREATE INDEX privacy_changes_network ON privacy_changes (network_id, changed_at)")
    db.execute("INSERT INTO privacy_changes (network_id, privacy, changed_at) SELECT id, privacy, created_at"
               " FROM networks")


@migrations()
def m014_checkins_by_round(db: Database) -> None:
    """Which scripts a round's check-ins ran (the factors the round asked), found without reading every check-in."""
    db.execute("CREATE INDEX checkins_round ON checkins (round_id)")


@migrations()
def m015_answer_quote_named(db: Database) -> None:
    """A partner may allow one free-text answer of an anonymous round to be quoted with its organisation's name (set
    on that revision only: a revised text is a new answer without the permission)."""
    db.execute("ALTER TABLE answers ADD COLUMN quote_named INTEGER NOT NULL DEFAULT 0")


@migrations()
def m017_outbox_parse_mode(db: Database) -> None:
    """A queued message may be formatted: the digest and alerts are Telegram HTML (NULL: plain text)."""
    db.execute("ALTER TABLE outbox ADD COLUMN parse_mode TEXT CHECK (parse_mode IS NULL OR parse_mode = 'HTML')")


# m016 was written beside m015 (quotes with names) and after m017: it stands last, where it was added.
@migrations()
def m016_network_goal(db: Database) -> None:
    """The network's own goal in one sentence, set by its coordinator (/goals or the CLI), and whether a coordinator's
    next typed line is to be that goal (the time they asked; NULL: not waiting)."""
    db.execute("ALTER TABLE networks ADD COLUMN goal TEXT")
    db.execute("ALTER TABLE networks ADD COLUMN goal_set_at TEXT")
    db.execute("ALTER TABLE memberships ADD COLUMN goal_asked_at TEXT")


@migrations()
def m018_memberships_per_network(db: Database) -> None:
    """A person may be a member of several networks (one active membership per network, each with its own role), and
    the network they last chose or acted in is the one their commands and typed text are for. Every membership so far
    stays as it is: a person had one, which becomes their chosen one (with no time: one membership needs no choice)."""
    db.execute("DROP INDEX memberships_active_user")
    db.execute("CREATE UNIQUE INDEX memberships_active_user_network ON memberships(user_id, network_id)"
               " WHERE left_at IS NULL")
    db.execute("ALTER TABLE users ADD COLUMN current_membership_id INTEGER REFERENCES memberships(id)")
    db.execute("ALTER TABLE users ADD COLUMN current_chosen_at TEXT")  # when it was chosen (a choice grows stale)
    db.execute("UPDATE users SET current_membership_id = (SELECT m.id FROM memberships m WHERE m.user_id = users.id"
               " AND m.left_at IS NULL)")


@migrations()
def m021_shared_script_again(db: Database) -> None:
    """A network may go back to the shared script: a publication with action 'shared' (for that network) ends its own
    version; its `version` is the shared one in use at that moment. SQLite cannot change a CHECK, so the table is
    rebuilt with every row and id kept."""
    db.execute("""CREATE TABLE script_publications_m021 (
        id INTEGER PRIMARY KEY,
        script_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        published_at TEXT NOT NULL,
        published_by TEXT NOT NULL,          -- "file" (dialogs/ at start), "cli", or a Telegram user id
        action TEXT NOT NULL CHECK (action IN ('publish', 'rollback', 'shared')),
        network_id INTEGER REFERENCES networks(id),  -- NULL: for every network without a version of its own
        FOREIGN KEY (script_id, version) REFERENCES scripts(script_id, version))""")
    db.execute("INSERT INTO script_publications_m021 (id, script_id, version, published_at, published_by, action,"
               " network_id) SELECT id, script_id, version, published_at, published_by, action, network_id"
               " FROM script_publications")
    db.execute("DROP TABLE script_publications")
    db.execute("ALTER TABLE script_publications_m021 RENAME TO script_publications")
    db.execute("CREATE INDEX script_publications_current ON script_publications(script_id, id)")


@migrations()
def m023_memberships_by_organisation(db: Database) -> None:
    """An organisation's contact persons, past ones included, found without reading every membership: a round's prompt
    and reminders count the check-ins the organisation missed in a row."""
    db.execute("CREATE INDEX memberships_organisation ON memberships (organisation_id)")


@migrations()
def m019_contact_handovers(db: Database) -> None:
    """A partner's contact person who says "I'm no longer responsible": whom they name to take over (as typed; NULL
    with `answered_at`: they did not know), when the coordinators were told without an answer (`told_at`, after a
    day), the invite the coordinator made for that successor, and the successor's membership once they joined and
    got the welcome pack."""
    db.execute("""CREATE TABLE handovers (
        id INTEGER PRIMARY KEY,
        membership_id INTEGER NOT NULL UNIQUE REFERENCES memberships(id),
        network_id INTEGER NOT NULL REFERENCES networks(id),
        organisation_id INTEGER NOT NULL REFERENCES organisations(id),
        created_at TEXT NOT NULL,
        successor TEXT,
        answered_at TEXT,
        told_at TEXT,
        invite_token TEXT REFERENCES invites(token),
        successor_membership_id INTEGER REFERENCES memberships(id),
        welcomed_at TEXT)""")
    db.execute("CREATE INDEX handovers_organisation ON handovers (organisation_id, successor_membership_id)")


@migrations()
def m020_consent_privacy(db: Database) -> None:
    """Each consent records the privacy setting its text named: a switch of the setting asks again. Consents so far
    take the setting their network had when they were given (privacy_changes: m013 recorded each network's setting
    from its start; a network made since without a switch has the default, anonymous), so only members whose network
    switched after they agreed are asked again for that."""
    db.execute("ALTER TABLE consents ADD COLUMN privacy TEXT NOT NULL DEFAULT 'anonymous'"
               " CHECK (privacy IN ('anonymous', 'named'))")
    db.execute("""UPDATE consents SET privacy = COALESCE(
        (SELECT pc.privacy FROM privacy_changes pc JOIN memberships m ON m.network_id = pc.network_id
         WHERE m.id = consents.membership_id AND pc.changed_at <= consents.agreed_at
         ORDER BY pc.changed_at DESC, pc.id DESC LIMIT 1), 'anonymous')""")


@migrations()
def m024_erasure_log(db: Database) -> None:
    """Every erasure (/delete, in one network or in all), so that it is applied again to backups, kept and restored:
    the person is named only by a keyed hash of their Telegram id (HMAC-SHA256 with the random key in meta
    `erasure_key`, made here), never by the id itself; `network_id` NULL: erased everywhere."""
    db.execute("""CREATE TABLE erasures (
        id INTEGER PRIMARY KEY,
        subject TEXT NOT NULL,
        network_id INTEGER,
        erased_at TEXT NOT NULL)""")
    db.execute("CREATE INDEX erasures_subject ON erasures (subject)")
    db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('erasure_key', ?)", [secrets.token_hex(32)])


@migrations()
def m025_outbox_delivery_check(db: Database) -> None:
    """A send cut short by a crash is checked rather than sent again: the last message id known in each private chat
    (from every message the bot sends or receives there), and the id an outbox row's message was expected to get,
    written right before it went out (NULL: it never went out; 0: the chat's last id was unknown)."""
    db.execute("CREATE TABLE chat_message_ids (chat_id INTEGER PRIMARY KEY, last_message_id INTEGER NOT NULL)")
    db.execute("ALTER TABLE outbox ADD COLUMN expected_message_id INTEGER")
