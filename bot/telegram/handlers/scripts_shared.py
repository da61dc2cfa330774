"""/scripts: a network that uses its own version of a script goes back to the shared one (after a confirmation).

Coordinators may do so for their own network, admins for any; the network's own versions stay stored, and rolling
back to one of them puts it in use there again."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.i18n import Gettext
from bot.services import Services
from bot.telegram import callbacks
from bot.telegram.callbacks import ScriptShared, ScriptSharedConfirm
from bot.telegram.handlers.common import log_refusal, refuse_callback
from bot.telegram.handlers.scripts_common import Editor, close_with
from bot.usecases import script_admin
from bot.usecases.identity import Membership


def shared_button(script_id: str, network_id: int, network: str | None, _: Gettext) -> InlineKeyboardButton:
    """The button that offers the shared script again: for the coordinator's network, or (an admin) for `network`."""
    label = (_("Use the shared script again: {script}").format(script=script_id) if network is None else
             _("Use the shared script again: {script}, {network}").format(script=script_id, network=network))
    return InlineKeyboardButton(label, callback_data=ScriptShared(script_id, network_id).pack())


def _may(editor: Editor, network_id: int) -> bool:
    """Admins for every network, a coordinator for their own."""
    return editor.is_admin or editor.network_id == network_id


async def on_shared(update: Update, svc: Services, editor: Editor, member: Membership | None,
                    data: ScriptShared | ScriptSharedConfirm, _: Gettext) -> None:
    """Ask whether the network should use the shared script again; on Yes (if still the same situation) do it."""
    if not _may(editor, data.network_id):  # another network's button, forged
        log_refusal(update, member)
        await refuse_callback(update, _("This button is not meant for you."))
        return
    offer = script_admin.shared_offer(svc.db, data.script_id, data.network_id)
    if offer is None:
        await close_with(update, _("\"{network}\" uses the shared {script} already; nothing was changed.").format(
            network=_network(svc, data.network_id), script=data.script_id))
        return
    if isinstance(data, ScriptShared):
        await _ask(update, data, offer, _)
        return
    if offer.own != data.own:
        await close_with(update, _("The version in use has changed since you asked; nothing was changed. /scripts "
                                   "shows the versions now."))
        return
    shared = script_admin.use_shared_script(svc.db, data.script_id, data.network_id, editor.user_id, svc.clock())
    if shared is None:  # a second tap got here first
        await close_with(update, _("\"{network}\" uses the shared {script} already; nothing was changed.").format(
            network=offer.network_name, script=data.script_id))
        return
    await close_with(update, _("\"{network}\" uses the shared {script} again (version {version}): the next check-ins "
                               "run on it, check-ins under way finish on their version. Its own version {own} stays "
                               "stored; /scripts rolls back to it.").format(
        network=offer.network_name, script=data.script_id, version=shared, own=offer.own))


async def _ask(update: Update, data: ScriptShared, offer: script_admin.SharedOffer, _: Gettext) -> None:
    """The confirmation question, as a new message under the tapped one."""
    query, chat = update.callback_query, update.effective_chat
    if query is not None:
        await query.answer()
    if chat is None:
        return
    confirm = ScriptSharedConfirm(data.script_id, data.network_id, offer.own).pack()
    await chat.send_message(
        _("Use the shared {script} (version {shared}) again in \"{network}\"? Its own version {own} is then no longer "
          "used.").format(script=data.script_id, shared=offer.shared, network=offer.network_name, own=offer.own),
        reply_markup=InlineKeyboardMarkup([[
            InlineKeyboardButton(_("Yes, use the shared script"), callback_data=confirm),
            InlineKeyboardButton(_("Cancel"), callback_data=callbacks.ScriptCancel().pack())]]))


def _network(svc: Services, network_id: int) -> str:
    """The network's name for a message (the offer is gone, so it is read on its own)."""
    return script_admin.network_label(svc.db, network_id)
