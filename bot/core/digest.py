"""The coordinator's digest of a round, the partners' short result and the chart's data; pure, in one language."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from babel.core import UnknownLocaleError
from babel.dates import format_date

from bot.core.coaching import tip
from bot.core.digest_evidence import (
    MEMBERSHIP_CODES,
    MIN_ANSWERS,
    AnswerLabel,
    ParamValue,
    Privacy,
    QuestionLabel,
    Reader,
    decimal,
    evidence_line,
    kind,
    number,
    scrub,
)
from bot.core.digest_names import SEVERITY_MARKERS, factor_name, severity_name, signal_topic
from bot.core.digest_split import MESSAGE_LIMIT, split_messages
from bot.core.history import SEVERITIES, History, RoundFacts, Signal

Gettext = Callable[[str], str]
Ngettext = Callable[[str, str, int], str]
Trend = Literal["up", "down", "flat", "new"]

TREND_STEP = 0.5  # a mean this much above or below the previous one is a trend
ARROWS: dict[Trend, str] = {"up": "↗", "down": "↘", "flat": "→", "new": ""}


@dataclass(frozen=True)
class FactorLevel:
    """A success factor's mean scale answer in one round (None: too few answers to show), how many partners gave
    one, the means of earlier rounds in which it was measured (oldest first) and the trend (None when hidden)."""

    factor: int
    level: float | None
    answers: int
    previous: tuple[float, ...]
    trend: Trend | None


@dataclass(frozen=True)
class ChartData:
    """What the chart shows: the rounds' periods ("2027-01"), each factor's mean per round (None: not measured or
    hidden) and each round's response (answered, expected)."""

    periods: tuple[str, ...]
    factors: tuple[tuple[int, tuple[float | None, ...]], ...]
    responses: tuple[tuple[int, int], ...]


def _round_means(history: History, round_id: int) -> dict[int, tuple[float, int]]:
    """Per success factor: the mean over partners of each partner's mean scale answer, and how many partners."""
    by_partner: dict[int, dict[int, list[int]]] = {}
    for answer in history.by_round.get(round_id, ()):
        if answer.factor is not None and answer.level is not None:
            by_partner.setdefault(answer.factor, {}).setdefault(answer.organisation_id, []).append(answer.level)
    means: dict[int, tuple[float, int]] = {}
    for factor, partners in by_partner.items():
        per_partner = [sum(levels) / len(levels) for levels in partners.values()]
        means[factor] = (round(sum(per_partner) / len(per_partner), 1), len(per_partner))
    return means


def _round(history: History, round_id: int) -> RoundFacts:
    for facts in history.rounds:
        if facts.id == round_id:
            return facts
    raise KeyError(f"round {round_id} is not in the history of network {history.network_id}")


def _earlier(history: History, round_id: int) -> list[RoundFacts]:
    """The rounds before this one, oldest first."""
    current = _round(history, round_id)
    return sorted((r for r in history.rounds if r.number < current.number), key=lambda r: r.number)


def factor_levels(history: History, round_id: int, *, min_answers: int = 1) -> list[FactorLevel]:
    """Each success factor measured by scale answers in the round, by number; a round with fewer than `min_answers`
    partners' answers to a factor hides its level (pass 3 for an anonymous network) and does not count as earlier."""
    current = _round_means(history, round_id)
    earlier = [_round_means(history, facts.id) for facts in _earlier(history, round_id)]
    levels: list[FactorLevel] = []
    for factor in sorted(current):
        mean, answers = current[factor]
        shown = [means[factor][0] for means in earlier
                 if factor in means and means[factor][1] >= min_answers][-history.thresholds.trend_rounds:]
        previous = tuple(shown) if history.thresholds.trend_rounds > 0 else ()
        if answers < min_answers:
            levels.append(FactorLevel(factor, None, answers, previous, None))
            continue
        trend: Trend = "new"
        if previous:
            change = round(mean - previous[-1], 1)
            trend = "up" if change >= TREND_STEP else "down" if change <= -TREND_STEP else "flat"
        levels.append(FactorLevel(factor, mean, answers, previous, trend))
    return levels


def response_rate(history: History, round_id: int) -> tuple[int, int]:
    """(answered, expected): partners who answered (in time or late), and all participants but the excused."""
    statuses = [p.status for p in history.participations if p.round_id == round_id]
    answered = sum(1 for status in statuses if status in ("done", "late"))
    return answered, sum(1 for status in statuses if status != "excused")


def chart_data(history: History, round_id: int, *, rounds: int = 12, min_answers: int = 1) -> ChartData:
    """The last `rounds` rounds up to this one for the chart; means over fewer than `min_answers` partners are left
    out (pass 3 for an anonymous network)."""
    shown = [*_earlier(history, round_id), _round(history, round_id)][-max(rounds, 1):]
    means = [_round_means(history, facts.id) for facts in shown]
    factors = sorted({factor for per_round in means for factor, (_mean, count) in per_round.items()
                      if count >= min_answers})
    series = tuple((factor, tuple(per_round[factor][0] if factor in per_round and per_round[factor][1] >= min_answers
                                  else None for per_round in means)) for factor in factors)
    return ChartData(tuple(facts.period for facts in shown), series,
                     tuple(response_rate(history, facts.id) for facts in shown))


