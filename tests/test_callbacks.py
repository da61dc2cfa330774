"""The typed callback data of our buttons: the wire format of buttons already sent stays, every kind of data reads back
what it packs and nothing else, fits Telegram's 64 bytes at its largest, and each handler's pattern takes exactly its
kind's data."""

from __future__ import annotations

import re

import pytest

from bot.core.script.loader import ScriptError, load_script_text
from bot.telegram.callbacks import (
    ACCESS_ACTIONS,
    GOAL_ACTIONS,
    KINDS,
    MAX_BYTES,
    MAX_NETWORK,
    MAX_ROWID,
    MAX_SCRIPT_ID,
    MAX_SESSION,
    MAX_TOKEN,
    RIGHTS_ACTIONS,
    SCRIPT_ACTIONS,
    Access,
    AccessAction,
    AccessCancel,
    AccessKinds,
    AccessSetKind,
    Answer,
    CallbackData,
    Coach,
    CoachAnswer,
    CoachOutcome,
    CoachReview,
    CoachStart,
    Consent,
    DraftAction,
    EditAnswer,
    GoalAction,
    Language,
    NetworkChoice,
    Notes,
    NotesHome,
    NotesRound,
    NotesRounds,
    NotesTopic,
    Pause,
    PauseEnd,
    PauseFor,
    PreviewAnswer,
    PrivacyChoice,
    QuoteNamed,
    Revise,
    RightsAction,
    RightsIn,
    RoundPrompt,
    ScriptButton,
    ScriptCancel,
    ScriptConfirm,
    ScriptRollback,
    ScriptShared,
    ScriptSharedConfirm,
    ScriptShow,
    Setting,
    SettingField,
    SettingValue,
    ShareAnswers,
    ShowAnswers,
    StepDown,
    StepDownAsk,
    StepDownCancel,
    StepDownConfirm,
    SuccessorUnknown,
)

SHAPES = [shape for kind in KINDS for shape in kind.shapes()]
STEP = "s" * 24  # the longest step id a script may have (bot/core/script/loader.py MAX_STEP_ID)
OPTION = "o" * 16  # the longest option id (MAX_OPTION_ID)
SCRIPT = "x" * MAX_SCRIPT_ID

