"""The partners' goal statements beside the network's own goal, as /goals shows them (Telegram HTML) and as a
Markdown file for a goal workshop; each marked with what it misses of "whom", "result" and "time"
(bot.core.goal_text.missing, the vague-goal detector)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.core.goal_text import missing
from bot.core.notes_pages import esc, pack
from bot.core.user_text import one_line, quoted

Gettext = Callable[[str], str]
Ngettext = Callable[[str, str, int], str]


@dataclass(frozen=True)
class Statement:
    """A goal in one sentence: whose (None: not to be named, or the network's own), when it was given (a month, or
    "when joining"), and what it misses ("whom", "result", "time"; empty: concrete)."""

    text: str
    name: str | None
    when: str
    lacks: tuple[str, ...]


@dataclass(frozen=True)
class Board:
    """The network's goal (None: not set yet), every partner's current goal statement the reader may see, and how
    many organisations' statements are held back (an anonymous network with fewer than three statements)."""

    network: str
    goal: Statement | None
    statements: tuple[Statement, ...]
    withheld: int = 0


def statement(text: str, name: str | None, when: str, min_words: int) -> Statement:
    """A goal statement on one line with what it misses, by the vague-goal detector."""
    folded = one_line(text)
    return Statement(folded, name, when, tuple(missing(folded, min_words)))


def lacks_text(lacks: Sequence[str], _: Gettext) -> str:
    """What a goal misses, in words ("" when it is concrete)."""
    words = {"whom": _("for whom"), "result": _("a result one can check"), "time": _("by when")}
    return ", ".join(words.get(part, part) for part in lacks)


def verdict(found: Statement, _: Gettext) -> str:
    """"✅ concrete" or "⚠️ vague, missing: …"."""
    if not found.lacks:
        return "✅ " + _("concrete: says for whom, what result and by when")
    return "⚠️ " + _("vague, missing: {parts}").format(parts=lacks_text(found.lacks, _))


def board_messages(board: Board, _: Gettext, ngettext: Ngettext, limit: int = 4096) -> list[str]:
    """The board as HTML messages of at most `limit` units each: the network's goal first, then each statement in
    full (never cut) with its verdict; a message is broken only between statements."""
    title, own, partners = (_("Goals · {network}").format(network=board.network), _("The network goal"),
                            _("The partners’ goals"))
    head = [f"<b>🎯 {esc(title)}</b>", "", f"<b>{esc(own)}</b>"]
    if board.goal is None:
        head.append(esc(_("Not set yet. Tap “Set the network goal” and type it in one sentence.")))
    else:
        said = quoted(board.goal.text, _)
        head += [f"<i>{esc(said)}</i>", esc(verdict(board.goal, _))]
    head += ["", f"<b>{esc(partners)}</b>"]
    items: list[tuple[tuple[str, ...], str]] = [((), "\n".join(head))]
    for found in board.statements:
        who = " · ".join(part for part in (found.name, found.when) if part)
        said = quoted(found.text, _)
        items.append(((), f"• {esc(who) + ': ' if who else ''}<i>{esc(said)}</i>\n"
                          f"   {esc(verdict(found, _))}"))
    if not board.statements:
        items.append(((), esc(_("No partner has described the network's goal yet that may be shown."))))
    if board.withheld:
        items.append(((), esc(ngettext(
            "{count} statement is held back: in an anonymous network they show once at least 3 organisations gave "
            "one, without names.",
            "{count} statements are held back: in an anonymous network they show once at least 3 organisations "
            "gave one, without names.", board.withheld).format(count=board.withheld))))
    return pack(items, limit)


def workshop_markdown(board: Board, day: str, _: Gettext, ngettext: Ngettext) -> str:
    """The board as a Markdown file for a goal workshop: the network's goal, every statement with what it misses,
    and three short questions to work on."""
    title, own, partners, questions = (_("Goal workshop · {network}").format(network=board.network),
                                       _("The network goal"), _("The partners’ goals"), _("Questions for the workshop"))
    lines = [f"# {title}", "",
             _("As of {day}. Each goal is checked for three parts: for whom, a result one can check, by when.").format(
                 day=day), "", f"## {own}", ""]
    if board.goal is None:
        lines.append(_("Not set yet."))
    else:
        lines += [f"> {board.goal.text}", "", _workshop_verdict(board.goal, _)]
    lines += ["", f"## {partners}", ""]
    for found in board.statements:
        who = " · ".join(part for part in (found.name, found.when) if part)
        said = quoted(found.text, _)
        lines.append(f"- {who + ': ' if who else ''}{said} – {_workshop_verdict(found, _)}")
    if not board.statements:
        lines.append(_("No partner has described the network's goal yet that may be shown."))
    if board.withheld:
        lines += ["", ngettext(
            "{count} statement is held back: in an anonymous network they show once at least 3 organisations gave "
            "one, without names.",
            "{count} statements are held back: in an anonymous network they show once at least 3 organisations "
            "gave one, without names.", board.withheld).format(count=board.withheld)]
    lines += ["", f"## {questions}", "",
              "1. " + _("For whom exactly do we want to achieve what, and by when?"),
              "2. " + _("How would an outsider notice in a year that we reached our goal?"),
              "3. " + _("Which partners’ goals do not fit the network goal yet, and what follows from that?"), ""]
    return "\n".join(lines)


def _workshop_verdict(found: Statement, _: Gettext) -> str:
    if not found.lacks:
        return _("concrete: says for whom, what result and by when")
    return _("vague, missing: {parts}").format(parts=lacks_text(found.lacks, _))
