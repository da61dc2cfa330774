"""A partner's check-ins (monthly, onboarding, exit): begin or resume one, load it for an answer, and store each
step once. Plain values in, plain data out; bot.telegram translates."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from bot.core import engine
from bot.core.context import CheckinContext
from bot.core.engine import Accepted, DialogState, Pending
from bot.core.render import pick
from bot.core.script.model import Script
from bot.i18n import Gettext, local_deadline, month_name
from bot.services import EXIT_SCRIPT, MONTHLY_SCRIPT, ONBOARDING_SCRIPT
from bot.usecases.dialog import Begun, Dialog, Refused
from bot.usecases.partner_news import Closing, Translator, on_finished
from bot.usecases.scripts import ScriptRegistry
from storage.access import exit_checkin_member
from storage.checkins import (
    Checkin,
    StepRecord,
    attach_round,
    ever_started,
    get_checkin,
    latest_checkin,
    open_checkin,
    record_step,
    set_editing,
    set_prompt,
    start_checkin,
)
from storage.context import checkin_context
from storage.people import Membership, active_membership, former_membership, membership_by_id
from storage.rounds import Participation, current_participation, schedule_of


class CheckinDialog:
    """A check-in behind the runner: its state in `checkins`, each answer stored with the new state at once; the
    last one with the news for the coordinators (`tr`: their languages) and what the closing message offers."""

    def __init__(self, db: Database, scripts: ScriptRegistry, tr: Translator, now: datetime, member: Membership,
                 checkin: Checkin, context: CheckinContext | None = None) -> None:
        self.checkin, self.member = checkin, member
        self._db, self._tr, self._now = db, tr, now
        self.closing: Closing | None = None  # set once the check-in is finished here
        context = context or checkin_context(db, checkin.membership_id, checkin.round_id, now)
        self._dialog = Dialog(scripts.version(checkin.script_id, checkin.script_version),
                              DialogState.from_json(checkin.state), context, member.locale, checkin.prompt_message_id)

    @property
    def dialog(self) -> Dialog:
        """The check-in as loaded."""
        return self._dialog

    def save(self, outcome: Accepted | Pending) -> bool:
        """The answer (if any) and the new state in one transaction, if the state is still the one loaded; the last
        answer's transaction queues what the coordinators are told of it."""
        script, state = self._dialog.script, outcome.state
        if isinstance(outcome, Pending):
            step = script.step(state.current or "")
            record = StepRecord(step.id, step.kind, step.factor, False, None, state.to_json(), False)
        else:
            step = script.step(outcome.step_id)
            record = StepRecord(step.id, step.kind, step.factor, outcome.is_answer, outcome.value, state.to_json(),
                                state.finished, risk=step.risk)
        with self._db.atomic():
            if not record_step(self._db, self.checkin, record, self._now):
                return False
            if record.finished:
                self.closing = on_finished(self._db, self._tr, script, self.checkin, self.member, self._now)
        return True

    def remember_prompt(self, message_id: int | None) -> None:
        """The message showing the current step (a typed answer removes its "Skip")."""
        set_prompt(self._db, self.checkin.id, message_id)

    def after(self, outcome: Accepted, _: Gettext) -> tuple[str, ...]:
        """The outro once the check-in is done, and what its buttons offer (in an anonymous network or round)."""
        if not outcome.state.finished:
            return ()
        outro = pick(self._dialog.script.outro, self.member.locale)
        if self.closing is not None and self.closing.share is not None:
            outro += "\n\n" + _("In this network the coordination gets your answers only without your name. If you "
                                 "like, give them to the coordination by name with the button below.")
        elif self.closing is not None and self.closing.quotes:
            outro += "\n\n" + _("In this round the coordination sees your written answers only without your name. "
                                 "If one of them may be quoted with your organisation's name, tap it below.")
        return (outro,)


def checkin_member(db: Database, user_id: int, checkin_id: int | None = None) -> Membership | None:
    """The membership a check-in answer is for: the one whose check-in `checkin_id` is (if it is this person's and
    still active, or ended with its exit check-in open), else the person's chosen membership, else the one that left
    and is answering the exit check-in."""
    if checkin_id is not None and (checkin := get_checkin(db, checkin_id)) is not None:
        owner = former_membership(db, checkin.membership_id)
        if owner is not None and owner.user_id == user_id and (
                membership_by_id(db, owner.id) is not None or (checkin.status == "open"
                                                               and checkin.script_id == EXIT_SCRIPT)):
            return owner
    return active_membership(db, user_id) or exit_checkin_member(db, user_id, EXIT_SCRIPT)


