"""What partners tell the coordination reaches it: the news that a partner joined (with its onboarding answers) or
left (with its exit answers), queued with the change that caused it; in an anonymous network the answers only when
the partner gives them by name; and a partner's permission to quote one free text of an anonymous round by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlite_utils import Database

from bot.core.partner_news import Departure, ExitState, Telling, Who, joined_text, left_text
from bot.core.script.model import Script
from bot.i18n import Gettext
from bot.services import EXIT_SCRIPT, MONTHLY_SCRIPT, ONBOARDING_SCRIPT
from bot.usecases.answers import editable
from bot.usecases.scripts import ScriptRegistry
from storage.checkins import Checkin, answers_of
from storage.handovers import NOT_RESPONSIBLE
from storage.outbox import Outgoing, enqueue
from storage.partner_news import (
    TextAnswer,
    abandoned_exits,
    allow_quote_named,
    expire_checkin,
    left_reason,
    round_privacy,
    shareable_checkin,
    text_answers,
)
from storage.people import Membership, coordinators_of, former_membership
from storage.reports import network_privacy

Translator = Callable[[str], Gettext]  # a locale's gettext (Services.tr, Catalogs.gettext)
EXIT_GRACE = timedelta(days=1)  # an exit check-in not answered on for this long counts as left unfinished
NEWS = "partner_news"  # the outbox kind


@dataclass(frozen=True)
class Closing:
    """What the closing message of a finished check-in offers its partner: to give its onboarding or exit answers
    by name (`share`: the check-in's id), to let free texts of an anonymous round be quoted by name, or to change
    the answers of a round still open (`change`: the check-in's id)."""

    share: int | None = None
    quotes: tuple[TextAnswer, ...] = ()
    change: int | None = None


def who_of(member: Membership) -> Who:
    """The partner as the news names it."""
    return Who(member.organisation_name or "?", member.first_name, member.network_name)


def _to_coordinators(db: Database, tr: Translator, network_id: int, key: str,
                     text: Callable[[str, Gettext], str]) -> list[Outgoing]:
    """One message to each of the network's coordinators, in their own language, once each (`key`)."""
    return [Outgoing(f"{key}:{coordinator.id}", NEWS, coordinator.user_id,
                     text(coordinator.locale, tr(coordinator.locale)), network_id=network_id)
            for coordinator in coordinators_of(db, network_id)]


def _telling(db: Database, network_id: int) -> Telling:
    return "named" if network_privacy(db, network_id) == "named" else "anonymous"


def on_finished(db: Database, tr: Translator, script: Script, checkin: Checkin, member: Membership,
                now: datetime) -> Closing | None:
    """A check-in was just finished (call inside that transaction): the onboarding's and the exit's answers go to the
    coordinators (in an anonymous network only the news, and the partner may give them by name); a monthly
    check-in of an anonymous round offers to quote its free texts by name. What the closing message offers."""
    if checkin.script_id == ONBOARDING_SCRIPT:
        telling = _telling(db, checkin.network_id)
        answers = [(answer.step_id, answer.value) for answer in answers_of(db, checkin.id)]
        enqueue(db, _to_coordinators(db, tr, checkin.network_id, f"joined:{checkin.id}", lambda lang, _: joined_text(
            who_of(member), script, answers, telling, lang, _)), now)
        return Closing(share=checkin.id) if telling == "anonymous" else None
    if checkin.script_id == EXIT_SCRIPT:
        telling = _telling(db, checkin.network_id)
        enqueue(db, left_news(db, tr, script, checkin, member, "finished"), now)
        return Closing(share=checkin.id) if telling == "anonymous" else None
    if checkin.script_id == MONTHLY_SCRIPT and checkin.round_id is not None:
        anonymous = round_privacy(db, checkin.round_id) == "anonymous"
        texts = tuple(text_answers(db, checkin.id)) if anonymous else ()
        change = checkin.id if editable(db, checkin) else None  # /answers changes them until the close
        return Closing(quotes=texts, change=change) if texts or change else None
    return None


def left_news(db: Database, tr: Translator, script: Script | None, checkin: Checkin | None, member: Membership,
              exit_state: ExitState) -> list[Outgoing]:
    """The news that a partner's contact person left, once per membership whichever way it comes (exit check-in
    finished, left unfinished, or none to answer)."""
    telling = _telling(db, member.network_id)
    reason = left_reason(db, member.id)
    departure: Departure = ("replaced" if reason == "replaced" else "stepped_down" if reason == NOT_RESPONSIBLE
                            else "left")
    answers = [(answer.step_id, answer.value) for answer in answers_of(db, checkin.id)] if checkin else []
    return _to_coordinators(db, tr, member.network_id, f"left:{member.id}", lambda lang, _: left_text(
        who_of(member), script, answers, exit_state, telling, departure, lang, _))


def queue_abandoned_exits(db: Database, scripts: ScriptRegistry, tr: Translator, now: datetime) -> int:
    """Exit check-ins nobody answered on for EXIT_GRACE end, and the coordinators hear that the partner left without
    finishing them (with what was answered, where they may know whose it is); returns how many."""
    ended = 0
    for checkin in abandoned_exits(db, EXIT_SCRIPT, now - EXIT_GRACE):
        member = former_membership(db, checkin.membership_id)
        if member is None:
            continue
        with db.atomic():
            if not expire_checkin(db, checkin.id, now):
                continue
            script = scripts.version(checkin.script_id, checkin.script_version)
            enqueue(db, left_news(db, tr, script, checkin, member, "unfinished"), now)
        ended += 1
    return ended


Shared = Literal["shared", "already", "refused"]


def share_by_name(db: Database, scripts: ScriptRegistry, tr: Translator, checkin_id: int, user_id: int,
                  now: datetime) -> Shared:
    """The partner gives its onboarding or exit answers to the coordinators by name (once): "shared", "already"
    (given before), or "refused" (not this person's finished onboarding or exit check-in)."""
    with db.atomic():
        checkin = shareable_checkin(db, checkin_id, user_id, (ONBOARDING_SCRIPT, EXIT_SCRIPT))
        member = None if checkin is None else former_membership(db, checkin.membership_id)
        if checkin is None or member is None:
            return "refused"
        script = scripts.version(checkin.script_id, checkin.script_version)
        answers = [(answer.step_id, answer.value) for answer in answers_of(db, checkin.id)]
        if checkin.script_id == ONBOARDING_SCRIPT:
            def text(lang: str, _: Gettext) -> str:
                return joined_text(who_of(member), script, answers, "shared", lang, _)
        else:
            def text(lang: str, _: Gettext) -> str:
                return left_text(who_of(member), script, answers, "finished", "shared", "left", lang, _)
        messages = _to_coordinators(db, tr, checkin.network_id, f"shared:{checkin.id}", text)
        return "shared" if enqueue(db, messages, now) or not messages else "already"


def allow_quote(db: Database, answer_id: int, user_id: int) -> TextAnswer | None:
    """The partner lets one free-text answer be quoted with its organisation's name; the answer, or None if the
    button is stale or not this person's (someone else's answer, revised since, erased)."""
    return allow_quote_named(db, answer_id, user_id)
