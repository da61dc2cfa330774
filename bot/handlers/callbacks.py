"""The callback-data formats of our buttons (each fits Telegram's 64 bytes) and their parsing."""

from __future__ import annotations

import re
from dataclasses import dataclass

CONSENT_PATTERN = r"^c:"
LANGUAGE_PATTERN = r"^l:"
ANSWER_PATTERN = r"^a:"

_CONSENT_RE = re.compile(r"^c:([yn]):([A-Za-z0-9_-]{1,64})$")
_LANGUAGE_RE = re.compile(r"^l:([a-z]{2})(:w)?$")
_ANSWER_RE = re.compile(r"^a:(\d{1,12}):([a-z][a-z0-9_]{0,23}):([A-Za-z0-9_]{1,16})$")


@dataclass(frozen=True)
class ConsentData:
    """Agree (or decline) to the consent text of an invite."""

    agree: bool
    token: str


@dataclass(frozen=True)
class LanguageData:
    """Choose a language; `welcome` when it ends the onboarding."""

    locale: str
    welcome: bool


@dataclass(frozen=True)
class AnswerData:
    """Answer step `step_id` of check-in `checkin_id` with `value`."""

    checkin_id: int
    step_id: str
    value: str


def consent(agree: bool, token: str) -> str:
    """Callback data for the consent buttons."""
    return f"c:{'y' if agree else 'n'}:{token}"


def language(locale: str, welcome: bool) -> str:
    """Callback data for a language button."""
    return f"l:{locale}{':w' if welcome else ''}"


def answer(checkin_id: int, step_id: str, value: str) -> str:
    """Callback data for an answer button."""
    return f"a:{checkin_id}:{step_id}:{value}"


def parse_consent(data: str) -> ConsentData | None:
    """Parse consent callback data; None if malformed."""
    match = _CONSENT_RE.match(data)
    return None if match is None else ConsentData(match[1] == "y", match[2])


def parse_language(data: str) -> LanguageData | None:
    """Parse language callback data; None if malformed."""
    match = _LANGUAGE_RE.match(data)
    return None if match is None else LanguageData(match[1], match[2] is not None)


def parse_answer(data: str) -> AnswerData | None:
    """Parse answer callback data; None if malformed."""
    match = _ANSWER_RE.match(data)
    return None if match is None else AnswerData(int(match[1]), match[2], match[3])
