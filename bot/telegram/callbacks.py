"""The callback data of our buttons, typed: one small frozen dataclass per kind of data, `pack()` into the string a
button carries (at most Telegram's 64 bytes, UTF-8) and `unpack()` from a tap's data, None for anything else.

Each kind of button (the prefix before the first ":") has one handler, registered for its PATTERN; where one handler
takes data of several shapes (coaching: start, answer, outcome), a group class with the prefix has one class per
shape, and the group's unpack() reads whichever fits. The wire format is the one buttons already sent to chats carry;
unpack() accepts exactly what pack() makes (numbers without leading zeros, ASCII only, no trailing newline)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Self, get_args

from bot.core.history import Privacy
from bot.core.script.loader import MAX_OPTION_ID, MAX_STEP_ID

MAX_BYTES = 64  # Telegram's limit of callback_data, in bytes of UTF-8
MAX_ROWID = 2**63 - 1  # SQLite's largest rowid: the largest id of a check-in, round, draft, invite...
MAX_SCRIPT_ID = 40  # as bot/core/script/loader.py allows
MAX_SESSION = 10**12 - 1  # a coaching session's id: 12 digits and the longest step id and value are 64 bytes
MAX_TOKEN = MAX_BYTES - len("c:y:")  # invite tokens are 22 characters (storage/people.py); longer ones cannot fit


@dataclass(frozen=True)
class Part:
    """One ":"-separated part of callback data after the prefix: a fixed word, a number, a text of a given shape, or
    a choice among a few values, each with its word (a choice's value without a word leaves the part out)."""

    field: str  # the dataclass field it carries ("" for a fixed word)
    shape: str  # a regular expression its text matches in full
    maximum: int | None = None  # a number, up to this
    codes: tuple[tuple[object, str | None], ...] = ()  # a choice (or a fixed word): value and word

    def regex(self) -> str:
        """The part, with the ":" before it, as a regular expression (a named group for a field)."""
        group = f"(?P<{self.field}>{self.shape})" if self.field else f"(?:{self.shape})"
        return f"(?::{group})?" if any(word is None for _, word in self.codes) else f":{group}"

    def show(self, value: object) -> str | None:
        """The part's text for a field's value (None: the part is left out)."""
        if self.codes:
            return dict(self.codes)[value]
        return str(value)

    def read(self, text: str | None) -> object:
        """The field's value from the part's text (None: the part was left out); ValueError if out of range."""
        if self.codes:
            return next(value for value, word in self.codes if word == text)
        if self.maximum is not None:
            number = int(text or "")
            if number > self.maximum:
                raise ValueError(f"{number} is more than {self.maximum}")
            return number
        return text


def fixed(word: str) -> Part:
    """A fixed word that tells shapes apart (e.g. "go" in k:go)."""
    return Part("", re.escape(word), codes=((None, word),))


def number(field: str, maximum: int) -> Part:
    """A whole number from 0 to `maximum`, in decimal digits without leading zeros."""
    return Part(field, rf"0|[1-9][0-9]{{0,{len(str(maximum)) - 1}}}", maximum)


def shaped(field: str, shape: str) -> Part:
    """A text matching `shape` (never a ":")."""
    return Part(field, shape)


def choice(field: str, codes: Mapping[Any, str | None]) -> Part:
    """One of a few values, each written as its word (None: the part is left out, so it must be the last)."""
    return Part(field, "|".join(re.escape(code) for code in codes.values() if code is not None),
                codes=tuple(codes.items()))


def one_of(field: str, values: tuple[str, ...]) -> Part:
    """One of a few words, each the value itself."""
    return choice(field, {value: value for value in values})


STEP_ID = rf"[a-z][a-z0-9_]{{0,{MAX_STEP_ID - 1}}}"  # a script's step id (bot/core/script/loader.py)
VALUE = rf"[A-Za-z0-9_]{{1,{MAX_OPTION_ID}}}"  # an option id, or the engine's own (_done, _p2, o12, dont_know...)
SCRIPT_ID = rf"[a-z][a-z0-9_]{{0,{MAX_SCRIPT_ID - 1}}}"


class CallbackData:
    """The data of one kind of button: its PREFIX, the handler PATTERN derived from it, pack() and unpack().

    A concrete kind is a frozen dataclass subclass declaring its parts (class keyword `parts`); a group is a plain
    subclass with a `prefix` whose subclasses are the shapes of the data its one handler takes."""

    PREFIX: ClassVar[str]
    PATTERN: ClassVar[str]  # what the kind's CallbackQueryHandler matches: its prefix, so malformed data of the kind
    # reaches its handler too (and is refused there, for the roles that may use the kind, as stale)
    PARTS: ClassVar[tuple[Part, ...] | None] = None  # None: a group
    _SHAPE: ClassVar[re.Pattern[str] | None] = None

    def __init_subclass__(cls, prefix: str = "", parts: tuple[Part, ...] | None = None, **kwargs: Any) -> None:
        """Derive the PATTERN from a new prefix, and the shape of the data from the parts."""
        super().__init_subclass__(**kwargs)
        if prefix:
            cls.PREFIX, cls.PATTERN = prefix, f"^{re.escape(prefix)}:"
        cls.PARTS = parts
        cls._SHAPE = None if parts is None else re.compile(
            re.escape(cls.PREFIX) + "".join(part.regex() for part in parts), re.ASCII)

    def pack(self) -> str:
        """The string the button carries."""
        assert self.PARTS is not None, f"{type(self).__name__} is a group, not data"
        texts = [self.PREFIX]
        for part in self.PARTS:
            shown = part.show(getattr(self, part.field) if part.field else None)
            if shown is not None:
                texts.append(shown)
        return ":".join(texts)

    @classmethod
    def unpack(cls, data: str) -> Self | None:
        """The data of a tapped button, read back; None if it is not of this kind (another kind's, malformed, forged,
        or from a retired version of the bot)."""
        if cls._SHAPE is None or cls.PARTS is None:
            return next((found for kind in cls.__subclasses__() if (found := kind.unpack(data)) is not None), None)
        match = cls._SHAPE.fullmatch(data)
        if match is None:
            return None
        try:
            values = {part.field: part.read(match[part.field]) for part in cls.PARTS if part.field}
        except ValueError:
            return None
        return cls(**values)

    @classmethod
    def shapes(cls) -> tuple[type[CallbackData], ...]:
        """The concrete kinds of data this class reads: itself, or every shape of its group."""
        if cls.PARTS is not None:
            return (cls,)
        return tuple(shape for kind in cls.__subclasses__() for shape in kind.shapes())


# --- joining ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Consent(CallbackData, prefix="c",
              parts=(choice("agree", {True: "y", False: "n"}), shaped("token", rf"[A-Za-z0-9_-]{{1,{MAX_TOKEN}}}"))):
    """Agree (or decline) to the consent text of an invite."""

    agree: bool
    token: str