# Every shape of data as the bot packed it before the classes existed (bot/telegram/callbacks.py's builders): the
# buttons already in people's chats carry these strings and must keep working.
WIRE: list[tuple[CallbackData, str]] = [
    (Consent(True, "Ab3_x-9"), "c:y:Ab3_x-9"),
    (Consent(False, "Ab3_x-9"), "c:n:Ab3_x-9"),
    (Consent(True, "Ab3_x-9", "4a"), "c:y:Ab3_x-9:4a"),  # since the consent terms name the privacy setting
    (Language("de", True), "l:de:w"),
    (Language("en", False), "l:en"),
    (Answer(12, "goals_clear", "4"), "a:12:goals_clear:4"),
    (Answer(1, "partners", "o17"), "a:1:partners:o17"),
    (Answer(1, "partners", "_p2"), "a:1:partners:_p2"),
    (Answer(1, "partners", "_done"), "a:1:partners:_done"),
    (Revise(12, "goals_clear", "dont_know"), "v:12:goals_clear:dont_know"),
    (EditAnswer(3, "benefit"), "e:3:benefit"),
    (RoundPrompt(7, "go"), "p:7:go"),
    (RoundPrompt(7, "later"), "p:7:later"),
    (RoundPrompt(7, "skip"), "p:7:skip"),
    (PauseFor(14), "z:14"),
    (PauseEnd(), "z:end"),
    (SettingField("day"), "s:day"),
    (SettingValue("remind", "3-7"), "s:remind:3-7"),
    (SettingValue("state", "none"), "s:state:none"),
    (ScriptShow("download", "monthly_checkin"), "d:dl:monthly_checkin"),
    (ScriptShow("versions", "monthly_checkin"), "d:vs:monthly_checkin"),
    (ScriptRollback("monthly_checkin", 2), "d:rb:monthly_checkin:2"),
    (ScriptConfirm("monthly_checkin", 2, 3), "d:ry:monthly_checkin:2:3"),
    (ScriptConfirm("coaching", 1, 0), "d:ry:coaching:1:0"),
    (ScriptCancel(), "d:rn"),
    (DraftAction("preview", 7), "d:pv:7"),
    (DraftAction("publish", 7), "d:pb:7"),
    (DraftAction("discard", 7), "d:dc:7"),
    (PreviewAnswer(7, "focus", "yes"), "r:7:focus:yes"),
    (PrivacyChoice("anonymous"), "y:anonymous"),
    (PrivacyChoice("named"), "y:named"),
    (CoachStart(), "k:go"),
    (CoachAnswer(1, "focus", "factor_3"), "k:1:focus:factor_3"),
    (CoachAnswer(2, "focus", "parallel_structures"), "k:2:focus:parallel_structures"),
    (CoachOutcome(1, "done"), "k:o:1:done"),
    (CoachOutcome(5, "not_done"), "k:o:5:not_done"),
    (CoachReview(7), "k:r:7"),
    *((RightsAction(action), f"m:{action}") for action in ("agree", "decline", "leave", "stay", "delete", "keep",
                                                          "exit")),
    (RightsAction("agree", "4n"), "m:agree:4n"),
    (RightsAction("agree", "12a"), "m:agree:12a"),
    (AccessAction("revoke", 4), "n:revoke:4"),
    (AccessAction("remove", 9), "n:remove:9"),
    (AccessAction("removeok", 9), "n:removeok:9"),
    (AccessAction("successor", 3), "n:successor:3"),
    (AccessCancel(), "n:removeno"),
    (AccessKinds(), "n:kinds"),
    (AccessAction("kind", 9), "n:kind:9"),
    (AccessSetKind(9, "youth_office"), "n:setkind:9:youth_office"),
    (ScriptShared("monthly_checkin", 3), "d:sh:monthly_checkin:3"),
    (ScriptSharedConfirm("monthly_checkin", 3, 5), "d:sy:monthly_checkin:3:5"),
    (StepDownAsk(7), "t:7"),
    (StepDownConfirm(7), "t:y:7"),
    (StepDownCancel(), "t:n"),
    (SuccessorUnknown(12), "t:u:12"),
    (ShareAnswers(12), "g:12"),
    (RightsIn("askleave", 4), "j:askleave:4"),
    (RightsIn("delete", 0), "j:delete:0"),
    (QuoteNamed(345), "q:345"),
    (ShowAnswers(67), "u:67"),
    (NotesHome(), "w:h"),
    (NotesTopic(2, 0), "w:f:2:0"),
    (NotesTopic(0, 3), "w:f:0:3"),
    (NotesRounds(1), "w:l:1"),
    (NotesRound(5, 2), "w:r:5:2"),
    (NotesRound(0, 0), "w:r:0:0"),
    (GoalAction("set"), "o:set"),
    (GoalAction("cancel"), "o:no"),
    (GoalAction("export"), "o:x"),
    (NetworkChoice(5, "checkin", False), "x:5:checkin"),
    (NetworkChoice(5, "digest", True), "x:5:digest:r"),
    (NetworkChoice(12, "network", False), "x:12:network"),
]

