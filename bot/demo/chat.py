"""The people's side of the demo: they write and tap in their chats on the local server, as they would in Telegram.

Steps are recognised by their buttons' callback data (check-in, step id, value), so whatever a round's rotation
module asks is answered; the script (and so the step's kind and options) comes from the check-in the buttons name.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from bot.core.engine import DONE, PAGE_PREFIX, PARTNER_PREFIX
from bot.core.script.model import Script
from bot.demo.personas import Persona, Reply
from bot.demo.transcript import Recorder
from bot.telegram import callbacks
from bot.telegram.callbacks import Answer
from localapi.server import LocalBotApi, SentMessage

WAIT = 10.0  # seconds for one reply of the bot: generous; a reply takes milliseconds
MAX_MESSAGES_BEFORE_STEP = 6  # e.g. welcome, a successor's welcome pack (two), intro, then the first question

ScriptOf = Callable[[int], Script]  # check-in id → the script (and version) it runs


def buttons(message: SentMessage) -> list[tuple[str, str]]:
    """(label, callback data) of every inline button of a message as it looks now."""
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return [(str(button.get("text", "")), str(button.get("callback_data", ""))) for row in rows for button in row]


def step_of(message: SentMessage) -> Answer | None:
    """The check-in and step a message asks for (from its answer buttons), or None for any other message."""
    for _label, data in buttons(message):
        parsed = Answer.unpack(data)
        if parsed is not None:
            return parsed
    return None


def _shown_as(label: str, name: str) -> bool:
    """Whether a partner button's label (maybe ticked, maybe shortened with "…") shows this organisation."""
    label = label.removeprefix("✓ ")
    return label == name or (label.endswith("…") and name.startswith(label[:-1]))


