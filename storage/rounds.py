"""Schedules, rounds, participants and pauses: the planner's snapshot and the writes of its actions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, time

from sqlite_utils import Database

from bot.core.calendar import Schedule
from bot.core.planner import NetworkView, ParticipantView, PartnerView, RoundView
from storage.consents import pending_sql
from storage.db import Row, first, picked, rows, scalar
from storage.outbox import Outgoing, drop_queued, drop_round_messages, enqueue


@dataclass(frozen=True)
class RoundInfo:
    """A round as handlers show it."""

    id: int
    network_id: int
    period: str
    opened_at: datetime
    closes_at: datetime
    open: bool


@dataclass(frozen=True)
class Participation:
    """One partner's place in one round."""

    round: RoundInfo
    membership_id: int
    status: str
    prompted_at: datetime | None


def _dt(value: object) -> datetime | None:
    return None if value is None else datetime.fromisoformat(str(value))


def _hm(value: str) -> time:
    return time.fromisoformat(value)


def schedule_of(db: Database, network_id: int) -> Schedule:
    """The network's schedule (the defaults until the coordinator changes something)."""
    row = first(
        db, "SELECT timezone, state, weekday, hour, minute, reminder_days, close_days, quiet_start, quiet_end,"
        " quiet_weekends, quiet_holidays FROM schedules WHERE network_id = ?", [network_id])
    if row is None:
        return Schedule()
    days = tuple(int(d) for d in str(row["reminder_days"]).split(",") if d)
    return Schedule(timezone=row["timezone"], state=row["state"], weekday=row["weekday"], hour=row["hour"],
                    minute=row["minute"], reminder_days=days, close_days=row["close_days"],
                    quiet_start=_hm(row["quiet_start"]), quiet_end=_hm(row["quiet_end"]),
                    quiet_weekends=bool(row["quiet_weekends"]), quiet_holidays=bool(row["quiet_holidays"]))


