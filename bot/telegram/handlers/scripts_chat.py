"""/scripts: the check-in scripts and their versions; download the one in use, roll back (with confirmation), and
a network with its own version back to the shared one (scripts_shared.py).

Admins (NETZPULS_ADMINS) act for every network, a coordinator for their own network. Uploads, publishing and the
preview are in scripts_upload.py and scripts_preview.py; every button of theirs starts with "d:" and comes here.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.i18n import Gettext
from bot.services import Services
from bot.telegram import callbacks
from bot.telegram.callbacks import ScriptConfirm, ScriptRollback, ScriptShared, ScriptSharedConfirm
from bot.telegram.context import BotContext
from bot.telegram.handlers.common import refuse_callback
from bot.telegram.handlers.scripts_common import Editor, close_with, editor_in
from bot.telegram.handlers.scripts_preview import begin_preview
from bot.telegram.handlers.scripts_shared import on_shared, shared_button
from bot.telegram.handlers.scripts_upload import discard_draft, publish_draft
from bot.usecases import script_admin
from bot.usecases.script_admin import Publication

_PER_ROW = 4
_HISTORY = 8  # publications shown under "Versions"


async def scripts_command(update: Update, context: BotContext) -> None:
    """/scripts: each script with the version in use and the stored versions, and buttons to download or roll back."""
    svc, _, editor, chat = context.svc, context._, editor_in(context), update.effective_chat
    if editor is None or chat is None:  # the role guard lets only editors (bot/telegram/roles.py) through
        return
    lines = [_("Check-in scripts (for every network):") if editor.is_admin else
             _("Check-in scripts of your network:")]
    rows: list[list[InlineKeyboardButton]] = []
    for listed in script_admin.listing(svc.db, editor.network_id):
        script_id = listed.script_id
        stored = ", ".join(str(v.version) for v in listed.stored)
        lines.append(_("• {script}: version {version} in use (stored versions: {versions})").format(
            script=script_id, version=listed.in_use or "–", versions=stored))
        lines += [_("   {network} uses its own version {version}").format(network=own.network_name,
                                                                           version=own.version)
                  for own in listed.own_versions]
        rows.append([
            InlineKeyboardButton(_("Download {script}").format(script=script_id),
                                 callback_data=callbacks.ScriptShow("download", script_id).pack()),
            InlineKeyboardButton(_("Versions / Rollback"),
                                 callback_data=callbacks.ScriptShow("versions", script_id).pack()),
        ])
        if listed.own and editor.network_id is not None:
            lines.append(_("   Your network uses its own version."))
            rows.append([shared_button(script_id, editor.network_id, None, _)])
        rows += [[shared_button(script_id, own.network_id, own.network_name, _)] for own in listed.own_versions]
    lines += ["", _("To change a script, download it, edit it and send me the file. I check it and show what "
                    "changed; nothing is in use before you publish it.")]
    if not editor.is_admin:
        lines.append(_("What you publish applies to your network only."))
    await chat.send_message("\n".join(lines), reply_markup=InlineKeyboardMarkup(rows) if rows else None)


async def on_script_button(update: Update, context: BotContext) -> None:
    """Every "d:" button (editors, bot/telegram/roles.py): download, versions, rollback and its confirmation;
    preview, publish, discard a draft."""
    svc, _, editor, query = context.svc, context._, editor_in(context), update.callback_query
    data = callbacks.ScriptButton.unpack(query.data or "") if query is not None else None
    if data is None or editor is None:
        await refuse_callback(update, _("This button is no longer valid."))
        return
    match data:
        case callbacks.DraftAction(action="preview", draft_id=draft_id):
            await begin_preview(update, context, draft_id)
        case callbacks.DraftAction(action="publish", draft_id=draft_id):
            await publish_draft(update, context, draft_id)
        case callbacks.DraftAction(action="discard", draft_id=draft_id):
            await discard_draft(update, context, draft_id)
        case callbacks.ScriptCancel():
            await close_with(update, _("Nothing was changed."))
        case callbacks.ScriptShow() | ScriptRollback() | ScriptConfirm() | ScriptShared() | ScriptSharedConfirm() \
                if script_admin.version_in_use(svc.db, data.script_id, editor.network_id) is None:
            await refuse_callback(update, _("This button is no longer valid."))
        case ScriptShared() | ScriptSharedConfirm():
            await on_shared(update, svc, editor, context.member, data, _)
        case callbacks.ScriptShow(action="download", script_id=script_id):
            await _download(update, svc, editor, script_id, _)
        case callbacks.ScriptShow(action="versions", script_id=script_id):
            await _versions(update, svc, editor, script_id, _)
        case ScriptRollback() | ScriptConfirm():
            await _rollback(update, svc, editor, data, _)


async def _download(update: Update, svc: Services, editor: Editor, script_id: str, _: Gettext) -> None:
    """Send the YAML of the version in use as <script_id>.yaml."""
    version, source = script_admin.source_in_use(svc.db, svc.scripts, script_id, editor.network_id)
    chat = update.effective_chat
    if update.callback_query is not None:
        await update.callback_query.answer()
    if chat is not None:
        await chat.send_document(source.encode("utf-8"), filename=f"{script_id}.yaml", caption=_(
            "Version {version} of {script}, in use now. Edit it and send the file back to me.").format(
            version=version, script=script_id))


async def _versions(update: Update, svc: Services, editor: Editor, script_id: str, _: Gettext) -> None:
    """The stored versions and the recent history, with a button per version to roll back to."""
    lines = [_("Versions of {script}:").format(script=script_id)]
    buttons: list[InlineKeyboardButton] = []
    for stored in script_admin.stored_versions(svc.db, script_id, editor.network_id):
        if stored.in_use:
            lines.append(_("• version {version} (stored {date}) – in use").format(
                version=stored.version, date=stored.created_at[:10]))
            continue
        lines.append(_("• version {version} (stored {date})").format(version=stored.version,
                                                                     date=stored.created_at[:10]))
        buttons.append(InlineKeyboardButton(_("Version {version}").format(version=stored.version),
                                            callback_data=callbacks.ScriptRollback(script_id,
                                                                                   stored.version).pack()))
    history = script_admin.recent_changes(svc.db, script_id, editor.network_id, _HISTORY)
    lines += ["", _("Recent changes:"), *(_history_line(event, network, _publisher(event, editor, svc, _), _)
                                          for event, network in history)]
    lines += ["", _("Tap a version to put it in use again.") if buttons else
              _("There is no other version to roll back to.")]
    if update.callback_query is not None:
        await update.callback_query.answer()
    chat = update.effective_chat
    if chat is not None:
        rows = [buttons[i:i + _PER_ROW] for i in range(0, len(buttons), _PER_ROW)]
        await chat.send_message("\n".join(lines), reply_markup=InlineKeyboardMarkup(rows) if rows else None)


def _publisher(event: Publication, editor: Editor, svc: Services, _: Gettext) -> str:
    """Who published, as a role: never a Telegram id."""
    names = {"you": _("you"), "admin": _("admin"), "coordination": _("network coordination"),
             "file": _("scripts folder"), "cli": _("command line"), "erased": _("[…]")}
    return names[script_admin.publisher(event, editor.user_id, svc.settings.admins)]


def _history_line(event: Publication, network: str | None, by: str, _: Gettext) -> str:
    """One publish or rollback: when, which version, by whom (a role), and for which network if only for one."""
    when = event.published_at[:16].replace("T", " ")
    if event.action == "rollback":
        line = _("{date}: back to version {version} (by {by})")
    elif event.action == "shared":
        line = _("{date}: back to the shared version {version} (by {by})")
    else:
        line = _("{date}: version {version} published (by {by})")
    line = line.format(date=when, version=event.version, by=by)
    if network is not None:
        line += " – " + _("only {network}").format(network=network)
    return line


async def _rollback(update: Update, svc: Services, editor: Editor, data: ScriptRollback | ScriptConfirm,
                    _: Gettext) -> None:
    """A version tapped: ask "Roll back to version N?"; Yes (if still the same situation) puts it in use again."""
    visible = {stored.version for stored in script_admin.stored_versions(svc.db, data.script_id, editor.network_id)}
    in_use = script_admin.version_in_use(svc.db, data.script_id, editor.network_id)
    if data.version not in visible:
        await refuse_callback(update, _("This button is no longer valid."))
    elif in_use == data.version:
        await close_with(update, _("Version {version} of {script} is already in use; nothing was changed.").format(
            version=data.version, script=data.script_id))
    elif isinstance(data, ScriptRollback):
        if update.callback_query is not None:
            await update.callback_query.answer()
        confirm = ScriptConfirm(data.script_id, data.version, in_use or 0).pack()
        chat = update.effective_chat
        if chat is not None:
            await chat.send_message(
                _("Roll back {script} to version {version}? Version {current} is in use now.").format(
                    script=data.script_id, version=data.version, current=in_use),
                reply_markup=InlineKeyboardMarkup([[
                    InlineKeyboardButton(_("Yes, roll back"), callback_data=confirm),
                    InlineKeyboardButton(_("Cancel"), callback_data=callbacks.ScriptCancel().pack())]]))
    elif in_use != data.in_use:
        await close_with(update, _("The version in use has changed since you asked; nothing was rolled back. "
                                   "/scripts shows the versions now."))
    else:
        try:
            svc.scripts.rollback(data.script_id, data.version, str(editor.user_id), svc.clock(), editor.network_id)
        except ValueError:  # it was put in use meanwhile
            await close_with(update, _("Version {version} of {script} is already in use; nothing was "
                                       "changed.").format(version=data.version, script=data.script_id))
            return
        text = _("Version {version} of {script} is in use again; check-ins under way finish on their version.") \
            if editor.is_admin else _("Version {version} of {script} is in use again in your network; check-ins "
                                      "under way finish on their version.")
        await close_with(update, text.format(version=data.version, script=data.script_id))
