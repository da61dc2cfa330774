"""An editor tries a draft as a partner would: the pure engine in the chat, state in the draft, nothing stored."""

from __future__ import annotations

from contextlib import suppress

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.core import engine
from bot.core.context import CheckinContext
from bot.core.engine import DialogState, Input, Pending, Press, Rejected, Typed
from bot.core.render import describe_value, pick, render_step
from bot.core.script.model import Script
from bot.i18n import Gettext
from bot.services import Services
from bot.telegram import callbacks
from bot.telegram.handlers.common import locale_of, log_refusal, member_of, refuse_callback, rejection, say, translator
from bot.telegram.handlers.scripts_common import (
    decided_text,
    draft_buttons,
    draft_script,
    editor_of,
    may_edit,
    own_draft,
)
from storage.people import partner_overview
from storage.script_drafts import Draft, get_draft, running_preview, save_preview, start_preview

# An admin's preview is for no network in particular: a partners step offers these made-up organisations.
SAMPLE_PARTNERS: tuple[tuple[str, str], ...] = (
    ("1", "Jobcenter Musterstadt"), ("2", "Jugendamt Musterstadt"), ("3", "Schuldnerberatung Musterstadt"),
    ("4", "Kita Sonnenschein"))


def preview_context(svc: Services, draft: Draft) -> CheckinContext:
    """What the preview branches on: a first round this month, answered last round, the network's partners."""
    if draft.network_id is None:
        partners = SAMPLE_PARTNERS
    else:
        overview = partner_overview(svc.db, draft.network_id, svc.clock())
        partners = tuple((str(row.organisation_id), row.name) for row in overview) or SAMPLE_PARTNERS
    return CheckinContext(round_number=1, month=svc.clock().month, role="other", answered_last_round=True,
                          partners=partners)


async def begin_preview(update: Update, svc: Services, draft_id: int, _: Gettext) -> None:
    """Preview: (re)start the draft's script from its first step; typed answers go to it until it ends."""
    found = await own_draft(update, svc, draft_id, _)
    if found is None:
        return
    _editor, draft = found
    script = draft_script(draft.source, draft.file_name)
    context = preview_context(svc, draft)
    state = engine.start(script, context)
    if not start_preview(svc.db, draft.id, state.to_json()):  # decided a moment ago
        await refuse_callback(update, _("This button is no longer valid."))
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    locale = locale_of(update, svc)
    await say(update, _("Preview of {script} version {version}, as a partner sees it. Nothing is stored; "
                        "until the preview ends, what you type answers it.").format(
        script=script.id, version=script.version))
    if script.intro:
        await say(update, pick(script.intro, locale))
    if state.finished:  # no step is shown in this round
        save_preview(svc.db, draft.id, state.to_json(), None)
        await _finish(update, draft, script, locale, _)
        return
    await _send_step(update, draft.id, script, state, context, locale, _)


