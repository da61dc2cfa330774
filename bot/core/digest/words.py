"""The partners' own words in the digest, as Telegram HTML: each question quoted once, then every answer to it in
full (never cut), with the organisation's name only where the reader may know it (bot.core.quotes)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Container, Iterable, Sequence
from html import escape

from bot.core.digest.evidence import Reader
from bot.core.history import Signal
from bot.core.quotes import Quote
from bot.core.user_text import one_line, quoted


def esc(text: str) -> str:
    """Plain text made safe for Telegram HTML."""
    return escape(text, quote=False)


def said(quote: Quote, reader: Reader) -> str:
    """What a partner said: a text in quote marks, folded to one line; a follow-up choice as its options' labels."""
    _ = reader._
    if quote.kind == "text" and isinstance(quote.value, str):
        return quoted(quote.value, _)
    options = list(quote.value) if isinstance(quote.value, (list, tuple)) else [quote.value]
    return ", ".join(reader.answer(quote.step_id, option) for option in options
                     if isinstance(option, (str, int, float)) and not isinstance(option, bool))


def by_question(quotes: Iterable[Quote]) -> dict[str, list[Quote]]:
    """Quotes grouped by the question they answer, in their order."""
    grouped: dict[str, list[Quote]] = {}
    for quote in quotes:
        grouped.setdefault(quote.step_id, []).append(quote)
    return grouped


def folded_line(step: str, count: int, reader: Reader) -> str:
    """One question's answers, left out where the digest has no room: how many, and where to read them."""
    return "💬 " + esc(reader.ngettext("“{question}”: {count} answer, to read in /notes",
                                      "“{question}”: {count} answers, to read in /notes", count).format(
        question=reader.question(step), count=count))


def quote_lines(quotes: Iterable[Quote], reader: Reader, folded: Container[str] = ()) -> list[str]:
    """HTML lines: "💬 “question”" once per question, then "– name: “text”" (or "– “text”") per answer; the same
    unnamed answer from several partners once, with how many ("(3×)"); the questions in `folded` as one line that
    points to /notes (never a quote cut short)."""
    _ = reader._
    lines = []
    for step, answers in by_question(quotes).items():
        if step in folded:
            lines.append(folded_line(step, len(answers), reader))
            continue
        lines.append("💬 " + esc(_("“{question}”").format(question=reader.question(step))))
        counts = Counter(answers)  # the same words from several partners (unnamed): once, with how many
        for answer, count in counts.items():
            words = f"<i>{esc(said(answer, reader))}</i>" + (f" ({count}×)" if count > 1 else "")
            if answer.organisation_id is not None:
                lines.append(f"   – {esc(reader.name(answer.organisation_id))}: {words}")
            else:
                lines.append(f"   – {words}")
    return lines


def quoted_in_evidence(signal: Signal) -> frozenset[str]:
    """The free texts a signal's evidence quotes already (a vague goal, a goal statement): not quoted twice."""
    return frozenset(one_line(str(value)) for evidence in signal.evidence for key, value in evidence.params
                     if key == "text")


def without(quotes: Sequence[Quote], texts: frozenset[str]) -> list[Quote]:
    """The quotes whose text is not among `texts`."""
    return [quote for quote in quotes if not (isinstance(quote.value, str) and one_line(quote.value) in texts)]
