"""The coordinator's digest of a round (Telegram HTML) and the partners' short result (plain text); pure, in one
language. What may be shown of the answers follows bot.core.disclosure and bot.core.quotes; facts about taking part
come from bot.core.participation."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from bot.core.chart_data import response_rate
from bot.core.coaching import tip
from bot.core.digest.evidence import AnswerLabel, QuestionLabel, Reader, decimal, evidence_line, kind, scrub
from bot.core.digest.headline import main_change, todo_lines
from bot.core.digest.lines import factor_line, make_reader, participation_lines, response_line, short_month, whom
from bot.core.digest.names import SEVERITY_MARKERS, factor_name, severity_name, signal_topic
from bot.core.digest.split import split_messages
from bot.core.digest.words import by_question, esc, quote_lines, quoted_in_evidence, without
from bot.core.disclosure import Outlet, Shown, answering, round_disclosure, round_facts, visible_signals
from bot.core.factor_levels import Trend, factor_states
from bot.core.history import History, Signal, sort_signals
from bot.core.limits import TEXT as MESSAGE_LIMIT
from bot.core.limits import html_len as shown_length
from bot.core.quotes import Quote, place_quotes, round_quotes
from bot.core.tips import Tips

Gettext = Callable[[str], str]
Ngettext = Callable[[str, str, int], str]
Note = Literal["none", "hidden", "no_answers"]

__all__ = ["SignalsView", "build_digest", "main_topic", "partner_feedback", "short_month", "signal_text",
           "signals_view"]


@dataclass(frozen=True)
class SignalsView:
    """The signals an outlet shows of a round and what to say besides: "none" (nothing was found), "hidden" (fewer
    than three organisations answered: signs from the answers are not shown, so "no warning signs" would say how
    they answered), "no_answers" (nobody answered), or None (the signals say it all)."""

    signals: tuple[Signal, ...]
    note: Note | None
    shown: Shown


def signals_view(history: History, round_id: int, signals: Iterable[Signal], outlet: Outlet) -> SignalsView:
    """The one place that decides which signals an outlet shows and whether it says "hidden" or "none"."""
    shown = round_disclosure(history, round_id, outlet)
    visible = tuple(visible_signals(sort_signals(signals), shown))
    note: Note | None = None
    if shown == "nothing":
        note = "hidden" if answering(history, round_id) else "no_answers"
    elif not visible:
        note = "none"
    return SignalsView(visible, note, shown)


def main_topic(signals: Iterable[Signal], _: Gettext) -> str | None:
    """The topic the coordinator takes up next: the risk factor of the most severe signal (None without signals)."""
    ordered = sort_signals(signals)
    return signal_topic(ordered[0], _) if ordered else None


def _bold(text: str) -> str:
    return f"<b>{esc(text)}</b>"


def build_digest(history: History, round_id: int, signals: Sequence[Signal], tips: Tips, lang: str, _: Gettext,
                 ngettext: Ngettext, *, network_name: str, month: str, question_label: QuestionLabel | None = None,
                 answer_label: AnswerLabel | None = None, limit: int = MESSAGE_LIMIT, outlet: Outlet = "digest",
                 step_review: Sequence[str] = ()) -> list[str]:
    """The coordinator's digest of a round as Telegram HTML messages of at most `limit` UTF-16 units each (one,
    unless the limit forces more; never split inside an entry): the headline (response, the most important change,
    the top three things to do), last month's steps (`step_review`, plain lines), the signals with their evidence,
    the partners' words and a tip, the words from the network, then every success factor with its trend and words.
    `question_label(step_id)` and `answer_label(step_id, value)` name questions and answers (default: the step's
    success factor and the raw value)."""
    reader = make_reader(history, lang, _, ngettext, question_label, answer_label)
    current = round_facts(history, round_id).number
    view = signals_view(history, round_id, signals, outlet)
    states = factor_states(history, round_id, outlet)
    # A text the signals' evidence quotes already (a vague goal) is not quoted again.
    quoted = frozenset().union(*(quoted_in_evidence(signal) for signal in view.signals))
    placed = place_quotes(without(round_quotes(history, round_id, outlet), quoted), view.signals)
    head = [_bold(_("Netzpuls digest · {network} · {month}").format(network=network_name, month=month)),
            "📊 " + esc(response_line(*response_rate(history, round_id), _, ngettext))]
    if view.shown != "nothing":
        head.append("📌 " + esc(_("Most important change: {change}").format(
            change=main_change(states, current, reader))))
    head += [esc(line) for line in participation_lines(history, round_id, _)]
    blocks: list[list[str]] = [head]
    if view.signals:
        blocks.append([_bold(_("To do now")), *map(esc, todo_lines(view.signals, view.shown, history, _))])
    elif view.note == "none":
        blocks.append([_bold(_("To do now")), esc(_("Nothing pressing: share the result with the partners at the "
                                                    "next meeting and thank them for their answers."))])
    if step_review:
        blocks.append([_bold(_("Your steps from last month")), *map(esc, step_review)])
    notes = {"hidden": _("Signs from the answers are not shown: fewer than 3 organisations answered."),
             "no_answers": _("No organisation answered in this round, so there are no signs from answers."),
             "none": _("No warning signs in this round.")}
    if view.note is not None:
        blocks.append([esc(notes[view.note])])
    # Quotes are placed as groups (one question's answers in one place); where the digest would not fit one
    # message, groups are folded into a line pointing to /notes: the longest first (so that the fewest go), among
    # equals the factors' before the signals' and the network's. A quote is never cut.
    groups: list[tuple[int, str]] = []  # (block, step) in the order they are folded
    quotes_at: dict[int, Sequence[Quote]] = {}
    for index, signal in enumerate(view.signals):
        quotes_at[len(blocks)] = placed.by_signal.get(index, ())
        block = _signal_block(history, signal, view.shown, reader, tips)
        blocks.append([_bold(_("Signals, most urgent first")), *block] if index == 0 else block)
    network_block = len(blocks)
    if placed.network:
        quotes_at[network_block] = placed.network
        blocks.append([_bold(_("From the network"))])
    glued = set()
    # Factors no round has measured share one line, unless partners wrote about them (their words need a place).
    unmeasured = [state for state in states if state.round_number is None and state.factor not in placed.by_factor]
    states = [state for state in states if state not in unmeasured]
    for index, state in enumerate(states):
        quotes_at[len(blocks)] = placed.by_factor.get(state.factor, ())
        block = [esc(factor_line(state, history, current, reader))]
        if index:
            glued.add(len(blocks))
        blocks.append(block if index else [_bold(_("Success factors (mean, 1 = low, 5 = high; oldest first)")), *block])
    if unmeasured:  # one line for all the factors no round has asked yet
        glued.add(len(blocks))
        blocks.append([esc(_("Not measured yet: {factors}").format(
            factors=", ".join(factor_name(state.factor, _) for state in unmeasured)))])
    signal_blocks = [block for block in quotes_at if block < network_block]
    factor_blocks = [block for block in quotes_at if block > network_block]
    sizes: dict[tuple[int, str], tuple[int, int]] = {}  # the longest first (fewest folded), then by place
    for tier, blocks_of_tier in enumerate((factor_blocks, signal_blocks, [network_block])):
        sizes |= {(at, step): (-sum(len(str(quote.value)) for quote in quotes), tier)
                  for at in blocks_of_tier for step, quotes in by_question(quotes_at.get(at, ())).items()}
    groups += sorted(sizes, key=lambda group: sizes[group])
    def composed(folded: set[tuple[int, str]]) -> list[list[str]]:
        return [[*lines[:-1], *_with_quotes(lines[-1], quotes_at.get(index, ()), reader, index, folded,
                                            signal=index < network_block)]
                if index in quotes_at else lines for index, lines in enumerate(blocks)]

    def fits(full: list[list[str]]) -> bool:
        return shown_length("\n\n".join("\n".join(lines) for lines in full)) <= limit

    full = composed(set())
    if not fits(full) and fits(composed(set(groups))):  # folding quotes keeps it one message: fold as few as can be
        folded: set[tuple[int, str]] = set()
        while not fits(full := composed(folded)):
            folded.add(groups[len(folded)])
    return split_messages(full, limit, glued, shown_length)


def _with_quotes(last: str, quotes: Sequence[Quote], reader: Reader, block: int, folded: set[tuple[int, str]], *,
                 signal: bool) -> list[str]:
    """A block's last line with its quotes: before it for a signal (whose tip comes last), after it otherwise."""
    lines = quote_lines(quotes, reader, {step for index, step in folded if index == block})
    return [*lines, last] if signal else [last, *lines]