@dataclass(frozen=True)
class Language(CallbackData, prefix="l",
               parts=(shaped("locale", "[a-z]{2}"), choice("welcome", {True: "w", False: None}))):
    """Choose a language; `welcome` when it ends the onboarding."""

    locale: str
    welcome: bool


# --- check-ins and /answers ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer(CallbackData, prefix="a", parts=(number("checkin_id", MAX_ROWID), shaped("step_id", STEP_ID),
                                              shaped("value", VALUE))):
    """Answer step `step_id` of check-in `checkin_id` with `value`."""

    checkin_id: int
    step_id: str
    value: str


@dataclass(frozen=True)
class Revise(CallbackData, prefix="v", parts=(number("checkin_id", MAX_ROWID), shaped("step_id", STEP_ID),
                                              shaped("value", VALUE))):
    """Change the answer of step `step_id` of check-in `checkin_id` to `value` (through /answers)."""

    checkin_id: int
    step_id: str
    value: str


@dataclass(frozen=True)
class EditAnswer(CallbackData, prefix="e", parts=(number("checkin_id", MAX_ROWID), shaped("step_id", STEP_ID))):
    """Choose the answer of `step_id` in check-in `checkin_id` to change (/answers)."""

    checkin_id: int
    step_id: str


RoundAction = Literal["go", "later"]


@dataclass(frozen=True)
class RoundPrompt(CallbackData, prefix="p", parts=(number("round_id", MAX_ROWID),
                                                   one_of("action", get_args(RoundAction)))):
    """A button under a round's prompt or reminder: start/continue ("go"), or ask again later."""

    round_id: int
    action: RoundAction


class Pause(CallbackData, prefix="z"):
    """A /pause button: a number of days, or ending the pause."""


@dataclass(frozen=True)
class PauseFor(Pause, parts=(number("days", 999),)):
    """Pause the check-ins for `days` days."""

    days: int


@dataclass(frozen=True)
class PauseEnd(Pause, parts=(fixed("end"),)):
    """End the pause."""


# --- the coordinator's buttons --------------------------------------------------------------------------------------


class Setting(CallbackData, prefix="s"):
    """A /settings button: a field to change, or its new value."""

    field: str  # the field of the schedule (each shape has it)


@dataclass(frozen=True)
class SettingField(Setting, parts=(shaped("field", "[a-z]{2,8}"),)):
    """Show the choices for one field of the schedule."""

    field: str


@dataclass(frozen=True)
class SettingValue(Setting, parts=(shaped("field", "[a-z]{2,8}"), shaped("value", "[A-Za-z0-9_-]{1,12}"))):
    """Set one field of the schedule to `value`."""

    field: str
    value: str


@dataclass(frozen=True)
class PrivacyChoice(CallbackData, prefix="y", parts=(one_of("privacy", get_args(Privacy)),)):
    """Choose the network's privacy (/privacy)."""

    privacy: Privacy


Outcome = Literal["done", "partly", "not_done"]
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)


class Coach(CallbackData, prefix="k"):
    """A coaching button: start, an answer in the dialog, or how an action went."""


