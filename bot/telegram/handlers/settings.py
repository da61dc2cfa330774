"""/settings: the coordinator sets when rounds open, remind and close, and which state's holidays apply."""

from __future__ import annotations

from dataclasses import replace
from datetime import time

from babel.dates import format_date, get_day_names
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.core.calendar import GERMAN_STATES, Schedule, check_schedule, local
from bot.i18n import Gettext
from bot.services import Services
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from bot.telegram.handlers.common import refuse_callback
from bot.usecases.identity import Membership
from bot.usecases.settings import change_schedule, network_schedule, next_round_opens

REMINDER_CHOICES = {"3-7": (3, 7), "2-5": (2, 5), "4-8": (4, 8), "3": (3,), "0": ()}
CLOSE_CHOICES = (7, 10, 14, 21)
HOUR_CHOICES = tuple(range(8, 17))
QUIET_CHOICES = {"19-8": (19, 8), "18-8": (18, 8), "20-7": (20, 7), "0": (0, 0)}
# The time zones a network may choose, by the short code its button carries (callback data has room for 12 characters).
ZONE_CHOICES = {"berlin": "Europe/Berlin", "vienna": "Europe/Vienna", "zurich": "Europe/Zurich",
                "london": "Europe/London", "utc": "UTC"}


def _zone_labels(_: Gettext) -> dict[str, str]:
    """The button label of each time zone code, in the reader's language."""
    return {"berlin": _("Berlin"), "vienna": _("Vienna"), "zurich": _("Zurich"), "london": _("London"),
            "utc": _("UTC")}


def _choices(field: str, _: Gettext, locale: str) -> list[tuple[str, str]]:
    """(label, value) of every choice for one field."""
    if field == "day":
        names = get_day_names("wide", locale=locale)
        return [(names[d], str(d)) for d in range(5)]
    if field == "hour":
        return [(f"{h:02d}:00", str(h)) for h in HOUR_CHOICES]
    if field == "remind":
        return [(_("none") if not days else _("after {days} days").format(days=" & ".join(map(str, days))), key)
                for key, days in REMINDER_CHOICES.items()]
    if field == "close":
        return [(_("after {days} days").format(days=d), str(d)) for d in CLOSE_CHOICES]
    if field == "quiet":
        return [(_("none") if start == end else f"{start:02d}:00–{end:02d}:00", key)
                for key, (start, end) in QUIET_CHOICES.items()]
    if field == "state":
        return [(_("nationwide only"), "none"), *((code, code) for code in GERMAN_STATES)]
    if field == "tz":
        return [(label, code) for code, label in _zone_labels(_).items()]
    return []


def _apply(schedule: Schedule, field: str, value: str) -> Schedule | None:
    """The schedule with one field changed, or None if the value is not one of the offered choices."""
    if field == "day" and value in {str(d) for d in range(5)}:
        return replace(schedule, weekday=int(value))
    if field == "hour" and value in {str(h) for h in HOUR_CHOICES}:
        return replace(schedule, hour=int(value), minute=0)
    if field == "remind" and value in REMINDER_CHOICES:
        return replace(schedule, reminder_days=REMINDER_CHOICES[value])
    if field == "close" and value in {str(d) for d in CLOSE_CHOICES}:
        return replace(schedule, close_days=int(value))
    if field == "quiet" and value in QUIET_CHOICES:
        start, end = QUIET_CHOICES[value]
        return replace(schedule, quiet_start=time(start), quiet_end=time(end))
    if field == "state" and (value == "none" or value in GERMAN_STATES):
        return replace(schedule, state=None if value == "none" else value)
    if field == "tz" and value in ZONE_CHOICES:
        return replace(schedule, timezone=ZONE_CHOICES[value])
    return None


def _fits(schedule: Schedule, field: str, value: str) -> bool:
    """Whether changing one field to this value leaves a valid schedule."""
    changed = _apply(schedule, field, value)
    if changed is None:
        return False
    try:
        check_schedule(changed)
    except ValueError:
        return False
    return True


