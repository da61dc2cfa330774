"""A contact change the bot carries through: a partner's contact person says "I'm no longer responsible", names who
takes over (or does not know), answers the exit check-in; the coordinators hear of it at once with a button that
invites the successor, and the successor, once joined, gets a welcome pack before the onboarding check-in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from bot.core.digest.build import partner_feedback
from bot.core.history import BASELINE_ROUND, History
from bot.core.partner_news import stepped_down_text
from bot.core.render import describe_value
from bot.core.script.model import Step
from bot.core.user_text import one_line
from bot.core.welcome_pack import Offers, WelcomeFacts, count_offers, step_line, welcome_pack
from bot.i18n import Catalogs, Gettext, month_name
from bot.services import COACHING_SCRIPT, EXIT_SCRIPT
from bot.usecases.checkin import onboarding_script, script_in_use
from bot.usecases.partner_news import NEWS, Translator, who_of
from bot.usecases.report import round_signals
from bot.usecases.scripts import ScriptRegistry
from storage.coaching import actions_of
from storage.goals import network_goal
from storage.handovers import (
    Handover,
    awaiting_successor,
    get_handover,
    handover_note,
    mark_told,
    name_successor,
    open_handover,
    round_member,
    set_invite,
    step_down,
    take_over,
    unanswered_before,
)
from storage.history import load_history
from storage.outbox import Outgoing, enqueue
from storage.people import Invite, Membership, coordinators_of, create_invite, find_invite, former_membership
from storage.reports import network_thresholds

__all__ = ["Handover", "Invite", "get_handover", "round_member", "step_down"]

MAX_SUCCESSOR = 200  # characters of the typed line "who takes over"
SUCCESSOR_GRACE = timedelta(days=1)  # a question "who takes over?" left this long: the coordinators hear without
SUCCESSOR_WAIT = timedelta(days=7)  # how long the person's typed lines answer that question
CONTRIBUTION = "contribution"  # the onboarding's "what can your organisation contribute" (choice, several)
HANDOVER_NOTE = "handover_notes"  # the exit check-in's "what should your successor know" (text)
DUE_STEP = "by_when"  # the coaching dialog's "by when" step (due's labels)
RECENT_ROUNDS = 3  # the coordination's steps of this many last closed rounds go into the welcome pack


def waiting(db: Database, user_id: int, now: datetime) -> Handover | None:
    """The hand-over whose question "who takes over?" this person's next typed line answers (asked within
    SUCCESSOR_WAIT), or None."""
    return awaiting_successor(db, user_id, now - SUCCESSOR_WAIT)


def former(db: Database, handover: Handover) -> Membership | None:
    """The ended membership of the contact person who stepped down."""
    return former_membership(db, handover.membership_id)


def successor_text(typed: str) -> str | None:
    """The typed line "who takes over" as kept (one line), or None if it is empty or too long."""
    text = one_line(typed)
    return text if text and len(text) <= MAX_SUCCESSOR else None


def name(db: Database, tr: Translator, handover: Handover, successor: str | None, now: datetime,
         invite_button: str) -> bool:
    """Keep whom the contact person named (None: they do not know) and tell the coordinators at once, with the button
    (`invite_button`: its callback data) that invites the successor (after the coordinators were told without an
    answer: only a name is news); False if the question was answered already."""
    member = former(db, handover)
    if member is None:
        return False
    with db.atomic():
        if not name_successor(db, handover.id, successor, now):
            return False
        if handover.told_at is None:
            enqueue(db, _news(db, tr, handover, member, successor, True, invite_button, "stepped-down"), now)
        elif successor is not None:
            enqueue(db, _news(db, tr, handover, member, successor, True, invite_button, "successor"), now)
    return True


def _news(db: Database, tr: Translator, handover: Handover, member: Membership, successor: str | None,
          answered: bool, invite_button: str, key: str) -> list[Outgoing]:
    """One message to each coordinator of the network, in their language, with the invite button (once each)."""
    messages = []
    for coordinator in coordinators_of(db, handover.network_id):
        _ = tr(coordinator.locale)
        button = {"text": _("Invite the successor"), "callback_data": invite_button}
        messages.append(Outgoing(f"{key}:{handover.id}:{coordinator.id}", NEWS, coordinator.user_id,
                                 stepped_down_text(who_of(member), successor, answered, _),
                                 {"inline_keyboard": [[button]]}, handover.network_id))
    return messages


def queue_unanswered(db: Database, tr: Translator, now: datetime, invite_button: Callable[[int], str]) -> int:
    """Questions "who takes over?" left unanswered for SUCCESSOR_GRACE: the coordinators hear that nobody was named
    (with the invite button); how many."""
    told = 0
    for handover in unanswered_before(db, now - SUCCESSOR_GRACE):
        member = former(db, handover)
        if member is None:
            continue
        with db.atomic():
            if mark_told(db, handover.id, now):
                enqueue(db, _news(db, tr, handover, member, None, False, invite_button(handover.id),
                                  "stepped-down"), now)
                told += 1
    return told


@dataclass(frozen=True)
class SuccessorInvite:
    """The invite made for a successor, the organisation it is for, and whom the contact person named (as typed)."""

    invite: Invite
    organisation: str
    successor: str | None = None


def invite_successor(db: Database, coordinator: Membership, handover_id: int, now: datetime,
                     ttl_days: int) -> SuccessorInvite | str:
    """A one-time invite for the organisation's new contact person (the /invite of a partner organisation), made
    from the news of a contact person who stepped down; else why not: "unknown" (another network's, or no such
    hand-over), "removed" (the organisation left the network), "taken" (someone has taken over already)."""
    handover = get_handover(db, handover_id)
    if handover is None or handover.network_id != coordinator.network_id:
        return "unknown"
    row = db.execute("SELECT name, removed_at FROM organisations WHERE id = ?", [handover.organisation_id]).fetchone()
    if row is None or row[1] is not None:
        return "removed"
    if handover.successor_membership_id is not None or db.execute(
            "SELECT 1 FROM memberships WHERE organisation_id = ? AND left_at IS NULL",
            [handover.organisation_id]).fetchone():
        return "taken"
    earlier = find_invite(db, handover.invite_token) if handover.invite_token else None
    if earlier is not None and earlier.used_at is None and earlier.revoked_at is None \
            and datetime.fromisoformat(earlier.expires_at) > now:
        return SuccessorInvite(earlier, str(row[0]), handover.successor)  # a second tap: the same link, no other
    invite = create_invite(db, coordinator.network_id, "partner", handover.organisation_id, now, ttl_days)
    set_invite(db, handover.id, invite.token)
    return SuccessorInvite(invite, str(row[0]), handover.successor)


def welcome(db: Database, scripts: ScriptRegistry, catalogs: Catalogs, member: Membership,
            now: datetime) -> list[str]:
    """A partner just joined: if they take over from a contact person who stepped down, their welcome pack (one or
    two messages, in their language), given once; else nothing."""
    if member.role != "partner" or member.organisation_id is None:
        return []
    handover = open_handover(db, member.organisation_id)
    if handover is None or handover.membership_id == member.id:
        return []
    predecessor = former(db, handover)
    if predecessor is None or not take_over(db, handover.id, member.id, now) or predecessor.user_id == member.user_id:
        return []  # (someone who stepped down and came back knows what they handed over)
    facts = welcome_facts(db, scripts, catalogs, member, predecessor)
    return welcome_pack(facts, catalogs.gettext(member.locale))


def welcome_facts(db: Database, scripts: ScriptRegistry, catalogs: Catalogs, member: Membership,
                  predecessor: Membership) -> WelcomeFacts:
    """What the successor's welcome pack tells, in their language, as a partner may see it."""
    lang, _ = member.locale, catalogs.gettext(member.locale)
    history = load_history(db, member.network_id, scripts.version, network_thresholds(db, member.network_id))
    others = {p.organisation_id: p.name for p in history.partners if p.active and p.organisation_id !=
              member.organisation_id}
    names = {p.organisation_id: p.name for p in history.partners}
    closed = [facts for facts in history.rounds if facts.closed]
    result = None
    if closed:
        newest = closed[-1]
        result = partner_feedback(history, newest.id, round_signals(history, newest.id), lang, _,
                                  catalogs.ngettext(lang), month=month_name(newest.period, lang))
    return WelcomeFacts(member.network_name, member.organisation_name or "?", predecessor.first_name,
                        goal=network_goal(db, member.network_id).text,
                        handed_over=handover_note(db, predecessor.id, EXIT_SCRIPT, HANDOVER_NOTE),
                        partners=tuple(others.values()), offers=_offers(scripts, history, others, member),
                        steps=_steps(db, scripts, history, names, member, _), result=result)