@dataclass(frozen=True)
class CoachStart(Coach, parts=(fixed("go"),)):
    """Start coaching (the offer after a digest)."""


@dataclass(frozen=True)
class CoachAnswer(Coach, parts=(number("session_id", MAX_SESSION), shaped("step_id", STEP_ID),
                                shaped("value", "[A-Za-z0-9_]{1,24}"))):
    """Answer step `step_id` of coaching session `session_id` with `value` (an option, or a topic: a risk rule's
    name or factor_N); session ids up to MAX_SESSION."""

    session_id: int
    step_id: str
    value: str


@dataclass(frozen=True)
class CoachOutcome(Coach, parts=(fixed("o"), number("action_id", MAX_ROWID), one_of("outcome", OUTCOMES))):
    """How the action `action_id` went."""

    action_id: int
    outcome: Outcome


class Access(CallbackData, prefix="n"):
    """A coordinator's access button: withdraw an invite, remove a partner (ask, confirm, cancel)."""

    action: str  # what the button does, in a word (each shape says which)


AccessName = Literal["revoke", "remove", "removeok"]


@dataclass(frozen=True)
class AccessAction(Access, parts=(one_of("action", get_args(AccessName)), number("target", MAX_ROWID))):
    """Withdraw invite `target` (revoke), or ask (remove) or confirm (removeok) taking organisation `target` out."""

    action: AccessName
    target: int


@dataclass(frozen=True)
class AccessCancel(Access, parts=(fixed("removeno"),)):
    """Do not remove the partner after all."""

    action = "removeno"


ACCESS_ACTIONS = frozenset({*get_args(AccessName), AccessCancel.action})

# --- scripts --------------------------------------------------------------------------------------------------------


class ScriptButton(CallbackData, prefix="d"):
    """A button of /scripts or of an uploaded draft (admins and coordinators who edit the scripts)."""

    action: str  # what the button does, in a word (each shape says which)


ShowName = Literal["download", "versions"]


@dataclass(frozen=True)
class ScriptShow(ScriptButton, parts=(choice("action", {"download": "dl", "versions": "vs"}),
                                      shaped("script_id", SCRIPT_ID))):
    """Download the version of a script in use, or show its versions."""

    action: ShowName
    script_id: str


@dataclass(frozen=True)
class ScriptRollback(ScriptButton, parts=(fixed("rb"), shaped("script_id", SCRIPT_ID), number("version", 999_999))):
    """Roll a script back to `version` (a confirmation follows)."""

    script_id: str
    version: int
    action = "rollback"


@dataclass(frozen=True)
class ScriptConfirm(ScriptButton, parts=(fixed("ry"), shaped("script_id", SCRIPT_ID), number("version", 999_999),
                                         number("in_use", 999_999))):
    """Yes, roll back to `version`, if `in_use` (0: none) is still the version in use."""

    script_id: str
    version: int
    in_use: int
    action = "confirm"


@dataclass(frozen=True)
class ScriptCancel(ScriptButton, parts=(fixed("rn"),)):
    """No rollback after all."""

    action = "cancel"


DraftName = Literal["preview", "publish", "discard"]


@dataclass(frozen=True)
class DraftAction(ScriptButton, parts=(choice("action", {"preview": "pv", "publish": "pb", "discard": "dc"}),
                                       number("draft_id", MAX_ROWID))):
    """Preview, publish or discard an uploaded draft."""

    action: DraftName
    draft_id: int


SCRIPT_ACTIONS = frozenset({*get_args(ShowName), ScriptRollback.action, ScriptConfirm.action, ScriptCancel.action,
                            *get_args(DraftName)})


@dataclass(frozen=True)
class PreviewAnswer(CallbackData, prefix="r", parts=(number("draft_id", MAX_ROWID), shaped("step_id", STEP_ID),
                                                     shaped("value", VALUE))):
    """Answer step `step_id` of the preview of draft `draft_id` with `value` (nothing is stored)."""

    draft_id: int
    step_id: str
    value: str


# --- everyone's rights ----------------------------------------------------------------------------------------------

RightsName = Literal["agree", "decline", "leave", "stay", "delete", "keep", "exit"]
RIGHTS_ACTIONS = frozenset(get_args(RightsName))


@dataclass(frozen=True)
class RightsAction(CallbackData, prefix="m", parts=(one_of("action", get_args(RightsName)),)):
    """A rights button: agree/decline (renewed consent), leave/stay, delete/keep, exit (the exit check-in offered to
    a replaced contact person)."""

    action: RightsName


# Every kind of button, each with one handler (bot/telegram/app.py) and its roles (bot/telegram/roles.py).
KINDS: tuple[type[CallbackData], ...] = (Consent, Language, Answer, RoundPrompt, EditAnswer, Revise, Pause, Setting,
                                         ScriptButton, PrivacyChoice, Coach, PreviewAnswer, RightsAction, Access)


# --- the old builders and parsers, until every user has moved to the classes above ----------------------------

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