def signal_text(history: History, signal: Signal, tips: Tips, lang: str, _: Gettext, ngettext: Ngettext, *,
                question_label: QuestionLabel | None = None, answer_label: AnswerLabel | None = None,
                outlet: Outlet = "alert") -> str:
    """One signal as the digest shows it (severity, topic, whom, evidence, tip), Telegram HTML: an urgent alert."""
    reader = make_reader(history, lang, _, ngettext, question_label, answer_label)
    round_id = next(facts.id for facts in history.rounds if facts.number == signal.round_number)
    shown = round_disclosure(history, round_id, outlet)
    return "\n".join(_signal_block(history, signal, shown, reader, tips))


def _named_partner(signal: Signal, shown: Shown, reader: Reader) -> str | None:
    """The one organisation a signal is about, where the coordinator may know it (a named round, or a fact about
    taking part, which is always named); None otherwise."""
    if len(signal.organisations) != 1:
        return None
    [organisation] = signal.organisations
    if shown == "named" or any(e.organisation_id == organisation and kind(e) == "membership" for e in signal.evidence):
        return reader.name(organisation)
    return None


def _signal_block(history: History, signal: Signal, shown: Shown, reader: Reader, tips: Tips) -> list[str]:
    """A signal in HTML: its heading, its evidence and the tip (the partners' words go before the tip)."""
    _ = reader._
    header = _("{severity}: {topic} – {whom}").format(
        severity=severity_name(signal.severity, _), topic=signal_topic(signal, _),
        whom=whom(signal, shown, history, _))
    lines = [f"{SEVERITY_MARKERS[signal.severity]} {_bold(header)}"]
    if evidence := evidence_line(signal, shown, reader):
        lines.append(esc(evidence))
    lines.append("💡 " + esc(tip(signal, tips, reader.lang, _, _named_partner(signal, shown, reader))))
    return lines