def begin_or_resume(db: Database, scripts: ScriptRegistry, tr: Translator, now: datetime, member: Membership,
                    _: Gettext, prompted: bool = False) -> Begun[CheckinDialog]:
    """Continue the open check-in, or start the one of the partner's current round (late if it has closed);
    `prompted`: the partner tapped "Start now" under the round's prompt, which said how long it takes: one short
    line instead of the script's intro."""
    latest = latest_checkin(db, member.id)
    if latest is not None and latest.editing_step is not None:
        set_editing(db, latest.id, None)  # a change begun under /answers and left: typed text is an answer again
    checkin = open_checkin(db, member.id)
    if checkin is not None:
        if checkin.round_id is None and checkin.script_id == MONTHLY_SCRIPT:  # started before the round opened
            place = current_participation(db, member.id)
            if place is not None and place.round.open and place.status == "pending":
                attach_round(db, checkin.id, place.round.id)
                checkin = get_checkin(db, checkin.id) or checkin
        return Begun((_("Welcome back! Let's continue where you stopped."),),
                     CheckinDialog(db, scripts, tr, now, member, checkin))
    place = current_participation(db, member.id)
    if place is not None and place.status in ("done", "late"):
        return Begun((already_answered_text(db, member, place, _),))
    script = scripts.current(MONTHLY_SCRIPT, member.network_id)
    begun = _start(db, scripts, tr, now, member, script, place.round.id if place is not None else None)
    if begun is not None and prompted and begun.texts:
        begun = Begun((_("You can stop at any time; /checkin continues where you stopped."),), begun.dialog)
    if begun is None:  # nothing is shown this time (a partners step alone, and no other partners yet)
        return Begun((_("There is nothing to ask you this time. Thank you!"),))
    return begun


def _start(db: Database, scripts: ScriptRegistry, tr: Translator, now: datetime, member: Membership, script: Script,
           round_id: int | None) -> Begun[CheckinDialog] | None:
    """Open a check-in of `script` at its first step shown; None if it shows none."""
    context = checkin_context(db, member.id, round_id, now)
    state = engine.start(script, context)
    if state.finished:
        return None
    checkin = start_checkin(db, member, script.id, script.version, state.to_json(), now, round_id)
    intro = (pick(script.intro, member.locale),) if script.intro else ()
    return Begun(intro, CheckinDialog(db, scripts, tr, now, member, checkin, context))


def script_in_use(scripts: ScriptRegistry, script_id: str, network_id: int) -> Script | None:
    """The version of a script in use in the network, or None when dialogs/ has none."""
    try:
        return scripts.current(script_id, network_id)
    except KeyError:
        return None


def onboarding_script(scripts: ScriptRegistry, network_id: int) -> Script | None:
    """The onboarding check-in in use in the network, or None when dialogs/ has none."""
    return script_in_use(scripts, ONBOARDING_SCRIPT, network_id)


def begin_onboarding(db: Database, scripts: ScriptRegistry, tr: Translator, now: datetime,
                     member: Membership) -> Begun[CheckinDialog] | None:
    """Start the short onboarding check-in of a partner who just joined; None if there is none to start."""
    script = onboarding_script(scripts, member.network_id)
    if script is None or open_checkin(db, member.id) is not None or ever_started(db, member.id, script.id):
        return None  # once only: a replayed language button does not start it again
    return _start(db, scripts, tr, now, member, script, None)


def begin_exit(db: Database, scripts: ScriptRegistry, tr: Translator, now: datetime,
               member: Membership) -> Begun[CheckinDialog] | None:
    """Start the exit check-in of a partner who left (or was replaced); None if there is none."""
    script = script_in_use(scripts, EXIT_SCRIPT, member.network_id)
    return None if script is None else _start(db, scripts, tr, now, member, script, None)


def monthly_due_after(db: Database, member: Membership, script_id: str) -> bool:
    """Whether this round's check-in is due now that a check-in of `script_id` (onboarding, exit) has ended."""
    place = current_participation(db, member.id) if script_id != MONTHLY_SCRIPT else None
    return place is not None and place.round.open and place.status == "pending"


def already_answered_text(db: Database, member: Membership, place: Participation, _: Gettext) -> str:
    """What a partner reads who has already answered their current round."""
    schedule = schedule_of(db, member.network_id)
    month = month_name(place.round.period, member.locale)
    if place.round.open:
        return _("You have already answered the check-in for {month}, thank you! /answers shows your answers; you "
                 "can change them until {date}.").format(
            month=month, date=local_deadline(schedule, place.round.closes_at, member.locale))
    return _("You have already answered the check-in for {month}, thank you! The next check-in comes at the "
             "start of next month.").format(month=month)


def tapped(db: Database, scripts: ScriptRegistry, tr: Translator, now: datetime, member: Membership | None,
           checkin_id: int | None, _: Gettext) -> CheckinDialog | Refused:
    """The check-in behind an answer button, if it is this partner's and open."""
    checkin = get_checkin(db, checkin_id) if checkin_id is not None else None
    if checkin is None:
        return Refused(_("This button is no longer valid."))
    if member is None or checkin.membership_id != member.id:
        return Refused(_("This button is not meant for you."), log=True)
    if checkin.status != "open":
        return Refused(_("This check-in has ended: a newer one has started. /checkin continues it.")
                       if checkin.expired_at else _("This check-in is already finished. Thank you!"), drop=True)
    return CheckinDialog(db, scripts, tr, now, member, checkin)
