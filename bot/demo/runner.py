"""The offline demo: the real bot against the local Bot API server on a simulated clock, a network of ten partner
organisations over monthly rounds, and what it leaves in the output folder (see bot/demo/__init__.py)."""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from telegram.ext import Application

from bot.config import PROJECT_ROOT, Settings
from bot.core.calendar import Schedule, add_local_days, next_allowed, next_period, period_of, round_due
from bot.core.risk.rules import find_signals
from bot.core.script.model import Script
from bot.demo.chat import WAIT, People, buttons
from bot.demo.clock import DemoClock, DemoError, settle
from bot.demo.personas import (
    COORDINATOR,
    NETWORK_GOAL,
    NETWORK_NAME,
    PARTNERS,
    SUCCESSORS,
    Persona,
    everyone,
    organisations,
)
from bot.demo.report import RoundOutcome, SignalLine, write_readme
from bot.demo.transcript import BERLIN, Recorder, clear_output, stamp
from bot.i18n import month_name
from bot.services import ONBOARDING_SCRIPT
from bot.telegram import callbacks
from bot.telegram.app import build_application, start_application, stop_application
from bot.usecases.scripts import ScriptRegistry
from localapi.server import LocalBotApi, SentMessage
from storage.checkins import get_checkin
from storage.db import open_db
from storage.history import load_history
from storage.people import create_invite, create_network
from storage.reports import network_thresholds
from storage.rounds import RoundInfo, answer_counts, latest_round, schedule_of

START = datetime(2027, 1, 4, 10, 0, tzinfo=BERLIN)  # a Monday: the January round opens on Tuesday, 5 January
TICK = 0.05  # seconds between the bot's looks at what is due
SEND_RATE = 1000.0  # messages a second: the local server has no limits
# What the demo's consent text names as the controller and the data-protection contact: placeholders, clearly not real
# (a real deployment sets NETZPULS_CONTROLLER and NETZPULS_PRIVACY_CONTACT).
DEMO_CONTROLLER = "Beispielträger Musterstadt e. V. (Platzhalter der Demo), Musterstraße 1, 12345 Musterstadt"
DEMO_PRIVACY_CONTACT = "datenschutz@beispiel.example (Platzhalter der Demo)"
LINK_RE = re.compile(r"https://t\.me/\w+\?start=([A-Za-z0-9_-]+)")


@dataclass
class DemoResult:
    """What a run produced: the folder, each round's outcome, how long it took (seconds of real time)."""

    output: Path
    rounds: list[RoundOutcome] = field(default_factory=list)
    seconds: float = 0.0


CoachingTurn = Callable[["Demo", RoundOutcome], Awaitable[None]]


ACTIONS = {  # what the coordinator commits to, by the topic chosen (the first offered: the most severe signal)
    "unclear_benefit": "Bei der Fallkonferenz jeden Partner um ein Beispiel bitten, wo das Netzwerk geholfen hat",
    "vague_goals": "30 Minuten Zielklärung beim nächsten Treffen: jeder Partner nennt einen messbaren Beitrag",
    "fluctuation": "Begrüßungsanruf bei der neuen Ansprechperson und ein Netzwerk-Steckbrief auf einer Seite",
    "fading_engagement": "Den Bildungsträger anrufen und fragen, was die Teilnahme lohnend machen würde",
}


async def coordinator_turn(demo: Demo, outcome: RoundOutcome) -> None:
    """The coordinator after reading a round's digest: says how last month's step went, then takes the coaching
    dialog (/coach) on the most severe signal and commits to one concrete step."""
    await demo.settle()
    people, clara = demo.people, demo.coordinator
    # The newest digest carries a "Wie lief es: …" button per open step: the question comes when tapped.
    digests = [m for m in demo.api.messages(clara.user_id) if any(data.startswith("k:r:") for _l, data in buttons(m))]
    for data in [data for _label, data in buttons(digests[-1]) if data.startswith("k:r:")] if digests else []:
        [asked] = await people.press(clara, digests[-1], data)
        await people.press_label(clara, asked, "teilweise erledigt")
        await people.say(clara, "Zwei Partner hatten Beispiele dabei, die anderen wollen beim nächsten Mal.")
    _intro, focus = await people.say(clara, "/coach", replies=2)
    topic = buttons(focus)[0][1]
    _ideas, why = await people.press(clara, focus, topic, replies=2)
    [who_helps] = await people.press_label(clara, why, "Überspringen")
    await people.press_label(clara, who_helps, "Überspringen")  # to the action, typed
    chosen = topic.rsplit(":", 1)[-1]
    await people.say(clara, ACTIONS.get(chosen, "Das Thema beim nächsten Treffen als ersten Punkt besprechen und "
                                                "eine Aufgabe mit Namen und Datum festhalten"))
    [by_when] = await people.say(clara, "mit allen Partnern")
    await people.press_label(clara, by_when, "Bis zum nächsten Treffen")


