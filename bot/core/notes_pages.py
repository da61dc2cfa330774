"""The partners' words as /notes shows them (Telegram HTML): an overview by success factor, and pages of quotes, each
quote in full (never cut), its round's month and its question quoted once above its answers on every page, every
page within Telegram's limit. What may be shown, and with which name, is decided before (bot.core.quotes)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape

from bot.core.digest.names import factor_name
from bot.core.limits import TEXT as MESSAGE_LIMIT
from bot.core.limits import html_len
from bot.core.user_text import one_line, quoted

Gettext = Callable[[str], str]
Ngettext = Callable[[str, str, int], str]

NETWORK = 0  # the topic of words that belong to no success factor (the closing question): "from the network"
FACTOR_TOPICS = tuple(range(1, 12))
TOPICS = (*FACTOR_TOPICS, NETWORK)  # the order of the overview and of a round's questions


@dataclass(frozen=True)
class Note:
    """One answer in the partners' words, labelled for the reader: the round's number (0: the onboarding) and month
    (or "when joining"), the success factor, the full question, what was said (a text, or a follow-up's chosen
    options by their labels) and the organisation's name (None where the reader may not know it)."""

    round_number: int
    when: str
    factor: int | None
    question: str
    said: str
    kind: str  # "text" or "choice"
    name: str | None = None

    @property
    def topic(self) -> int:
        """Its success factor, or NETWORK."""
        return self.factor if self.factor is not None else NETWORK


def esc(text: str) -> str:
    """Plain text made safe for Telegram HTML."""
    return escape(text, quote=False)


def visible_length(html: str) -> int:
    """How long a Telegram HTML text is as Telegram counts it: the text after its tags, in UTF-16 units."""
    return html_len(html)


def topic_name(topic: int, _: Gettext) -> str:
    """A success factor's name, or "From the network"."""
    return _("From the network") if topic == NETWORK else factor_name(topic, _)


def topic_counts(notes: Iterable[Note]) -> dict[int, int]:
    """How many notes each topic has, in the overview's order (topics without notes left out)."""
    counted: dict[int, int] = {}
    for note in notes:
        counted[note.topic] = counted.get(note.topic, 0) + 1
    return {topic: counted[topic] for topic in TOPICS if topic in counted}


def arranged(notes: Iterable[Note], by_round: bool) -> list[Note]:
    """The notes as they are read. By round (the notes of one round): by topic, each question's answers together.
    By topic: each question's answers together, questions in the order of their newest answer, newest round first.
    Answers to one question keep the order given (by partner where named, by text where not)."""
    newest = sorted(notes, key=lambda note: -note.round_number)
    first_seen: dict[str, int] = {}
    for index, note in enumerate(newest):
        first_seen.setdefault(note.question, index)
    if by_round:
        rank = {topic: index for index, topic in enumerate(TOPICS)}
        return sorted(newest, key=lambda note: (rank.get(note.topic, len(rank)), first_seen[note.question]))
    return sorted(newest, key=lambda note: (first_seen[note.question], -note.round_number))


def overview(network: str, counts: Mapping[int, int], _: Gettext) -> str:
    """The first /notes message: how many words there are per success factor and from the network."""
    title = _("The partners in their own words · {network}").format(network=network)
    lines = [f"<b>📝 {esc(title)}</b>"]
    if not counts:
        lines += ["", esc(_("No free texts yet that may be shown. Texts of anonymous rounds show once at least 3 "
                            "organisations answered, without names."))]
        return "\n".join(lines)
    lines += ["", esc(_("Free texts and follow-up answers by success factor:"))]
    lines += [f"• {esc(topic_name(topic, _))}: {count}" for topic, count in counts.items()]
    lines += ["", esc(_("Texts of anonymous rounds show once at least 3 organisations answered, without names. "
                        "Choose a success factor, or read by round."))]
    return "\n".join(lines)


def quote_line(note: Note, _: Gettext, month: bool) -> str:
    """One answer as an HTML line: "– [month · ]name: “text”" (a text in full, on one line) or "– labels" (a
    follow-up's choice); the name only where the reader may know it."""
    said = quoted(note.said, _) if note.kind == "text" else one_line(note.said)
    who = " · ".join(part for part in (note.when if month else None, note.name) if part)
    return f"   – {esc(who)}: <i>{esc(said)}</i>" if who else f"   – <i>{esc(said)}</i>"


def note_pages(title: str, notes: Sequence[Note], _: Gettext, by_round: bool,
               limit: int = MESSAGE_LIMIT) -> list[str]:
    """The notes as pages of at most `limit` units (as Telegram counts them): the title with the page's number,
    then each question quoted once per page above its answers (by round: under its success factor; by topic: each
    answer with its month); an answer never cut, a page broken only between answers. No pages for no notes."""
    def heading(page: int, total: int) -> str:
        if total == 1:
            return f"<b>{esc(title)}</b>"
        return f"<b>{esc(title)}</b> · " + esc(_("page {page} of {pages}").format(page=page, pages=total))

    budget = limit - visible_length(heading(999, 999)) - 2  # the heading and the blank line after it
    items: list[tuple[tuple[str, ...], str]] = []
    for note in arranged(notes, by_round):
        question = "💬 " + esc(_("“{question}”").format(question=note.question))
        headings = (f"<b>{esc(topic_name(note.topic, _))}</b>", question) if by_round else (question,)
        items.append((headings, quote_line(note, _, month=not by_round)))
    bodies = pack(items, budget)
    return [heading(number, len(bodies)) + "\n\n" + body for number, body in enumerate(bodies, start=1)]


def pack(items: Sequence[tuple[tuple[str, ...], str]], budget: int) -> list[str]:
    """Lines under their headings, as pages of at most `budget` units each: an item is its headings (outermost
    first) and its line; a heading is written where it differs from the one before on the page, and again at the top
    of each page. An item that does not fit goes whole to the next page (one longer than a page stands alone)."""
    pages: list[list[str]] = []
    lines: list[str] = []
    used = 0
    shown: tuple[str, ...] = ()
    for headings, line in items:
        differs = next((depth for depth, (new, old) in enumerate(zip(headings, shown, strict=False))
                        if new != old), min(len(headings), len(shown)))
        added = [*headings[differs:], line] if len(headings) == len(shown) else [*headings, line]
        cost = sum(visible_length(piece) + 1 for piece in added)
        if lines and used + cost > budget:
            pages.append(lines)
            lines, used = [], 0
            added, cost = [*headings, line], sum(visible_length(piece) + 1 for piece in (*headings, line))
        lines += added
        used += cost
        shown = headings
    if lines:
        pages.append(lines)
    return ["\n".join(page) for page in pages]
