"""The welcome pack of a successor: what a new contact person needs to take over from one who stepped down, instead of
a cold start. Pure: plain facts and a translator in, one or two messages out.

It is read by a partner, so it follows the partners' rule (bot.core.disclosure, outlet "feedback"): nothing another
partner answered is shown by name, what the partners offer only counted over at least MIN_ANSWERING organisations;
the predecessor's hand-over note is their own words, written for their successor."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from bot.core.conditions import holds
from bot.core.digest.evidence import scrub
from bot.core.disclosure import MIN_ANSWERING
from bot.core.script.model import Step, Value
from bot.core.user_text import one_line

Gettext = Callable[[str], str]
MAX_STEPS = 3  # the coordination's newest steps shown
MAX_OFFERS = 6  # kinds of contribution shown, the most frequent first


@dataclass(frozen=True)
class Offers:
    """What the other partners said they contribute (on joining): each option's label and how many organisations
    ticked it, counted over `answering` organisations (empty when fewer than MIN_ANSWERING answered)."""

    answering: int = 0
    counts: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class WelcomeFacts:
    """Everything the welcome pack tells, gathered for the successor's language."""

    network: str
    organisation: str
    predecessor: str  # the first name of the contact person who stepped down
    goal: str | None = None  # the network's goal in one sentence (networks.goal)
    handed_over: str | None = None  # the predecessor's hand-over note from their exit check-in
    partners: tuple[str, ...] = ()  # the other partner organisations (a membership fact: always by name)
    offers: Offers = Offers()
    steps: tuple[str, ...] = ()  # the coordination's agreed next steps, one line each, no partner named
    result: str | None = None  # the last result message the partners got


def count_offers(step: Step, answers: Iterable[Value], lang: str, labels: Callable[[Step, str, str], str]) -> Offers:
    """Count the contribution options ticked in the other organisations' onboarding answers (one value per
    organisation, an option id or a tuple of them); options that mark a risk (`concern`, e.g. "little for now") are
    no offer. Nothing is counted unless at least MIN_ANSWERING organisations answered."""
    given = [value for value in answers if value is not None]
    if len(given) < MIN_ANSWERING:
        return Offers()
    counts: dict[str, int] = {}
    for value in given:
        chosen = value if isinstance(value, tuple) else (value,)
        for option in dict.fromkeys(str(one) for one in chosen):
            if not _concerning(step, option):
                counts[option] = counts.get(option, 0) + 1
    order = [option.id for option in step.options]
    ranked = sorted(counts.items(), key=lambda item: (-item[1], order.index(item[0]) if item[0] in order else 99))
    return Offers(len(given), tuple((labels(step, option, lang), count) for option, count in ranked[:MAX_OFFERS]))


def _concerning(step: Step, option: str) -> bool:
    return step.concern is not None and holds(step.concern, {step.id: option})


def welcome_pack(facts: WelcomeFacts, _: Gettext) -> list[str]:
    """The welcome pack as one message, or two with the last result the partners got."""
    names = {"organisation": facts.organisation, "network": facts.network, "name": facts.predecessor}
    lines = [_("To help you take over from {name}, here is what the network \"{network}\" has been working "
               "on.").format(**names)]
    lines.append("")
    lines.append(_("🎯 The network's goal: “{goal}”").format(goal=one_line(facts.goal)) if facts.goal
                 else _("🎯 The network has not written down its goal in one sentence yet."))
    if facts.handed_over:
        lines += ["", _("🤝 {name} handed over to you: “{note}”").format(name=facts.predecessor,
                                                                       note=one_line(facts.handed_over))]
    else:
        lines += ["", _("🤝 {name} left no hand-over note; the network coordination will brief you.").format(
            name=facts.predecessor)]
    if facts.partners:
        lines += ["", _("👥 The other partners: {names}").format(names=", ".join(facts.partners))]
    if facts.offers.counts:
        lines.append(_("What they bring in (from the answers of {count} partners on joining): {offers}").format(
            count=facts.offers.answering, offers=", ".join(f"{label} ({count})" for label, count in
                                                          facts.offers.counts)))
    if facts.steps:
        lines += ["", _("📌 Steps the coordination agreed on recently:")]
        lines += [f"• {one_line(step)}" for step in facts.steps[:MAX_STEPS]]
    messages = ["\n".join(lines)]
    if facts.result:
        messages.append("\n\n".join([_("📊 The last result all partners received:"), facts.result]))
    return messages


def step_line(what: str, month: str | None, due: str | None, names: Mapping[int, str], _: Gettext) -> str:
    """One of the coordination's steps for a partner: what (every partner organisation's name taken out), agreed
    after which month's round, by when."""
    text = one_line(scrub(what, names))
    if month and due:
        return _("{what} – {due} (agreed after the round of {month})").format(what=text, month=month, due=due)
    if month:
        return _("{what} (agreed after the round of {month})").format(what=text, month=month)
    return text

