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

from bot.core.consent import TERMS_WORD
from bot.core.context import ORGANISATION_KINDS
from bot.core.history import Privacy
from bot.core.limits import CALLBACK_DATA
from bot.core.script.loader import MAX_OPTION_ID, MAX_STEP_ID

MAX_BYTES = CALLBACK_DATA  # Telegram's limit of callback_data, in bytes of UTF-8
MAX_ROWID = 2**63 - 1  # SQLite's largest rowid: the largest id of a check-in, round, draft, invite...
MAX_SCRIPT_ID = 40  # as bot/core/script/loader.py allows
MAX_SESSION = 10**12 - 1  # a coaching session's id: 12 digits and the longest step id and value are 64 bytes
MAX_NETWORK = 10**11 - 1  # a network's id in script buttons: 11 digits, the longest script id and version fit 64 bytes
MAX_TERMS = len("9999n")  # the longest word of consent terms (bot.core.consent.ConsentTerms.word)
# invite tokens are 22 characters (storage/people.py); longer ones cannot fit beside the consent terms
MAX_TOKEN = MAX_BYTES - len("c:y:") - len(":") - MAX_TERMS


@dataclass(frozen=True)
class Part:
    """One ":"-separated part of callback data after the prefix: a fixed word, a number, a text of a given shape, or
    a choice among a few values, each with its word (a choice's value without a word leaves the part out)."""

    field: str  # the dataclass field it carries ("" for a fixed word)
    shape: str  # a regular expression its text matches in full
    maximum: int | None = None  # a number, up to this
    codes: tuple[tuple[object, str | None], ...] = ()  # a choice (or a fixed word): value and word
    optional: bool = False  # a text that may be left out (None), so it must be the last part

    def regex(self) -> str:
        """The part, with the ":" before it, as a regular expression (a named group for a field)."""
        group = f"(?P<{self.field}>{self.shape})" if self.field else f"(?:{self.shape})"
        left_out = self.optional or any(word is None for _, word in self.codes)
        return f"(?::{group})?" if left_out else f":{group}"

    def show(self, value: object) -> str | None:
        """The part's text for a field's value (None: the part is left out)."""
        if self.codes:
            return dict(self.codes)[value]
        if self.optional and value is None:
            return None
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


def maybe(field: str, shape: str) -> Part:
    """A text matching `shape`, or nothing (None: the part is left out, so it must be the last)."""
    return Part(field, shape, optional=True)


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
              parts=(choice("agree", {True: "y", False: "n"}), shaped("token", rf"[A-Za-z0-9_-]{{1,{MAX_TOKEN}}}"),
                     maybe("terms", TERMS_WORD))):
    """Agree (or decline) to the consent text of an invite; `terms`: what the text named (ConsentTerms.word; None on
    buttons sent before they named it)."""

    agree: bool
    token: str
    terms: str | None = None


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


@dataclass(frozen=True)
class ShowAnswers(CallbackData, prefix="u", parts=(number("checkin_id", MAX_ROWID),)):
    """Show the answers of check-in `checkin_id` as /answers does, to change them ("Change answers" under the
    closing message of a round's check-in)."""

    checkin_id: int


@dataclass(frozen=True)
class ShareAnswers(CallbackData, prefix="g", parts=(number("checkin_id", MAX_ROWID),)):
    """Give the answers of the finished onboarding or exit check-in `checkin_id` to the coordination by name (an
    anonymous network's partner, under the check-in's closing message)."""

    checkin_id: int


@dataclass(frozen=True)
class QuoteNamed(CallbackData, prefix="q", parts=(number("answer_id", MAX_ROWID),)):
    """Let the free-text answer `answer_id` (a row of `answers`) be quoted with the organisation's name (an anonymous
    round's check-in, under its closing message)."""

    answer_id: int


RoundAction = Literal["go", "later", "skip"]


@dataclass(frozen=True)
class RoundPrompt(CallbackData, prefix="p", parts=(number("round_id", MAX_ROWID),
                                                   one_of("action", get_args(RoundAction)))):
    """A button under a round's prompt or reminder: start/continue ("go"), ask again later, or sit this round out
    ("skip")."""

    round_id: int
    action: RoundAction


class StepDown(CallbackData, prefix="t"):
    """"I'm no longer responsible" under a round's prompt or reminder, its confirmation, and "don't know" when asked
    who takes over."""


@dataclass(frozen=True)
class StepDownAsk(StepDown, parts=(number("round_id", MAX_ROWID),)):
    """The contact person taking part in round `round_id` is no longer responsible (a confirmation follows)."""

    round_id: int


@dataclass(frozen=True)
class StepDownConfirm(StepDown, parts=(fixed("y"), number("round_id", MAX_ROWID))):
    """Yes: the membership taking part in round `round_id` ends; then who takes over is asked."""

    round_id: int


@dataclass(frozen=True)
class StepDownCancel(StepDown, parts=(fixed("n"),)):
    """No, still responsible after all."""


@dataclass(frozen=True)
class SuccessorUnknown(StepDown, parts=(fixed("u"), number("handover_id", MAX_ROWID))):
    """The contact person of hand-over `handover_id` does not know who takes over."""

    handover_id: int


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


@dataclass(frozen=True)
class CoachReview(Coach, parts=(fixed("r"), number("action_id", MAX_ROWID))):
    """Ask how the action `action_id` went (a button on the digest)."""

    action_id: int


class Access(CallbackData, prefix="n"):
    """A coordinator's access button: withdraw an invite, remove a partner (ask, confirm, cancel), correct an
    organisation's kind (choose the organisation, then its kind)."""

    action: str  # what the button does, in a word (each shape says which)


AccessName = Literal["revoke", "remove", "removeok", "kind", "successor"]