def partner_feedback(history: History, round_id: int, signals: Sequence[Signal], lang: str, _: Gettext,
                     ngettext: Ngettext, *, month: str | None = None, network: str | None = None) -> str:
    """The network's short result for the partners who took part: response rate, what went up or down and the topic
    the coordinator takes up, as far as the partners may see it (bot.core.disclosure, outlet "feedback": aggregates
    over at least three organisations, never a name or a free text)."""
    if network is not None:  # a partner may be in several networks: the result says whose it is
        heading = _("What \"{network}\" learned in {month}").format(network=network, month=month) if month \
            else _("What \"{network}\" learned in this round").format(network=network)
    else:
        heading = _("What the network learned in {month}").format(month=month) if month \
            else _("What the network learned in this round")
    lines = [heading,
             response_line(*response_rate(history, round_id), _, ngettext)]
    current = round_facts(history, round_id).number
    states = [state for state in factor_states(history, round_id, "feedback")
              if state.level is not None and state.round_number == current]

    def changes(trend: Trend) -> str:
        return ", ".join(f"{factor_name(state.factor, _)} ({decimal(state.previous[-1], lang)} → "
                         f"{decimal(state.level, lang)})"
                         for state in states if state.trend == trend and state.level is not None)

    if ups := changes("up"):
        lines.append(_("Went up: {factors}").format(factors=ups))
    if downs := changes("down"):
        lines.append(_("Went down: {factors}").format(factors=downs))
    if not ups and not downs and any(state.trend == "flat" for state in states):
        lines.append(_("No success factor changed noticeably."))
    view = signals_view(history, round_id, signals, "feedback")
    if view.note == "hidden":
        lines.append(_("Fewer than 3 organisations answered this time, so no results from the answers can be shown "
                       "without telling whose they are."))
    topic = main_topic(view.signals, _)
    if topic:
        names = {partner.organisation_id: partner.name for partner in history.partners}
        lines.append(_("The coordinator will take this up at the next meeting: {topic}").format(
            topic=scrub(topic, names)))
    lines.append(_("Thank you for taking part!"))
    return "\n".join(lines)
