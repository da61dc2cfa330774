"""What the demo leaves behind: every chat as a transcript, the coordinator's digests, charts and other pictures.

The recorder notes the bot's messages as it first sees them (with the simulated time, before any later edit) and
the people's taps and texts; photos and documents are written to files as they arrive.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from localapi.server import LocalBotApi, SentMessage

OUTPUT_PARTS = ("transcripts", "digests", "charts", "maps", "pictures", "files", "README.txt", "report.pdf",
                "netzpuls-demo.db", "netzpuls-demo.db-wal", "netzpuls-demo.db-shm")
FOLDERS = {"chart": "charts", "map": "maps"}  # pictures the bot sends on its own, by their outbox kind; else pictures/
KindOf = Callable[[int, int], str | None]  # (chat id, message id) → the outbox kind of a message the bot sent
BERLIN = ZoneInfo("Europe/Berlin")


def clear_output(output: Path) -> None:
    """Remove what an earlier run left in the folder (only the demo's own files and folders)."""
    output.mkdir(parents=True, exist_ok=True)
    for name in OUTPUT_PARTS:
        path = output / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def stamp(moment: datetime) -> str:
    """A time as people in the network read it: "05.01.2027 09:00"."""
    return moment.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")


@dataclass
class Entry:
    """One line of a transcript: who, when, what (and the buttons under a bot message)."""

    at: datetime
    who: str
    text: str
    buttons: list[list[str]] = field(default_factory=list)


@dataclass
class Tracked:
    """A chat the recorder follows."""

    user_id: int
    speaker: str
    file_stem: str
    heading: list[str]
    entries: list[Entry] = field(default_factory=list)
    seen: int = 0  # how many of the chat's arrivals are recorded


class Recorder:
    """Collects the chats' messages and the people's actions; writes transcripts, pictures and files."""

    def __init__(self, api: LocalBotApi, clock: Callable[[], datetime], output: Path, kind_of: KindOf) -> None:
        self.api = api
        self.clock = clock
        self.output = output
        self.kind_of = kind_of
        self.label = "0-setup"  # the round being played, for file names: "1-2027-01"
        self.chats: dict[int, Tracked] = {}
        self.files: list[Path] = []

    def track(self, user_id: int, speaker: str, file_stem: str, heading: Iterable[str]) -> None:
        """Follow a person's chat from now on."""
        self.chats[user_id] = Tracked(user_id, speaker, file_stem, list(heading))

    def action(self, user_id: int, text: str) -> None:
        """A person taps or writes: first note what the bot sent before, then the action."""
        self.collect()
        chat = self.chats[user_id]
        chat.entries.append(Entry(self.clock(), chat.speaker, text))

    def collect(self) -> list[SentMessage]:
        """Record the bot messages that arrived since the last look, in every tracked chat; returns them."""
        fresh: list[SentMessage] = []
        for chat in self.chats.values():
            arrived = self.api.chats[chat.user_id].arrivals if chat.user_id in self.api.chats else []
            for message in arrived[chat.seen:]:
                fresh.append(message)
                chat.entries.append(self._entry(chat, message))
            chat.seen = len(arrived)
        return fresh

    def _entry(self, chat: Tracked, message: SentMessage) -> Entry:
        first = message.history[0] if message.history else None
        text = first.text if first is not None else message.text
        markup = first.reply_markup if first is not None else message.reply_markup
        buttons = [[str(button.get("text", "")) for button in row] for row in (markup or {}).get("inline_keyboard", [])]
        if message.kind != "text" and message.file is not None:
            path = self._save(chat, message)
            text = f"[{'picture' if message.kind == 'photo' else 'file'}: {path.relative_to(self.output)}] {text}"
        return Entry(self.clock(), "Bot", text, buttons)

    def _save(self, chat: Tracked, message: SentMessage) -> Path:
        """Write a photo or document the bot sent: the digest's chart to charts/, the network map to maps/, other
        pictures to pictures/, documents to files/ (named by the round and, unless it is the coordinator's chart or
        map, the chat)."""
        if message.kind == "photo":
            kind = self.kind_of(chat.user_id, message.message_id)
            folder = self.output / FOLDERS.get(kind or "", "pictures")
            stem = self.label if kind in FOLDERS else f"{self.label}-{chat.file_stem}"
            suffix = ".png" if (message.file or b"").startswith(b"\x89PNG") else ".jpg"
        else:
            folder, stem = self.output / "files", f"{self.label}-{chat.file_stem}"
            suffix = "-" + (message.filename or "file.bin")
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{stem}{suffix}"
        count = 2
        while path.exists():
            path = folder / f"{stem}-{count}{suffix}"
            count += 1
        path.write_bytes(message.file or b"")
        self.files.append(path)
        return path

    def write_transcripts(self) -> list[Path]:
        """One text file per chat in transcripts/; returns their paths."""
        self.collect()
        folder = self.output / "transcripts"
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for chat in self.chats.values():
            if not chat.entries:  # e.g. a successor who did not join in the rounds played
                continue
            path = folder / f"{chat.file_stem}.txt"
            path.write_text(render(chat), encoding="utf-8")
            paths.append(path)
        return paths


def render(chat: Tracked) -> str:
    """A chat as text: a heading, then each message with its date, the speaker and the buttons it showed."""
    lines = [*chat.heading, "=" * 78, ""]
    day = ""
    for entry in chat.entries:
        when = stamp(entry.at)
        if when[:10] != day:
            day = when[:10]
            lines += ["", f"--- {day} ---"]
        body = entry.text.splitlines() or [""]
        lines.append(f"{when[11:]}  {entry.who}: {body[0]}")
        lines += [f"{'':7}{' ' * len(entry.who)}  {line}" for line in body[1:]]
        for row in entry.buttons:
            lines.append(f"{'':7}{' ' * len(entry.who)}  " + " ".join(f"[{label}]" for label in row))
    return "\n".join(lines).lstrip("\n") + "\n"
