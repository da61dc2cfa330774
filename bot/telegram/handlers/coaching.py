"""The coordinator's coaching: /coach (a dialog from dialogs/coaching.yaml ending in one concrete action), how last
month's action went, and /actions. bot.usecases.coaching decides; this module translates."""

from __future__ import annotations

from functools import partial

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.core.coaching import outcome_label
from bot.core.engine import Press, Typed
from bot.i18n import Gettext
from bot.services import Services
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from bot.telegram.handlers.common import log_refusal, refuse_callback, say
from bot.telegram.runner import Adapter, run, show_current
from bot.usecases import coaching as usecase
from bot.usecases.coaching import CoachingDialog
from bot.usecases.dialog import Refused
from bot.usecases.people import Membership


def adapter(port: CoachingDialog) -> Adapter:
    """A coaching dialog in the runner: its buttons carry the session's id; its end is said by the use case."""
    return Adapter(port, partial(callbacks.CoachAnswer, port.session.id))


async def coach_command(update: Update, context: BotContext) -> None:
    """/coach: start the coaching dialog on this month's signals."""
    await begin_coaching(update, context.svc, context.known_member, context._)  # coordinators (roles.py)


async def begin_coaching(update: Update, svc: Services, member: Membership, _: Gettext) -> None:
    """Open a coaching dialog: the topics are fixed now (the newest round's signals, then the success factors)."""
    begun = usecase.begin_coaching(svc.db, svc.scripts, svc.tips, svc.clock(), member, _)
    for text in begun.texts:
        await say(update, text)
    if begun.dialog is not None:
        await show_current(update, adapter(begun.dialog), _)


async def on_coach_button(update: Update, context: BotContext) -> None:
    """A coaching button: start, answer a step, or say how an action went."""
    svc, _ = context.svc, context._
    query = update.callback_query
    data = callbacks.Coach.unpack(query.data or "") if query else None
    member = context.known_member  # coordinators only (bot/telegram/roles.py)
    if query is None:
        return
    if data is None:
        await refuse_callback(update, _("This button is no longer valid."))
        return
    found: CoachingDialog | Refused | None = None
    match data:
        case callbacks.CoachStart():
            await query.answer()  # the digest's other buttons stay
            await begin_coaching(update, svc, member, _)
            return
        case callbacks.CoachReview(action_id=action_id):
            question = usecase.followup(svc.db, member, action_id, _)
            if isinstance(question, str):
                await query.answer()
                if update.effective_chat is not None:
                    await update.effective_chat.send_message(question, reply_markup=outcome_buttons(action_id, _))
                return
            found = question
        case callbacks.CoachAnswer(session_id=session_id):
            found = usecase.tapped(svc.db, svc.scripts, svc.tips, svc.clock(), member, session_id, _)
            if isinstance(found, CoachingDialog):
                await run(update, adapter(found), data.step_id, Press(data.value), _)
                return
        case callbacks.CoachOutcome(action_id=action_id, outcome=outcome):
            found = usecase.rate_action(svc.db, member, action_id, outcome, svc.clock(), _)
            if found is None:
                await query.answer()
                await query.edit_message_reply_markup(None)
                await say(update, _("Thank you! One line on how it went? (Just write it; or carry on with anything "
                                    "else.)"))
                return
    if isinstance(found, Refused):
        if found.log:
            log_refusal(update, member)
        await refuse_callback(update, found.text)


def outcome_buttons(action_id: int, _: Gettext) -> InlineKeyboardMarkup:
    """One button per outcome of an action (done, partly, not done)."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(outcome_label(outcome, _),
                                                       callback_data=callbacks.CoachOutcome(action_id, outcome).pack())
                                  for outcome in callbacks.OUTCOMES]])


async def answer_typed(update: Update, svc: Services, found: CoachingDialog, text: str, _: Gettext) -> None:
    """A typed answer in the coordinator's coaching dialog."""
    await run(update, adapter(found), found.dialog.state.current or "", Typed(text), _)


async def note_typed(update: Update, svc: Services, member: Membership, text: str, _: Gettext) -> bool:
    """A typed line as the note on how the latest rated action went; False if none awaits one."""
    if not usecase.note(svc.db, member, text):
        return False
    await say(update, _("Thank you, noted. /actions shows all your steps."))
    return True


async def actions_command(update: Update, context: BotContext) -> None:
    """/actions: the network's committed steps, open ones first, with how they went."""
    await say(update, usecase.actions_text(context.svc.db, context.known_member, context._))  # coordinators