@dataclass(frozen=True)
class AccessAction(Access, parts=(one_of("action", get_args(AccessName)), number("target", MAX_ROWID))):
    """Withdraw invite `target` (revoke), ask (remove) or confirm (removeok) taking organisation `target` out, or
    offer the kinds for organisation `target` (kind), or invite the successor of the contact person who stepped down
    in hand-over `target` (successor)."""

    action: AccessName
    target: int


@dataclass(frozen=True)
class AccessCancel(Access, parts=(fixed("removeno"),)):
    """Do not remove the partner (or change a kind) after all."""

    action = "removeno"


@dataclass(frozen=True)
class AccessKinds(Access, parts=(fixed("kinds"),)):
    """Which organisation's kind to correct (the button under /partners)."""

    action = "kinds"


@dataclass(frozen=True)
class AccessSetKind(Access, parts=(fixed("setkind"), number("target", MAX_ROWID),
                                   one_of("kind", ORGANISATION_KINDS))):
    """Record organisation `target` as of `kind` (scripts branch on it)."""

    target: int
    kind: str
    action = "setkind"


ACCESS_ACTIONS = frozenset({*get_args(AccessName), AccessCancel.action, AccessKinds.action, AccessSetKind.action})


# --- the partners' words and goals (coordinators) ------------------------------------------------------------------

MAX_PAGE = 999  # pages of one view of /notes


class Notes(CallbackData, prefix="w"):
    """A /notes button: the overview, a success factor's words (0: "from the network"), the list of rounds, or a
    round's words (0: the onboarding); each view by page."""


@dataclass(frozen=True)
class NotesHome(Notes, parts=(fixed("h"),)):
    """Back to the overview by success factor."""


@dataclass(frozen=True)
class NotesTopic(Notes, parts=(fixed("f"), number("topic", 11), number("page", MAX_PAGE))):
    """Page `page` (from 0) of the words on success factor `topic` (0: those of no factor, "from the network")."""

    topic: int
    page: int


@dataclass(frozen=True)
class NotesRounds(Notes, parts=(fixed("l"), number("page", MAX_PAGE))):
    """Page `page` (from 0) of the list of rounds that have words."""

    page: int


@dataclass(frozen=True)
class NotesRound(Notes, parts=(fixed("r"), number("round_id", MAX_ROWID), number("page", MAX_PAGE))):
    """Page `page` (from 0) of the words of round `round_id` (0: the onboarding)."""

    round_id: int
    page: int


GoalName = Literal["set", "cancel", "export"]
GOAL_ACTIONS = frozenset(get_args(GoalName))


@dataclass(frozen=True)
class GoalAction(CallbackData, prefix="o", parts=(choice("action", {"set": "set", "cancel": "no",
                                                                     "export": "x"}),)):
    """A /goals button: type the network's goal (set), not after all (cancel), the goal workshop's file (export)."""

    action: GoalName


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


@dataclass(frozen=True)
class ScriptShared(ScriptButton, parts=(fixed("sh"), shaped("script_id", SCRIPT_ID),
                                        number("network_id", MAX_NETWORK))):
    """Let network `network_id` use the shared version of a script again (a confirmation follows)."""

    script_id: str
    network_id: int
    action = "shared"


@dataclass(frozen=True)
class ScriptSharedConfirm(ScriptButton, parts=(fixed("sy"), shaped("script_id", SCRIPT_ID),
                                               number("network_id", MAX_NETWORK), number("own", 999_999))):
    """Yes, network `network_id` uses the shared script again, if its own version in use is still `own`."""

    script_id: str
    network_id: int
    own: int
    action = "sharedok"


SCRIPT_ACTIONS = frozenset({*get_args(ShowName), ScriptRollback.action, ScriptConfirm.action, ScriptCancel.action,
                            *get_args(DraftName), ScriptShared.action, ScriptSharedConfirm.action})


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
class RightsAction(CallbackData, prefix="m",
                   parts=(one_of("action", get_args(RightsName)), maybe("terms", TERMS_WORD))):
    """A rights button: agree/decline (renewed consent), leave/stay, delete/keep, exit (the exit check-in offered to
    a replaced contact person); `terms`: what the consent text agreed to named (ConsentTerms.word), on "agree"."""

    action: RightsName
    terms: str | None = None


# --- several networks ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NetworkChoice(CallbackData, prefix="x", parts=(number("membership_id", MAX_ROWID),
                                                     shaped("command", "[a-z]{1,16}"),
                                                     choice("resend", {True: "r", False: None}))):
    """Act in the network of membership `membership_id` from now on, then run `command` there (/network: only
    switch); `resend` when the command came with arguments, which the person is asked to send again."""

    membership_id: int
    command: str
    resend: bool


ScopedRight = Literal["askleave", "askdelete", "leave", "delete"]


@dataclass(frozen=True)
class RightsIn(CallbackData, prefix="j", parts=(one_of("action", get_args(ScopedRight)),
                                                number("network_id", MAX_ROWID))):
    """/leave or /delete of a member of several networks: choose the network (0: all) to confirm ("ask…"), then
    leave it or erase what was given there."""

    action: ScopedRight
    network_id: int


# Every kind of button, each with one handler (bot/telegram/app.py) and its roles (bot/telegram/roles.py).
KINDS: tuple[type[CallbackData], ...] = (Consent, Language, Answer, RoundPrompt, EditAnswer, Revise, Pause, Setting,
                                         ScriptButton, PrivacyChoice, Coach, PreviewAnswer, RightsAction, Access,
                                         ShareAnswers, QuoteNamed, Notes, GoalAction,
                                         NetworkChoice, RightsIn, StepDown, ShowAnswers)

