"""An editor tries a draft as a partner would: the runner on a preview (bot.usecases.preview), nothing stored."""

from __future__ import annotations

from functools import partial

from telegram import Update

from bot.core.engine import Press, Typed
from bot.core.render import pick
from bot.i18n import Gettext
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from bot.telegram.handlers.common import log_refusal, refuse_callback, say
from bot.telegram.handlers.scripts_common import (
    decided_text,
    draft_buttons,
    draft_script,
    editor_in,
    may_edit,
    own_draft,
)
from bot.telegram.runner import Adapter, run, show_current
from bot.usecases import preview as usecase
from bot.usecases.preview import PreviewDialog


def adapter(port: PreviewDialog) -> Adapter:
    """A preview in the runner: its buttons carry the draft's id; its end offers Publish and Discard again."""
    return Adapter(port, partial(callbacks.PreviewAnswer, port.draft.id), partial(_finish, port))


async def _finish(port: PreviewDialog, update: Update, _: Gettext) -> None:
    """The outro, that nothing was stored, and the draft's Publish and Discard buttons again."""
    chat = update.effective_chat
    if chat is not None:
        outro = pick(port.dialog.script.outro, port.dialog.locale)
        finished = _("Preview finished — nothing was stored.")
        await chat.send_message(f"{outro}\n\n{finished}", reply_markup=draft_buttons(port.draft.id, _, preview=False))


async def begin_preview(update: Update, context: BotContext, draft_id: int) -> None:
    """Preview: (re)start the draft's script from its first step; typed answers go to it until it ends."""
    svc, _, locale = context.svc, context._, context.locale
    found = await own_draft(update, context, draft_id)
    if found is None:
        return
    _editor, draft = found
    script = draft_script(draft.source, draft.file_name)
    running = usecase.begin(svc.db, svc.clock(), draft, script, locale)
    if running is None:  # decided a moment ago
        await refuse_callback(update, _("This button is no longer valid."))
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    await say(update, _("Preview of {script} version {version}, as a partner sees it. Nothing is stored; "
                        "until the preview ends, what you type answers it.").format(
        script=script.id, version=script.version))
    if script.intro:
        await say(update, pick(script.intro, locale))
    if running.dialog.state.finished:  # no step is shown in this round
        await _finish(running, update, _)
    else:
        await show_current(update, adapter(running), _)


def _dialog(context: BotContext, draft: usecase.Draft) -> PreviewDialog:
    svc = context.svc
    return PreviewDialog(svc.db, svc.clock(), draft, draft_script(draft.source, draft.file_name), context.locale)


async def on_preview_button(update: Update, context: BotContext) -> None:
    """A tap on an answer button of a preview."""
    svc, _ = context.svc, context._
    query = update.callback_query
    data = callbacks.PreviewAnswer.unpack(query.data or "") if query is not None else None
    draft = usecase.draft_of(svc.db, data.draft_id) if data is not None else None
    editor = editor_in(context)
    if data is None or draft is None:
        await refuse_callback(update, _("This button is no longer valid."))
        return
    if editor is None or not may_edit(editor, draft):
        log_refusal(update, context.member)
        await refuse_callback(update, _("This button is not meant for you."))
        return
    if not draft.pending:
        await refuse_callback(update, decided_text(draft, _))
        return
    if draft.preview_state is None:
        await refuse_callback(update, _("This preview has ended. Tap Preview under the draft to start again."))
        return
    await run(update, adapter(_dialog(context, draft)), data.step_id, Press(data.value), _)


def may_preview(context: BotContext) -> usecase.MayPreview:
    """Whether the person behind the update may run a draft's preview (an editor who may edit it)."""
    editor = editor_in(context)
    return lambda draft: editor is not None and may_edit(editor, draft)


async def answer_typed(update: Update, context: BotContext, draft: usecase.Draft, text: str) -> None:
    """A typed answer to the running preview's current step."""
    found, _ = _dialog(context, draft), context._
    await run(update, adapter(found), found.dialog.state.current or "", Typed(text), _)