def summary(svc: Services, member: Membership, plan: Schedule, _: Gettext, locale: str) -> str:
    """The schedule in words, with the date the next round opens."""
    day = get_day_names("wide", locale=locale)[plan.weekday]
    reminders = " & ".join(str(d) for d in plan.reminder_days) or "–"
    quiet = (f"{plan.quiet_start:%H:%M}–{plan.quiet_end:%H:%M}, " if plan.quiet_start != plan.quiet_end
             else "")
    opens = next_round_opens(svc.db, member.network_id, plan, svc.clock())
    opens_on = format_date(local(plan, opens).date(), format="long", locale=locale)
    return "\n".join([
        _("Schedule of \"{network}\":").format(network=member.network_name),
        _("• A round opens on the first {weekday} of each month at {time}.").format(
            weekday=day, time=f"{plan.hour:02d}:{plan.minute:02d}"),
        _("• Reminders to partners who have not answered: after {days} days.").format(days=reminders),
        _("• The round closes after {days} days.").format(days=plan.close_days),
        _("• Nothing is sent in quiet hours: {hours}weekends and public holidays ({state}).").format(
            hours=quiet, state=plan.state or _("nationwide only")),
        _("• Time zone: {zone}").format(zone=plan.timezone),
        _("Next round opens: {date}").format(date=opens_on),
    ])


def _menu(_: Gettext) -> InlineKeyboardMarkup:
    fields = [("day", _("Weekday")), ("hour", _("Time")), ("remind", _("Reminders")), ("close", _("Closing")),
              ("quiet", _("Quiet hours")), ("state", _("State")), ("tz", _("Time zone"))]
    buttons = [InlineKeyboardButton(label, callback_data=callbacks.SettingField(field).pack())
               for field, label in fields]
    return InlineKeyboardMarkup([buttons[:4], buttons[4:]])


async def settings_command(update: Update, context: BotContext) -> None:
    """/settings: the network's schedule and buttons to change it."""
    svc, _, member, chat = context.svc, context._, context.known_member, update.effective_chat
    if chat is not None:
        await chat.send_message(summary(svc, member, network_schedule(svc.db, member.network_id), _, member.locale),
                                reply_markup=_menu(_))


async def on_settings_button(update: Update, context: BotContext) -> None:
    """A field to change (shows its choices) or a chosen value (stores it and shows the new schedule)."""
    svc, _, member, query = context.svc, context._, context.known_member, update.callback_query
    data = callbacks.Setting.unpack(query.data or "") if query else None
    if query is None:
        return
    choices = _choices(data.field, _, member.locale) if data else []
    if data is None or not choices:
        await refuse_callback(update, _("This button is no longer valid."))
        return
    current = network_schedule(svc.db, member.network_id)
    if not isinstance(data, callbacks.SettingValue):
        # A field: its choices, only what fits the rest of the schedule, e.g. no closing before the last reminder.
        buttons = [InlineKeyboardButton(label, callback_data=callbacks.SettingValue(data.field, v).pack())
                   for label, v in choices if _fits(current, data.field, v)]
        await query.answer()
        await query.edit_message_reply_markup(InlineKeyboardMarkup([buttons[i:i + 4]
                                                                    for i in range(0, len(buttons), 4)]))
        return
    changed = _apply(current, data.field, data.value)
    if changed is None:
        await refuse_callback(update, _("This button is no longer valid."))
        return
    if not _fits(current, data.field, data.value):
        await refuse_callback(update, _("That does not fit: the reminders must come before the round closes."))
        return
    change_schedule(svc.db, member.network_id, changed, svc.clock())
    await query.answer(_("Saved. Rounds, reminders and quiet hours follow this time zone from now on.")
                       if data.field == "tz" else _("Saved."))
    await query.edit_message_text(summary(svc, member, changed, _, member.locale), reply_markup=_menu(_))