def save_schedule(db: Database, network_id: int, s: Schedule, now: datetime) -> None:
    """Store the network's schedule."""
    values = [s.timezone, s.state, s.weekday, s.hour, s.minute, ",".join(str(d) for d in s.reminder_days),
              s.close_days, s.quiet_start.strftime("%H:%M"), s.quiet_end.strftime("%H:%M"), int(s.quiet_weekends),
              int(s.quiet_holidays), now.isoformat()]
    with db.atomic():
        db.execute(
            "INSERT OR REPLACE INTO schedules (network_id, timezone, state, weekday, hour, minute, reminder_days,"
            " close_days, quiet_start, quiet_end, quiet_weekends, quiet_holidays, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [network_id, *values])


def _round(row: Row) -> RoundInfo:
    opened, closes = _dt(row["opened_at"]), _dt(row["closes_at"])
    assert opened is not None and closes is not None
    return RoundInfo(int(row["id"]), int(row["network_id"]), str(row["period"]), opened, closes,
                     row["status"] == "open")


_ROUND = "SELECT id, network_id, period, opened_at, closes_at, status FROM rounds"


def latest_round(db: Database, network_id: int) -> RoundInfo | None:
    """The network's newest round."""
    row = first(db, f"{_ROUND} WHERE network_id = ? ORDER BY period DESC LIMIT 1", [network_id])
    return None if row is None else _round(row)


def get_round(db: Database, round_id: int) -> RoundInfo | None:
    """A round by id."""
    row = first(db, f"{_ROUND} WHERE id = ?", [round_id])
    return None if row is None else _round(row)


def snapshot(db: Database, now: datetime, consent_version: int) -> list[NetworkView]:
    """Everything the planner looks at, for every network (`consent_version`: the consent text in use; a partner
    whose consent does not cover it under their network's privacy now is `consent_pending`)."""
    stamp = now.isoformat()
    partners: dict[int, list[PartnerView]] = {}
    # Every partner and every participant, every tick: values picked by column name, no dict or object per row.
    found = picked(
        db,
        f"""SELECT m.network_id, m.id, m.joined_at, m.unreachable_at IS NOT NULL AS unreachable,
                  EXISTS (SELECT 1 FROM pauses p WHERE p.membership_id = m.id AND p.starts_at <= ? AND p.ends_at > ?)
                    AS paused,
                  {pending_sql()} AS consent_pending
           FROM memberships m JOIN networks n ON n.id = m.network_id
           WHERE m.role = 'partner' AND m.left_at IS NULL ORDER BY m.id""",
        [stamp, stamp, consent_version], ("network_id", "id", "joined_at", "unreachable", "paused", "consent_pending"))
    for network_id, membership_id, joined_at, unreachable, paused, consent_pending in found:
        joined = _dt(joined_at)
        assert joined is not None
        partners.setdefault(network_id, []).append(
            PartnerView(membership_id, joined, bool(paused), bool(unreachable), bool(consent_pending)))
    latest: dict[int, RoundView] = {}
    for row in rows(db, f"{_ROUND} r WHERE period = (SELECT MAX(period) FROM rounds WHERE network_id = r.network_id)"):
        info = _round(row)
        latest[info.network_id] = RoundView(info.id, info.period, info.opened_at, info.closes_at, info.open)
    open_ids = [r.id for r in latest.values() if r.open]
    people: dict[int, list[ParticipantView]] = {}
    if open_ids:
        marks = ", ".join("?" for _ in open_ids)
        taking = picked(
            db, f"SELECT round_id, membership_id, status, prompted_at, reminders_sent, snoozed_until FROM participants"
            f" WHERE round_id IN ({marks}) ORDER BY id", open_ids,
            ("round_id", "membership_id", "status", "prompted_at", "reminders_sent", "snoozed_until"))
        for round_id, membership_id, status, prompted_at, reminders_sent, snoozed_until in taking:
            people.setdefault(round_id, []).append(
                ParticipantView(membership_id, status, _dt(prompted_at), reminders_sent, _dt(snoozed_until)))
    views = []
    for network in rows(db, "SELECT id, created_at FROM networks ORDER BY id"):
        network_id, created = network["id"], _dt(network["created_at"])
        assert created is not None
        current = latest.get(network_id)
        if current is not None and current.open:
            current = replace(current, participants=tuple(people.get(current.id, ())))
        views.append(NetworkView(network_id, created, schedule_of(db, network_id),
                                 tuple(partners.get(network_id, ())), current))
    return views


def open_round(db: Database, network_id: int, period: str, due_at: datetime, closes_at: datetime,
               members: Iterable[int], now: datetime) -> int | None:
    """Open a round with its participants and the network's privacy of now (a later switch to named applies from
    the next round); None if that period's round already exists."""
    stamp = now.isoformat()
    with db.atomic():
        cursor = db.execute(
            "INSERT OR IGNORE INTO rounds (network_id, period, due_at, opened_at, closes_at, status, privacy)"
            " SELECT ?, ?, ?, ?, ?, 'open', privacy FROM networks WHERE id = ?",
            [network_id, period, due_at.isoformat(), stamp, closes_at.isoformat(), network_id])
        if cursor.rowcount != 1:
            return None
        round_id = int(cursor.lastrowid or 0)
        # A check-in of an earlier round left unfinished ends now: the new round's check-in takes its place.
        db.execute("UPDATE checkins SET status = 'done', expired_at = ?, editing_step = NULL WHERE network_id = ?"
                   " AND status = 'open' AND round_id IN (SELECT id FROM rounds WHERE network_id = ? AND"
                   " status = 'closed')", [stamp, network_id, network_id])
        for member in members:
            db.execute("INSERT INTO participants (round_id, membership_id, status) VALUES (?, ?, 'pending')",
                       [round_id, member])
    return round_id


def add_participant(db: Database, round_id: int, membership_id: int, now: datetime) -> None:
    """A partner who joined during the round takes part; their welcome was their prompt."""
    with db.atomic():
        db.execute("INSERT OR IGNORE INTO participants (round_id, membership_id, status, prompted_at)"
                   " VALUES (?, ?, 'pending', ?)", [round_id, membership_id, now.isoformat()])


def record_prompt(db: Database, round_id: int, membership_id: int, reminders_sent: int, message: Outgoing,
                  now: datetime) -> bool:
    """Mark the participant prompted and queue the prompt, in one transaction; False if nothing was due."""
    with db.atomic():
        cursor = db.execute(
            "UPDATE participants SET prompted_at = COALESCE(prompted_at, ?), snoozed_until = NULL,"
            " reminders_sent = MAX(reminders_sent, ?) WHERE round_id = ? AND membership_id = ? AND status = 'pending'",
            [now.isoformat(), reminders_sent, round_id, membership_id])
        if cursor.rowcount != 1:
            return False
        drop_queued(db, round_id, membership_id, "replaced")
        enqueue(db, [message], now)
    return True


def record_reminder(db: Database, round_id: int, membership_id: int, nth: int, message: Outgoing,
                    now: datetime) -> bool:
    """Count the reminder and queue it, in one transaction; False if it was already sent."""
    with db.atomic():
        cursor = db.execute(
            "UPDATE participants SET reminders_sent = ? WHERE round_id = ? AND membership_id = ?"
            " AND status = 'pending' AND reminders_sent < ?", [nth, round_id, membership_id, nth])
        if cursor.rowcount != 1:
            return False
        drop_queued(db, round_id, membership_id, "replaced")  # one catch-up, never a reminder and its successor
        enqueue(db, [message], now)
    return True


def close_round(db: Database, round_id: int, excused: Iterable[int], now: datetime) -> bool:
    """Close a round: unfinished participants are missed (or excused); unsent prompts are dropped."""
    with db.atomic():
        cursor = db.execute("UPDATE rounds SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open'",
                            [now.isoformat(), round_id])
        if cursor.rowcount != 1:
            return False
        for member in excused:
            db.execute("UPDATE participants SET status = 'excused' WHERE round_id = ? AND membership_id = ?"
                       " AND status = 'pending'", [round_id, member])
        db.execute("UPDATE participants SET status = 'missed' WHERE round_id = ? AND status = 'pending'", [round_id])
        drop_round_messages(db, round_id)
    return True


def participation(db: Database, round_id: int, membership_id: int) -> Participation | None:
    """The member's place in a round."""
    row = first(db, "SELECT status, prompted_at FROM participants WHERE round_id = ? AND membership_id = ?",
                [round_id, membership_id])
    info = get_round(db, round_id)
    return None if row is None or info is None else Participation(info, membership_id, row["status"],
                                                                  _dt(row["prompted_at"]))


def current_participation(db: Database, membership_id: int) -> Participation | None:
    """The member's place in their network's newest round they take part in."""
    round_id = scalar(
        db, "SELECT p.round_id FROM participants p JOIN rounds r ON r.id = p.round_id WHERE p.membership_id = ?"
        " ORDER BY r.period DESC LIMIT 1", [membership_id])
    return None if round_id is None else participation(db, round_id, membership_id)


def snooze(db: Database, round_id: int, membership_id: int, until: datetime) -> bool:
    """Ask the participant again at `until`; False if they are no longer pending."""
    with db.atomic():
        cursor = db.execute("UPDATE participants SET snoozed_until = ? WHERE round_id = ? AND membership_id = ?"
                            " AND status = 'pending'", [until.isoformat(), round_id, membership_id])
        drop_queued(db, round_id, membership_id, "later")
    return cursor.rowcount == 1


def sit_out(db: Database, round_id: int, membership_id: int) -> bool:
    """The participant sits this open round out ("Skip this time"): excused, so no more prompts or reminders in it and
    no missed check-in; False if they were not pending in an open round (nothing changes then)."""
    with db.atomic():
        cursor = db.execute(
            "UPDATE participants SET status = 'excused', snoozed_until = NULL WHERE round_id = ? AND membership_id = ?"
            " AND status = 'pending' AND EXISTS (SELECT 1 FROM rounds r WHERE r.id = ? AND r.status = 'open')",
            [round_id, membership_id, round_id])
        if cursor.rowcount != 1:
            return False
        drop_queued(db, round_id, membership_id, "sat out")
    return True


def answer_counts(db: Database, round_id: int, now: datetime) -> tuple[int, int]:
    """(participants who have answered, participants expected to answer: not excused, not paused now) of a round."""
    stamp = now.isoformat()
    row = first(
        db, "SELECT SUM(status IN ('done', 'late')) AS answered, SUM(status != 'excused' AND NOT EXISTS (SELECT 1"
        " FROM pauses x WHERE x.membership_id = p.membership_id AND x.starts_at <= ? AND x.ends_at > ?)) AS expected"
        " FROM participants p WHERE round_id = ?", [stamp, stamp, round_id])
    assert row is not None  # an aggregate has its one row
    return int(row["answered"] or 0), int(row["expected"] or 0)


def mark_finished(db: Database, round_id: int, membership_id: int, now: datetime) -> None:
    """The participant finished the round's check-in: done while the round is open (also after sitting it out), late
    after it closed (call in a transaction)."""
    db.execute(
        "UPDATE participants SET status = CASE WHEN status IN ('pending', 'excused') AND EXISTS (SELECT 1 FROM rounds r"
        " WHERE r.id = participants.round_id AND r.status = 'open') THEN 'done' ELSE 'late' END, finished_at = ?"
        " WHERE round_id = ? AND membership_id = ? AND status IN ('pending', 'missed', 'excused')",
        [now.isoformat(), round_id, membership_id])
    drop_queued(db, round_id, membership_id, "answered")


def set_pause(db: Database, membership_id: int, starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    """Pause a partner from `starts_at` to `ends_at`, replacing any current or future pause."""
    with db.atomic():
        db.execute("UPDATE pauses SET ends_at = ? WHERE membership_id = ? AND ends_at > ?",
                   [starts_at.isoformat(), membership_id, starts_at.isoformat()])
        drop_queued(db, None, membership_id, "paused")
        db.execute("INSERT INTO pauses (membership_id, starts_at, ends_at, created_at) VALUES (?, ?, ?, ?)",
                   [membership_id, starts_at.isoformat(), ends_at.isoformat(), now.isoformat()])


def end_pause(db: Database, membership_id: int, now: datetime) -> bool:
    """End the partner's current pause now; False if they were not paused."""
    with db.atomic():
        cursor = db.execute("UPDATE pauses SET ends_at = ? WHERE membership_id = ? AND starts_at <= ? AND ends_at > ?",
                            [now.isoformat(), membership_id, now.isoformat(), now.isoformat()])
    return cursor.rowcount > 0


def paused_until(db: Database, membership_id: int, now: datetime) -> datetime | None:
    """When the partner's current pause ends, or None if they are not paused."""
    return _dt(scalar(db, "SELECT MAX(ends_at) FROM pauses WHERE membership_id = ? AND starts_at <= ? AND ends_at > ?",
                      [membership_id, now.isoformat(), now.isoformat()]))
