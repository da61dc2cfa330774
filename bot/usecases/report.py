"""The coordinator's report of one round, as plain data: its signals as an outlet may see them, the digest's texts
and chart in the coordinator's language, and how the digest names questions and answers (from the script in use)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.core.chart_caption import chart_caption
from bot.core.chart_data import CHART_ROUNDS, chart_data
from bot.core.digest.build import build_digest, short_month
from bot.core.disclosure import Outlet, history_as_of
from bot.core.escalation import escalate
from bot.core.history import History, Signal
from bot.core.render import describe_value, pick
from bot.core.risk.rules import find_signals
from bot.core.script.model import Script
from bot.core.tips import Tips
from bot.i18n import Catalogs, Gettext, month_name
from bot.render.chart import render_chart
from bot.usecases.scripts import ScriptRegistry
from storage.people import Membership

MONTHLY = "monthly_checkin"


def digest_texts(catalogs: Catalogs, scripts: ScriptRegistry, tips: Tips, history: History, round_id: int,
                 signals: list[Signal], coordinator: Membership, step_review: Sequence[str] = ()) -> list[str]:
    """The digest's texts (Telegram HTML) for one coordinator, in their language."""
    locale = coordinator.locale
    _, ngettext = catalogs.gettext(locale), catalogs.ngettext(locale)
    current = next(r for r in history.rounds if r.id == round_id)
    question, answer = labels(scripts, coordinator.network_id, locale, _)
    return build_digest(history, round_id, signals, tips, locale, _, ngettext, network_name=coordinator.network_name,
                        month=month_name(current.period, locale), question_label=question, answer_label=answer,
                        step_review=step_review)


def digest_chart(catalogs: Catalogs, history: History, round_id: int, locale: str) -> bytes:
    """The digest's chart as a PNG, in this language (CPU-bound, ~0.2 s: reports run in a worker thread)."""
    data = chart_data(history, round_id, rounds=CHART_ROUNDS)
    months = {facts.period: short_month(facts.period, locale) for facts in history.rounds}
    return render_chart(data, [months[period] for period in data.periods], catalogs.gettext(locale),
                        lambda period: months.get(period or "", ""), locale,
                        month_name(history.round(round_id).period, locale))


def digest_messages(catalogs: Catalogs, scripts: ScriptRegistry, tips: Tips, history: History, round_id: int,
                    signals: list[Signal], coordinator: Membership,
                    step_review: Sequence[str] = ()) -> tuple[list[str], bytes]:
    """The digest texts (HTML) and the chart PNG for one coordinator, in their language."""
    return (digest_texts(catalogs, scripts, tips, history, round_id, signals, coordinator, step_review),
            digest_chart(catalogs, history, round_id, coordinator.locale))


def digest_caption(catalogs: Catalogs, history: History, round_id: int, locale: str) -> str:
    """The chart's caption: what it shows and how to read it."""
    return chart_caption(chart_data(history, round_id, rounds=CHART_ROUNDS), catalogs.gettext(locale),
                         lambda period: month_name(period, locale), locale)


def round_signals(history: History, round_id: int, outlet: Outlet = "digest") -> list[Signal]:
    """A round's signals, each with how many rounds in a row it has shown up (for the tip that fits), from what the
    outlet may draw on (bot.core.disclosure.history_as_of: no hidden round, nothing anonymous in a named one)."""
    seen = history_as_of(history, round_id, outlet)
    return escalate(seen, round_id, find_signals(seen, round_id))


def labels(scripts: ScriptRegistry, network_id: int, locale: str,
            _: Gettext) -> tuple[Callable[[str], str], Callable[[str, str | int | float], str]]:
    """How the digest names questions and answers: from the network's monthly script in use (shortened)."""
    try:
        script: Script | None = scripts.current(MONTHLY, network_id)
    except KeyError:
        script = None

    def question(step_id: str) -> str:
        return pick(script.step(step_id).text, locale) if script and script.has_step(step_id) else step_id

    def answer(step_id: str, value: str | int | float) -> str:
        if script is None or not script.has_step(step_id) or isinstance(value, float):
            return str(value)
        return describe_value(script.step(step_id), value, locale, _)

    return question, answer
