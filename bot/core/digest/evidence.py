"""A signal's evidence as one line in the reader's language, respecting the network's privacy choice."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from babel.core import UnknownLocaleError
from babel.numbers import format_decimal

from bot.core.digest.names import factor_name
from bot.core.disclosure import MEMBERSHIP_CODES, MIN_ANSWERING, Shown
from bot.core.history import Evidence, Signal
from bot.core.user_text import one_line

Gettext = Callable[[str], str]
Ngettext = Callable[[str, str, int], str]
ParamValue = str | int | float
QuestionLabel = Callable[[str], str]
AnswerLabel = Callable[[str, ParamValue], str]

MAX_ITEMS = 6  # evidence items on one line before "and N more"
AGGREGATE_CODES = frozenset({"divergent_goals", "share"})
QUOTE_CODES = frozenset({"vague_goal", "goal_statement"})  # free texts: quoted without names in an anonymous network
REDACTED = "[…]"


@dataclass(frozen=True)
class Reader:
    """Who reads and how things are named: language, gettext, partner names, labels of questions, answers and
    rounds (round number → short month)."""

    lang: str
    _: Gettext
    ngettext: Ngettext
    names: Mapping[int, str]
    question: QuestionLabel
    answer: AnswerLabel
    months: Mapping[int, str]

    def name(self, organisation_id: int) -> str:
        """An organisation's name."""
        _ = self._
        return self.names.get(organisation_id) or _("Organisation {number}").format(number=organisation_id)


def number(value: float, lang: str) -> str:
    """A number as the reader writes it: whole numbers plain, others with one decimal (3,5 in German)."""
    if float(value).is_integer():
        return str(int(value))
    return decimal(value, lang)


@lru_cache(maxsize=4096)
def decimal(value: float, lang: str) -> str:
    """A mean with one decimal as the reader writes it (3,0 in German); cached: a digest writes hundreds of them."""
    try:
        return format_decimal(value, format="0.0", locale=lang)
    except (UnknownLocaleError, ValueError):
        return f"{value:.1f}"


def kind(evidence: Evidence) -> Literal["membership", "aggregate", "quote", "answer"]:
    """Whether a fact is about taking part (always named), the network as a whole, a free text or one answer."""
    if evidence.code in MEMBERSHIP_CODES:
        return "membership"
    if evidence.code in QUOTE_CODES:
        return "quote"
    if evidence.code in AGGREGATE_CODES or evidence.organisation_id is None:
        return "aggregate"
    return "answer"


def scrub(text: str, names: Mapping[int, str]) -> str:
    """A free text with every partner organisation's name replaced by "[…]"."""
    for name in sorted(names.values(), key=len, reverse=True):
        if name.strip():
            text = re.sub(re.escape(name.strip()), REDACTED, text, flags=re.IGNORECASE)
    return text


def _param(evidence: Evidence, key: str, default: ParamValue = "") -> ParamValue:
    return dict(evidence.params).get(key, default)


def _int(value: ParamValue) -> int:
    try:
        return int(value)
    except ValueError:
        return 0


def _series(values: list[str], lang: str) -> str:
    """Numbers ("3.5", "3") as "3,5 · 3", oldest first; text that is no number stays as it is."""
    shown = []
    for value in values:
        try:
            shown.append(number(float(value), lang))
        except ValueError:
            shown.append(value)
    return " · ".join(shown)


def _levels(value: ParamValue) -> list[str]:
    return [part for part in re.split(r"[\s,;→>]+", str(value)) if part]


def _reasons(why: ParamValue, _: Gettext) -> str:
    """What a vague goal lacks, as the three questions a concrete goal answers (bot.core.risk.goals)."""
    names = {"whom": _("for whom?"), "result": _("what checkable result?"), "time": _("by when?")}
    return " ".join(names[reason.strip()] for reason in str(why).split(",") if reason.strip() in names)


