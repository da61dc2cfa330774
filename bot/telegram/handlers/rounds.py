"""Buttons under round prompts and reminders (start, later, skip this time) and /pause: partners decide when they
answer."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.core.calendar import Schedule, add_local_days, local, parse_day, to_utc
from bot.i18n import Gettext, local_day, local_deadline, month_name, weekday_date
from bot.services import Services
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from bot.telegram.handlers.checkin import begin_or_resume
from bot.telegram.handlers.common import edit_tapped, log_refusal, refuse_callback, say
from bot.usecases import rounds as usecase
from bot.usecases.checkin import already_answered_text
from bot.usecases.people import Membership

PAUSE_CHOICES = (7, 14, 28, 91)
MAX_PAUSE_DAYS = 366


async def on_round_button(update: Update, context: BotContext) -> None:
    """"Start now"/"Continue", "Later" or "Skip this time" under a prompt or reminder."""
    svc, _ = context.svc, context._
    query = update.callback_query
    data = callbacks.RoundPrompt.unpack(query.data or "") if query else None
    member = context.member
    place = usecase.place(svc.db, data.round_id, member) if data and member else None
    if query is None or data is None or member is None or place is None:
        if data is not None:
            log_refusal(update, member)
        await refuse_callback(update, _("This button is not meant for you.") if data else
                              _("This button is no longer valid."))
        return
    await query.answer()
    await edit_tapped(update, None)
    if data.action == "go":
        await begin_or_resume(update, svc, member, _, prompted=True)
        return
    schedule = usecase.schedule(svc.db, member)
    month = month_name(place.round.period, member.locale)
    if data.action == "skip":
        reason = usecase.sit_out_place(svc.db, member, place)
        await say(update, _too_late_text(svc, member, place, reason, _) if reason else _(
            "All right, you sit out the check-in for {month} in \"{network}\": no more reminders this round. The next "
            "check-in comes as usual. If you want to answer after all, /checkin works until {deadline}.").format(
            month=month, network=member.network_name,
            deadline=local_deadline(schedule, place.round.closes_at, member.locale)))
        return
    reason = usecase.too_late(place)
    if reason is not None:
        await say(update, _too_late_text(svc, member, place, reason, _))
        return
    until = usecase.snooze_place(svc.db, member, place, svc.clock())
    await say(update, _("All right, I will ask you again on {day}. You can start any time with /checkin.").format(
        day=weekday_date(local(schedule, until).date(), member.locale)))


def _too_late_text(svc: Services, member: Membership, tapped: usecase.Participation, reason: usecase.TooLate,
                   _: Gettext) -> str:
    """What a partner reads who taps "Later" or "Skip this time" when it no longer applies (nothing changed)."""
    place = usecase.place(svc.db, tapped.round.id, member) or tapped
    month = month_name(place.round.period, member.locale)
    if reason == "answered":
        return already_answered_text(svc.db, member, place, _)
    if reason == "sat_out":
        return _("You are already sitting out the check-in for {month}; nothing has changed. The next check-in comes "
                 "as usual.").format(month=month)
    return _("The round for {month} has closed. You can still answer with /checkin; it counts as late. The next "
             "check-in comes as usual.").format(month=month)


async def pause_command(update: Update, context: BotContext) -> None:
    """/pause [date]: no check-ins or reminders until then (holidays, parental leave, sick leave)."""
    svc, _, member = context.svc, context._, context.known_member  # partners only (bot/telegram/roles.py)
    now = svc.clock()
    schedule = usecase.schedule(svc.db, member)
    if context.args:
        today = local(schedule, now).date()
        day = parse_day(" ".join(context.args), today)
        if day is None or not today < day <= today + timedelta(days=MAX_PAUSE_DAYS):
            await say(update, _("Please give a date within the next twelve months, for example /pause 31.03.2027."))
            return
        await _pause(update, svc, member, schedule, to_utc(schedule, datetime.combine(day, time(23, 59))), _)
        return
    current = usecase.paused_until(svc.db, member.id, now)
    if current is not None:
        end = InlineKeyboardButton(_("End the pause"), callback_data=callbacks.PauseEnd().pack())
        keyboard = InlineKeyboardMarkup([[end]])
        text = _("Your check-ins are paused until {date}.").format(date=local_day(schedule, current, member.locale))
    else:
        labels = {7: _("1 week"), 14: _("2 weeks"), 28: _("4 weeks"), 91: _("3 months")}
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(labels[d], callback_data=callbacks.PauseFor(d).pack())
                                          for d in PAUSE_CHOICES]])
        text = _("How long shall I pause your check-ins and reminders? Or give a date: /pause 31.03.2027")
    chat = update.effective_chat
    if chat is not None:
        await chat.send_message(text, reply_markup=keyboard)


async def on_pause_button(update: Update, context: BotContext) -> None:
    """A pause length, or "End the pause"."""
    svc, _ = context.svc, context._
    query = update.callback_query
    member = context.known_member  # partners only (bot/telegram/roles.py)
    data = callbacks.Pause.unpack(query.data or "") if query else None
    if query is None or data is None or (isinstance(data, callbacks.PauseFor) and data.days not in PAUSE_CHOICES):
        await refuse_callback(update, _("This button is no longer valid."))
        return
    await query.answer()
    await edit_tapped(update, None)
    schedule = usecase.schedule(svc.db, member)
    if isinstance(data, callbacks.PauseFor):
        await _pause(update, svc, member, schedule, add_local_days(schedule, svc.clock(), data.days), _)
        return
    ended = usecase.end_pause(svc.db, member.id, svc.clock())
    await say(update, _("Welcome back! Your check-ins continue.") if ended else _("You are not paused."))


async def _pause(update: Update, svc: Services, member: Membership, schedule: Schedule, until: datetime,
                 _: Gettext) -> None:
    now = svc.clock()
    usecase.pause(svc.db, member, until, now)
    day = local_day(schedule, until, member.locale)
    await say(update, _("Paused until {date}. Until then you get no check-ins and no reminders, and you count as "
                        "excused. /pause ends the pause earlier.").format(date=day))
