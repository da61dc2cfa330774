"""Who may use which command and which kind of button: the role table, and the guard app.py wraps every command
and button handler in (one polite refusal, one log line).

Roles (bot/usecases/identity.py): a stranger has no active membership, a partner or coordinator has one, an admin
is one of NETZPULS_ADMINS (and may be a member too); a person may use what any of their roles may. Whether a button
was made for this member or network, and what the state allows (a used invite, a finished check-in), is for the
handlers to check: those are not roles."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram import Update

from bot.telegram import callbacks
from bot.telegram.callbacks import CallbackData
from bot.telegram.context import BotContext
from bot.telegram.handlers.common import log_refusal, refuse_callback, say
from bot.usecases.identity import Role


def N_(message: str) -> str:
    """Mark a text for the catalogs; it is translated where it is shown."""
    return message


EVERYONE: frozenset[Role] = frozenset({"stranger", "partner", "coordinator", "admin"})
MEMBERS: frozenset[Role] = frozenset({"partner", "coordinator"})
PARTNERS: frozenset[Role] = frozenset({"partner"})
COORDINATORS: frozenset[Role] = frozenset({"coordinator"})
EDITORS: frozenset[Role] = frozenset({"coordinator", "admin"})  # who may change the check-in scripts

NOT_REGISTERED = N_("You are not registered yet. Please open the invite link from your network coordination.")
ONLY_COORDINATION = N_("This command is only for the network coordination.")
BUTTON_REFUSAL = N_("This button is not meant for you.")


@dataclass(frozen=True)
class Rule:
    """The roles that may use a command, what a member of another role is told, and what a stranger is told."""

    roles: frozenset[Role]
    refusal: str = ONLY_COORDINATION
    stranger: str = NOT_REGISTERED

    def allows(self, roles: frozenset[Role]) -> bool:
        """Whether someone with these roles may use it."""
        return bool(self.roles & roles)


_SCRIPTS = N_("/scripts is for admins and network coordinators: it changes the check-in questions.")
_ANSWERS = N_("/answers is for partner organisations: it shows their check-in answers.")

# Every command app.py registers, by name.
COMMANDS: dict[str, Rule] = {
    "start": Rule(EVERYONE),
    "help": Rule(EVERYONE),
    "checkin": Rule(PARTNERS, N_("The check-in is for partner organisations. As coordinator you will see the "
                                 "results in the monthly overview.")),
    "answers": Rule(PARTNERS, _ANSWERS, _ANSWERS),
    "pause": Rule(PARTNERS, N_("/pause is for partner organisations: it pauses their check-ins.")),
    "language": Rule(MEMBERS),
    "invite": Rule(COORDINATORS),
    "partners": Rule(COORDINATORS),
    "settings": Rule(COORDINATORS),
    "scripts": Rule(EDITORS, _SCRIPTS, _SCRIPTS),
    "digest": Rule(COORDINATORS),
    "export": Rule(COORDINATORS),
    "report": Rule(COORDINATORS),
    "privacy": Rule(COORDINATORS),
    "coach": Rule(COORDINATORS),
    "actions": Rule(COORDINATORS),
    "invites": Rule(COORDINATORS),
    "handover": Rule(COORDINATORS),
    "remove": Rule(COORDINATORS),
    "notes": Rule(COORDINATORS),
    "goals": Rule(COORDINATORS),
    "mydata": Rule(EVERYONE),
    "delete": Rule(EVERYONE),
    "leave": Rule(MEMBERS, stranger=N_("You are not a member of a network.")),
}

# Every kind of button (bot/telegram/callbacks.py KINDS), by the prefix of its callback data; a refused tap is
# answered with BUTTON_REFUSAL.
BUTTONS: dict[str, frozenset[Role]] = {
    callbacks.Consent.PREFIX: EVERYONE,  # consent to an invite: how strangers join (and members switch networks)
    callbacks.Language.PREFIX: MEMBERS,  # language
    # answers: a partner's check-in, or a former partner's exit check-in
    callbacks.Answer.PREFIX: frozenset({"partner", "stranger"}),
    callbacks.Revise.PREFIX: PARTNERS,  # changing an answer (/answers)
    callbacks.EditAnswer.PREFIX: PARTNERS,  # choosing the answer to change (/answers)
    callbacks.ShowAnswers.PREFIX: PARTNERS,  # "Change answers" under a round's finished check-in: /answers for it
    callbacks.RoundPrompt.PREFIX: PARTNERS,  # a round's prompt: start now or later
    callbacks.Pause.PREFIX: PARTNERS,  # pause
    callbacks.Setting.PREFIX: COORDINATORS,  # settings
    callbacks.ScriptButton.PREFIX: EDITORS,  # scripts: download, versions, rollback; drafts
    callbacks.PreviewAnswer.PREFIX: EDITORS,  # a script preview's answers
    callbacks.PrivacyChoice.PREFIX: COORDINATORS,  # privacy
    callbacks.Coach.PREFIX: COORDINATORS,  # coaching
    # data protection rights: every person's (the handler checks what applies to whom)
    callbacks.RightsAction.PREFIX: EVERYONE,
    callbacks.Access.PREFIX: COORDINATORS,  # access: invites, removing a partner
    # giving the onboarding or exit answers by name: a partner, or a former partner after its exit check-in
    callbacks.ShareAnswers.PREFIX: frozenset({"partner", "stranger"}),
    callbacks.QuoteNamed.PREFIX: PARTNERS,  # a free text of a monthly check-in may be quoted by name
    callbacks.Notes.PREFIX: COORDINATORS,  # the partners' words (/notes): overview, factors, rounds, pages
    callbacks.GoalAction.PREFIX: COORDINATORS,  # goals (/goals): set the network's goal, the workshop file
}

Handler = Callable[[Update, BotContext], Awaitable[object]]
Guarded = Callable[[Update, BotContext], Coroutine[Any, Any, None]]


async def _refuse(update: Update, context: BotContext, text: str) -> None:
    """The one refusal: logged without personal data, then said politely in the sender's language."""
    log_refusal(update, context.member)
    if update.callback_query is not None:
        await refuse_callback(update, context._(text))
    else:
        await say(update, context._(text))


def command(name: str, callback: Handler) -> Guarded:
    """The command's handler, run only for the roles COMMANDS allows it; everyone else is refused."""
    rule = COMMANDS[name]

    @functools.wraps(callback)
    async def guarded(update: Update, context: BotContext) -> None:
        if rule.allows(context.roles):
            await callback(update, context)
        else:
            await _refuse(update, context, rule.stranger if context.member is None else rule.refusal)

    return guarded


def button(kind: type[CallbackData], callback: Handler) -> Guarded:
    """The button kind's handler, run only for the roles BUTTONS allows it; everyone else is refused."""
    roles = BUTTONS[kind.PREFIX]

    @functools.wraps(callback)
    async def guarded(update: Update, context: BotContext) -> None:
        if roles & context.roles:
            await callback(update, context)
        else:
            await _refuse(update, context, BUTTON_REFUSAL)

    return guarded