def _offers(scripts: ScriptRegistry, history: History, others: dict[int, str], member: Membership) -> Offers:
    """What the other (active) partners said they contribute when they joined, counted."""
    script = onboarding_script(scripts, member.network_id)
    step = next((s for s in script.steps if s.id == CONTRIBUTION), None) if script is not None else None
    if step is None:
        return Offers()
    answers = [answer.value for answer in history.by_round.get(BASELINE_ROUND, ())
               if answer.step_id == CONTRIBUTION and answer.organisation_id in others]
    return count_offers(step, answers, member.locale, _label)


def _label(step: Step, option: str, lang: str) -> str:
    return next((option_.text.get(lang) or option_.text["de"] for option_ in step.options if option_.id == option),
                option)


def _steps(db: Database, scripts: ScriptRegistry, history: History, names: dict[int, str], member: Membership,
           _: Gettext) -> tuple[str, ...]:
    """The coordination's steps after the last closed rounds, newest first, without any partner's name."""
    closed = {facts.id: facts.period for facts in history.rounds if facts.closed}
    recent = set(list(closed)[-RECENT_ROUNDS:])
    coaching = script_in_use(scripts, COACHING_SCRIPT, member.network_id)
    due_step = next((s for s in coaching.steps if s.id == DUE_STEP), None) if coaching is not None else None
    lines = []
    for action in actions_of(db, member.network_id):
        if action.round_id not in recent or not action.what.strip():
            continue
        due = describe_value(due_step, action.due, member.locale, _) if due_step is not None and action.due else None
        lines.append(step_line(action.what, month_name(closed[action.round_id], member.locale), due, names, _))
    return tuple(lines)
