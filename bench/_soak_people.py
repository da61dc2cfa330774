"""The soak's partners: they tap and type in their chats on the local server like people, and cope with a bot that
does not answer (faults, restarts) the way people do: wait a little, then /checkin again.

Each step is answered by a demo persona (bot.demo.personas.Persona.answer: scale, choice, yes/no, text, ...); partners
steps tick one or two organisations of the page shown. What each partner gave is kept in a Ledger for the tally.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from bot.core.engine import DONE, PARTNER_PREFIX
from bot.core.script.model import Script
from bot.demo.chat import buttons, step_of
from bot.demo.personas import Persona
from bot.telegram import callbacks
from bot.usecases.scripts import ScriptRegistry
from localapi.server import LocalBotApi, SentMessage
from storage.checkins import get_checkin

MAX_TRIES = 4  # "/checkin" again after a reply that did not come, then give up (counted as stuck)
GRACE = 1.0  # seconds to wait for the question after a message without one (the apology after an error, say)
_TICK = "✓ "


class Chats:
    """Wakes a partner on a change in their own chat only (messages, edits, callback answers): no herd of waiters."""

    def __init__(self, api: LocalBotApi) -> None:
        self.api = api
        self._events: dict[int, asyncio.Event] = {}
        self._query_chat: dict[str, int] = {}
        self.answered: set[str] = set()  # callback query ids the bot answered
        self.pushed = 0  # updates the partners made (messages, taps)
        self.gone = 0  # taps on a button that had gone by the time the person tapped
        for name, handler in list(api.implemented.items()):
            api.implemented[name] = self._watch(name, handler)
        push = api.push_update

        def counted(kind: str, payload: dict[str, Any]) -> int:
            self.pushed += 1
            return push(kind, payload)

        setattr(api, "push_update", counted)  # noqa: B010 (an instance attribute in front of the method)

    def _watch(self, name: str, handler: Callable[[dict[str, Any]], Any]) -> Callable[[dict[str, Any]], Any]:
        """The handler, wrapped to wake the partner whose chat it changed."""
        async def watched(params: dict[str, Any]) -> Any:
            result = await handler(params)
            chat = params.get("chat_id")
            if name == "answerCallbackQuery":
                query = str(params.get("callback_query_id"))
                self.answered.add(query)
                chat = self._query_chat.pop(query, None)
            if isinstance(chat, int) and (event := self._events.get(chat)) is not None:
                event.set()
            return result
        return watched

    def tap(self, user_id: int, message: SentMessage, data: str) -> str | None:
        """Tap a button of a bot message; the query id, or None when the button has gone meanwhile (the bot edited
        or deleted the message while the person was thinking)."""
        try:
            query = self.api.tap(user_id, message.message_id, data=data)
        except AssertionError:
            self.gone += 1
            return None
        self._query_chat[query] = user_id
        return query

    def is_answered(self, query: str) -> Callable[[], bool]:
        """A test whether the bot has answered this callback query."""
        return lambda: query in self.answered

    async def wait(self, user_id: int, ready: Callable[[], bool], timeout: float) -> bool:
        """Wait until ready() holds, looking again at each change in the chat; False after `timeout` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        event = self._events.setdefault(user_id, asyncio.Event())
        while True:
            event.clear()
            if ready():
                return True
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)


@dataclass
class Ledger:
    """What the partners did: answers given, check-ins they gave up on, and counts of their actions."""

    given: set[tuple[int, str]] = field(default_factory=set)  # (check-in, step) of every question answered
    stuck: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # the simulation's own errors (a partner's task raised)
    counts: Counter[str] = field(default_factory=Counter)


