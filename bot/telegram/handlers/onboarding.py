"""Joining a network: /start with an invite token, consent, language choice, /language."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.config import Settings
from bot.core.consent import ConsentTerms
from bot.core.history import Privacy
from bot.i18n import Gettext, pick_locale
from bot.services import Services
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from bot.telegram.handlers.checkin import begin_onboarding
from bot.telegram.handlers.common import edit_tapped, log_refusal, refuse_callback, say
from bot.telegram.handlers.menus import help_text, menu_role, set_chat_menu
from bot.telegram.handlers.rights import offer_exit_checkin
from bot.usecases.checkin import onboarding_script
from bot.usecases.consent import consent_body
from bot.usecases.contact_change import welcome as welcome_pack
from bot.usecases.people import (
    Invite,
    InviteError,
    Membership,
    TermsChanged,
    checked_invite,
    choose_language,
    consent_offer,
    join,
)

LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}


def invite_error_text(reason: str, _: Gettext) -> str:
    """Why an invite link does not work, and what to do."""
    if reason == "used":
        return _("This invite link has already been used. Each link works once: please ask your network "
                 "coordination for a new one.")
    if reason == "expired":
        return _("This invite link has expired. Please ask your network coordination for a new one.")
    if reason == "revoked":
        return _("This invite link has been withdrawn by the network coordination. Please ask them for a new one.")
    if reason == "member":
        return _("You are already a member of this network. /help shows what you can do.")
    return _("I don't know this invite link. Please check it or ask your network coordination for a new one.")


def consent_text(invite: Invite, network: str, organisation: str | None, _: Gettext, settings: Settings,
                 privacy: Privacy) -> str:
    """The consent text of an invite: the role offered, what is stored, who sees it (as the network is set), who is
    responsible, that Telegram carries the messages, how to see, delete or leave."""
    if invite.role == "coordinator":
        role = _("You have been invited to coordinate the network \"{network}\".").format(network=network)
    else:
        role = _("You have been invited as the contact person of {organisation} in the network \"{network}\".").format(
            organisation=organisation, network=network)
    return "\n\n".join([_("Welcome to Netzpuls!"), role, *consent_body(_, settings, privacy), _("Do you agree?")])


async def start(update: Update, context: BotContext) -> None:
    """/start: without a token a short introduction, with a token the consent question."""
    svc, _ = context.svc, context._
    user = update.effective_user
    if user is None:
        return
    if not context.args:
        text = help_text(menu_role(context.identity.memberships), user.id in svc.settings.admins, _)
        await say(update, text)
        return
    token = context.args[0]
    try:
        invite = checked_invite(svc.db, token, svc.clock(),
                                {m.network_id for m in context.identity.memberships})
    except InviteError as error:
        await say(update, invite_error_text(error.reason, _))
        return
    await _ask_consent(update, svc, invite, _)


async def _ask_consent(update: Update, svc: Services, invite: Invite, _: Gettext) -> None:
    offer = consent_offer(svc.db, invite)
    keyboard = InlineKeyboardMarkup([[
        InlineKeyboardButton(_("I agree"),
                             callback_data=callbacks.Consent(True, invite.token, offer.terms.word).pack()),
        InlineKeyboardButton(_("Decline"), callback_data=callbacks.Consent(False, invite.token).pack()),
    ]])
    chat = update.effective_chat
    if chat is not None:
        await chat.send_message(consent_text(invite, offer.network, offer.organisation, _, svc.settings,
                                             offer.privacy), reply_markup=keyboard)


async def on_consent(update: Update, context: BotContext) -> None:
    """A tap on I agree / Decline: register the person, or store nothing at all."""
    svc, _ = context.svc, context._
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    data = callbacks.Consent.unpack(query.data or "")
    if data is None:
        log_refusal(update, context.member)
        await refuse_callback(update, _("This button is no longer valid."))
        return
    if not data.agree:
        await query.answer()
        await edit_tapped(update, _("Understood. Nothing has been stored about you. If you change your mind, open the "
                                    "invite link again."))
        return
    try:
        member = join(svc.db, data.token, user.id, user.first_name, pick_locale(user.language_code),
                      ConsentTerms.read(data.terms), svc.clock())
    except InviteError as error:
        log_refusal(update, context.member)
        await query.answer()
        await edit_tapped(update, None)
        await say(update, invite_error_text(error.reason, _))
        return
    except TermsChanged:  # the text or the network's setting changed since it was shown: show it as it is now
        await query.answer(_("The consent text has changed in the meantime. Please read it again."))
        await edit_tapped(update, None)
        await _ask_consent(update, svc, checked_invite(svc.db, data.token, svc.clock(), ()), _)
        return
    context.refresh()  # the sender is a member now
    await query.answer(_("Thank you!"))
    await edit_tapped(update, None)
    await offer_exit_checkin(svc, member)
    keyboard = InlineKeyboardMarkup([[
        InlineKeyboardButton(name, callback_data=callbacks.Language(code, welcome=True).pack())
        for code, name in LANGUAGE_NAMES.items()
    ]])
    await say_with(update, _("Which language would you like me to use?"), keyboard)
    await set_chat_menu(context.bot, svc, user.id, menu_role(context.identity.memberships), member.locale)


async def say_with(update: Update, text: str, keyboard: InlineKeyboardMarkup) -> None:
    """Send a message with buttons to the update's chat."""
    chat = update.effective_chat
    if chat is not None:
        await chat.send_message(text, reply_markup=keyboard)


