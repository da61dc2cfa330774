"""What a member agrees to: the consent text's version and their network's privacy setting as the text named it.

A member takes part (gets prompts, reminders, answers) only while their latest consent is to the text in use
(CONSENT_VERSION or newer) under the privacy their network has now; a new text or a switch of the setting asks again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.history import Privacy

# The version of the consent text (bot/usecases/consent.py consent_body): raise it whenever that text changes, and
# every member is asked to agree again. 4: names the controller, a data-protection contact and Telegram.
CONSENT_VERSION = 4
TERMS_WORD = "[1-9][0-9]{0,3}[an]"  # the shape of `ConsentTerms.word`, for the callback data
_WORD = re.compile(r"([1-9][0-9]{0,3})([an])")


@dataclass(frozen=True)
class ConsentTerms:
    """A consent text's version and the privacy setting it named: what one tap on "I agree" agreed to."""

    version: int
    privacy: Privacy

    @property
    def word(self) -> str:
        """The terms in a button's callback data: "4a" (version 4, anonymous), "4n" (named)."""
        return f"{self.version}{self.privacy[0]}"

    @classmethod
    def read(cls, word: str | None) -> ConsentTerms | None:
        """The terms a button's word names, or None (no word: a button from before buttons named their terms)."""
        match = _WORD.fullmatch(word or "")
        if match is None:
            return None
        return cls(int(match[1]), "named" if match[2] == "n" else "anonymous")


def current_terms(privacy: Privacy) -> ConsentTerms:
    """What a member of a network with this privacy must have agreed to now."""
    return ConsentTerms(CONSENT_VERSION, privacy)


def covers(agreed: ConsentTerms | None, privacy: Privacy) -> bool:
    """Whether the latest consent (None: none) covers taking part in a network with this privacy now."""
    return agreed is not None and agreed.version >= CONSENT_VERSION and agreed.privacy == privacy