# Every shape at its largest: the largest ids (SQLite's largest rowid where an id is one), the longest step, option
# and script ids the script schema allows, the longest tokens, values and words.
LARGEST: list[CallbackData] = [
    Consent(True, "T" * MAX_TOKEN, "9999n"), Language("de", True),
    Answer(MAX_ROWID, STEP, OPTION), Revise(MAX_ROWID, STEP, OPTION), EditAnswer(MAX_ROWID, STEP),
    RoundPrompt(MAX_ROWID, "later"), PauseFor(999), PauseEnd(),
    SettingField("f" * 8), SettingValue("f" * 8, "v" * 12), PrivacyChoice("anonymous"),
    CoachStart(), CoachAnswer(MAX_SESSION, STEP, "t" * 24), CoachOutcome(MAX_ROWID, "not_done"), CoachReview(MAX_ROWID),
    AccessAction("removeok", MAX_ROWID), AccessCancel(), AccessKinds(), AccessSetKind(MAX_ROWID, "youth_office"),
    ScriptShared(SCRIPT, MAX_NETWORK), ScriptSharedConfirm(SCRIPT, MAX_NETWORK, 999_999),
    ScriptShow("versions", SCRIPT), ScriptRollback(SCRIPT, 999_999), ScriptConfirm(SCRIPT, 999_999, 999_999),
    ScriptCancel(), DraftAction("discard", MAX_ROWID),
    PreviewAnswer(MAX_ROWID, STEP, OPTION), RightsAction("decline", "9999a"),
    ShareAnswers(MAX_ROWID), QuoteNamed(MAX_ROWID), ShowAnswers(MAX_ROWID),
    NotesHome(), NotesTopic(11, 999), NotesRounds(999), NotesRound(MAX_ROWID, 999), GoalAction("cancel"),
    NetworkChoice(MAX_ROWID, "c" * 16, True), RightsIn("askdelete", MAX_ROWID),
    StepDownAsk(MAX_ROWID), StepDownConfirm(MAX_ROWID), StepDownCancel(), SuccessorUnknown(MAX_ROWID),
    AccessAction("successor", MAX_ROWID),
]

MALFORMED = [
    "", ":", "a", "a:", "x:1:step:1", "A:1:step:1", " a:1:step:1", "a:1:step:1 ",
    # missing fields
    "c:y", "c:y:", "c::tok", "l:", "a:1:step", "a:1", "a::step:1", "v:1:step", "e:1", "p:1", "p::go", "z:", "s:",
    "d:", "d:dl:", "d:rb:x", "d:ry:x:1", "d:pv:", "r:1:step", "y:", "k:", "k:o:1", "k:o::done", "k:1:focus", "m:",
    "n:revoke", "n:removeok", "g:", "q:", "g:x", "q:01", "q:1:2", "n:kind", "n:setkind:1", "n:setkind::care",
    "d:sh:x", "d:sy:x:1", "n:kinds:1", "n:setkind:1:care:1", "n:setkind:1:Care", "n:setkind:1:school",
    f"d:sh:x:{MAX_NETWORK + 1}", "d:sy:x:1:1234567", "d:sh:x:01",
    # ids that are not numbers, or not as we write them
    "a:x:step:1", "a:-1:step:1", "a:+1:step:1", "a:01:step:1", "a:1.0:step:1", "a:١:step:1", "p:one:go", "e:1a:s",
    "z:seven", "z:07", "k:o:x:done", "k:x:focus:a", "n:revoke:x", "d:pv:x", "d:rb:x:v2", "d:ry:x:1:y", "r:x:step:1",
    f"a:{MAX_ROWID + 1}:step:1", f"n:remove:{MAX_ROWID + 1}", f"k:{MAX_SESSION + 1}:focus:a", "z:1000",
    "d:rb:x:1234567",
    # extra fields
    "c:y:tok:1", "l:de:w:w", "l:de:x", "a:1:step:1:2", "v:1:step:1:2", "e:1:step:1", "p:1:go:now", "z:7:1",
    "z:end:1", "s:day:0:1", "d:rn:1", "d:dl:x:1", "d:pb:7:1", "r:1:step:1:2", "y:named:1", "k:go:1",
    "k:o:1:done:1", "k:1:focus:a:b", "m:exit:1", "n:removeno:5", "n:revoke:4:4",
    # words and texts out of shape
    "c:x:tok", "c:y:to.k", f"c:y:{'T' * (MAX_TOKEN + 1)}", "l:DE", "l:deu", "p:1:GO", "p:1:soon", "s:d:0", "s:day:0.5",
    "d:zz:1", "d:dl:Bad", "d:dl:1x", f"d:dl:{SCRIPT}x", "y:Named", "y:public", "k:o:1:maybe", "k:stop", "m:bogus",
    "m:EXIT", "m:agree:4x", "m:agree:04a", "m:agree:4A", "m:agree:10000n", "m:agree:4a:1", "c:y:tok:4",
    "c:y:tok:a", "n:bogus:1", "a:1:Step:1", "a:1:1step:1", f"a:1:{STEP}s:1", f"a:1:step:{OPTION}o", "a:1:step:a-b",
    f"k:1:focus:{'t' * 25}",
    # trailing newlines, other whitespace, multi-byte text
    "a:1:step:1\n", "m:exit\n", "z:end\n", "k:go\r\n", "a:1:schritt_ä:1", "c:y:tökén", "s:day:é", "k:1:focus:thème",
    "m:éxit", "y:named\u200b", "d:dl:mönthly",
    # the partners' words and goals: factors 0-11, pages up to 999, one word each
    "w:", "w:h:1", "w:f:12:0", "w:f:1:01", "w:f:1", "w:l:1000", "w:l:", "w:r:1", "w:r:x:0", "w:x:1", "o:", "o:set:1",
    "o:SET", "o:go", "o:x\n",
    # the network a member of several acts in: a membership id, a command's name, "r" to send it again
    "x:", "x:5", "x:5:", "x::checkin", "x:05:checkin", "x:five:checkin", f"x:{MAX_ROWID + 1}:checkin",
    "x:5:Checkin", "x:5:check_in", "x:5:/checkin", f"x:5:{'c' * 17}", "x:5:checkin:", "x:5:checkin:y",
    "x:5:checkin:r:1", "x:5:checkin\n", "x:5:chéckin",
    # "I'm no longer responsible": a round, yes with a round, no, don't know with a hand-over
    "t:", "t:y", "t:y:", "t:n:1", "t:u", "t:u:x", "t:01", "t:1:go", "t:Y:1", f"t:{MAX_ROWID + 1}", "n:successor",
]