def _names(history: History, organisations: Iterable[int]) -> str:
    known = {partner.organisation_id: partner.name for partner in history.partners}
    return ", ".join(dict.fromkeys(known.get(org, f"#{org}") for org in organisations))


def _response_line(answered: int, expected: int, _: Gettext, ngettext: Ngettext) -> str:
    if expected == 0:
        return _("Nobody was asked to answer in this round.")
    return ngettext("{count} of {total} partners answered ({percent}%).",
                    "{count} of {total} partners answered ({percent}%).", answered).format(
        count=answered, total=expected, percent=round(100 * answered / expected))


def _participation_lines(history: History, round_id: int, _: Gettext) -> list[str]:
    """Who did not answer, answered late or paused, and who joined, changed or left: always by organisation."""
    lines: list[str] = []
    by_status = {
        "missed": _("No answer from: {names}"),
        "pending": _("Not answered yet: {names}"),
        "late": _("Answered late: {names}"),
        "excused": _("Paused: {names}"),
    }
    for status, template in by_status.items():
        orgs = [p.organisation_id for p in history.participations if p.round_id == round_id and p.status == status]
        if orgs:
            lines.append(template.format(names=_names(history, orgs)))
    current = _round(history, round_id)
    earlier = _earlier(history, round_id)
    since = earlier[-1].closes_at if earlier else None
    by_event = {
        "joined": _("Joined: {names}"),
        "replaced": _("New contact person: {names}"),
        "unreachable": _("Not reachable: {names}"),
        "left": _("Left the network: {names}"),
    }
    for event_kind, template in by_event.items():
        orgs = [e.organisation_id for e in history.events
                if e.kind == event_kind and _within(e.at, since, current.closes_at)]
        if orgs:
            lines.append(template.format(names=_names(history, orgs)))
    return lines


def _within(moment: datetime, since: datetime | None, until: datetime) -> bool:
    return (since is None or moment > since) and moment <= until


def _factor_line(level: FactorLevel, lang: str, _: Gettext, ngettext: Ngettext) -> str:
    name = factor_name(level.factor, _)
    if level.level is None or level.trend is None:
        return _("{factor}: too few answers").format(factor=name)
    answers = ngettext("{count} answer", "{count} answers", level.answers).format(count=level.answers)
    if level.trend == "new":
        return _("{factor}: {level} (first measurement; {answers})").format(
            factor=name, level=decimal(level.level, lang), answers=answers)
    return _("{factor}: {level} {arrow} (before: {previous}; {answers})").format(
        factor=name, level=decimal(level.level, lang), arrow=ARROWS[level.trend],
        previous=" · ".join(decimal(value, lang) for value in level.previous), answers=answers)


def _whom(signal: Signal, privacy: Privacy, history: History, _: Gettext) -> str:
    """Whom a signal concerns: names in a named network and for facts about taking part, else only how many."""
    orgs = list(dict.fromkeys(signal.organisations))
    if not orgs:
        return _("the network")
    if privacy == "named":
        return _names(history, orgs)
    named = [org for org in orgs if any(e.organisation_id == org and kind(e) == "membership" for e in signal.evidence)]
    rest = len(orgs) - len(named)
    if not named:
        return _("one partner") if rest == 1 else _("several partners")
    if not rest:
        return _names(history, named)
    template = _("{names} and one more partner") if rest == 1 else _("{names} and several more partners")
    return template.format(names=_names(history, named))


def _reader(history: History, lang: str, _: Gettext, ngettext: Ngettext, question: QuestionLabel | None,
            answer: AnswerLabel | None) -> Reader:
    step_factors: dict[str, int] = {}
    for fact in history.answers:
        if fact.factor is not None:
            step_factors.setdefault(fact.step_id, fact.factor)

    def default_question(step: str) -> str:
        return factor_name(step_factors[step], _) if step in step_factors else step

    def default_answer(step: str, value: ParamValue) -> str:
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if value == "dont_know":
            return _("Don't know")
        if isinstance(value, float):
            return number(value, lang)
        return str(value).replace("_", " ")

    return Reader(lang, _, ngettext, {p.organisation_id: p.name for p in history.partners},
                  question or default_question, answer or default_answer,
                  {facts.number: short_month(facts.period, lang) for facts in history.rounds})


def short_month(period: str, lang: str) -> str:
    """"Feb." (German) or "Feb" (English) for "2027-02"; the period itself when it is no month."""
    try:
        year, month = (int(part) for part in period.split("-"))
        return format_date(date(year, month, 1), "MMM", locale=lang)
    except (ValueError, UnknownLocaleError):
        return period


def answered_organisations(history: History, round_id: int) -> int:
    """How many organisations answered the round (done or late)."""
    return len({p.organisation_id for p in history.participations
                if p.round_id == round_id and p.status in ("done", "late")})


