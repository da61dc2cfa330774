"""Risk signals: rules over a network's answers, rounds and membership events (pure; no I/O, no clock, no telegram).

`find_signals(history, round_id)` gives the signals as of one round (usually the one that just closed; trends look
back over the rounds before it), most severe first, then by risk. Each rule is also a public function
`(history, round_id) -> list[Signal]`. Rules never look at step ids: they select answers by risk factor, success
factor, kind, level, value and the script's `concern` marks. All thresholds come from `history.thresholds`.

Rules (Signal.rule: risk, success factor, management function; what fires it and how severe):
- vague_goals (1, 2, regulation): typed goal statements (text answers with risk 1, or factor 2 without a risk) in
  this round that `vague_reasons` finds vague: info; warning when the partner's statement before was vague too.
- divergent_goals (1, 2, regulation): the partners' newest statements of the last trend_rounds rounds (one at least
  from this round) do not share one goal (target group and field of help, bot.core.goal_concepts): fewer than all but
  one of them (both of two, at least goal_overlap of them) pursue the same; statements naming neither are left out. A
  network signal, info for two statements, warning for three or more.
- low_goal_clarity (1, 2, regulation), unclear_benefit (5, 3, evaluation), broken_agreements (2, 4, regulation),
  burden (6 or 7, 5, allokation), autonomy (8, 9, regulation), offer_orientation (3, 7, evaluation),
  little_knowledge (4, 5, allokation), leadership (-, 8, selektion), inner_advocacy (-, 10, regulation),
  parallel_structures (-, 11, selektion): the answer rules of bot.core.risk.answers (an answer belongs to a
  rule by its risk, or by its success factor when it has no risk). Per partner: a low scale answer, a concern answer
  or "worked with none of them" in this round, or a falling level over the last trend_rounds answers: info; the
  answer before a sign too, a drop by `drop` points, or (benefit) "don't know" in dont_know_rounds answers in a
  row: warning. Benefit only: a drop by collapse_drop (3) points to low_level or below, or at least collapse_share
  (half) of the answering partners low (two at least): urgent. Agreements only: the share of partners reporting no
  problem falling in each of the last trend_rounds rounds makes it a network signal (warning).
- fluctuation (9, 1, selektion): in this round's window (after the previous round closed, until this one closes) a
  partner's contact person replaced: warning; left or unreachable: urgent. new_contacts_per_quarter new contact
  persons of one partner within the last quarter_rounds (3) rounds: warning (counted as the larger of its "replaced"
  and its "joined after the first round opened" events, as storage records a handover as both). A concern answer
  about fluctuation (the contact person will change): info. When at least fluctuation_share of the partners (two at
  least) had a contact person replaced, left or unreachable within the quarter: one network signal with all of it
  (urgent if one left or became unreachable in this round, else warning).
- fading_engagement (-, 1, selektion): an active partner "missed" the last missed_in_row closed rounds: warning;
  took each of the last trend_rounds rounds at least later_days longer to answer than the one before: info.

Network level: when at least low_share (answers, engagement) or fluctuation_share (fluctuation) of the partners
concerned and at least network_min_partners (2) of them are affected, a rule gives one signal with organisations
== () and the evidence of all, led by share(affected, total); otherwise one signal per rule and organisation.
Signals are deterministic, so an urgent one is stable per (rule, organisations, round_number) for sending it once.

Evidence codes (bot.core.history.Evidence) besides those in its docstring: goal_statement(step, text) for the
statements compared by divergent_goals, no_cooperation(step) for "worked with none of the partners"; with more
params than listed there: divergent_goals(overlap, statements) (overlap: the share of the compared statements that
pursue the most shared goal), missed(rounds, since), vague_goal(step, text, why) (why: vague_reasons, of "whom",
"result", "time", joined by commas); later_answers(days) comes once per round of the trend. Levels in
falling_trend are a comma-separated string ("5,4,3"; for the agreements' network trend: percent of partners
reporting no problem, "100,80,60"). An event's evidence carries the round whose window it fell in.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.core.history import SEVERITIES, History, Signal
from bot.core.risk.answers import (
    autonomy,
    broken_agreements,
    burden,
    inner_advocacy,
    leadership,
    little_knowledge,
    low_goal_clarity,
    offer_orientation,
    parallel_structures,
    unclear_benefit,
)
from bot.core.risk.goals import divergent_goals, vague_goals, vague_reasons
from bot.core.risk.people import fading_engagement, fluctuation

Rule = Callable[[History, int], list[Signal]]

RULES: dict[str, Rule] = {
    "vague_goals": vague_goals,
    "divergent_goals": divergent_goals,
    "low_goal_clarity": low_goal_clarity,
    "unclear_benefit": unclear_benefit,
    "broken_agreements": broken_agreements,
    "burden": burden,
    "autonomy": autonomy,
    "offer_orientation": offer_orientation,
    "little_knowledge": little_knowledge,
    "leadership": leadership,
    "inner_advocacy": inner_advocacy,
    "parallel_structures": parallel_structures,
    "fluctuation": fluctuation,
    "fading_engagement": fading_engagement,
}

__all__ = [
    "RULES", "autonomy", "broken_agreements", "burden", "divergent_goals", "fading_engagement", "find_signals",
    "fluctuation", "inner_advocacy", "leadership", "little_knowledge", "low_goal_clarity",
    "offer_orientation", "parallel_structures", "signal_order", "unclear_benefit", "vague_goals", "vague_reasons",
]


def signal_order(signal: Signal) -> tuple[int, int, str, tuple[int, ...]]:
    """Sort key: most severe first, then by risk (none last), rule and organisations."""
    return (SEVERITIES.index(signal.severity), signal.risk if signal.risk is not None else 10, signal.rule,
            signal.organisations)


def find_signals(history: History, round_id: int) -> list[Signal]:
    """All signals of all rules as of this round, most severe first, then by risk (KeyError for an unknown round)."""
    return sorted((signal for rule in RULES.values() for signal in rule(history, round_id)), key=signal_order)
