"""The callback-data formats of our buttons (each fits Telegram's 64 bytes) and their parsing."""

from __future__ import annotations

import re
from dataclasses import dataclass

CONSENT_PATTERN = r"^c:"
LANGUAGE_PATTERN = r"^l:"
ANSWER_PATTERN = r"^a:"
REVISE_PATTERN = r"^v:"
EDIT_PATTERN = r"^e:"
PAUSE_PATTERN = r"^z:"
SETTINGS_PATTERN = r"^s:"

_CONSENT_RE = re.compile(r"^c:([yn]):([A-Za-z0-9_-]{1,64})$")
_LANGUAGE_RE = re.compile(r"^l:([a-z]{2})(:w)?$")
_ANSWER_RE = re.compile(r"^([av]):(\d{1,12}):([a-z][a-z0-9_]{0,23}):([A-Za-z0-9_]{1,16})$")
_EDIT_RE = re.compile(r"^e:(\d{1,12}):([a-z][a-z0-9_]{0,23})$")
_PAUSE_RE = re.compile(r"^z:(\d{1,3}|end)$")
_SETTINGS_RE = re.compile(r"^s:([a-z]{2,8})(?::([A-Za-z0-9_-]{1,12}))?$")


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


def answer(checkin_id: int, step_id: str, value: str, revise: bool = False) -> str:
    """Callback data for an answer button (`revise`: changing an earlier answer through /answers)."""
    return f"{'v' if revise else 'a'}:{checkin_id}:{step_id}:{value}"


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
    return None if match is None else AnswerData(int(match[2]), match[3], match[4])


ROUND_PATTERN = r"^p:"
_ROUND_RE = re.compile(r"^p:(\d{1,12}):(go|later)$")


@dataclass(frozen=True)
class RoundData:
    """A button under a round's prompt or reminder: start/continue, or ask again later."""

    round_id: int
    action: str


def round_button(round_id: int, action: str) -> str:
    """Callback data for a prompt or reminder button ("go" or "later")."""
    return f"p:{round_id}:{action}"


def parse_round(data: str) -> RoundData | None:
    """Parse prompt/reminder callback data; None if malformed."""
    match = _ROUND_RE.match(data)
    return None if match is None else RoundData(int(match[1]), match[2])


@dataclass(frozen=True)
class EditData:
    """Change the answer of `step_id` in check-in `checkin_id`."""

    checkin_id: int
    step_id: str


def edit(checkin_id: int, step_id: str) -> str:
    """Callback data for a "change this answer" button."""
    return f"e:{checkin_id}:{step_id}"


def parse_edit(data: str) -> EditData | None:
    """Parse change-answer callback data; None if malformed."""
    match = _EDIT_RE.match(data)
    return None if match is None else EditData(int(match[1]), match[2])


def pause(days: int | None) -> str:
    """Callback data for a pause button: a number of days, or None to end the pause."""
    return f"z:{'end' if days is None else days}"


def parse_pause(data: str) -> int | bool | None:
    """Days to pause, None to end the pause, False if malformed."""
    match = _PAUSE_RE.match(data)
    if match is None:
        return False
    return None if match[1] == "end" else int(match[1])


def setting(field: str, value: str | None = None) -> str:
    """Callback data for a /settings button: a field to change, or its new value."""
    return f"s:{field}" if value is None else f"s:{field}:{value}"


def parse_setting(data: str) -> tuple[str, str | None] | None:
    """(field, value or None) of /settings callback data; None if malformed."""
    match = _SETTINGS_RE.match(data)
    return None if match is None else (match[1], match[2])


SCRIPT_PATTERN = r"^d:"
PREVIEW_PATTERN = r"^r:"
_SCRIPT_ID = r"[a-z][a-z0-9_]{0,39}"
_SCRIPT_RES = {
    "download": re.compile(rf"^d:dl:({_SCRIPT_ID})$"),
    "versions": re.compile(rf"^d:vs:({_SCRIPT_ID})$"),
    "rollback": re.compile(rf"^d:rb:({_SCRIPT_ID}):(\d{{1,6}})$"),
    "confirm": re.compile(rf"^d:ry:({_SCRIPT_ID}):(\d{{1,6}}):(\d{{1,6}})$"),
    "cancel": re.compile(r"^d:rn$"),
    "preview": re.compile(r"^d:pv:(\d{1,12})$"),
    "publish": re.compile(r"^d:pb:(\d{1,12})$"),
    "discard": re.compile(r"^d:dc:(\d{1,12})$"),
}
_SCRIPT_CODES = {"download": "dl", "versions": "vs", "rollback": "rb", "confirm": "ry", "cancel": "rn",
                 "preview": "pv", "publish": "pb", "discard": "dc"}
_PREVIEW_RE = re.compile(r"^r:(\d{1,12}):([a-z][a-z0-9_]{0,23}):([A-Za-z0-9_]{1,16})$")


@dataclass(frozen=True)
class ScriptAction:
    """A button of /scripts or of an uploaded draft: what to do, with the script or the draft it is about."""

    action: str  # download, versions, rollback, confirm, cancel (script buttons); preview, publish, discard (drafts)
    script_id: str = ""
    version: int = 0  # rollback/confirm: the version to put in use again
    in_use: int = 0  # confirm: the version in use when the question was asked
    draft_id: int = 0


