"""The context every handler gets: the services, and the sender's identity, language and translator, each looked
up once per update.

PTB builds one context per update (Application.process_update: `context` is built for the first handler that
matches and handed to the handlers of every later group), so note_reachable, the consent gate and the handler share
one identity lookup. A handler that changes the sender's membership or language calls `refresh()`."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.i18n import Gettext
from bot.services import Services
from bot.usecases.identity import Identity, Membership, Role, choose_membership, identify

SERVICES_KEY = "services"


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """CallbackContext with the services and the identity of the update's sender (lazily, once)."""

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any], chat_id: int | None = None,
                 user_id: int | None = None) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self._update: Update | None = None
        self._identity: Identity | None = None

    @classmethod
    def from_update(cls, update: object, application: Application[Any, Any, Any, Any, Any, Any]) -> BotContext:
        """The context of one update (PTB's, remembering the update for the identity)."""
        context = super().from_update(update, application)
        assert isinstance(context, BotContext)
        if isinstance(update, Update):
            context._update = update
        return context

    @property
    def svc(self) -> Services:
        """The Services object stored in bot_data at start."""
        found = self.bot_data[SERVICES_KEY]
        assert isinstance(found, Services)
        return found

    @property
    def ready(self) -> bool:
        """Whether the services exist (post_init has run)."""
        return isinstance(self.bot_data.get(SERVICES_KEY), Services)

    @property
    def identity(self) -> Identity:
        """The sender's identity, read at the first use in this update (or after refresh())."""
        if self._identity is None:
            user = self._update.effective_user if self._update is not None else None
            svc = self.svc
            self._identity = identify(svc.db, user.id if user else None, user.language_code if user else None,
                                      svc.settings.admins)
        return self._identity

    @property
    def member(self) -> Membership | None:
        """The sender's active membership, None for strangers."""
        return self.identity.member

    @property
    def known_member(self) -> Membership:
        """The sender's membership, in a handler the role guard runs for members only."""
        member = self.identity.member
        assert member is not None, "a handler for members ran for a stranger"
        return member

    @property
    def roles(self) -> frozenset[Role]:
        """The sender's roles (bot/telegram/roles.py)."""
        return self.identity.roles

    @property
    def is_admin(self) -> bool:
        """Whether the sender is one of NETZPULS_ADMINS."""
        return self.identity.is_admin

    @property
    def locale(self) -> str:
        """The sender's language: chosen, else Telegram's, else German."""
        return self.identity.locale

    @property
    def _(self) -> Gettext:
        """The translation function in the sender's language."""
        return self.svc.tr(self.locale)

    def act_in(self, member: Membership) -> None:
        """From now on (this update, and the person's next commands and typed text) act in this membership."""
        svc = self.svc
        now = svc.clock()
        choose_membership(svc.db, member.user_id, member.id, now)
        self._identity = self.identity.acting_in(member, now)

    def refresh(self) -> None:
        """Read the identity again at its next use: after a handler changed the sender's membership or language."""
        self._identity = None


CONTEXT_TYPES = ContextTypes(context=BotContext)