def test_the_shapes_are_every_kind_of_data_once() -> None:
    assert len(SHAPES) == len(set(SHAPES))
    assert {type(data) for data, _wire in WIRE} == set(SHAPES)
    assert {type(data) for data in LARGEST} == set(SHAPES)
    assert len({kind.PREFIX for kind in KINDS}) == len(KINDS)


@pytest.mark.parametrize(("data", "wire"), WIRE, ids=[wire for _data, wire in WIRE])
def test_pack_writes_the_format_of_buttons_already_sent(data: CallbackData, wire: str) -> None:
    assert data.pack() == wire


@pytest.mark.parametrize(("data", "wire"), WIRE, ids=[wire for _data, wire in WIRE])
def test_unpack_reads_buttons_already_sent(data: CallbackData, wire: str) -> None:
    assert type(data).unpack(wire) == data
    [kind] = [kind for kind in KINDS if type(data) in kind.shapes()]
    assert kind.unpack(wire) == data  # the group its handler reads


@pytest.mark.parametrize("data", [data for data, _wire in WIRE] + LARGEST, ids=repr)
def test_every_shape_reads_back_what_it_packs_and_only_that(data: CallbackData) -> None:
    packed = data.pack()
    assert [shape for shape in SHAPES if shape.unpack(packed) is not None] == [type(data)]
    assert type(data).unpack(packed) == data
    assert all(kind.unpack(packed) is None for kind in KINDS if type(data) not in kind.shapes())


@pytest.mark.parametrize("data", LARGEST, ids=repr)
def test_the_largest_data_of_every_shape_fits_telegrams_64_bytes(data: CallbackData) -> None:
    packed = data.pack()
    assert len(packed.encode("utf-8")) <= MAX_BYTES, packed
    assert type(data).unpack(packed) == data


@pytest.mark.parametrize("data", MALFORMED, ids=repr)
def test_malformed_data_is_no_kind_of_data(data: str) -> None:
    assert [kind for kind in KINDS if kind.unpack(data) is not None] == []
    assert [shape for shape in SHAPES if shape.unpack(data) is not None] == []


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.__name__)
def test_each_pattern_takes_exactly_its_kinds_data(kind: type[CallbackData]) -> None:
    """As CallbackQueryHandler(pattern=...) matches (re.match): a kind's handler gets all of its data, malformed too
    (its roles are checked and it answers as for a stale button), and no other kind's."""
    for data, wire in WIRE:
        assert bool(re.match(kind.PATTERN, wire)) == (type(data) in kind.shapes()), (kind.PATTERN, wire)
    assert re.match(kind.PATTERN, f"{kind.PREFIX}:garbage")
    assert re.fullmatch(r"\^[a-z]:", kind.PATTERN)