class Demo:
    """One run: server, bot, database, clock, the people and the recorder."""

    def __init__(self, output: Path, rounds: int, say: Callable[[str], None], coaching: CoachingTurn) -> None:
        self.output, self.rounds, self.say, self.coaching = output, rounds, say, coaching
        self.clock = DemoClock(START)
        self.api = LocalBotApi(bot_username="netzpuls_demo_bot")
        self.api.bot_first_name = "Netzpuls"
        self.coordinator = COORDINATOR
        self.app: Application | None = None  # type: ignore[type-arg]
        self.db_path = output / "netzpuls-demo.db"
        self.network_id = 0
        self.schedule = Schedule()
        self.db = open_db(self.db_path)
        self.recorder = Recorder(self.api, self.clock, output, self.kind_of)
        self.scripts = ScriptRegistry(self.db)
        self.people = People(self.api, self.recorder, self.script_of, organisations())

    def kind_of(self, chat_id: int, message_id: int) -> str | None:
        """What the bot called a message it sent on its own (digest, chart, map, prompt, ...); None for replies."""
        row = self.db.execute("SELECT kind FROM outbox WHERE chat_id = ? AND telegram_message_id = ?",
                              [chat_id, message_id]).fetchone()
        return None if row is None else str(row[0])

    def script_of(self, checkin_id: int) -> Script:
        """The script (version) a check-in runs."""
        checkin = get_checkin(self.db, checkin_id)
        if checkin is None:
            raise DemoError(f"unknown check-in {checkin_id}")
        return self.scripts.version(checkin.script_id, checkin.script_version)

    async def start(self) -> None:
        """Start the local server and the real bot (long polling it, on the simulated clock)."""
        await self.api.start()
        settings = Settings(token=self.api.token, api_url=self.api.base_url, db_path=self.db_path,
                            admins=frozenset({self.coordinator.user_id}), dialogs_dir=PROJECT_ROOT / "dialogs",
                            locales_dir=PROJECT_ROOT / "locales", log_level="WARNING", send_rate=SEND_RATE,
                            # Telegram allows one message a second per chat, in real time; on the simulated clock,
                            # whose days pass in a fraction of a second, that pace would only slow the demo down.
                            chat_rate=SEND_RATE,
                            tick_seconds=TICK, send_timeout=5.0, health_port=0,  # no health server in a demo
                            report_worker=False,  # a short run: charts in a thread, no process to start
                            controller=DEMO_CONTROLLER, privacy_contact=DEMO_PRIVACY_CONTACT)
        self.app = build_application(settings, self.clock)
        await start_application(self.app, poll_timeout=1)

    async def stop(self) -> None:
        """Stop the bot and the server; close the database."""
        try:
            if self.app is not None:
                await stop_application(self.app)
        finally:
            await self.api.stop()
            self.db.close()

    async def settle(self) -> list[SentMessage]:
        """Wait until the bot has done what is due now; what it sent meanwhile (noted in the transcripts)."""
        await settle(self.db, self.clock, TICK)
        return self.recorder.collect()

    async def invite(self, persona: Persona) -> str:
        """The coordinator asks for an invite link for the persona's organisation; its token."""
        await self.settle()  # the news of who joined before goes out first, so it is not taken for the reply
        [reply] = await self.people.say(self.coordinator, f"/invite {persona.organisation}")
        for _ in range(3):  # news the bot sends on its own may still come in between
            if match := LINK_RE.search(reply.text):
                return match.group(1)
            [reply] = self.people.noted(await self.api.wait_for_messages(self.coordinator.user_id, 1, WAIT))
        raise DemoError(f"no invite link in {reply.summary()}")

    async def setup(self) -> None:
        """The network is created; the coordinator joins, chooses named results and invites the partners."""
        for persona in everyone():
            head = [f"Chat of {persona.name} ({persona.organisation or 'network coordination'}) with the bot",
                    f"Role: {persona.about}"]
            self.recorder.track(persona.user_id, persona.first_name, persona.file_stem, head)
        self.network_id = create_network(self.db, NETWORK_NAME, self.clock())
        token = create_invite(self.db, self.network_id, "coordinator", None, self.clock(), 14).token
        self.schedule = schedule_of(self.db, self.network_id)
        onboarding = self._has(ONBOARDING_SCRIPT)
        await self.people.join(self.coordinator, token, onboarding=False)
        [privacy] = await self.people.say(self.coordinator, "/privacy")
        await self.people.press(self.coordinator, privacy, "y:named", replies=0)
        [board] = await self.people.say(self.coordinator, "/goals")  # the network's goal in one sentence
        await self.people.press(self.coordinator, board, callbacks.GoalAction("set").pack())
        await self.people.say(self.coordinator, NETWORK_GOAL)
        for persona in PARTNERS:
            self.clock.advance(7)
            await self.people.join(persona, await self.invite(persona), onboarding)
        await self.people.say(self.coordinator, "/partners")
        self.say(f"{stamp(self.clock())}  {NETWORK_NAME}: the coordinator {self.coordinator.name} invited "
                 f"{len(PARTNERS)} partner organisations; all joined" + (" and answered the onboarding check-in"
                                                                          if onboarding else ""))

    def _has(self, script_id: str) -> bool:
        try:
            self.scripts.current(script_id, self.network_id)
        except KeyError:
            return False
        return True

    async def contact_change(self, old: Persona, successor: Persona, current: RoundInfo, number: int) -> str:
        """At the round's prompt the contact person taps "Ich bin nicht mehr zuständig", confirms, names who takes over
        and answers the exit check-in; the coordinator taps the invite button under the news; the successor joins,
        reads the welcome pack, answers the onboarding and then the round's check-in. The progress line."""
        people, clara = self.people, self.coordinator
        ask = callbacks.StepDownAsk(current.id).pack()
        prompt = next((m for m in reversed(self.api.messages(old.user_id)) if any(data == ask for _l, data in
                                                                                  buttons(m))), None)
        if prompt is None:
            raise DemoError(f"{old.name} has no prompt with \"Ich bin nicht mehr zuständig\"")
        [sure] = await people.press(old, prompt, ask)
        [asked] = await people.press(old, sure, callbacks.StepDownConfirm(current.id).pack())
        first = await people.say(old, old.successor_line)
        await people.checkin(old, 0, await people.until_step(old, first))  # the exit check-in, with the note
        await self.settle()  # the news reaches the coordinator at once
        news = next((m for m in reversed(self.api.messages(clara.user_id))
                     if any(data.startswith("n:successor:") for _l, data in buttons(m))), None)
        if news is None or not asked.text:
            raise DemoError("the coordinator got no news with the successor's invite button")
        [reply] = await people.press(clara, news, next(d for _l, d in buttons(news) if d.startswith("n:successor:")))
        match = LINK_RE.search(reply.text)
        if match is None:
            raise DemoError(f"no invite link in {reply.summary()}")
        await people.join(successor, match.group(1), self._has(ONBOARDING_SCRIPT), agreed=self.settle)
        await people.checkin(successor, number, await people.until_step(successor, []))  # this round's
        return (f"{stamp(self.clock())}  {successor.organisation}: {old.name} hands over to {successor.name} "
                "(\"Ich bin nicht mehr zuständig\" at the prompt, the coordinator's invite button, a welcome pack)")

    async def play_round(self, number: int, period: str) -> RoundOutcome:
        """Open, answer, remind and close one round; save its digest and chart; the coordinator's turn."""
        label = f"{number}-{period}"
        self.recorder.label = label
        month = month_name(period, "de")
        title = f"Round {number}/{self.rounds} ({month})"
        opens = next_allowed(self.schedule, round_due(self.schedule, period))
        self.clock.set(opens)
        opened = await self.settle()
        current = latest_round(self.db, self.network_id)
        if current is None or current.period != period:
            raise DemoError(f"the round of {month} did not open at {stamp(opens)}")
        moments = [opens, *(next_allowed(self.schedule, add_local_days(self.schedule, opens, days))
                            for days in self.schedule.reminder_days)]
        for index, moment in enumerate(m for m in moments if m < current.closes_at):
            self.clock.set(moment)
            asked = self._asked(opened if index == 0 else await self.settle(), current)
            handovers = []
            for old in (p for p in PARTNERS if index == 0 and p.steps_down_in == number):
                self.clock.advance(4)
                handovers.append(await self.contact_change(
                    old, next(s for s in SUCCESSORS if s.organisation == old.organisation), current, number))
            for persona in self._answering(number, index):
                self.clock.advance(4)
                await self.people.start_round(persona, number, current.id)
            answered, total = answer_counts(self.db, current.id, self.clock())
            what = f"opened, {asked} prompts sent" if index == 0 else f"reminder {index} to {asked} partner(s)"
            self.say(f"{stamp(moment)}  {title}: {what}; {answered} of {total} answered")
            for line in handovers:
                self.say(line)
        return await self._close(number, period, current, title, label)

    def _answering(self, number: int, index: int) -> list[Persona]:
        """Who answers at this moment of the round: at the prompt (index 0) or after the first reminder (1)."""
        members = [p for p in (*PARTNERS, *SUCCESSORS) if p.answers_round(number)
                   and not (p in SUCCESSORS and p.joins_before == number)]  # answered right after joining
        return [p for p in members if (1 if number in p.after_reminder else 0) == index]

    @staticmethod
    def _asked(fresh: list[SentMessage], current: RoundInfo) -> int:
        """How many partners got a prompt or reminder of the round among these messages."""
        wanted = f"p:{current.id}:go"
        return len({m.chat_id for m in fresh if any(b.get("callback_data") == wanted for row in
                                                     (m.reply_markup or {}).get("inline_keyboard", []) for b in row)})

    async def _close(self, number: int, period: str, current: RoundInfo, title: str, label: str) -> RoundOutcome:
        """Close the round: the digest and chart reach the coordinator, the feedback the partners."""
        before = len(self.recorder.files)
        self.clock.set(current.closes_at)
        fresh = await self.settle()
        answered, total = answer_counts(self.db, current.id, self.clock())
        mine = [m for m in fresh if m.chat_id == self.coordinator.user_id and m.kind == "text"]
        digest = [m.text for m in mine if self.kind_of(m.chat_id, m.message_id) == "digest"]
        path = self._write("digests", label, digest)
        # the map is one message: its picture (in maps/ as well) with the summary as caption, or the summary alone
        if maps := [m.text for m in fresh if m.chat_id == self.coordinator.user_id
                    and self.kind_of(m.chat_id, m.message_id) == "map"]:
            self._write("maps", label, maps)
        charts = [p for p in self.recorder.files[before:] if p.parent.name == "charts"]
        outcome = RoundOutcome(number, period, month_name(period, "de"), answered, total, self.signals(current.id),
                               digest, path, charts[0] if charts else None)
        found = ", ".join(line.text() for line in outcome.signals) or "none"
        sent = "digest, chart and network map" if maps else "digest and chart"
        self.say(f"{stamp(current.closes_at)}  {title}: closed, {sent} to the coordinator; signals: {found}")
        await self.coaching(self, outcome)
        return outcome

    async def report(self) -> Path:
        """The coordinator asks for the report of the months played (/report, in German); it is saved as report.pdf
        beside the other results."""
        self.recorder.label = "report"
        _wait, document = await self.people.say(self.coordinator, "/report", replies=2)
        if document.kind != "document" or not document.file:
            raise DemoError(f"/report sent no document: {document.summary()}")
        path = self.output / "report.pdf"
        path.write_bytes(document.file)
        self.say(f"{stamp(self.clock())}  the coordinator asked for the report of the {self.rounds} months "
                 f"(/report): {path.name}, {len(document.file) // 1024} KiB")
        return path

    def _write(self, folder: str, label: str, texts: list[str]) -> Path:
        path = self.output / folder / f"{label}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n\n".join(texts) + "\n", encoding="utf-8")
        return path

    def signals(self, round_id: int) -> tuple[SignalLine, ...]:
        """The risk signals of a round, as the bot's rules find them in the database."""
        history = load_history(self.db, self.network_id, self.scripts.version,
                               network_thresholds(self.db, self.network_id))
        names = {partner.organisation_id: partner.name for partner in history.partners}
        return tuple(SignalLine(s.rule, s.severity, tuple(names.get(o, str(o)) for o in s.organisations))
                     for s in find_signals(history, round_id))


async def run_demo(output: Path, rounds: int = 4, *, say: Callable[[str], None] | None = None,
                   coaching: CoachingTurn = coordinator_turn) -> DemoResult:
    """Play the demo into `output` (its earlier files are replaced); progress lines go to `say` (default print)."""
    began = time.monotonic()
    say = say or (lambda line: print(line, flush=True))
    clear_output(output)
    demo = Demo(output, rounds, say, coaching)
    result = DemoResult(output)
    try:
        await demo.start()
        say(f"Netzpuls demo: the real bot against a local Bot API server on {demo.api.url}, on a simulated clock "
            f"from {stamp(START)}; {len(PARTNERS)} partner organisations, {rounds} monthly rounds")
        await demo.setup()
        period = period_of(demo.schedule, demo.clock())
        for number in range(1, rounds + 1):
            result.rounds.append(await demo.play_round(number, period))
            period = next_period(period)
        await demo.people.say(demo.coordinator, "/partners")
        await demo.report()
    finally:
        demo.recorder.write_transcripts()
        await demo.stop()
    result.seconds = time.monotonic() - began
    write_readme(result.output, result.rounds, demo.recorder.files)
    return result
