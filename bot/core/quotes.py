"""The partners' own words of a round as the coordinator may read them: free texts and follow-up answers, each with
where it belongs (a signal, a success factor, or "from the network"), as far as bot.core.disclosure allows.

A free text is shown in full, never cut. In a named round it carries the organisation's name. In an anonymous round
it is shown only when at least MIN_ANSWERING organisations answered, without a name (unless the partner allowed
this one answer to be quoted with its name), and in an order that does not tell whose it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.core.disclosure import MIN_ANSWERING, PARTNER_OUTLETS, Outlet, Shown, answering, round_disclosure
from bot.core.history import BASELINE_ROUND, AnswerFact, History, Signal
from bot.core.script.model import Value
from bot.core.user_text import one_line


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
        return isinstance(answer.value, str) and bool(one_line(answer.value))
    return answer.words and bool(answer.value)


def round_quotes(history: History, round_id: int, outlet: Outlet = "digest") -> tuple[Quote, ...]:
    """The round's words as the outlet may show them: named rounds by organisation (in the order of the partners),
    anonymous ones only over at least MIN_ANSWERING answering organisations, unnamed (unless allowed), sorted by
    text; none at all where nothing of the round may be shown."""
    shown = round_disclosure(history, round_id, outlet)
    if shown == "nothing":
        return ()
    answers = [answer for answer in history.by_round.get(round_id, ()) if is_words(answer)]
    # A partner's permission to be named holds only while at least MIN_ANSWERING answering organisations stay
    # unnamed: else the few unnamed texts left would be told apart by elimination.
    permitting = {answer.organisation_id for answer in answers if answer.quote_named}
    names_allowed = answering(history, round_id) - len(permitting) >= MIN_ANSWERING
    quotes = [_quote(answer, shown, names_allowed) for answer in answers]
    if shown == "named":
        order = {partner.organisation_id: index for index, partner in enumerate(history.partners)}
        return tuple(sorted(quotes, key=lambda quote: order.get(quote.organisation_id or 0, len(order))))
    return tuple(sorted(quotes, key=lambda quote: (quote.step_id, str(quote.value))))


def baseline_named(history: History, answered_at: datetime) -> bool:
    """Whether an onboarding answer may show its organisation: given while the network was named, and the network
    never went back to anonymous since (that applies to everything given before it, for good)."""
    return history.privacy_at(answered_at) == "named" and not any(
        privacy == "anonymous" for at, privacy in history.privacy_changes if at > answered_at)


def baseline_quotes(history: History, outlet: Outlet = "notes") -> tuple[Quote, ...]:
    """The onboarding answers' words (round BASELINE_ROUND, outside every round): those given named with their
    organisation (in the order of the partners), the others only when at least MIN_ANSWERING organisations gave such
    words, unnamed (unless allowed) and sorted by text; none for an outlet the partners read."""
    if outlet in PARTNER_OUTLETS:
        return ()
    answers = [answer for answer in history.by_round.get(BASELINE_ROUND, ()) if is_words(answer)]
    # Onboarding words given anonymously are not shown at all: each newcomer's (or new contact person's) text would
    # appear the moment it joins, which the coordinator is told of by name.
    named = [_quote(answer, "named") for answer in answers if baseline_named(history, answer.answered_at)]
    order = {partner.organisation_id: index for index, partner in enumerate(history.partners)}
    return tuple(sorted(named, key=lambda quote: order.get(quote.organisation_id or 0, len(order))))


def every_quote(history: History, outlet: Outlet = "notes") -> tuple[Quote, ...]:
    """All the words the outlet may show: the onboarding's first, then each round's, oldest round first."""
    quotes = list(baseline_quotes(history, outlet))
    for facts in history.rounds:
        quotes += round_quotes(history, facts.id, outlet)
    return tuple(quotes)


def _quote(answer: AnswerFact, shown: Shown, names_allowed: bool = False) -> Quote:
    value = one_line(answer.value) if isinstance(answer.value, str) else answer.value
    named = shown == "named" or (names_allowed and answer.quote_named)
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


def current_goals(history: History, statement_step: str, baseline_step: str,
                  outlet: Outlet = "notes") -> tuple[tuple[Quote, ...], int]:
    """The partners' current goals in their own words, as the outlet may show them: each organisation's newest
    statement where it may be named (a named round, or its onboarding answer to `baseline_step` given named), in the
    order of the partners; then the unnamed statements of one round only, the newest round whose answers may be
    shown with at least MIN_ANSWERING of them, sorted by text (picking each organisation's newest unnamed one would
    tell by elimination whose an older text is). Also how many organisations' statements were held back."""
    if outlet in PARTNER_OUTLETS:
        return (), 0
    shown = {facts.id: round_disclosure(history, facts.id, outlet) for facts in history.rounds}
    numbers = {facts.id: facts.number for facts in history.rounds}
    statements = [answer for answer in history.answers if answer.step_id == statement_step and is_words(answer)
                  and shown.get(answer.round_id, "nothing") != "nothing"]
    newest_named: dict[int, AnswerFact] = {}
    for answer in statements:
        held = newest_named.get(answer.organisation_id)
        if shown[answer.round_id] == "named" and (held is None or numbers[answer.round_id] >= numbers[held.round_id]):
            newest_named[answer.organisation_id] = answer
    named = {org: _quote(answer, "named") for org, answer in newest_named.items()}
    for answer in history.by_round.get(BASELINE_ROUND, ()):  # onboarding words given anonymously never show
        if (answer.step_id == baseline_step and is_words(answer) and answer.organisation_id not in named
                and baseline_named(history, answer.answered_at)):
            named[answer.organisation_id] = _quote(answer, "named")
    by_round: dict[int, list[AnswerFact]] = {}
    for answer in statements:
        if shown[answer.round_id] == "aggregate":
            by_round.setdefault(answer.round_id, []).append(answer)
    rounds = sorted((round_id for round_id, found in by_round.items()
                     if len({answer.organisation_id for answer in found}) >= MIN_ANSWERING),
                    key=lambda round_id: numbers[round_id])
    unnamed = sorted((_quote(answer, "aggregate") for answer in by_round[rounds[-1]]),
                     key=lambda quote: str(quote.value)) if rounds else []
    order = {partner.organisation_id: index for index, partner in enumerate(history.partners)}
    shown_orgs = set(named) | ({answer.organisation_id for answer in by_round[rounds[-1]]} if rounds else set())
    withheld = len({answer.organisation_id for answer in statements} - shown_orgs)
    return (*sorted(named.values(), key=lambda quote: order.get(quote.organisation_id or 0, len(order))),
            *unnamed), withheld
