"""Random Telegram updates against the running bot: nothing unhandled, nothing stored wrongly, the check-in goes on.

Each example gets a fresh network whose round opens: a partner who started the check-in from the round's prompt and
answered some questions, the coordinator, and a stranger. They
send random messages of every kind the local server can make (texts in any script, very long texts, commands with
random arguments, stickers, photos, voice, locations, files, edits, videos, polls, dice...) and tap real, double,
random and forged buttons (random data up to 64 bytes, mutations of the data of buttons on screen). After each update a
sentinel user's /help shows that everything before it was handled: the bot handles updates one after another.

Afterwards: the error handler was never reached (no report to the admin, no ERROR in the log), every tap was answered,
every stored check-in loads and agrees with its answers, /checkin continues, a valid answer (tapped twice) is stored
exactly once, and a fresh connection finds the database intact.
"""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, event, given, note, settings
from hypothesis import strategies as st
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.config import Settings
from bot.core.engine import DialogState
from bot.core.script.model import Script
from bot.services import CONSENT_VERSION
from bot.telegram import callbacks
from bot.telegram.app import build_application
from bot.usecases.scripts import ScriptRegistry
from localapi.entities import utf16_len
from localapi.server import LocalBotApi, SentMessage
from storage.checkins import Checkin, answers_of, get_checkin, open_checkin
from storage.db import open_db
from storage.people import Membership, active_membership, redeem_invite
from tests.e2e import ADMIN_ID, NOW, Harness
from tests.test_script_fuzz import arbitrary_text, mutated_scripts

# No shrinking and no example database: every example drives the one running bot, whose state it changes; a failure
# prints each update the example sent instead (hypothesis's notes).
FUZZ = settings(max_examples=60, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])
BOT = "netzpuls_test_bot"
ROUND_OPENS = datetime(2027, 2, 2, 8, 0, tzinfo=UTC)  # the first Tuesday of February, 09:00 in Berlin
SETTLE = 15.0  # seconds a sentinel may wait: /export or a digest draw files and charts
COMMANDS = ["start", "help", "checkin", "answers", "pause", "language", "invite", "partners", "settings", "scripts",
            "digest", "export", "report", "privacy", "coach", "actions", "invites", "handover", "remove", "mydata",
            "delete", "leave", "notes", "goals",
            "network"]  # every command app.py registers (see test_the_fuzzing_knows_...)
# The first letter of every kind of button's callback data (bot/telegram/callbacks.py: KINDS, each with its PREFIX),
# and the actions the callback data names in words: forged data swaps them in.
PREFIXES = "".join(sorted(kind.PREFIX for kind in callbacks.KINDS))
ACTION_WORDS = sorted(callbacks.RIGHTS_ACTIONS | callbacks.ACCESS_ACTIONS
                      | {"dl", "vs", "rb", "ry", "rn", "pv", "pb", "dc"}  # the script buttons' words
                      | {"go", "later", "o", "end", "w", "y", "n", "anonymous", "named"}
                      | {"h", "f", "l", "r", "set", "no", "x"})  # the notes' views and the goal buttons' words
LANGUAGE_CODES = [None, "de", "en", "de-AT", "en-GB", "fr", "pt-br", "zh-hans", "xx"]

Draw = Callable[[st.SearchStrategy[Any]], Any]
_TRACE = logging.Formatter()
_ids = iter(range(100_000, 10**9, 10))  # fresh user ids for every example; the bot keeps running between them


# --- what people send ------------------------------------------------------------------------------------------------