def fact(evidence: Evidence, reader: Reader) -> str:
    """One fact in words, without naming whom it concerns."""
    _, ngettext, lang = reader._, reader.ngettext, reader.lang
    step = str(_param(evidence, "step"))
    code = evidence.code
    if code == "low_answer":
        return _("low answer on “{question}”: {answer}").format(
            question=reader.question(step), answer=reader.answer(step, _param(evidence, "value")))
    if code == "drop":
        return _("“{question}” fell from {before} to {after}").format(
            question=reader.question(step), before=reader.answer(step, _param(evidence, "before")),
            after=reader.answer(step, _param(evidence, "after")))
    if code == "dont_know":
        rounds = _int(_param(evidence, "rounds", 0))
        return ngettext("“don't know” on “{question}” in {rounds} round in a row",
                        "“don't know” on “{question}” in {rounds} rounds in a row", rounds).format(
            question=reader.question(step), rounds=rounds)
    if code == "vague_goal":
        text, reasons = one_line(str(_param(evidence, "text"))), _reasons(_param(evidence, "why"), _)
        if reasons:
            return _("vague goal: “{text}” (missing: {reasons})").format(text=text, reasons=reasons)
        return _("vague goal: “{text}”").format(text=text)
    if code == "goal_statement":
        return _("goal: “{text}”").format(text=one_line(str(_param(evidence, "text"))))
    if code == "divergent_goals":
        return _("the partners' goal statements have little in common")
    if code == "concern_answer":
        return _("“{question}”: {answer}").format(question=reader.question(step),
                                                  answer=reader.answer(step, _param(evidence, "value")))
    if code == "no_cooperation":
        return _("worked with none of the other partners")
    if code == "falling_trend":
        levels = _series(_levels(_param(evidence, "levels")), lang)
        if evidence.organisation_id is None:  # the share of partners reporting no problem, in per cent
            return _("share of partners without problems with “{factor}” falling: {levels} %").format(
                factor=_factor(evidence, reader), levels=levels)
        return _("“{factor}” falling: {levels}").format(factor=_factor(evidence, reader), levels=levels)
    if code == "missed":
        rounds = _int(_param(evidence, "rounds", 0))
        return ngettext("missed {rounds} check-in in a row", "missed {rounds} check-ins in a row", rounds).format(
            rounds=rounds)
    if code == "later_answers":
        return _("answered later each round: {days} days after the invitation").format(
            days=_series([str(_param(evidence, "days", 0))], lang))
    if code == "contact_changed":
        return _("new contact person")
    if code == "stepped_down":
        return _("the contact person is no longer responsible; the successor has not joined yet")
    if code == "joined":
        return _("new in the network")
    if code == "unreachable":
        return _("the bot cannot reach the contact person")
    if code == "left":
        return _("left the network")
    if code == "new_contacts":
        count = _int(_param(evidence, "count", 0))
        return ngettext("{count} new contact person within three rounds",
                        "{count} new contact persons within three rounds", count).format(count=count)
    if code == "share":
        affected, total = _int(_param(evidence, "affected", 0)), _int(_param(evidence, "total", 0))
        return ngettext("{affected} of {total} partner affected", "{affected} of {total} partners affected",
                        total).format(affected=affected, total=total)
    return code.replace("_", " ")


def _factor(evidence: Evidence, reader: Reader) -> str:
    value = _param(evidence, "factor")
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        return factor_name(int(value), reader._)
    return str(value)


def _aggregate(code: str, key: str, items: list[Evidence], reader: Reader) -> str | None:
    """Answers to one question, counted in one phrase without names (the round had at least MIN_ANSWERING
    organisations answering); None when unknown."""
    _, ngettext = reader._, reader.ngettext
    count = len({item.organisation_id for item in items})
    if code == "low_answer":
        return ngettext("{count} partner gave a low answer on “{question}”",
                        "{count} partners gave a low answer on “{question}”", count).format(
            count=count, question=reader.question(key))
    if code == "drop":
        return ngettext("{count} partner rated “{question}” much lower than before",
                        "{count} partners rated “{question}” much lower than before", count).format(
            count=count, question=reader.question(key))
    if code == "dont_know":
        return ngettext("{count} partner answered “don't know” on “{question}” repeatedly",
                        "{count} partners answered “don't know” on “{question}” repeatedly", count).format(
            count=count, question=reader.question(key))
    if code == "concern_answer":
        tally: dict[str, int] = {}
        for item in items:
            label = reader.answer(key, _param(item, "value"))
            tally[label] = tally.get(label, 0) + 1
        answers = ", ".join(f"{label} ({n})" for label, n in sorted(tally.items()))
        return ngettext("{count} partner answered “{question}” with: {answers}",
                        "{count} partners answered “{question}” with: {answers}", count).format(
            count=count, question=reader.question(key), answers=answers)
    if code == "no_cooperation":
        return ngettext("{count} partner worked with none of the others",
                        "{count} partners worked with none of the others", count).format(count=count)
    if code == "falling_trend":
        factor = factor_name(int(key), _) if key.isdigit() else key
        return ngettext("{count} partner rates “{factor}” lower round after round",
                        "{count} partners rate “{factor}” lower round after round", count).format(
            count=count, factor=factor)
    return None


