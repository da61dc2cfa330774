"""What the coordinators read when a partner joins or leaves: who (always by organisation: a membership fact), and
the answers of its onboarding or exit check-in where they may know whose they are; and the labels of the buttons
that let a partner give its answers by name. Pure: a script, stored values and a translator in, text out.

Every answer is shown in full under its question, in the reader's language; a partner's own words are folded to one
line and set in quote marks, so that they never look like the bot's own structure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from bot.core.render import Gettext, describe_value, pick
from bot.core.script.model import Script, Value
from bot.core.user_text import one_line, quoted

MAX_BUTTON = 64  # characters of a button's label we allow (a phone shows about this many on one button)
ELLIPSIS = "…"

# How the answers come with the news: "named" (with it), "anonymous" (the network keeps them anonymous: not sent),
# "shared" (a partner of an anonymous network gave them by name afterwards).
Telling = Literal["named", "anonymous", "shared"]
# How a partner left: its check-in was finished, left unfinished, or there was none to answer.
ExitState = Literal["finished", "unfinished", "none"]
# Why a contact person's part ended: the organisation left, a new contact person replaced them (an invite for the
# organisation), or they said they are no longer responsible (the organisation stays; a successor is to follow).
Departure = Literal["left", "replaced", "stepped_down"]


@dataclass(frozen=True)
class Who:
    """The partner the news is about: its organisation, its contact person's first name, and the network."""

    organisation: str
    first_name: str
    network: str


def answer_lines(script: Script, answers: Iterable[tuple[str, Value]], lang: str, _: Gettext) -> list[str]:
    """Each answered question of the script, in the script's order: the question, then the answer given (the chosen
    options' labels, yes/no, a number, or the partner's text in full and in quote marks)."""
    given = dict(answers)
    lines: list[str] = []
    for step in script.steps:
        if not step.is_question or step.id not in given:
            continue
        value = given[step.id]
        shown = quoted(value, _) if step.kind == "text" and isinstance(value, str) else describe_value(
            step, value, lang, _)
        lines.append(f"{one_line(pick(step.text, lang))}\n→ {shown}")
    return lines


def joined_text(who: Who, script: Script, answers: Iterable[tuple[str, Value]], telling: Telling, lang: str,
                _: Gettext) -> str:
    """The news that a partner joined and answered its onboarding check-in, with the answers unless the network
    keeps them anonymous."""
    names = {"organisation": who.organisation, "name": who.first_name, "network": who.network}
    if telling == "shared":
        head = _("{organisation} ({name}) gives you by name its answers from joining \"{network}\":").format(**names)
    elif telling == "anonymous":
        return "\n\n".join([
            _("{organisation} ({name}) has joined \"{network}\" and answered the questions for new partners.").format(
                **names),
            _("In this network the answers stay anonymous: you see them only summarised over several partners, "
              "unless the partner gives them to you by name.")])
    else:
        head = _("{organisation} ({name}) has joined \"{network}\". Its answers to the questions for new "
                 "partners:").format(**names)
    return "\n\n".join([head, *answer_lines(script, answers, lang, _)])


def left_text(who: Who, script: Script | None, answers: Iterable[tuple[str, Value]], exit_state: ExitState,
              telling: Telling, departure: Departure, lang: str, _: Gettext) -> str:
    """The news that a partner's contact person left (the organisation left, or its contact person was replaced or
    stepped down), with the exit check-in's answers where the coordinator may know whose they are, and whether it was
    finished."""
    names = {"organisation": who.organisation, "name": who.first_name, "network": who.network}
    lines = list(answers)
    if telling == "shared":
        head = _("{organisation} ({name}) gives you by name its answers from leaving \"{network}\":").format(**names)
        return "\n\n".join([head, *(answer_lines(script, lines, lang, _) if script is not None else [])])
    if departure == "replaced":
        parts = [_("{name} is no longer the contact person of {organisation} in \"{network}\": a new contact person "
                   "has taken over.").format(**names)]
    elif departure == "stepped_down":
        parts = [_("{name} is no longer responsible for {organisation} in \"{network}\"; {organisation} stays in "
                   "the network.").format(**names)]
    else:
        parts = [_("{organisation} ({name}) has left \"{network}\".").format(**names)]
    if exit_state == "unfinished":
        parts.append(_("The questions on leaving were not finished."))
    if exit_state == "none" or script is None:
        return "\n\n".join(parts)
    if telling == "anonymous":
        if exit_state == "finished":
            parts.append(_("The questions on leaving were answered; in this network the answers stay anonymous, "
                           "unless the partner gives them to you by name."))
        return "\n\n".join(parts)
    shown = answer_lines(script, lines, lang, _)
    if shown:
        parts.append(_("The answers to the questions on leaving:") if exit_state == "finished"
                     else _("What was answered:"))
    return "\n\n".join([*parts, *shown])


def stepped_down_text(who: Who, successor: str | None, answered: bool, _: Gettext) -> str:
    """The news that a partner's contact person is no longer responsible, with whom they named to take over (as they
    typed it), or that they did not know (`answered`) or did not say; the button below it invites the successor."""
    names = {"organisation": who.organisation, "name": who.first_name, "network": who.network}
    head = _("{name} is no longer responsible for {organisation} in \"{network}\".").format(**names)
    if successor:
        said = _("Who takes over, as {name} wrote it: {successor}").format(name=who.first_name,
                                                                          successor=quoted(successor, _))
    elif answered:
        said = _("{name} does not know who takes over. Please ask {organisation} who the new contact person "
                 "is.").format(**names)
    else:
        said = _("{name} did not say who takes over. Please ask {organisation} who the new contact person "
                 "is.").format(**names)
    return "\n\n".join([head, said, _("The button below makes a one-time invite link for {organisation}'s new "
                                       "contact person. When they join, they get a welcome pack with the network's "
                                       "goal, the recent steps and what {name} handed over.").format(**names)])


def fitted(template: str, text: str, limit: int = MAX_BUTTON) -> str:
    """`template` with `{start}` filled by the beginning of `text` (one line), cut at a word boundary with "…" so
    that the whole stays within `limit` characters."""
    words = one_line(text)
    room = limit - len(template.format(start=""))
    if len(words) <= room:
        return template.format(start=words)
    head = words[:room - len(ELLIPSIS)]
    if words[len(head)] != " " and " " in head:  # never in the middle of a word (unless it is the only one)
        head = head.rsplit(" ", 1)[0]
    return template.format(start=head.rstrip(" ,.;:-–") + ELLIPSIS)


def quote_button(text: str, done: bool, _: Gettext) -> str:
    """The label of the button that lets a partner's text be quoted with its name (`done`: it may be now)."""
    template = _("✓ Quoted with our name: “{start}”") if done else _("Quote with our name: “{start}”")
    return fitted(template, text)


def share_button(done: bool, _: Gettext) -> str:
    """The label of the button that gives a partner's onboarding or exit answers to the coordinator by name."""
    return _("✓ Answers given to the coordinator by name") if done else _(
        "Share my answers with the coordinator by name")