def _fit(text: str, limit: int) -> str:
    """Cut a text to at most `limit` UTF-16 code units, as Telegram counts them."""
    while (excess := utf16_len(text) - limit) > 0:
        text = text[:-max(1, excess // 2)]  # a character is one or two units
    return text


chars = st.characters(codec="utf-8")  # every code point but surrogates
plain = st.text(chars, min_size=1, max_size=60)
long_text = st.builds(lambda chunk, n: _fit(chunk * n, 4096), st.text(chars, min_size=1, max_size=6),
                      st.integers(150, 4096))
numbers = st.one_of(st.integers(-3, 9).map(str), st.sampled_from([" 4 ", "3.0", "٣", "𝟓", "1e3", "0x4", "+5", "-0"]))
commands = st.builds(
    lambda name, at, args: f"/{name}{at}{args}",
    st.one_of(st.sampled_from(COMMANDS), st.from_regex(r"[A-Za-z0-9_]{1,32}", fullmatch=True)),
    st.sampled_from(["", "", f"@{BOT}", "@other_bot"]),
    st.one_of(st.just(""), plain.map(lambda a: " " + a), st.sampled_from([" 31.03.2027", " 2027-02-30", " 0", " -1"])),
)
texts = st.one_of(plain, plain, long_text, numbers, commands).map(lambda t: _fit(t, 4096)).filter(str.strip)
captions = st.none() | st.text(chars, min_size=1, max_size=40) | long_text.map(lambda t: _fit(t, 1024))
names = st.text(chars, min_size=1, max_size=64).filter(str.strip)
yaml_files = st.one_of(arbitrary_text, mutated_scripts().map(lambda m: m.text)).map(lambda t: t.encode("utf-8") or b"-")
file_contents = st.one_of(st.binary(min_size=1, max_size=300), yaml_files)
file_names = st.one_of(st.sampled_from(["monthly_checkin.yaml", "script.yml", "notes.txt", "bild.JPG", "x"]),
                       st.text(chars, min_size=1, max_size=30).filter(str.strip).map(lambda n: n + ".yaml"))
mime_types = st.sampled_from(["text/plain", "application/x-yaml", "application/octet-stream", "image/jpeg"])


def _content(api: LocalBotApi, kind: str, draw: Draw) -> dict[str, Any]:
    """Content fields of a message kind the local server has no helper for."""
    if kind == "video":
        return {"video": api.media("video", width=640, height=360, duration=draw(st.integers(0, 600)),
                                   mime_type="video/mp4"), **_caption(draw)}
    if kind == "animation":  # Telegram sends an animation as a document too
        animation = api.media("animation", filename="fun.gif.mp4", mime_type="video/mp4", width=320, height=240,
                              duration=3)
        document = {key: animation[key] for key in ("file_id", "file_unique_id", "file_name", "mime_type")}
        return {"animation": animation, "document": document}
    if kind == "audio":
        return {"audio": api.media("audio", duration=draw(st.integers(0, 900)), title=draw(plain),
                                   mime_type="audio/mpeg")}
    if kind == "video_note":
        return {"video_note": api.media("video_note", length=240, duration=draw(st.integers(0, 60)))}
    if kind == "contact":
        return {"contact": {"phone_number": draw(st.from_regex(r"\+?[0-9 ]{3,15}", fullmatch=True)),
                            "first_name": draw(names)}}
    if kind == "dice":
        emoji, top = draw(st.sampled_from([("🎲", 6), ("🎯", 6), ("🏀", 5), ("⚽", 5), ("🎳", 6), ("🎰", 64)]))
        return {"dice": {"emoji": emoji, "value": draw(st.integers(1, top))}}
    if kind == "poll":
        options = draw(st.lists(plain, min_size=2, max_size=4))
        return {"poll": {"id": str(draw(st.integers(1, 10**12))), "question": draw(plain),
                         "options": [{"persistent_id": str(n), "text": text, "voter_count": 0}
                                     for n, text in enumerate(options)],
                         "total_voter_count": 0, "is_closed": False, "is_anonymous": True, "type": "regular",
                         "allows_multiple_answers": False, "allows_revoting": True, "members_only": False}}
    assert kind == "venue"
    return {"venue": {"location": {"latitude": 52.52, "longitude": 13.405}, "title": draw(plain),
                      "address": draw(plain)}}


def _caption(draw: Draw) -> dict[str, Any]:
    caption = draw(captions)
    return {"caption": caption} if caption else {}


# --- the scene -------------------------------------------------------------------------------------------------------

@dataclass
class Scene:
    """One example's people: who they are, what they typed (to edit later) and which taps await an answer."""

    partner: Membership
    coordinator: Membership
    stranger: int
    sentinel: int
    reports_before: int = 0  # error reports the admin had got before this example
    logs_before: int = 0  # log records captured before this example
    typed: dict[int, list[int]] = field(default_factory=dict)
    queries: list[str] = field(default_factory=list)

    @property
    def people(self) -> list[int]:
        """The three people who act."""
        return [self.partner.user_id, self.coordinator.user_id, self.stranger]


def _member(harness: Harness, network: int, organisation: str | None, name: str, locale: str) -> Membership:
    """Someone who joined through an invite (stored the way the consent button stores it)."""
    user_id = next(_ids)
    harness.api.add_user(user_id, name, language_code=locale, started=True)
    return redeem_invite(harness.db, harness.invite(network, organisation), user_id, name, locale, CONSENT_VERSION,
                         NOW)


async def _settle(harness: Harness, scene: Scene) -> None:
    """Wait until the bot has handled every update sent so far: the sentinel's later /help is fetched after them,
    so once it is answered the rest have at least begun; then until none is being handled."""
    harness.api.send_text(scene.sentinel, "/help")
    await harness.api.wait_for_messages(scene.sentinel, 1, timeout=SETTLE)
    await harness.handled()


async def _scene(harness: Harness, draw: Draw) -> Scene:
    """A new network in its round: the coordinator, a partner some steps into the check-in, a stranger, a sentinel."""
    network = harness.network(draw(names))
    partner = _member(harness, network, draw(names), draw(names), draw(st.sampled_from(["de", "en"])))
    coordinator = _member(harness, network, None, draw(names), draw(st.sampled_from(["de", "en"])))
    stranger, sentinel = next(_ids), next(_ids)
    harness.api.add_user(stranger, draw(names), language_code=draw(st.sampled_from(LANGUAGE_CODES)))
    harness.api.add_user(sentinel, "Sentinel", language_code="de")
    scene = Scene(partner, coordinator, stranger, sentinel)
    [prompt] = await harness.api.wait_for_messages(partner.user_id, 1)  # the round opens at the next tick
    _intro, question = await harness.tap(partner.user_id, prompt, _label(prompt, "go"), count=2)
    for value in draw(st.sampled_from([[], ["4"], ["2", "skip"], ["5", "skip", "dont_know"]])):
        [question] = await harness.tap(partner.user_id, question, _label(question, value))
    return scene


def _label(message: SentMessage, value: str) -> str:
    """The label of the button whose callback data ends with `value`."""
    for row in (message.reply_markup or {}).get("inline_keyboard", []):
        for button in row:
            if str(button.get("callback_data", "")).endswith(f":{value}"):
                return str(button["text"])
    raise AssertionError(f"no button with value {value!r} on {message.summary()}")


# --- what people do --------------------------------------------------------------------------------------------------

def _buttons(api: LocalBotApi, chat_id: int) -> list[tuple[int, str]]:
    """(message id, callback data) of every button on screen in a chat, the newest message's first."""
    return [(message.message_id, str(button["callback_data"])) for message in reversed(api.messages(chat_id))
            for row in (message.reply_markup or {}).get("inline_keyboard", []) for button in row
            if "callback_data" in button]


def _mutate(data: str, rng: random.Random, others: list[str], char: str) -> str:
    """Real callback data, changed the way a forger (or a bit flip) would change it."""
    how = rng.choice(["char", "drop", "insert", "cut", "number", "field", "prefix", "action", "append"])
    at = rng.randrange(max(len(data), 1))
    parts = data.split(":")
    if how == "char":
        data = data[:at] + char + data[at + 1:]
    elif how == "drop":
        data = data[:at] + data[at + 1:]
    elif how == "insert":
        data = data[:at] + rng.choice([":", "0", "_", "a", "ä", "\x00", " ", char]) + data[at:]
    elif how == "cut":
        data = data[:at]
    elif how == "number" and (numeric := [n for n, part in enumerate(parts) if part.isdigit()]):
        parts[rng.choice(numeric)] = str(rng.choice([0, 1, 2, rng.randrange(50), 10**12 - 1, 10**15]))
        data = ":".join(parts)
    elif how == "field":
        donor = rng.choice(others).split(":")
        spot = rng.randrange(len(parts))
        parts[spot] = donor[spot % len(donor)]
        data = ":".join(parts)
    elif how == "prefix":
        data = rng.choice(PREFIXES) + data[1:]
    elif how == "action":  # e.g. m:stay -> m:exit, n:remove:7 -> n:removeok:7, d:vs:x -> d:rb:x
        parts[min(1, len(parts) - 1)] = rng.choice(ACTION_WORDS)
        data = ":".join(parts)
    else:
        data += rng.choice([":1", ":", "x", ":go", ":later", ":skip", ":w", ":dont_know", ":yes"])
    return _fit_bytes(data)


def _fit_bytes(data: str, limit: int = 64) -> str:
    """Cut callback data to Telegram's 64 bytes (at least one)."""
    while len(data.encode("utf-8")) > limit:
        data = data[:-1]
    return data or "?"


def _target(api: LocalBotApi, user: int, rng: random.Random) -> int:
    """A message id in the user's chat to hang a forged tap on: the bot's, the user's own, or none at all."""
    chat = api.chats[user]
    bots, own = [m.message_id for m in api.messages(user)], list(chat.user_messages)
    where = rng.choice(["bot", "bot", "bot", "own", "none"])
    if where == "bot" and bots:
        return rng.choice(bots)
    if where == "own" and own:
        return rng.choice(own)
    return chat.last_message_id + rng.randrange(1, 10**6)


MESSAGE_KINDS = ["text", "text", "text", "command", "command", "command", "edit", "sticker", "photo", "voice",
                 "location", "document", "video", "animation", "audio", "video_note", "contact", "dice", "poll",
                 "venue"]
TAP_KINDS = ["tap", "tap", "tap", "tap", "double", "double", "forged", "forged", "forged"]


def _act(harness: Harness, scene: Scene, draw: Draw) -> str:
    """One random update from one of the three people; returns what it was (for the failure report)."""
    api = harness.api
    user = draw(st.sampled_from(scene.people))
    kind = draw(st.sampled_from(MESSAGE_KINDS + TAP_KINDS))
    if kind == "edit" and scene.typed.get(user):
        message_id = scene.typed[user][draw(st.integers(0, len(scene.typed[user]) - 1))]
        new_text = draw(texts)
        api.edit_text(user, message_id, new_text)
        return f"{user} edits #{message_id} to {new_text!r}"
    if kind in ("text", "edit", "command"):
        text = draw(commands if kind == "command" else texts)
        scene.typed.setdefault(user, []).append(api.send_text(user, text))
        return f"{user} writes {text!r}"
    if kind == "sticker":
        api.send_sticker(user, draw(st.sampled_from(["👍", "😀", "🤷", "❤️", "\u200d"])))
    elif kind == "photo":
        api.send_photo(user, draw(captions), draw(st.binary(min_size=1, max_size=64)))
    elif kind == "voice":
        api.send_voice(user, draw(st.integers(0, 3600)))
    elif kind == "location":
        api.send_location(user, draw(st.floats(-90, 90)), draw(st.floats(-180, 180)))
    elif kind == "document":
        name, content = draw(file_names), draw(file_contents)
        api.send_document(user, name, content, draw(mime_types))
        return f"{user} sends the file {name!r}: {content[:80]!r}"
    elif kind in TAP_KINDS:
        return _tap(api, scene, user, kind, draw)
    else:
        content = _content(api, kind, draw)
        api.send_content(user, **content)
        return f"{user} sends {content!r}"
    return f"{user} sends a {kind}"


def _tap(api: LocalBotApi, scene: Scene, user: int, kind: str, draw: Draw) -> str:
    """A tap on a button on screen (once or twice), or a forged one: real, mutated or random data on any message.

    What is on screen depends on the bot, so the choices among it come from a seeded generator, not from draws:
    hypothesis sees the same draws whatever the screen shows."""
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    random_data, char = _fit_bytes(draw(st.text(chars, min_size=1, max_size=64))), draw(chars)
    own = _buttons(api, user)
    if kind in ("tap", "double") and own:
        target, data = own[min(int(rng.expovariate(0.5)), len(own) - 1)]  # mostly the newest buttons
    else:
        kind = "forged"
        seen = [d for _m, d in _buttons(api, rng.choice(scene.people))]
        how = rng.choice(["real", "mutated", "mutated", "random"])
        data = random_data
        if how != "random" and seen:
            data = rng.choice(seen)
            data = _mutate(data, rng, seen, char) if how == "mutated" else data
        target = _target(api, user, rng)
    for _ in range(2 if kind == "double" else 1):
        scene.queries.append(api.forge_callback(user, target, data))
    return f"{user} taps {data!r} on #{target} ({kind})"


# --- what must hold afterwards ---------------------------------------------------------------------------------------

def _no_errors(harness: Harness, scene: Scene, caplog: pytest.LogCaptureFixture) -> None:
    """The error handler was never reached in this example: no report to the admin, no ERROR in the log."""
    reports = [m.text for m in harness.api.messages(ADMIN_ID)[scene.reports_before:]]
    errors = [f"{r.name}: {r.getMessage()}\n{_TRACE.formatException(r.exc_info) if r.exc_info else ''}"
              for r in caplog.records[scene.logs_before:] if r.levelno >= logging.ERROR]
    assert (reports, errors) == ([], []), "\n".join([*reports, *errors])


def _checkins(harness: Harness, member: Membership) -> list[Checkin]:
    rows = harness.db.execute("SELECT id FROM checkins WHERE membership_id = ? ORDER BY id", [member.id]).fetchall()
    found = [get_checkin(harness.db, row[0]) for row in rows]
    return [checkin for checkin in found if checkin is not None]


def _loads_and_agrees(harness: Harness, member: Membership) -> None:
    """Every check-in of the member loads, and its answers table holds exactly the answers its state holds."""
    checkins = _checkins(harness, member)
    assert checkins, "the partner's check-in is gone"
    assert sum(1 for c in checkins if c.status == "open") <= 1
    for checkin in checkins:
        state = DialogState.from_json(checkin.state)
        script = _script(harness, checkin)
        if state.current is not None:
            script.step(state.current)
        assert checkin.status == "done" or not state.finished, checkin
        stored = {answer.step_id: answer.value for answer in answers_of(harness.db, checkin.id)}
        expected = {step: value for step, value in state.answers.items() if script.step(step).is_question}
        assert stored == expected, (checkin, state)


async def _checkin_continues(harness: Harness, scene: Scene) -> None:
    """/checkin shows the current question; its first button tapped twice (or a typed text) stores one answer."""
    user = scene.partner.user_id
    shown = harness.api.sent_count(user)
    harness.api.send_text(user, "/checkin")
    await _settle(harness, scene)
    assert harness.api.sent_count(user) > shown, "/checkin went unanswered"
    if active_membership(harness.db, user) is None:
        return  # the random taps included /leave or /delete and their confirmation: nothing left to continue
    checkin = open_checkin(harness.db, scene.partner.id)
    if checkin is None:  # the random taps finished the check-in: /checkin says so, /answers still changes answers
        assert "/answers" in harness.api.messages(user)[-1].text, _recent(harness, user)
        await _an_answer_changes(harness, scene)
        return
    assert checkin.prompt_message_id is not None
    state = DialogState.from_json(checkin.state)
    assert state.current is not None
    step = _script(harness, checkin).step(state.current)
    prompt = harness.api.messages(user)[-1]
    assert prompt.message_id == checkin.prompt_message_id, _recent(harness, user)
    before = len(harness.answers(scene.partner.id))
    await _answer(harness, scene, prompt, "Eine Antwort nach dem Durcheinander")
    assert len(harness.answers(scene.partner.id)) - before == (1 if step.is_question else 0)
    moved = get_checkin(harness.db, checkin.id)
    assert moved is not None and moved.state != checkin.state
    assert harness.api.messages(user)[-1].message_id > prompt.message_id, _recent(harness, user)


async def _an_answer_changes(harness: Harness, scene: Scene) -> None:
    """/answers, the first answer's number, a new answer: stored once as the next revision."""
    user = scene.partner.user_id
    harness.api.send_text(user, "/answers")
    await _settle(harness, scene)
    overview = harness.api.messages(user)[-1]
    numbers = [data for message_id, data in _buttons(harness.api, user) if message_id == overview.message_id]
    assert numbers, _recent(harness, user)
    await harness.api.wait_for_callback_answer(harness.api.forge_callback(user, overview.message_id, numbers[0]))
    await _settle(harness, scene)
    before = len(harness.answers(scene.partner.id))
    await _answer(harness, scene, harness.api.messages(user)[-1], "Eine geänderte Antwort")
    assert len(harness.answers(scene.partner.id)) == before + 1, _recent(harness, user)


async def _answer(harness: Harness, scene: Scene, question: SentMessage, text: str) -> None:
    """Answer a question: its first button tapped twice, as an impatient person does, or the text typed."""
    user = scene.partner.user_id
    buttons = [data for message_id, data in _buttons(harness.api, user) if message_id == question.message_id]
    if buttons:
        first = harness.api.forge_callback(user, question.message_id, buttons[0])
        second = harness.api.forge_callback(user, question.message_id, buttons[0])
        await harness.api.wait_for_callback_answer(first)
        await harness.api.wait_for_callback_answer(second)
    else:
        harness.api.send_text(user, text)
    await _settle(harness, scene)


def _script(harness: Harness, checkin: Checkin) -> Script:
    return ScriptRegistry(harness.db).version(checkin.script_id, checkin.script_version)


def _recent(harness: Harness, user: int) -> str:
    return "\n".join(m.summary() for m in harness.api.messages(user)[-6:])


def _fresh_connection_finds_it_intact(harness: Harness) -> None:
    fresh = open_db(harness.settings.db_path)
    try:
        assert fresh.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert fresh.execute("PRAGMA foreign_key_check").fetchall() == []
        assert fresh.execute("SELECT COUNT(*) FROM checkins WHERE status = 'open'").fetchone()[0] >= 1
    finally:
        fresh.close()


async def _acted(harness: Harness, scene: Scene, data: st.DataObject) -> str:
    what = _act(harness, scene, data.draw)
    event(what.split(" ")[1])  # writes, sends, edits, taps: see --hypothesis-show-statistics
    await _settle(harness, scene)
    return what


@FUZZ
@given(data=st.data())
async def test_random_updates_of_every_kind_break_nothing(harness: Harness, caplog: pytest.LogCaptureFixture,
                                                          data: st.DataObject) -> None:
    harness.clock.now = ROUND_OPENS
    harness.api.add_user(ADMIN_ID, "Admin", language_code="de", started=True)
    scene = await _scene(harness, data.draw)
    scene.reports_before, scene.logs_before = harness.api.sent_count(ADMIN_ID), len(caplog.records)
    for _ in range(data.draw(st.integers(1, 14), label="updates")):
        note(await _acted(harness, scene, data))
    await harness.api.wait_until(lambda: not harness.api.updates, timeout=SETTLE, message="updates left unfetched")
    for query in scene.queries:
        await harness.api.wait_for_callback_answer(query, timeout=SETTLE)
    _no_errors(harness, scene, caplog)
    _loads_and_agrees(harness, scene.partner)
    await _checkin_continues(harness, scene)
    _loads_and_agrees(harness, scene.partner)
    _no_errors(harness, scene, caplog)
    _fresh_connection_finds_it_intact(harness)


def test_the_fuzzing_knows_every_command_and_button_prefix(tmp_path: Path) -> None:
    app = build_application(Settings(token="123:fuzz", db_path=tmp_path / "unused.db"))
    handlers = [handler for group in app.handlers.values() for handler in group]
    registered = {command for h in handlers if isinstance(h, CommandHandler) for command in h.commands}
    assert set(COMMANDS) == registered, f"not fuzzed: {registered - set(COMMANDS)}; gone: {set(COMMANDS) - registered}"
    patterns = {h.pattern.pattern for h in handlers
                if isinstance(h, CallbackQueryHandler) and isinstance(h.pattern, re.Pattern)}
    assert all(re.fullmatch(r"\^[a-z]:", pattern) for pattern in patterns), patterns
    assert {pattern[1] for pattern in patterns} == set(PREFIXES), f"registered {patterns}, mutated into {PREFIXES}"


# --- what the fuzzing found once: each keeps a test of its own ------------------------------------------------------

def _no_alarm(harness: Harness, user: int, caplog: pytest.LogCaptureFixture) -> None:
    """No apology in the chat, no report to the admin, no ERROR in the log."""
    assert not [m.text for m in harness.api.messages(user) if "schiefgegangen" in m.text]
    assert harness.api.messages(ADMIN_ID) == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def _double_tap(harness: Harness, user: int, message: SentMessage, label: str) -> None:
    """Two taps on one button before the bot handles the first: both are answered."""
    first = harness.api.tap(user, message.message_id, text=label)
    second = harness.api.tap(user, message.message_id, text=label)
    await harness.api.wait_for_callback_answer(first)
    await harness.api.wait_for_callback_answer(second)


async def test_a_double_tap_on_a_question_stores_one_answer_without_alarm(
        harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    harness.api.add_user(ADMIN_ID, "Admin", language_code="de", started=True)
    member = await harness.partner()
    _intro, goals = await harness.send(member.user_id, "/checkin", count=2)
    await _double_tap(harness, member.user_id, goals, "3")
    [statement] = await harness.api.wait_for_messages(member.user_id, 1)
    [help_text] = await harness.send(member.user_id, "/help")  # handled after both taps
    assert statement.text.startswith("Frage 2") and "/checkin" in help_text.text  # nothing else came between
    assert [step for step, _v, _n in harness.answers(member.id)] == ["goals_clear"]
    _no_alarm(harness, member.user_id, caplog)


async def test_a_double_tap_on_a_changed_answer_stores_one_revision(
        harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    harness.api.add_user(ADMIN_ID, "Admin", language_code="de", started=True)
    member = await harness.partner()
    _intro, goals = await harness.send(member.user_id, "/checkin", count=2)
    await harness.tap(member.user_id, goals, "3")
    [overview] = await harness.send(member.user_id, "/answers")
    [question] = await harness.tap(member.user_id, overview, "1")
    await _double_tap(harness, member.user_id, question, "5")
    [changed] = await harness.api.wait_for_messages(member.user_id, 1)
    [help_text] = await harness.send(member.user_id, "/help")
    assert changed.text == "Geändert. Ihre neue Antwort: 5" and "/checkin" in help_text.text
    assert [(step, value) for step, value, _n in harness.answers(member.id)] == [("goals_clear", "3"),
                                                                                ("goals_clear", "5")]
    _no_alarm(harness, member.user_id, caplog)


async def test_a_valid_answer_forged_onto_a_message_that_cannot_be_edited_still_brings_the_next_question(
        harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    harness.api.add_user(ADMIN_ID, "Admin", language_code="de", started=True)
    member = await harness.partner()
    own = harness.api.send_text(member.user_id, "/checkin")
    _intro, goals = await harness.api.wait_for_messages(member.user_id, 2)
    data = str(goals.reply_markup["inline_keyboard"][0][3]["callback_data"]) if goals.reply_markup else ""
    query = harness.api.forge_callback(member.user_id, own, data)  # the partner's own message: no buttons to edit
    await harness.api.wait_for_callback_answer(query)
    [statement] = await harness.api.wait_for_messages(member.user_id, 1)
    assert statement.text.startswith("Frage 2")
    assert [step for step, _v, _n in harness.answers(member.id)] == ["goals_clear"]
    _no_alarm(harness, member.user_id, caplog)


async def test_double_taps_on_a_round_prompt_and_on_privacy_are_answered_without_alarm(
        harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    harness.api.add_user(ADMIN_ID, "Admin", language_code="de", started=True)
    network = harness.network()
    coordinator = await harness.join(800, "Carla", harness.invite(network))
    member = await harness.partner(network_id=network)
    harness.clock.now = ROUND_OPENS
    [prompt] = await harness.api.wait_for_messages(member.user_id, 1)
    await _double_tap(harness, member.user_id, prompt, "Jetzt starten")
    [privacy] = await harness.send(coordinator.user_id, "/privacy")
    await _double_tap(harness, coordinator.user_id, privacy, "mit Namen")
    # The second tap continues the check-in the first one started: the first question comes again; either copy works.
    # The privacy change also queues a notice to the partner; the outbox sends it whenever the chat's pace allows.
    arrived = await harness.send(member.user_id, "/help", count=6)
    notices = [m for m in arrived if "Hinweis zum Datenschutz" in m.text]
    assert len(notices) == 1
    intro, first, back, again, help_text = [m for m in arrived if m not in notices]
    assert "jederzeit unterbrechen" in intro.text and "Willkommen zurück" in back.text and "/checkin" in help_text.text
    assert first.text == again.text and first.text.startswith("Frage 1")
    assert harness.db.execute("SELECT COUNT(*) FROM checkins").fetchone() == (1,)
    assert prompt.reply_markup is None and "mit Namen" in privacy.text
    assert harness.db.execute("SELECT privacy FROM networks WHERE id = ?", [network]).fetchone() == ("named",)
    _no_alarm(harness, member.user_id, caplog)
    _no_alarm(harness, coordinator.user_id, caplog)