def sort_signals(signals: Iterable[Signal]) -> list[Signal]:
    """Signals most severe first (urgent, warning, info), in their given order within a severity."""
    return sorted(signals, key=lambda signal: SEVERITIES.index(signal.severity))


def main_topic(signals: Iterable[Signal], _: Gettext) -> str | None:
    """The topic the coordinator takes up next: the risk factor of the most severe signal (None without signals)."""
    ordered = sort_signals(signals)
    return signal_topic(ordered[0], _) if ordered else None


def build_digest(history: History, round_id: int, signals: Sequence[Signal], privacy: Privacy, lang: str,
                 _: Gettext, ngettext: Ngettext, *, network_name: str, month: str,
                 question_label: QuestionLabel | None = None, answer_label: AnswerLabel | None = None,
                 limit: int = MESSAGE_LIMIT) -> list[str]:
    """The coordinator's digest of a round as plain-text Telegram messages of at most `limit` UTF-16 units each;
    `question_label(step_id)` and `answer_label(step_id, value)` name questions and answers (default: the step's
    success factor and the raw value)."""
    reader = _reader(history, lang, _, ngettext, question_label, answer_label)
    head = [_("Netzpuls digest for {network}, {month}").format(network=network_name, month=month),
            _response_line(*response_rate(history, round_id), _, ngettext),
            *_participation_lines(history, round_id, _)]
    levels = factor_levels(history, round_id, min_answers=MIN_ANSWERS if privacy == "anonymous" else 1)
    factors = [_("Success factors (mean, 1 = low, 5 = high):")]
    factors += [_factor_line(level, lang, _, ngettext) for level in levels] or [
        _("No success factor was measured on a scale in this round.")]
    blocks: list[list[str]] = [head, factors]
    ordered = sort_signals(signals)
    if privacy == "anonymous" and answered_organisations(history, round_id) < MIN_ANSWERS:
        # Who answered is shown by name: a sign from "one partner's" answers would say whose it is.
        kept = [signal for signal in ordered if all(e.code in MEMBERSHIP_CODES for e in signal.evidence)]
        if len(kept) < len(ordered):
            blocks.append([_("Signs from the answers are hidden: fewer than 3 partners answered.")])
        ordered = kept
    if not ordered:
        blocks.append([_("No warning signs in this round.")])
    for index, signal in enumerate(ordered):
        block = _signal_block(history, signal, privacy, reader, _)
        blocks.append([_("Signals, most urgent first:"), *block] if index == 0 else block)
    return split_messages(blocks, limit)


def signal_text(history: History, signal: Signal, privacy: Privacy, lang: str, _: Gettext, ngettext: Ngettext, *,
                question_label: QuestionLabel | None = None, answer_label: AnswerLabel | None = None) -> str:
    """One signal as the digest shows it (severity, topic, whom, evidence, tip): the text of an urgent alert."""
    reader = _reader(history, lang, _, ngettext, question_label, answer_label)
    return "\n".join(_signal_block(history, signal, privacy, reader, _))


def _signal_block(history: History, signal: Signal, privacy: Privacy, reader: Reader, _: Gettext) -> list[str]:
    header = _("{severity}: {topic} – {whom}").format(
        severity=severity_name(signal.severity, _), topic=signal_topic(signal, _),
        whom=_whom(signal, privacy, history, _))
    return [f"{SEVERITY_MARKERS[signal.severity]} {header}", evidence_line(signal, privacy, reader),
            f"💡 {tip(signal, _)}"]


def partner_feedback(history: History, round_id: int, topic: str | None, lang: str, _: Gettext,
                     ngettext: Ngettext, *, month: str | None = None) -> str:
    """The network's short result for the partners who took part: response rate, what went up or down (means over at
    least 3 partners only) and the topic the coordinator takes up; no organisation and no free text."""
    lines = [_("What the network learned in {month}").format(month=month) if month
             else _("What the network learned in this round"),
             _response_line(*response_rate(history, round_id), _, ngettext)]
    levels = [level for level in factor_levels(history, round_id, min_answers=MIN_ANSWERS) if level.level is not None]

    def changes(trend: Trend) -> str:
        return ", ".join(f"{factor_name(level.factor, _)} ({decimal(level.previous[-1], lang)} → "
                         f"{decimal(level.level, lang)})"
                         for level in levels if level.trend == trend and level.level is not None)

    if ups := changes("up"):
        lines.append(_("Went up: {factors}").format(factors=ups))
    if downs := changes("down"):
        lines.append(_("Went down: {factors}").format(factors=downs))
    if not ups and not downs and any(level.trend == "flat" for level in levels):
        lines.append(_("No success factor changed noticeably."))
    if topic:
        names = {partner.organisation_id: partner.name for partner in history.partners}
        lines.append(_("The coordinator will take this up at the next meeting: {topic}").format(
            topic=scrub(topic, names)))
    lines.append(_("Thank you for taking part!"))
    return "\n".join(lines)