class Partner:
    """One partner's contact person, answering through the chat; `think` is the pause before each action (s)."""

    def __init__(self, persona: Persona, membership_id: int, chats: Chats, db: Database, scripts: ScriptRegistry,
                 ledger: Ledger, rng: random.Random, think: tuple[float, float], wait: float) -> None:
        self.persona, self.membership_id = persona, membership_id
        self.user_id = persona.user_id
        self.chats, self.db, self.scripts, self.ledger, self.rng = chats, db, scripts, ledger, rng
        self.think, self.reply_wait = think, wait
        self.tapped: set[int] = set()  # message ids whose question this partner answered
        self._scripts: dict[int, Script] = {}

    async def _pause(self) -> None:
        """Think before the next action (a random pause within `think`)."""
        await asyncio.sleep(self.rng.uniform(*self.think))

    def _newest_with(self, data: str) -> SentMessage | None:
        """The newest message in this chat with a button carrying this callback data, if any."""
        return next((m for m in reversed(self.chats.api.messages(self.user_id))
                     if any(one == data for _label, one in buttons(m))), None)

    def finished(self, round_id: int) -> bool:
        """Whether the database has this partner's check-in of the round as finished."""
        row = self.db.execute("SELECT status FROM participants WHERE round_id = ? AND membership_id = ?",
                              [round_id, self.membership_id]).fetchone()
        return row is not None and row[0] in ("done", "late")

    def _question(self) -> SentMessage | None:
        """The newest message that asks a question this partner has not answered on that message yet."""
        for message in reversed(self.chats.api.messages(self.user_id)):
            if message.message_id not in self.tapped and step_of(message) is not None:
                return message
        return None

    async def later(self, round_id: int) -> bool:
        """Tap "Later" on the round's prompt; False if there was none."""
        message = self._newest_with(callbacks.RoundPrompt(round_id, "later").pack())
        if message is None:
            return False
        await self._pause()
        self.chats.tap(self.user_id, message, callbacks.RoundPrompt(round_id, "later").pack())
        self.ledger.counts["later"] += 1
        return True

    async def pause(self, days: int) -> bool:
        """/pause, then the button for `days`; True once the bot confirmed (tried twice)."""
        data = callbacks.PauseFor(days).pack()
        uid = self.user_id
        for _try in range(2):
            if not await self._reply_to(lambda: self.chats.api.send_text(uid, "/pause")):
                continue
            message = self._newest_with(data)
            if message is not None and await self._reply_to(functools.partial(self.chats.tap, uid, message, data)):
                self.ledger.counts["paused"] += 1
                return True
        return False

    async def _reply_to(self, act: Callable[[], object]) -> bool:
        """Do something and wait for the bot's next message in the chat."""
        before = len(self.chats.api.messages(self.user_id))
        act()
        return await self.chats.wait(self.user_id, lambda: len(self.chats.api.messages(self.user_id)) > before,
                                     self.reply_wait)

    async def answer(self, round_id: int, number: int) -> bool:
        """Tap "Start now"/"Continue" on the newest prompt or reminder and answer every question; False if there was
        no prompt, or the bot stopped answering."""
        go = callbacks.RoundPrompt(round_id, "go").pack()
        prompt = self._newest_with(go)
        if prompt is None:
            self.ledger.counts["no_prompt_to_tap"] += 1
            return False
        await self._pause()
        self.chats.tap(self.user_id, prompt, go)
        tries = 0
        while not self.finished(round_id):
            if not await self._next(round_id):
                tries += 1
                if tries >= MAX_TRIES:
                    self.ledger.stuck.append(f"user {self.user_id} round {round_id}: no question after "
                                             f"{MAX_TRIES} tries")
                    return False
                self.ledger.counts["retry_checkin"] += 1
                self.chats.api.send_text(self.user_id, "/checkin")
                continue
            question = self._question()
            if question is not None:
                await self._reply(question, number)
        return True

    async def _next(self, round_id: int) -> bool:
        """Wait for the next question (or the end); False if none came (a message without one gets a grace)."""
        known = len(self.chats.api.messages(self.user_id))
        uid = self.user_id

        def ready() -> bool:
            return self._question() is not None or self.finished(round_id)

        def anything() -> bool:
            return ready() or len(self.chats.api.messages(uid)) > known

        if not await self.chats.wait(uid, anything, self.reply_wait):
            return False
        return ready() or await self.chats.wait(uid, ready, GRACE)

    def _script(self, checkin_id: int) -> Script:
        """The script version this check-in runs (cached)."""
        if checkin_id not in self._scripts:
            checkin = get_checkin(self.db, checkin_id)
            assert checkin is not None, f"unknown check-in {checkin_id}"
            self._scripts[checkin_id] = self.scripts.version(checkin.script_id, checkin.script_version)
        return self._scripts[checkin_id]

    async def _reply(self, message: SentMessage, number: int) -> None:
        """Answer the question of a message: tap, tick then "Done", or type."""
        asked = step_of(message)
        assert asked is not None
        step = self._script(asked.checkin_id).step(asked.step_id)
        await self._pause()
        if step_of(message) is None:  # its buttons went while the person was thinking: look again
            return
        if step.kind == "partners":
            await self._tick(message, self._partner_values(message))
            final = DONE
        else:
            reply = self.persona.answer(step, number, {})
            if reply.text is not None:
                final = ""
            elif self._has(message, DONE):
                await self._tick(message, reply.values)
                final = DONE
            else:
                final = reply.values[0]
        if final:
            data = self._data(message, final)
            if data is None or self.chats.tap(self.user_id, message, data) is None:
                return  # the button went meanwhile: nothing was tapped, look again
            self.ledger.counts["taps"] += 1
        else:
            self.chats.api.send_text(self.user_id, str(reply.text))
            self.ledger.counts["texts"] += 1
        self.tapped.add(message.message_id)
        if step.is_question:
            self.ledger.given.add((asked.checkin_id, asked.step_id))

    async def _tick(self, message: SentMessage, values: tuple[str, ...]) -> None:
        """Tick these values one by one, each after the bot answered the tap before (or gave up on it)."""
        for value in values:
            data = self._data(message, value)
            query = None if data is None else self.chats.tap(self.user_id, message, data)
            self.ledger.counts["ticks"] += 1
            if query is not None:
                await self.chats.wait(self.user_id, self.chats.is_answered(query), self.reply_wait)

    def _partner_values(self, message: SentMessage) -> tuple[str, ...]:
        """One or two organisations of the page shown, not ticked yet."""
        offered = [callbacks.Answer.unpack(data) for label, data in buttons(message) if not label.startswith(_TICK)]
        values = [a.value for a in offered if a is not None and a.value.startswith(PARTNER_PREFIX)]
        return tuple(self.rng.sample(values, min(len(values), self.rng.randint(1, 2))))

    @staticmethod
    def _has(message: SentMessage, value: str) -> bool:
        """Whether the message has an answer button with this value."""
        return any((parsed := callbacks.Answer.unpack(data)) is not None and parsed.value == value
                   for _label, data in buttons(message))

    @staticmethod
    def _data(message: SentMessage, value: str) -> str | None:
        """The callback data of the answer button with this value (None: the message has no such button now)."""
        for _label, data in buttons(message):
            parsed = callbacks.Answer.unpack(data)
            if parsed is not None and parsed.value == value:
                return data
        return None
