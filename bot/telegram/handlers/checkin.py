"""The partner's check-in: /checkin, answer buttons and typed answers; bot.usecases.checkin decides, we translate."""

from __future__ import annotations

from functools import partial

from telegram import Update

from bot.core.engine import Press, Typed
from bot.i18n import Gettext
from bot.services import Services
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from bot.telegram.handlers.common import log_refusal, refuse_callback, say
from bot.telegram.handlers.partner_news import closing_keyboard
from bot.telegram.runner import Adapter, drop_buttons, run, show_current
from bot.usecases import checkin as usecase
from bot.usecases.checkin import CheckinDialog
from bot.usecases.dialog import Begun
from bot.usecases.people import Membership


def adapter(svc: Services, port: CheckinDialog) -> Adapter:
    """A check-in in the runner: its buttons carry the check-in's id; after onboarding, this round's check-in; its
    closing message may offer to give the answers by name."""
    return Adapter(port, partial(callbacks.Answer, port.checkin.id), partial(_then, svc, port),
                   lambda _: closing_keyboard(port.closing, _))


async def _then(svc: Services, port: CheckinDialog, update: Update, _: Gettext) -> None:
    """The onboarding or exit check-in is done: this round's check-in is due now, if it is."""
    if usecase.monthly_due_after(svc.db, port.member, port.checkin.script_id):
        await begin_or_resume(update, svc, port.member, _)


async def begin(update: Update, svc: Services, begun: Begun[CheckinDialog] | None, _: Gettext,
                lead: str | None = None) -> bool:
    """Say what starting a check-in says (after `lead`, in the same message), then show its current step; False if
    there was nothing to start (and `lead` is not said)."""
    if begun is None:
        return False
    texts = begun.texts
    if lead is not None:
        texts = ("\n\n".join((lead, *texts[:1])), *texts[1:])
    for text in texts:
        await say(update, text)
    if begun.dialog is not None:
        await show_current(update, adapter(svc, begun.dialog), _)
    return True


async def checkin_command(update: Update, context: BotContext) -> None:
    """/checkin: continue the open check-in where it stopped, or start this round's."""
    # partners only: the guard (bot/telegram/roles.py) refused everyone else
    await begin_or_resume(update, context.svc, context.known_member, context._)


async def begin_or_resume(update: Update, svc: Services, member: Membership, _: Gettext,
                          prompted: bool = False) -> None:
    """Continue the open check-in, or start the one of the partner's current round (late if it has closed);
    `prompted`: started from the round's prompt, which said already what the intro says."""
    await begin(update, svc, usecase.begin_or_resume(svc.db, svc.scripts, svc.tr, svc.clock(), member, _,
                                                     prompted), _)


async def begin_onboarding(update: Update, svc: Services, member: Membership, _: Gettext,
                           welcome: str | None) -> bool:
    """Start the short onboarding check-in of a partner who just joined, its intro in one message after the
    `welcome`; False (nothing said) if there is none to start."""
    return await begin(update, svc, usecase.begin_onboarding(svc.db, svc.scripts, svc.tr, svc.clock(), member), _,
                       welcome)


async def begin_exit(update: Update, svc: Services, member: Membership, _: Gettext) -> None:
    """Start the exit check-in of a partner who left or was replaced (if dialogs/ has one)."""
    await begin(update, svc, usecase.begin_exit(svc.db, svc.scripts, svc.tr, svc.clock(), member), _)


async def on_answer_button(update: Update, context: BotContext) -> None:
    """A tap on an answer button: check it is this partner's current step, store it, show the next step."""
    svc, _ = context.svc, context._
    query = update.callback_query
    if query is None:
        return
    data = callbacks.Answer.unpack(query.data or "")
    user = update.effective_user
    member = usecase.checkin_member(svc.db, user.id, data.checkin_id if data else None) if user else None
    found = usecase.tapped(svc.db, svc.scripts, svc.tr, svc.clock(), member, data.checkin_id if data else None, _)
    if isinstance(found, CheckinDialog) and data is not None:
        await run(update, adapter(svc, found), data.step_id, Press(data.value), _)
        return
    if not isinstance(found, CheckinDialog):
        if found.log:
            log_refusal(update, member)
        await refuse_callback(update, found.text)
        if found.drop:
            await drop_buttons(update, None)


async def answer_typed(update: Update, svc: Services, found: CheckinDialog, text: str, _: Gettext) -> None:
    """A typed answer to the open check-in's current step."""
    await run(update, adapter(svc, found), found.dialog.state.current or "", Typed(text), _)