class People:
    """Acts as the demo's people through the local Bot API server and waits for the bot's answers."""

    def __init__(self, api: LocalBotApi, recorder: Recorder, script_of: ScriptOf,
                 organisations: Mapping[str, str]) -> None:
        self.api = api
        self.recorder = recorder
        self.script_of = script_of
        self.organisations = organisations

    def _prepare(self, person: Persona, shown: str) -> None:
        """Forget what arrived before (it is recorded already) and note the action in the transcript."""
        self.recorder.action(person.user_id, shown)
        self.api.new_messages(person.user_id)

    async def say(self, person: Persona, text: str, replies: int = 1) -> list[SentMessage]:
        """The person writes a text; the bot's `replies` messages."""
        self._prepare(person, text)
        self.api.send_text(person.user_id, text)
        return self._noted(await self.api.wait_for_messages(person.user_id, replies, WAIT))

    def noted(self, messages: list[SentMessage]) -> list[SentMessage]:
        """Messages that came without being asked for, recorded at once."""
        return self._noted(messages)

    def _noted(self, messages: list[SentMessage]) -> list[SentMessage]:
        """Record the replies at once, so that the transcript shows them at the time they came."""
        self.recorder.collect()
        return messages

    async def press(self, person: Persona, message: SentMessage, data: str, replies: int = 1) -> list[SentMessage]:
        """The person taps the button with this callback data; the bot's `replies` new messages (0: just the edit)."""
        label = next((label for label, one in buttons(message) if one == data), data)
        self._prepare(person, f"[{label}]")
        query = self.api.tap(person.user_id, message.message_id, data=data)
        if replies == 0:
            await self.api.wait_for_callback_answer(query, WAIT)
            return []
        return self._noted(await self.api.wait_for_messages(person.user_id, replies, WAIT))

    async def press_label(self, person: Persona, message: SentMessage, label: str,
                          replies: int = 1) -> list[SentMessage]:
        """The person taps the button with this label."""
        data = next((one for shown, one in buttons(message) if shown == label), None)
        if data is None:
            raise AssertionError(f"no button {label!r} on {message.summary()}")
        return await self.press(person, message, data, replies)

    async def until_step(self, person: Persona, first: list[SentMessage]) -> SentMessage:
        """Wait (after `first`) until a message with answer buttons arrives: the check-in's current question."""
        arrived = list(first)
        while not arrived or step_of(arrived[-1]) is None:
            if len(arrived) >= MAX_MESSAGES_BEFORE_STEP:
                raise AssertionError(f"no question for {person.name}: {[m.summary() for m in arrived]}")
            arrived += self._noted(await self.api.wait_for_messages(person.user_id, 1, WAIT))
        return arrived[-1]

    async def join(self, person: Persona, token: str, onboarding: bool,
                   agreed: Callable[[], Awaitable[object]] | None = None) -> None:
        """Open the invite link, agree, choose German; then answer the onboarding check-in if there is one.
        `agreed`: what to wait for between agreeing and choosing the language (the bot's tick taking a newcomer into
        the open round, so that its check-in follows the onboarding at once)."""
        self.api.add_user(person.user_id, person.first_name, language_code="de", last_name=person.last_name)
        [consent] = await self.say(person, f"/start {token}")
        [language] = await self.press_label(person, consent, "Ich stimme zu")
        if agreed is not None:
            await agreed()
        welcome = await self.press(person, language, callbacks.Language("de", welcome=True).pack())
        if onboarding:
            await self.checkin(person, 0, await self.until_step(person, welcome))

    async def start_round(self, person: Persona, number: int, round_id: int) -> None:
        """Tap "Start now" (or "Continue") on the newest prompt or reminder of the round, then answer it all."""
        wanted = callbacks.RoundPrompt(round_id, "go").pack()
        message = next((m for m in reversed(self.api.messages(person.user_id))
                        if any(data == wanted for _label, data in buttons(m))), None)
        if message is None:
            raise AssertionError(f"{person.name} has no prompt for round {number}")
        await self.checkin(person, number, await self.until_step(person, await self.press(person, message, wanted)))

    async def checkin(self, person: Persona, number: int, question: SentMessage) -> None:
        """Answer question after question until the bot sends a message without answer buttons (the outro)."""
        current = question
        while (asked := step_of(current)) is not None:
            step = self.script_of(asked.checkin_id).step(asked.step_id)
            [current] = await self._reply(person, current, person.answer(step, number, self.organisations))

    async def _reply(self, person: Persona, message: SentMessage, reply: Reply) -> list[SentMessage]:
        """Give one reply: type it, or tap its button (tick its buttons, then "Done"); the bot's next message."""
        if reply.text is not None:
            return await self.say(person, reply.text)
        if reply.partners:
            return await self._tick_partners(person, message, reply.partners)
        if self._value_of(message, DONE):
            for value in reply.values:
                await self.press(person, message, self._data(message, value), replies=0)
            return await self.press(person, message, self._data(message, DONE))
        return await self.press(person, message, self._data(message, reply.values[0]))

    async def _tick_partners(self, person: Persona, message: SentMessage, names: tuple[str, ...]) -> list[SentMessage]:
        """Tick the organisations on every page of a partners step, then "Done" (or "None of them")."""
        wanted: set[str] = set(names)
        visited: set[str] = set()
        while True:
            for label, data in buttons(message):
                value = self._value(data)
                name = next((one for one in wanted if _shown_as(label, one)), None)
                if name is not None and value.startswith(PARTNER_PREFIX) and value[len(PARTNER_PREFIX):].isdigit():
                    wanted.discard(name)
                    await self.press(person, message, data, replies=0)
            turns = [data for _label, data in buttons(message)
                     if self._value(data).startswith(PAGE_PREFIX) and data not in visited]
            if not wanted or not turns:
                break
            visited.update(data for _label, data in buttons(message) if self._value(data).startswith(PAGE_PREFIX))
            await self.press(person, message, turns[-1], replies=0)
        return await self.press(person, message, self._data(message, DONE))

    @staticmethod
    def _value(data: str) -> str:
        parsed = Answer.unpack(data) or callbacks.Revise.unpack(data)
        return parsed.value if parsed is not None else ""

    @classmethod
    def _value_of(cls, message: SentMessage, value: str) -> bool:
        """Whether the message has an answer button with this value."""
        return any(cls._value(data) == value for _label, data in buttons(message))

    @staticmethod
    def _data(message: SentMessage, value: str) -> str:
        """The callback data of the answer button with this value."""
        for _label, data in buttons(message):
            if People._value(data) == value:
                return data
        raise AssertionError(f"no button for {value!r} on {message.summary()}")
