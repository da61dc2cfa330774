"""The partners' own words of a round as the coordinator may read them: free texts and follow-up answers, each with
where it belongs (a signal, a success factor, or "from the network"), as far as bot.core.disclosure allows.

A free text is shown in full, never cut. In a named round it carries the organisation's name. In an anonymous round
it is shown only when at least MIN_ANSWERING organisations answered, without a name (unless the partner allowed
this one answer to be quoted with its name), and in an order that does not tell whose it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.core.disclosure import Outlet, Shown, round_disclosure
from bot.core.history import AnswerFact, History, Signal
from bot.core.script.model import Value


@dataclass(frozen=True)
class Quote:
    """One answer in the partner's own words (`kind` "text") or a follow-up choice (`kind` "choice", `value` the
    chosen option ids); `organisation_id` is None where the reader may not know whose it is."""

    round_id: int
    step_id: str
    kind: str
    value: Value
    factor: int | None
    risk: int | None
    organisation_id: int | None


def is_words(answer: AnswerFact) -> bool:
    """Whether an answer is the partner's own words: a free text, or a choice without levels that is no sign of a
    risk (a follow-up such as "what would raise the benefit"); quoted rather than counted. An empty text is none."""
    if answer.kind == "text":
        return isinstance(answer.value, str) and bool(" ".join(answer.value.split()))
    return answer.words and bool(answer.value)


def one_line(text: str) -> str:
    """A partner's text on one line: inner line breaks and runs of spaces folded, so it never looks like the bot's
    own structure."""
    return " ".join(text.split())


def round_quotes(history: History, round_id: int, outlet: Outlet = "digest") -> tuple[Quote, ...]:
    """The round's words as the outlet may show them: named rounds by organisation (in the order of the partners),
    anonymous ones only over at least MIN_ANSWERING answering organisations, unnamed (unless allowed), sorted by
    text; none at all where nothing of the round may be shown."""
    shown = round_disclosure(history, round_id, outlet)
    if shown == "nothing":
        return ()
    answers = [answer for answer in history.by_round.get(round_id, ()) if is_words(answer)]
    quotes = [_quote(answer, shown) for answer in answers]
    if shown == "named":
        order = {partner.organisation_id: index for index, partner in enumerate(history.partners)}
        return tuple(sorted(quotes, key=lambda quote: order.get(quote.organisation_id or 0, len(order))))
    return tuple(sorted(quotes, key=lambda quote: (quote.step_id, str(quote.value))))


def _quote(answer: AnswerFact, shown: Shown) -> Quote:
    value = one_line(answer.value) if isinstance(answer.value, str) else answer.value
    named = shown == "named" or answer.quote_named
    return Quote(answer.round_id, answer.step_id, answer.kind, value, answer.factor, answer.risk,
                 answer.organisation_id if named else None)


@dataclass(frozen=True)
class Placed:
    """A round's words placed once each: under the first signal they belong to (by its index in the signals given),
    else under their success factor, else in "from the network" (a text that belongs to no factor)."""

    by_signal: dict[int, tuple[Quote, ...]]
    by_factor: dict[int, tuple[Quote, ...]]
    network: tuple[Quote, ...]


def belongs(quote: Quote, signal: Signal) -> bool:
    """Whether a quote speaks to a signal: the same risk factor, or the same success factor."""
    return (quote.risk is not None and quote.risk == signal.risk) or (
        quote.factor is not None and quote.factor == signal.factor)


def place_quotes(quotes: Iterable[Quote], signals: Sequence[Signal]) -> Placed:
    """Each quote once: under the first (most urgent) signal it belongs to, else its factor, else the network's."""
    by_signal: dict[int, list[Quote]] = {}
    by_factor: dict[int, list[Quote]] = {}
    network: list[Quote] = []
    for quote in quotes:
        index = next((index for index, signal in enumerate(signals) if belongs(quote, signal)), None)
        if index is not None:
            by_signal.setdefault(index, []).append(quote)
        elif quote.factor is not None:
            by_factor.setdefault(quote.factor, []).append(quote)
        else:
            network.append(quote)
    return Placed({key: tuple(value) for key, value in by_signal.items()},
                  {key: tuple(value) for key, value in by_factor.items()}, tuple(network))
