"""The partner's check-in: /checkin, answer buttons and typed answers; the engine decides, we translate."""

from __future__ import annotations

from contextlib import suppress

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.core import engine
from bot.core.context import CheckinContext
from bot.core.engine import Accepted, DialogState, Input, Pending, Press, Rejected, Typed
from bot.core.render import describe_value, pick, render_step
from bot.core.script.model import Script
from bot.i18n import Gettext
from bot.jobs.rounds import local_day, month_name
from bot.services import EXIT_SCRIPT, MONTHLY_SCRIPT, ONBOARDING_SCRIPT, Services
from bot.telegram import callbacks
from bot.telegram.handlers.answers import typed_revision
from bot.telegram.handlers.common import (
    log_refusal,
    member_of,
    refuse_callback,
    rejection,
    say,
    translator,
)
from bot.telegram.quiet_send import edit_quietly, send_quietly
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
from storage.people import Membership
from storage.rounds import Participation, current_participation, schedule_of


def context_of(svc: Services, checkin: Checkin) -> CheckinContext:
    """What this check-in may branch on (round, month, kind, last round, the other partners)."""
    return checkin_context(svc.db, checkin.membership_id, checkin.round_id, svc.clock())


def _keyboard(checkin: Checkin, step_id: str, script: Script, state: DialogState, context: CheckinContext,
              locale: str, _: Gettext) -> tuple[str, InlineKeyboardMarkup | None]:
    view = render_step(script, step_id, locale, _, engine.questions_answered(script, state) + 1, state=state,
                       context=context)
    rows = [[InlineKeyboardButton(b.label, callback_data=callbacks.answer(checkin.id, view.step_id, b.value))
             for b in row] for row in view.buttons]
    return view.text, InlineKeyboardMarkup(rows) if rows else None


async def send_step(update: Update, svc: Services, checkin: Checkin, script: Script, state: DialogState,
                    locale: str, _: Gettext, context: CheckinContext | None = None) -> None:
    """Show the current step of a check-in as a new message and remember that message (`context`: the check-in's,
    if the caller has it already)."""
    chat = update.effective_chat
    if chat is None or state.current is None:
        return
    text, markup = _keyboard(checkin, state.current, script, state, context or context_of(svc, checkin), locale, _)
    set_prompt(svc.db, checkin.id, await send_quietly(chat.get_bot(), chat.id, text, markup))


def checkin_member(update: Update, svc: Services) -> Membership | None:
    """The partner behind the update: an active member, or one who left and is answering the exit check-in."""
    member = member_of(update, svc)
    if member is None and update.effective_user is not None:
        member = exit_checkin_member(svc.db, update.effective_user.id, EXIT_SCRIPT)
    return member


def _partner_or_refusal(member: Membership | None, _: Gettext) -> str | None:
    if member is None:
        return _("You are not registered yet. Please open the invite link from your network coordination.")
    if member.role != "partner":
        return _("The check-in is for partner organisations. As coordinator you will see the results in the "
                 "monthly overview.")
    return None


async def checkin_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/checkin: continue the open check-in where it stopped, or start this round's."""
    svc, _ = translator(update, context)
    member = member_of(update, svc)
    refusal = _partner_or_refusal(member, _)
    if refusal or member is None:
        log_refusal(update, member)
        await say(update, refusal or "")
        return
    await begin_or_resume(update, svc, member, _)


async def begin_or_resume(update: Update, svc: Services, member: Membership, _: Gettext) -> None:
    """Continue the open check-in, or start the one of the partner's current round (late if it has closed)."""
    latest = latest_checkin(svc.db, member.id)
    if latest is not None and latest.editing_step is not None:
        set_editing(svc.db, latest.id, None)  # a change begun under /answers and left: typed text is an answer again
    checkin = open_checkin(svc.db, member.id)
    if checkin is not None:
        script = svc.scripts.version(checkin.script_id, checkin.script_version)
        if checkin.round_id is None and checkin.script_id == MONTHLY_SCRIPT:  # started before the round opened
            place = current_participation(svc.db, member.id)
            if place is not None and place.round.open and place.status == "pending":
                attach_round(svc.db, checkin.id, place.round.id)
                checkin = get_checkin(svc.db, checkin.id) or checkin
        await say(update, _("Welcome back! Let's continue where you stopped."))
    else:
        place = current_participation(svc.db, member.id)
        if place is not None and place.status in ("done", "late"):
            await say(update, already_answered_text(svc, member, place, _))
            return
        script = svc.scripts.current(MONTHLY_SCRIPT, member.network_id)
        round_id = place.round.id if place is not None else None
        state = engine.start(script, checkin_context(svc.db, member.id, round_id, svc.clock()))
        if state.finished:  # nothing is shown this time (a partners step alone, and no other partners yet)
            await say(update, _("There is nothing to ask you this time. Thank you!"))
            return
        checkin = start_checkin(svc.db, member, script.id, script.version, state.to_json(), svc.clock(), round_id)
        if script.intro:
            await say(update, pick(script.intro, member.locale))
    await send_step(update, svc, checkin, script, DialogState.from_json(checkin.state), member.locale, _)