def evidence_line(signal: Signal, shown: Shown, reader: Reader) -> str:
    """All evidence of a signal on one line, grouped by organisation, as far as the outlet may show it
    (bot.core.disclosure): "named" everything by organisation; "aggregate" answers counted without names and free
    texts unattributed; "nothing" participation and membership facts only."""
    _, ngettext = reader._, reader.ngettext
    later: dict[int, list[str]] = {}
    for evidence in signal.evidence:
        if evidence.code == "later_answers" and evidence.organisation_id is not None:
            later.setdefault(evidence.organisation_id, []).append(str(_param(evidence, "days", 0)))
    drops = {(evidence.organisation_id, _param(evidence, "step")): evidence for evidence in signal.evidence
             if evidence.code == "drop" and evidence.round_number in (None, signal.round_number)}
    lows: dict[tuple[int | None, ParamValue], list[Evidence]] = {}
    for evidence in sorted(signal.evidence, key=lambda one: one.round_number or 0):
        slot = (evidence.organisation_id, _param(evidence, "step"))
        current = evidence.round_number in (None, signal.round_number)
        if evidence.code == "low_answer" and not (slot in drops and current):
            lows.setdefault(slot, []).append(evidence)
    facts: dict[int | None, list[str]] = {}
    rounds: dict[tuple[int | None, str], list[int | None]] = {}  # the same fact in several rounds: shown once
    quotes: set[str] = set()
    groups: dict[tuple[str, str], list[Evidence]] = {}
    hidden = False
    names_someone = any(kind(evidence) == "membership" for evidence in signal.evidence)
    for evidence in signal.evidence:
        what, organisation = kind(evidence), evidence.organisation_id
        if shown != "named" and names_someone and what != "membership":
            continue  # beside a named organisation, even "details hidden" would tell what it answered
        if shown == "nothing" and what != "membership":
            hidden = True
            continue
        if shown == "named" or what == "membership":
            if evidence.code == "later_answers" and organisation is not None:
                text = _("answered later each round: {days} days after the invitation").format(
                    days=_series(later[organisation], reader.lang))
            elif (evidence.code in ("low_answer", "drop") and (organisation, _param(evidence, "step")) in drops
                  and evidence.round_number in (None, signal.round_number)):
                # a low answer that also fell: one phrase, the question quoted once
                dropped = drops[(organisation, _param(evidence, "step"))]
                step = str(_param(dropped, "step"))
                text = _("“{question}”: {after} (before: {before})").format(
                    question=reader.question(step), after=reader.answer(step, _param(dropped, "after")),
                    before=reader.answer(step, _param(dropped, "before")))
                rounds.setdefault((organisation, text), []).append(evidence.round_number)
            elif evidence.code == "low_answer" and len(lows.get((organisation, _param(evidence, "step")), [])) > 1:
                # low in several rounds: the question once, each round's answer after it
                step = str(_param(evidence, "step"))
                text = _("low answers on “{question}”: {answers}").format(
                    question=reader.question(step), answers=" · ".join(
                        reader.answer(step, _param(low, "value")) + _when([low.round_number], signal, reader)
                        for low in lows[(organisation, step)]))
            else:
                text = fact(evidence, reader)
                rounds.setdefault((organisation, text), []).append(evidence.round_number)
            facts.setdefault(organisation, []).append(text)
        elif what == "aggregate":
            if evidence.code == "share" and _int(_param(evidence, "total", 0)) < MIN_ANSWERING:
                hidden = True
            else:
                facts.setdefault(None, []).append(fact(evidence, reader))
        elif evidence.round_number not in (None, signal.round_number):
            continue  # anonymous: earlier rounds' answers are not repeated, they would need counting again
        elif what == "quote":
            quotes.add(scrub(fact(evidence, reader), reader.names))
        else:
            key = str(_param(evidence, "factor" if evidence.code == "falling_trend" else "step"))
            groups.setdefault((evidence.code, key), []).append(evidence)
    parts = [", ".join(dict.fromkeys(texts)) if organisation is None
             else f"{reader.name(organisation)}: "
                  + ", ".join(text + _when(rounds.get((organisation, text), []), signal, reader)
                              for text in dict.fromkeys(texts))
             for organisation, texts in facts.items()]
    parts += sorted(quotes)  # sorted, so that their order does not tell whose they are
    # A network signal over fewer than three partners who answered its question: counting them would tell the
    # answers of the few (the round's gate counts the organisations answering anything).
    few = any(one.code == "share" and _int(_param(one, "total", 0)) < MIN_ANSWERING for one in signal.evidence)
    for (code, key), group in groups.items():
        phrase = None if few else _aggregate(code, key, group, reader)  # the round's answers may be counted
        if phrase is None:
            hidden = True
        else:
            parts.append(phrase)
    if len(parts) > MAX_ITEMS:
        more = len(parts) - MAX_ITEMS
        parts = [*parts[:MAX_ITEMS], ngettext("and {count} more", "and {count} more", more).format(count=more)]
    line = "; ".join(parts)
    if hidden:
        note = _("(details hidden: fewer than 3 answers)")
        line = f"{line} {note}" if line else note
    return line


def _when(numbers: list[int | None], signal: Signal, reader: Reader) -> str:
    """" (Feb.)" for a fact from an earlier round than the signal's, " (Jan., Apr.)" for one found in several
    rounds; nothing for a fact of the signal's round alone (or of no round)."""
    found = sorted({number for number in numbers if number is not None})
    if not found or found == [signal.round_number]:
        return ""
    return f" ({', '.join(reader.months.get(number, str(number)) for number in found)})"
