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
from bot.usecases.acting import network_of_button
from bot.usecases.identity import Membership, Role


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
    network: bool = True  # it acts in one network: a member of several with a fitting role is asked which

    def allows(self, roles: frozenset[Role]) -> bool:
        """Whether someone with these roles may use it."""
        return bool(self.roles & roles)


_SCRIPTS = N_("/scripts is for admins and network coordinators: it changes the check-in questions.")
_ANSWERS = N_("/answers is for partner organisations: it shows their check-in answers.")

# Every command app.py registers, by name.
COMMANDS: dict[str, Rule] = {
    "start": Rule(EVERYONE, network=False),
    "help": Rule(EVERYONE, network=False),
    "checkin": Rule(PARTNERS, N_("The check-in is for partner organisations. As coordinator you will see the "
                                 "results in the monthly overview.")),
    "answers": Rule(PARTNERS, _ANSWERS, _ANSWERS),
    "pause": Rule(PARTNERS, N_("/pause is for partner organisations: it pauses their check-ins.")),
    "language": Rule(MEMBERS, network=False),  # one language for all of a person's networks
    "network": Rule(MEMBERS, stranger=N_("You are not a member of a network."), network=False),
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
    # every network's data at once; /delete and /leave ask which network themselves (or all)
    "mydata": Rule(EVERYONE, network=False),
    "delete": Rule(EVERYONE, network=False),
    "leave": Rule(MEMBERS, stranger=N_("You are not a member of a network."), network=False),
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
    callbacks.NetworkChoice.PREFIX: MEMBERS,  # which network a member of several acts in (/network, or asked)
    callbacks.RightsIn.PREFIX: MEMBERS,  # /leave and /delete of a member of several networks: which one, or all
    # "I'm no longer responsible" and its confirmation (a partner), then "don't know" who takes over (by then a
    # former partner); the handler checks the round or hand-over is this person's
    callbacks.StepDown.PREFIX: frozenset({"partner", "stranger"}),
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


# The guarded handler of every command, by name: a network chosen by button runs the command it was asked for.
GUARDED: dict[str, Guarded] = {}
NetworkQuestion = Callable[[Update, BotContext, list[Membership], str], Awaitable[None]]


def command(name: str, callback: Handler, ask_network: NetworkQuestion) -> Guarded:
    """The command's handler, run only for the roles COMMANDS allows it (everyone else is refused), and, for a member
    of several networks, in the network it is for (`ask_network` asks which, where that is not clear)."""
    rule = COMMANDS[name]

    @functools.wraps(callback)
    async def guarded(update: Update, context: BotContext) -> None:
        if not rule.allows(context.roles):
            await _refuse(update, context, rule.stranger if context.member is None else rule.refusal)
            return
        fitting = [m for m in context.identity.memberships if m.role in rule.roles]
        if rule.network and fitting and not _acts_in_one(context, fitting):
            await ask_network(update, context, fitting, name)
            return
        await callback(update, context)

    GUARDED[name] = guarded
    return guarded


def _acts_in_one(context: BotContext, fitting: list[Membership]) -> bool:
    """Whether it is clear which of these memberships a command is for (and act in it): the one chosen lately, or
    the only one with a fitting role. A member of one network is never asked."""
    identity = context.identity
    if len(identity.memberships) == 1:
        return True
    chosen = identity.chosen_for(context.svc.clock())
    if chosen is not None and chosen in fitting:
        context.act_in(chosen)  # the conversation goes on: the choice holds a while longer
        return True
    if len(fitting) == 1:
        context.act_in(fitting[0])
        return True
    return False


def button(kind: type[CallbackData], callback: Handler) -> Guarded:
    """The button kind's handler, run only for the roles BUTTONS allows it (everyone else is refused), in the network
    the button belongs to where its data tells it."""
    roles = BUTTONS[kind.PREFIX]

    @functools.wraps(callback)
    async def guarded(update: Update, context: BotContext) -> None:
        if not roles & context.roles:
            await _refuse(update, context, BUTTON_REFUSAL)
            return
        _act_where_tapped(update, context, kind, roles)
        await callback(update, context)

    return guarded


def _act_where_tapped(update: Update, context: BotContext, kind: type[CallbackData], roles: frozenset[Role]) -> None:
    """A member of several networks acts in the one the tapped button belongs to (by the ids in its data), else in
    their only membership with a fitting role; otherwise where they act now."""
    identity = context.identity
    if len(identity.memberships) < 2 or update.callback_query is None:
        return
    data = kind.unpack(update.callback_query.data or "")
    network_id = network_of_button(context.svc.db, data) if data is not None else None
    if network_id is not None:
        found = next((m for m in identity.memberships if m.network_id == network_id), None)
    else:
        fitting = [m for m in identity.memberships if m.role in roles]
        found = fitting[0] if len(fitting) == 1 and identity.member not in fitting else None
    if found is not None and found != identity.member:
        context.act_in(found)