def onboarding_script(svc: Services, network_id: int) -> Script | None:
    """The onboarding check-in in use in the network, or None when dialogs/ has none."""
    try:
        return svc.scripts.current(ONBOARDING_SCRIPT, network_id)
    except KeyError:
        return None


async def begin_onboarding(update: Update, svc: Services, member: Membership, _: Gettext) -> bool:
    """Start the short onboarding check-in of a partner who just joined; False if there is no such script."""
    script = onboarding_script(svc, member.network_id)
    if script is None or open_checkin(svc.db, member.id) is not None or ever_started(svc.db, member.id, script.id):
        return False  # once only: a replayed language button does not start it again
    state = engine.start(script, checkin_context(svc.db, member.id, None, svc.clock()))
    if state.finished:  # nothing to ask yet (e.g. only about partners, and there are none)
        return False
    checkin = start_checkin(svc.db, member, script.id, script.version, state.to_json(), svc.clock(), None)
    if script.intro:
        await say(update, pick(script.intro, member.locale))
    await send_step(update, svc, checkin, script, state, member.locale, _)
    return True


def already_answered_text(svc: Services, member: Membership, place: Participation, _: Gettext) -> str:
    """What a partner reads who has already answered their current round."""
    schedule = schedule_of(svc.db, member.network_id)
    month = month_name(place.round.period, member.locale)
    if place.round.open:
        return _("You have already answered the check-in for {month}, thank you! /answers shows your answers; you "
                 "can change them until {date}.").format(
            month=month, date=local_day(schedule, place.round.closes_at, member.locale))
    return _("You have already answered the check-in for {month}, thank you! The next check-in comes at the "
             "start of next month.").format(month=month)


