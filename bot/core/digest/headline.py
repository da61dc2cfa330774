"""The digest's opening: the one most important change of the round and the top three things to do, each naming
whom; plain text in the reader's language."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.core.digest.evidence import Reader, decimal, number
from bot.core.digest.lines import whom
from bot.core.digest.names import SEVERITY_MARKERS, factor_name, signal_topic
from bot.core.disclosure import Shown
from bot.core.factor_levels import FactorState
from bot.core.history import History, Signal

Gettext = Callable[[str], str]

TOP = 3  # things to do in the headline
NOTICEABLE = 0.3  # a change of a factor's mean by at least this much is worth a headline


def main_change(states: Sequence[FactorState], current: int, reader: Reader) -> str:
    """The one most important change: a partner's sharp fall (named) or how many fell sharply, else the largest move
    of a factor's mean, else that nothing changed noticeably."""
    _, ngettext, lang = reader._, reader.ngettext, reader.lang
    now = [state for state in states if state.round_number == current and state.level is not None]
    falls = [(after - before, state, organisation, before, after)
             for state in now for organisation, before, after in state.dropped]
    if falls:
        _drop, state, organisation, before, after = min(falls, key=lambda fall: fall[0])
        return _("{partner} rates “{factor}” at {after}, before {before}").format(
            partner=reader.name(organisation), factor=factor_name(state.factor, _), after=number(after, lang),
            before=number(before, lang))
    fell = [state for state in now if state.fell]
    if fell:
        state = max(fell, key=lambda one: one.fell)
        return ngettext("{count} partner rates “{factor}” much lower than before",
                        "{count} partners rate “{factor}” much lower than before", state.fell).format(
            count=state.fell, factor=factor_name(state.factor, _))
    moves = [(state.level - state.previous[-1], state) for state in now if state.previous and state.level is not None]
    moves = [(delta, state) for delta, state in moves if abs(delta) >= NOTICEABLE]
    if moves:
        delta, state = min(moves, key=lambda move: (move[0] > 0, -abs(move[0])))  # falls first, then the largest
        template = _("“{factor}” fell from {before} to {after}") if delta < 0 else \
            _("“{factor}” rose from {before} to {after}")
        return template.format(factor=factor_name(state.factor, _), before=decimal(state.previous[-1], lang),
                               after=decimal(state.level or 0.0, lang))
    return _("no success factor changed noticeably")


def _action(signal: Signal, _: Gettext) -> str:
    """What to do about a signal, in a few words (the tip below the signal says how)."""
    actions = {
        "fluctuation": _("introduce the new contact person to the goal and the agreements"),
        "fading_engagement": _("call and ask what would make taking part worthwhile"),
        "unclear_benefit": _("ask for a case where the network helped, and what would make it more useful"),
        "vague_goals": _("agree on one checkable goal at the next meeting"),
        "divergent_goals": _("agree on one shared goal at the next meeting"),
        "low_goal_clarity": _("agree on one checkable goal at the next meeting"),
        "broken_agreements": _("go through the agreements that were not kept"),
        "burden": _("clarify what time and resources the network asks of each partner"),
        "autonomy": _("ask where the network feels like a constraint"),
        "offer_orientation": _("start the next meeting from the target group's needs"),
        "little_knowledge": _("let each partner present its tasks in five minutes"),
        "leadership": _("invite the decision makers to the next meeting"),
        "inner_advocacy": _("help the partners take the network's results into their organisations"),
        "parallel_structures": _("agree with the other networks on who does what"),
    }
    return actions.get(signal.rule) or _("take up “{topic}” at the next meeting").format(topic=signal_topic(signal, _))


def todo_lines(signals: Sequence[Signal], shown: Shown, history: History, _: Gettext) -> list[str]:
    """The top three things to do, most urgent first, each naming whom: "1. 🟠 Kita Sonnenschein: call …"."""
    lines = []
    for index, signal in enumerate(signals[:TOP], start=1):
        concerned = whom(signal, shown, history, _)
        if not signal.organisations or concerned in (_("one partner"), _("several partners")):
            concerned = _("all partners")
        lines.append(_("{number}. {marker} {whom}: {action}").format(
            number=index, marker=SEVERITY_MARKERS[signal.severity], whom=concerned, action=_action(signal, _)))
    return lines