def test_groups_have_one_prefix_and_every_shape_of_their_handler() -> None:
    assert Pause.shapes() == (PauseFor, PauseEnd)
    assert Setting.shapes() == (SettingField, SettingValue)
    assert Coach.shapes() == (CoachStart, CoachAnswer, CoachOutcome, CoachReview)
    assert Notes.shapes() == (NotesHome, NotesTopic, NotesRounds, NotesRound)
    assert Access.shapes() == (AccessAction, AccessCancel, AccessKinds, AccessSetKind)
    assert ScriptButton.shapes() == (ScriptShow, ScriptRollback, ScriptConfirm, ScriptCancel, DraftAction, ScriptShared,
                                     ScriptSharedConfirm)
    assert StepDown.shapes() == (StepDownAsk, StepDownConfirm, StepDownCancel, SuccessorUnknown)
    assert all(shape.PREFIX == kind.PREFIX and shape.PATTERN == kind.PATTERN
               for kind in KINDS for shape in kind.shapes())


def test_the_named_actions_are_those_of_the_data() -> None:
    assert {"agree", "decline", "leave", "stay", "delete", "keep", "exit"} == RIGHTS_ACTIONS
    assert {data.action for data, _wire in WIRE if isinstance(data, Access)} == ACCESS_ACTIONS
    assert {data.action for data, _wire in WIRE if isinstance(data, ScriptButton)} == SCRIPT_ACTIONS
    assert {data.action for data, _wire in WIRE if isinstance(data, GoalAction)} == GOAL_ACTIONS


SCRIPT_TEMPLATE = """\
version: 1
id: {script_id}
languages: [de, en]
title: {{de: T, en: T}}
outro: {{de: D, en: T}}
steps:
  - id: {step_id}
    kind: choice
    factor: 2
    text: {{de: "Frage?", en: "Question?"}}
    options:
      - id: {option_id}
        text: {{de: Ä, en: A}}
      - id: b
        text: {{de: B, en: B}}
"""


def _script(script_id: str, step_id: str, option_id: str) -> str:
    return SCRIPT_TEMPLATE.format(script_id=script_id, step_id=step_id, option_id=option_id)


def test_the_longest_ids_a_script_may_have_fit_and_no_longer_or_multi_byte_ones_load() -> None:
    """Step, option and script ids are what the data carries from a script: the loader's limits are the data's, in
    ASCII (so characters are bytes); no other field carries text a person or a script wrote."""
    script = load_script_text(_script(SCRIPT, STEP, OPTION))
    [step] = script.steps
    assert (script.id, step.id, step.options[0].id) == (SCRIPT, STEP, OPTION)
    for data in (Answer(MAX_ROWID, STEP, OPTION), PreviewAnswer(MAX_ROWID, STEP, OPTION),
                 ScriptShow("download", SCRIPT), CoachAnswer(MAX_SESSION, STEP, OPTION)):
        assert len(data.pack().encode("utf-8")) <= MAX_BYTES and type(data).unpack(data.pack()) == data
    for longer in (_script(SCRIPT + "x", STEP, OPTION), _script(SCRIPT, STEP + "s", OPTION),
                   _script(SCRIPT, STEP, OPTION + "o"), _script("skript_ä", "s", "o"), _script("s", "schritt_ä", "o"),
                   _script("s", "s", "ö")):
        with pytest.raises(ScriptError):
            load_script_text(longer)


def test_ids_beyond_a_shapes_range_are_not_read_back() -> None:
    """What the format cannot carry: a coaching session beyond 12 digits (64 bytes with the longest step and value),
    an id beyond SQLite's rowids; the button is refused as stale, as before."""
    assert CoachAnswer.unpack(CoachAnswer(MAX_SESSION + 1, "focus", "a").pack()) is None
    assert Answer.unpack(Answer(MAX_ROWID + 1, "step", "a").pack()) is None
    assert len(CoachAnswer(MAX_SESSION + 1, STEP, "t" * 24).pack().encode("utf-8")) > MAX_BYTES