async def on_answer_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A tap on an answer button: check it is this partner's current step, store it, show the next step."""
    svc, _ = translator(update, context)
    query = update.callback_query
    if query is None:
        return
    data = callbacks.parse_answer(query.data or "")
    checkin = get_checkin(svc.db, data.checkin_id) if data else None
    member = checkin_member(update, svc)
    if data is None or checkin is None:
        await refuse_callback(update, _("This button is no longer valid."))
        return
    if member is None or checkin.membership_id != member.id:
        log_refusal(update, member)
        await refuse_callback(update, _("This button is not meant for you."))
        return
    if checkin.status != "open":
        await refuse_callback(update, _("This check-in has ended: a newer one has started. /checkin continues it.")
                              if checkin.expired_at else _("This check-in is already finished. Thank you!"))
        await _drop_buttons(update, checkin)
        return
    await _apply(update, svc, member, checkin, data.step_id, Press(data.value), _)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A typed message: the answer to a text step, or a friendly hint."""
    svc, _ = translator(update, context)
    message = update.effective_message
    member = checkin_member(update, svc)
    if message is None or message.text is None:
        return
    if member is not None and member.role == "partner" and await typed_revision(update, svc, member, _):
        return
    checkin = open_checkin(svc.db, member.id) if member and member.role == "partner" else None
    if member is None or checkin is None:
        await say(update, _("I wasn't expecting a message right now. /help shows what I can do."))
        return
    state = DialogState.from_json(checkin.state)
    await _apply(update, svc, member, checkin, state.current or "", Typed(message.text), _)


async def _apply(update: Update, svc: Services, member: Membership, checkin: Checkin, step_id: str,
                 given: Input, _: Gettext) -> None:
    script = svc.scripts.version(checkin.script_id, checkin.script_version)
    state = DialogState.from_json(checkin.state)
    context = context_of(svc, checkin)
    outcome = engine.answer(script, state, step_id, given, context)
    query = update.callback_query
    if isinstance(outcome, Rejected):
        await _explain(update, svc, outcome, checkin, script, state, member.locale, _)
        return
    if isinstance(outcome, Pending):
        await _show_ticks(update, svc, checkin, script, outcome.state, context, member.locale, _)
        return
    step = script.step(outcome.step_id)
    record = StepRecord(step.id, step.kind, step.factor, outcome.is_answer, outcome.value,
                        outcome.state.to_json(), outcome.state.finished,
                        risk=step.risk)
    if not record_step(svc.db, checkin, record, svc.clock()):
        await refuse_callback(update, _("This question has already been answered."))
        return
    if query is not None:
        await query.answer()
        await _confirm_on_question(update, script, state, outcome, context, member.locale, _)
    elif step.kind == "text" and step.optional:
        await _drop_buttons(update, checkin)  # its "Skip" button is moot once the answer was typed
    if outcome.state.finished:
        await say(update, pick(script.outro, member.locale))
        place = current_participation(svc.db, member.id) if script.id != MONTHLY_SCRIPT else None
        if place is not None and place.round.open and place.status == "pending":
            await begin_or_resume(update, svc, member, _)  # the onboarding is done; this round's check-in is due
        return
    fresh = get_checkin(svc.db, checkin.id) or checkin
    await send_step(update, svc, fresh, script, outcome.state, member.locale, _, context)


async def _show_ticks(update: Update, svc: Services, checkin: Checkin, script: Script, state: DialogState,
                      context: CheckinContext, locale: str, _: Gettext) -> None:
    """A tick or page turn: store the new state (nothing is answered yet) and redraw the buttons."""
    query = update.callback_query
    if query is None or state.current is None:
        return
    step = script.step(state.current)
    if not record_step(svc.db, checkin, StepRecord(step.id, step.kind, step.factor, False, None, state.to_json(),
                                                   False), svc.clock()):
        await refuse_callback(update, _("This question has already been answered."))
        return
    text, markup = _keyboard(checkin, step.id, script, state, context, locale, _)
    with suppress(BadRequest):  # "not modified": an older copy of the step already showed these ticks
        await query.edit_message_text(text, reply_markup=markup)
    await query.answer()  # after the edit: the tap is done once the ticks show


async def _confirm_on_question(update: Update, script: Script, before: DialogState, outcome: Accepted,
                               context: CheckinContext, locale: str, _: Gettext) -> None:
    """Replace the buttons under the answered question by the answer given."""
    query = update.callback_query
    if query is None:
        return
    step = script.step(outcome.step_id)
    view = render_step(script, step.id, locale, _, engine.questions_answered(script, before) + 1, state=before,
                       context=context)
    # Only how the tapped message looks: if it cannot be edited (a forged tap on another message, one the person
    # deleted), the answer is stored all the same and the next step must still follow.
    with suppress(BadRequest):
        if not step.is_question:
            await query.edit_message_reply_markup(None)
        elif query.message is not None:
            given = describe_value(step, outcome.value, locale, _, dict(context.partners))
            await edit_quietly(query.get_bot(), query.message.chat.id, query.message.message_id,
                               f"{view.text}\n\n✓ {given}")


async def _explain(update: Update, svc: Services, outcome: Rejected, checkin: Checkin, script: Script,
                   state: DialogState, locale: str, _: Gettext) -> None:
    """Tell the partner why an input was not taken (nothing is stored)."""
    text, on_button = rejection(outcome, _)
    await (refuse_callback(update, text) if on_button else say(update, text))
    if outcome.reason == "stale":
        await _drop_buttons(update, checkin)
    elif outcome.reason == "use_buttons":
        await send_step(update, svc, checkin, script, state, locale, _)


async def _drop_buttons(update: Update, checkin: Checkin) -> None:
    """Remove answer buttons that can no longer be used: on a tapped old message, or after a typed answer."""
    query = update.callback_query
    chat = update.effective_chat
    if query is not None:
        message = query.message
        # A stale or forged tap may carry the current question's message; its buttons stay usable.
        if message is None or (message.message_id == checkin.prompt_message_id and checkin.status == "open"):
            return
        if isinstance(message, Message) and message.reply_markup:
            # The tap shows the message as it was when tapped: the second of a double tap finds the buttons gone.
            with suppress(BadRequest):
                await query.edit_message_reply_markup(None)
    elif chat is not None and checkin.prompt_message_id is not None:
        with suppress(BadRequest):  # the user may have deleted the question meanwhile
            await chat.get_bot().edit_message_reply_markup(chat.id, checkin.prompt_message_id, reply_markup=None)