async def language_command(update: Update, context: BotContext) -> None:
    """/language: offer the languages."""
    _ = context._  # members only (bot/telegram/roles.py)
    keyboard = InlineKeyboardMarkup([[
        InlineKeyboardButton(name, callback_data=callbacks.Language(code, welcome=False).pack())
        for code, name in LANGUAGE_NAMES.items()
    ]])
    await say_with(update, _("Which language would you like me to use?"), keyboard)


async def on_language(update: Update, context: BotContext) -> None:
    """A tap on a language: store it, confirm in that language, and after joining say what comes next."""
    svc = context.svc
    query = update.callback_query
    member = context.member
    data = callbacks.Language.unpack(query.data or "") if query else None
    if query is None:
        return
    if member is None or data is None or data.locale not in LANGUAGE_NAMES:
        log_refusal(update, member)
        await refuse_callback(update, context._("This button is no longer valid."))
        return
    choose_language(svc.db, member.user_id, data.locale)
    context.refresh()  # the sender's language changed
    _ = svc.tr(data.locale)
    await query.answer()
    await edit_tapped(update, _("Language: {language}").format(language=LANGUAGE_NAMES[data.locale]))
    await set_chat_menu(context.bot, svc, member.user_id, menu_role(context.identity.memberships), data.locale)
    onboarding = (data.welcome and member.role == "partner"
                  and onboarding_script(svc.scripts, member.network_id) is not None)
    pack = welcome_pack(svc.db, svc.scripts, svc.catalogs, member, svc.clock()) if data.welcome else []
    if pack:  # taking over from a contact person who stepped down: what they need to know, before the questions
        await say(update, welcome_text(member, data.welcome, _, onboarding))
        for text in pack:
            await say(update, text)
        if onboarding:
            await begin_onboarding(update, svc, member, _, None)
    # One welcome: the onboarding check-in's intro comes in the same message, then its first question.
    elif not onboarding or not await begin_onboarding(update, svc, member, _, welcome_text(member, True, _, True)):
        await say(update, welcome_text(member, data.welcome, _))


def welcome_text(member: Membership, first_time: bool, _: Gettext, onboarding: bool = False) -> str:
    """What a member reads after choosing the language (`onboarding`: the onboarding check-in's intro and first
    question follow)."""
    if not first_time:
        return _("Done. /help shows what you can do.")
    if member.role == "coordinator":
        return _("You are now the coordinator of \"{network}\". Invite each partner organisation with "
                 "/invite <organisation name>; /partners shows who has joined.").format(network=member.network_name)
    if onboarding:
        return _("Welcome, {name}! You are now registered as the contact person of {organisation} in "
                 "\"{network}\".").format(
            name=member.first_name, organisation=member.organisation_name, network=member.network_name)
    return _("Welcome, {name}! You are now registered as the contact person of {organisation} in \"{network}\". "
             "Start your first check-in now with /checkin.").format(
        name=member.first_name, organisation=member.organisation_name, network=member.network_name)