def script_action(action: str, script_id: str = "", version: int = 0, in_use: int = 0, draft_id: int = 0) -> str:
    """Callback data for a /scripts or draft button (see ScriptAction)."""
    code = _SCRIPT_CODES[action]
    if action in ("download", "versions"):
        return f"d:{code}:{script_id}"
    if action == "rollback":
        return f"d:{code}:{script_id}:{version}"
    if action == "confirm":
        return f"d:{code}:{script_id}:{version}:{in_use}"
    if action == "cancel":
        return f"d:{code}"
    return f"d:{code}:{draft_id}"


def parse_script_action(data: str) -> ScriptAction | None:
    """Parse /scripts or draft callback data; None if malformed."""
    for action, pattern in _SCRIPT_RES.items():
        match = pattern.match(data)
        if match is None:
            continue
        if action in ("preview", "publish", "discard"):
            return ScriptAction(action, draft_id=int(match[1]))
        if action == "cancel":
            return ScriptAction(action)
        groups = match.groups()
        return ScriptAction(action, groups[0], int(groups[1]) if len(groups) > 1 else 0,
                            int(groups[2]) if len(groups) > 2 else 0)
    return None


@dataclass(frozen=True)
class PreviewData:
    """Answer step `step_id` of the preview of draft `draft_id` with `value`."""

    draft_id: int
    step_id: str
    value: str


def preview_answer(draft_id: int, step_id: str, value: str) -> str:
    """Callback data for an answer button in a script preview (nothing is stored)."""
    return f"r:{draft_id}:{step_id}:{value}"


def parse_preview(data: str) -> PreviewData | None:
    """Parse preview answer callback data; None if malformed."""
    match = _PREVIEW_RE.match(data)
    return None if match is None else PreviewData(int(match[1]), match[2], match[3])


PRIVACY_PATTERN = r"^y:"
_PRIVACY_RE = re.compile(r"^y:(anonymous|named)$")


def privacy(choice: str) -> str:
    """Callback data for choosing a network's privacy (anonymous or named)."""
    return f"y:{choice}"


def parse_privacy(data: str) -> str | None:
    """The privacy chosen by a /privacy button, or None for anything else."""
    match = _PRIVACY_RE.match(data)
    return match.group(1) if match else None


COACH_PATTERN = r"^k:"
_COACH_RE = re.compile(r"^k:(?:(go)|o:(\d{1,12}):(done|partly|not_done)|(\d{1,12}):([a-z][a-z0-9_]{0,23}):"
                       r"([A-Za-z0-9_]{1,24}))$")


@dataclass(frozen=True)
class CoachData:
    """A coaching button: start (`start`), an answer in a dialog, or how an action went."""

    start: bool = False
    session_id: int = 0
    step_id: str = ""
    value: str = ""
    action_id: int = 0
    outcome: str = ""


def coach_start() -> str:
    """Callback data of the "start coaching" button."""
    return "k:go"


def coach_answer(session_id: int, step_id: str, value: str) -> str:
    """Callback data of an answer button in a coaching dialog."""
    return f"k:{session_id}:{step_id}:{value}"


def coach_outcome(action_id: int, outcome: str) -> str:
    """Callback data of "how did it go" for an action."""
    return f"k:o:{action_id}:{outcome}"


def parse_coach(data: str) -> CoachData | None:
    """A coaching button's data, or None for anything else."""
    match = _COACH_RE.match(data)
    if match is None:
        return None
    if match.group(1):
        return CoachData(start=True)
    if match.group(2):
        return CoachData(action_id=int(match.group(2)), outcome=match.group(3))
    return CoachData(session_id=int(match.group(4)), step_id=match.group(5), value=match.group(6))


RIGHTS_PATTERN = r"^m:"
ACCESS_PATTERN = r"^n:"
RIGHTS_ACTIONS = frozenset({"agree", "decline", "leave", "stay", "delete", "keep", "exit"})
ACCESS_ACTIONS = frozenset({"revoke", "remove", "removeok", "removeno"})
_MEMBER_RE = re.compile(r"^([mn]):([a-z]{2,10})(?::(\d{1,12}))?$")


@dataclass(frozen=True)
class MemberAction:
    """A rights button (m:, the person's own data and membership) or an access button (n:, the coordinator's)."""

    action: str
    target: int | None = None  # an invite's or organisation's id


def rights_button(action: str) -> str:
    """Callback data of a rights button: agree/decline (renewed consent), leave/stay, delete/keep, exit (the exit
    check-in offered to a replaced contact person)."""
    assert action in RIGHTS_ACTIONS
    return f"m:{action}"


def access_button(action: str, target: int | None = None) -> str:
    """Callback data of a coordinator's access button: revoke an invite, remove a partner (and confirm)."""
    assert action in ACCESS_ACTIONS
    return f"n:{action}" if target is None else f"n:{action}:{target}"


def parse_member_action(data: str) -> MemberAction | None:
    """A rights or access button's data, or None for anything malformed or unknown."""
    match = _MEMBER_RE.match(data)
    if match is None or match[2] not in (RIGHTS_ACTIONS if match[1] == "m" else ACCESS_ACTIONS):
        return None
    return MemberAction(match[2], None if match[3] is None else int(match[3]))
