"""An edited script sent as a file: checked, kept as a draft with a summary of changes, then published or discarded."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.core.limits import cut
from bot.core.script.loader import ScriptError
from bot.core.user_text import one_line
from bot.i18n import Gettext
from bot.services import Services
from bot.telegram.context import BotContext
from bot.telegram.handlers.common import refuse_callback, say
from bot.telegram.handlers.fallbacks import unsupported_content
from bot.telegram.handlers.scripts_common import (
    Editor,
    decided_text,
    draft_buttons,
    drop_buttons,
    editor_in,
    fit_lines,
    own_draft,
)
from bot.usecases import script_admin

FILE_NAME_SHOWN = 60  # characters of an uploaded file's name said back
MAX_UPLOAD = 64 * 1024  # bytes; the shipped script has about 5 KB
SUMMARY_LINES = 25  # changes shown under an upload; the rest is counted


async def on_document(update: Update, context: BotContext) -> None:
    """A file in the private chat: from an editor, an edited script to check; from anyone else, the polite refusal."""
    svc, _ = context.svc, context._
    message = update.effective_message
    document = message.document if message is not None else None
    editor = editor_in(context)
    if document is None or editor is None:  # partners and strangers: the answer to any other non-text message
        await unsupported_content(update, context)
        return
    name = document.file_name or "script.yaml"
    if not name.lower().endswith((".yaml", ".yml")):
        await say(update, _("Please send the script as a .yaml file, like the one /scripts gives you."))
        return
    name = cut(one_line(name), FILE_NAME_SHOWN)  # the sender's: said back in every answer about the file
    too_large = _("This file is too large; a script may have at most {limit} KB.").format(limit=MAX_UPLOAD // 1024)
    if (document.file_size or 0) > MAX_UPLOAD:
        await say(update, too_large)
        return
    data = bytes(await (await document.get_file()).download_as_bytearray())
    if len(data) > MAX_UPLOAD:
        await say(update, too_large)
        return
    try:
        source = data.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError:
        await say(update, _("I cannot read {file}: please save it as UTF-8 text and send it again.").format(file=name))
        return
    text, markup = review_upload(svc, editor, source, name, _)
    chat = update.effective_chat
    if chat is not None:
        await chat.send_message(text, reply_markup=markup)


def review_upload(svc: Services, editor: Editor, source: str, file_name: str,
                  _: Gettext) -> tuple[str, InlineKeyboardMarkup | None]:
    """Check an uploaded script: its problems, or a stored draft with what changed and the buttons to decide."""
    try:
        review = script_admin.review_upload(svc.db, svc.scripts, editor.user_id, editor.network_id, source,
                                            file_name, svc.clock())
    except ScriptError as error:
        head = _("{file} has problems; nothing was changed. Please correct them and send the file again:").format(
            file=file_name)
        lines = [head, *(str(problem) for problem in error.problems)]
        return fit_lines(lines, lambda n: _("… and {count} more").format(count=n)), None
    if review.state == "unknown":
        return _("There is no script '{script}'. Here you can change the scripts /scripts lists; new scripts are "
                 "added as files in dialogs/ on the server.").format(script=review.script_id), None
    if review.state == "unchanged" or review.changes is None:
        return _("{file} is the same as version {version} of {script}, which is in use: nothing to publish.").format(
            file=file_name, version=review.old_version, script=review.script_id), None
    head = _("{file} is valid. Changes from version {old} (in use) to the new version {new}:").format(
        file=file_name, old=review.old_version, new=review.new_version)
    hint = _("Preview runs it as a partner would (nothing is stored); Publish puts it in use.")
    text = fit_lines([head, *review.changes], lambda n: _("… and {count} more").format(count=n),
                     limit=4000 - len(hint), most=SUMMARY_LINES + 1)
    return f"{text}\n\n{hint}", draft_buttons(review.draft_id, _)


async def publish_draft(update: Update, context: BotContext, draft_id: int) -> None:
    """Publish: the draft becomes the next version in use (for every network, or the coordinator's), once."""
    svc, _ = context.svc, context._
    found = await own_draft(update, context, draft_id)
    if found is None:
        return
    editor, draft = found
    done = script_admin.publish(svc.db, svc.scripts, editor.user_id, draft, svc.clock())
    if done.state == "decided":
        await _already_decided(update, svc, draft_id, _)
        return
    if done.state == "stale" or done.script is None:
        await refuse_callback(update, _("Nothing was changed."))
        await drop_buttons(update)
        await say(update, _("Since you sent {file}, version {version} of {script} was put in use. Please get it with "
                            "/scripts, make your change again and send the file.").format(
            file=draft.file_name, version=done.in_use, script=draft.script_id))
        return
    script = done.script
    if update.callback_query is not None:
        await update.callback_query.answer()
    await drop_buttons(update)
    if editor.is_admin:
        text = _("Version {version} of {script} is now in use; check-ins under way finish on their version.")
    else:
        text = _("Version {version} of {script} is now in use in your network; check-ins under way finish on "
                 "their version.")
    await say(update, text.format(version=script.version, script=script.id))


async def discard_draft(update: Update, context: BotContext, draft_id: int) -> None:
    """Discard: the draft is dropped (kept in the database, marked discarded); nothing changes."""
    svc, _ = context.svc, context._
    if await own_draft(update, context, draft_id) is None:
        return
    if not script_admin.discard(svc.db, draft_id, svc.clock()):
        await _already_decided(update, svc, draft_id, _)
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    await drop_buttons(update)
    await say(update, _("Draft discarded; nothing was changed."))


async def _already_decided(update: Update, svc: Services, draft_id: int, _: Gettext) -> None:
    """A tap that lost the race against another decision on the same draft."""
    draft = script_admin.draft(svc.db, draft_id)
    if draft is not None:
        await refuse_callback(update, decided_text(draft, _))
