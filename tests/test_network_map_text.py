"""The network map's core beyond the graph: links lost since a contact person changed, the period it names, its
summary within Telegram's caption limit, and the legend's entries (what the picture draws, no more)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.core.disclosure import Shown
from bot.core.history import History, MembershipEvent, Partner
from bot.core.limits import utf16_len as utf16_length
from bot.core.network_map import CAPTION_LIMIT, map_sections, map_summary, map_title, network_map, period_name
from bot.render.network_picture import LegendEntry, legend_entries
from tests.test_network_map import (
    HISTORY,
    JOBCENTER,
    KITA,
    SCHULDNER,
    SUCHT,
    _round,
    _worked,
    identity,
    plural,
    summary_lines,
)


def _replaced(organisation: int, month: int, day: int) -> MembershipEvent:
    return MembershipEvent(organisation, "replaced", datetime(2027, month, day, 12, tzinfo=UTC))


HANDED_OVER = replace(HISTORY, events=(_replaced(SUCHT, 2, 20),))  # the Suchtberatung's contact changed in February


def test_a_link_lost_after_a_contact_change_is_told_apart_from_a_real_loss() -> None:
    network = network_map(HANDED_OVER, 60)
    assert network.stopped == ((JOBCENTER, SCHULDNER), (SUCHT, KITA), (SCHULDNER, SUCHT))
    assert network.contact_changed == {(SUCHT, KITA): (SUCHT,), (SCHULDNER, SUCHT): (SUCHT,)}
    assert network.lost == ((JOBCENTER, SCHULDNER),)
    assert network_map(HISTORY, 60).lost == network_map(HISTORY, 60).stopped  # no change, every stop is a loss


@pytest.mark.parametrize(("event", "changed"), [
    (_replaced(SUCHT, 1, 2), False),  # before the old contact named the pair: the new one named it, then stopped
    (_replaced(SUCHT, 6, 30), False),  # after the round closed: no part of what is compared
    (_replaced(KITA, 3, 1), True),  # either organisation of the pair
    (MembershipEvent(SUCHT, "left", datetime(2027, 2, 20, tzinfo=UTC)), False),  # leaving is no handover
])
def test_a_contact_change_counts_between_the_last_naming_and_the_round_close(event: MembershipEvent,
                                                                             changed: bool) -> None:
    network = network_map(replace(HISTORY, events=(event,)), 60)
    assert ((SUCHT, KITA) in network.contact_changed) is changed


def test_the_summary_advises_introducing_the_new_contact_person_instead_of_asking_what_stood_in_the_way() -> None:
    lines = summary_lines(network_map(HANDED_OVER, 60), "named")
    before = "January\u2009–\u2009March 2027"
    lost = lines.index(f"No longer working together (compared with {before}) – ask what got in the way:")
    assert lines[lost + 1:lost + 3] == [
        "• Jobcenter Musterstadt – Schuldnerberatung",
        f"No longer working together since a contact person changed (compared with {before}) – introduce the new "
        "contact person to the partner:"]
    assert lines[lost + 3:lost + 5] == ["• Kita Sonnenschein – Suchtberatung (new contact person at Suchtberatung)",
                                        "• Schuldnerberatung – Suchtberatung (new contact person at Suchtberatung)"]


def test_in_an_anonymous_network_a_contact_change_is_not_singled_out() -> None:
    lines = summary_lines(network_map(HANDED_OVER, 60), "aggregate")
    assert "Pairs of partners no longer working together: 3 – links in the network are getting lost; ask what got in " \
           "the way." in lines
    assert not any("contact person" in line for line in lines)


@pytest.mark.parametrize(("periods", "locale", "name"), [
    (("2027-02", "2027-03", "2027-04"), "de", "Februar–April 2027"),
    (("2027-04",), "de", "April 2027"),
    (("2026-12", "2027-01", "2027-02"), "de", "Dezember 2026\u2009–\u2009Februar 2027"),
    (("2027-02", "2027-03", "2027-04"), "en", "February\u2009–\u2009April 2027"),
])
def test_the_period_is_named_with_babel(periods: tuple[str, ...], locale: str, name: str) -> None:
    assert period_name(periods, locale) == name


def test_title_and_summary_name_the_rounds_the_map_covers() -> None:
    network = network_map(HISTORY, 40)  # rounds 2-4
    title = map_title(network, "de", identity)
    assert title == "Network map Februar–April 2027"
    assert map_summary(network, "named", "de", identity, plural).split("\n")[0] == title
    assert map_title(network_map(HISTORY, 10), "de", identity) == "Network map Januar 2027"  # the first round alone


def _crowded() -> History:
    """25 partners with long names (an emoji counts two UTF-16 units): each worked with the next one in round 1 and
    with the one after next in round 4; the contact person of the third changed in between."""
    partners = tuple(Partner(org, f"Beratungsstelle für Familien und Jugendliche Nr. {org} im Landkreis Musterstadt 👪")
                     for org in range(1, 26))
    answers = (*(_worked(1, org, org + 1) for org in range(1, 25)),
               *(_worked(4, org, org + 2) for org in range(1, 24)), _worked(4, 25))
    return History(1, tuple(_round(n) for n in range(1, 5)), partners, answers, events=(_replaced(3, 2, 1),))


def test_the_caption_keeps_the_most_important_whole_lines_within_telegrams_limit() -> None:
    history = _crowded()
    network = network_map(history, 40)
    sections = map_sections(network, "named", "en", identity)
    assert [len(section.items) for section in sections] == [22, 2, 23, 0]  # lost, handed over, new, "every partner"
    full = map_summary(network, "named", "en", identity, plural, limit=None)
    caption = map_summary(network, "named", "en", identity, plural)
    assert utf16_length(full) > CAPTION_LIMIT >= utf16_length(caption) > CAPTION_LIMIT - 200
    lines = [line for line in caption.split("\n") if line]
    assert lines[:3] == [map_title(network, "en", identity), "Cooperations named: 23; partners who answered: 24 of 25",
                         sections[0].heading]
    items = [line.removeprefix("• ") for line in lines if line.startswith("• ")]
    assert items == list(sections[0].items[:len(items)])  # lost links first, in order, each name whole
    entries = sum(max(len(section.items), 1) for section in sections)  # a sentence without items is one entry
    assert lines[-1] == f"… and {entries - len(items)} more (see the map)"


def test_a_short_summary_is_the_caption_whole() -> None:
    network = network_map(HANDED_OVER, 60)
    assert map_summary(network, "named", "en", identity, plural) == map_summary(
        network, "named", "en", identity, plural, limit=None)


@pytest.mark.parametrize(("history", "round_id", "shown", "entries"), [
    (History(1, (_round(1),), (Partner(1, "A"), Partner(2, "B"), Partner(3, "C")),
             (_worked(1, 1, 2), _worked(1, 2, 3), _worked(1, 3))), 10, "named", ["worked"]),
    (HISTORY, 30, "named", ["worked_weighted", "silent"]),  # the Kita did not answer in round 1
    (HANDED_OVER, 60, "named", ["worked_weighted", "new", "lost", "handover", "isolated", "silent"]),
    (HANDED_OVER, 60, "aggregate", ["worked_weighted", "new", "lost", "isolated"]),
    (HANDED_OVER, 60, "nothing", []),
])
def test_the_legend_has_entries_only_for_what_the_picture_tells_apart(history: History, round_id: int, shown: Shown,
                                                                       entries: list[LegendEntry]) -> None:
    assert legend_entries(network_map(history, round_id), shown) == entries
