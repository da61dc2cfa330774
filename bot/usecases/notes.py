"""/notes: every free text and follow-up answer of the network as its coordinator may read them (bot.core.quotes
over bot.core.disclosure, outlet "notes"), each labelled with its month, its full question and, for a choice, its
options' labels (from the script it was asked in)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlite_utils import Database

from bot.core.history import BASELINE_ROUND, BASELINE_SCRIPT, History
from bot.core.notes_pages import Note
from bot.core.quotes import Quote, every_quote
from bot.core.render import describe_value, pick
from bot.core.script.model import Step
from bot.core.user_text import one_line
from bot.i18n import Gettext, month_name
from bot.usecases.report import MONTHLY
from bot.usecases.scripts import ScriptRegistry
from storage.history import load_history
from storage.people import Membership
from storage.reports import network_thresholds


@dataclass(frozen=True)
class Notebook:
    """The network's words as the coordinator may read them, and the rounds that have any: (round id, number,
    month), newest first, the onboarding (id BASELINE_ROUND, number 0) last."""

    network: str
    notes: tuple[Note, ...]
    rounds: tuple[tuple[int, int, str], ...]

    def of_round(self, round_id: int) -> tuple[str, tuple[Note, ...]] | None:
        """The month and the notes of one round (BASELINE_ROUND: the onboarding); None if it has none."""
        found = next(((number, when) for rid, number, when in self.rounds if rid == round_id), None)
        if found is None:
            return None
        number, when = found
        return when, tuple(note for note in self.notes if note.round_number == number)


StepLookup = Callable[[str, str], Step | None]


def steps_of(scripts: ScriptRegistry, network_id: int) -> StepLookup:
    """(script id, step id) → the step as the network's version in use has it, else the newest earlier version
    that has it (a step since removed), else None."""
    found: dict[tuple[str, str], Step | None] = {}

    def lookup(script_id: str, step_id: str) -> Step | None:
        if (script_id, step_id) in found:
            return found[(script_id, step_id)]
        step = None
        try:
            newest = scripts.current(script_id, network_id).version
        except KeyError:
            newest = 0
        for version in range(newest, 0, -1):
            try:
                script = scripts.version(script_id, version)
            except KeyError:
                continue
            if script.has_step(step_id):
                step = script.step(step_id)
                break
        found[(script_id, step_id)] = step
        return step

    return lookup


def note_of(quote: Quote, history: History, step: Step | None, names: dict[int, str], locale: str,
            _: Gettext) -> Note:
    """A quote labelled for reading: its round's month (or "when joining"), its full question, what was said."""
    facts = None if quote.round_id == BASELINE_ROUND else history.round(quote.round_id)
    when = _("When joining") if facts is None else month_name(facts.period, locale)
    question = pick(step.text, locale) if step is not None else quote.step_id
    if quote.kind == "text" and isinstance(quote.value, str):
        said = one_line(quote.value)
    elif step is not None:
        said = describe_value(step, quote.value, locale, _)
    else:
        said = ", ".join(quote.value) if isinstance(quote.value, tuple) else str(quote.value)
    name = None if quote.organisation_id is None else (
        names.get(quote.organisation_id) or _("Organisation {number}").format(number=quote.organisation_id))
    return Note(0 if facts is None else facts.number, when, quote.factor, question, said,
                "text" if quote.kind == "text" else "choice", name)


def notebook(db: Database, scripts: ScriptRegistry, member: Membership, locale: str, _: Gettext) -> Notebook:
    """Every word of the coordinator's network they may read, labelled in their language."""
    history = load_history(db, member.network_id, scripts.version, network_thresholds(db, member.network_id))
    names = {partner.organisation_id: partner.name for partner in history.partners}
    step = steps_of(scripts, member.network_id)
    notes: list[Note] = []
    rounds: dict[int, tuple[int, int, str]] = {}
    for quote in every_quote(history, "notes"):
        script_id = BASELINE_SCRIPT if quote.round_id == BASELINE_ROUND else MONTHLY
        note = note_of(quote, history, step(script_id, quote.step_id), names, locale, _)
        notes.append(note)
        rounds[quote.round_id] = (quote.round_id, note.round_number, note.when)
    newest_first = sorted(rounds.values(), key=lambda found: -found[1])
    return Notebook(member.network_name, tuple(notes), tuple(newest_first))