async def on_preview_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A tap on an answer button of a preview."""
    svc, _ = translator(update, context)
    query = update.callback_query
    data = callbacks.parse_preview(query.data or "") if query is not None else None
    draft = get_draft(svc.db, data.draft_id) if data is not None else None
    editor = editor_of(update, svc)
    if data is None or draft is None:
        await refuse_callback(update, _("This button is no longer valid."))
        return
    if editor is None or not may_edit(editor, draft):
        log_refusal(update, member_of(update, svc))
        await refuse_callback(update, _("This button is not meant for you."))
        return
    if not draft.pending:
        await refuse_callback(update, decided_text(draft, _))
        return
    if draft.preview_state is None:
        await refuse_callback(update, _("This preview has ended. Tap Preview under the draft to start again."))
        return
    await _apply(update, svc, draft, data.step_id, Press(data.value), _)


async def preview_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """A typed message from someone running a preview answers the preview; False if none runs (not handled)."""
    svc, _ = translator(update, context)
    message = update.effective_message
    user = update.effective_user
    if message is None or message.text is None or user is None:
        return False
    draft = running_preview(svc.db, user.id)
    editor = editor_of(update, svc)
    if draft is None or draft.preview_state is None or editor is None or not may_edit(editor, draft):
        return False
    current = DialogState.from_json(draft.preview_state).current or ""
    await _apply(update, svc, draft, current, Typed(message.text), _)
    return True


async def _apply(update: Update, svc: Services, draft: Draft, step_id: str, given: Input, _: Gettext) -> None:
    """Ask the engine about one input and show the outcome; the new state replaces the old one only once."""
    assert draft.preview_state is not None
    script = draft_script(draft.source, draft.file_name)
    before = DialogState.from_json(draft.preview_state)
    context = preview_context(svc, draft)
    outcome = engine.answer(script, before, step_id, given, context)
    locale = locale_of(update, svc)
    if isinstance(outcome, Rejected):
        await _explain(update, outcome, _)
        return
    after = outcome.state
    if isinstance(outcome, Pending):  # a tick or a page turn: the same step with its buttons redrawn
        await _redraw(update, svc, draft, script, after, context, locale, _)
        return
    if not save_preview(svc.db, draft.id, draft.preview_state, None if after.finished else after.to_json()):
        await refuse_callback(update, _("This question has already been answered."))
        return
    query = update.callback_query
    if query is not None:
        await query.answer()
        step = script.step(outcome.step_id)
        if step.is_question:
            view = render_step(script, step.id, locale, _, engine.questions_answered(script, before) + 1,
                               state=before, context=context)
            given_text = describe_value(step, outcome.value, locale, _, dict(context.partners))
            await query.edit_message_text(f"{view.text}\n\n✓ {given_text}")
        else:
            await query.edit_message_reply_markup(None)
    if after.finished:
        await _finish(update, draft, script, locale, _)
    else:
        await _send_step(update, draft.id, script, after, context, locale, _)


async def _redraw(update: Update, svc: Services, draft: Draft, script: Script, state: DialogState,
                  context: CheckinContext, locale: str, _: Gettext) -> None:
    """Keep a tick or page turn (once) and show the step's buttons anew in the same message."""
    query = update.callback_query
    if query is None or draft.preview_state is None or state.current is None:
        return
    if not save_preview(svc.db, draft.id, draft.preview_state, state.to_json()):
        await refuse_callback(update, _("This question has already been answered."))
        return
    text, markup = _view(draft.id, script, state, context, locale, _)
    with suppress(BadRequest):  # "not modified": an older copy of the step already showed these ticks
        await query.edit_message_text(text, reply_markup=markup)
    await query.answer()  # after the edit: the tap is done once the new ticks are visible


async def _explain(update: Update, outcome: Rejected, _: Gettext) -> None:
    """Why an input did not count (the preview stays where it is)."""
    text, on_button = rejection(outcome, _)
    await (refuse_callback(update, text) if on_button else say(update, text))


def _view(draft_id: int, script: Script, state: DialogState, context: CheckinContext, locale: str,
          _: Gettext) -> tuple[str, InlineKeyboardMarkup | None]:
    """The text and buttons of the preview's current step; the buttons carry the draft's id."""
    assert state.current is not None
    view = render_step(script, state.current, locale, _, engine.questions_answered(script, state) + 1, state=state,
                       context=context)
    rows = [[InlineKeyboardButton(b.label, callback_data=callbacks.preview_answer(draft_id, view.step_id, b.value))
             for b in row] for row in view.buttons]
    return view.text, InlineKeyboardMarkup(rows) if rows else None


async def _send_step(update: Update, draft_id: int, script: Script, state: DialogState, context: CheckinContext,
                     locale: str, _: Gettext) -> None:
    """Show the preview's current step as a new message."""
    chat = update.effective_chat
    if chat is not None and state.current is not None:
        text, markup = _view(draft_id, script, state, context, locale, _)
        await chat.send_message(text, reply_markup=markup)


async def _finish(update: Update, draft: Draft, script: Script, locale: str, _: Gettext) -> None:
    """The outro, that nothing was stored, and the draft's Publish and Discard buttons again."""
    chat = update.effective_chat
    if chat is None:
        return
    finished = _("Preview finished — nothing was stored.")
    await chat.send_message(f"{pick(script.outro, locale)}\n\n{finished}",
                            reply_markup=draft_buttons(draft.id, _, preview=False))
