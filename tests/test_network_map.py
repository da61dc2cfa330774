"""The quarterly network map: who worked with whom from the partners steps, its digest lines and its picture."""

from __future__ import annotations

import struct
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.disclosure import Shown
from bot.core.history import AnswerFact, History, Partner, RoundFacts
from bot.core.network_map import NetworkMap, map_due, map_summary, named_organisations, network_map
from bot.core.script.model import Value
from bot.render.network_labels import wrap_label
from bot.render.network_picture import circle_order, render_network_map

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
APR_JUN, JAN_MAR = "April\u2009–\u2009June 2027", "January\u2009–\u2009March 2027"  # Babel's intervals in English
JOBCENTER, JUGENDAMT, SCHULDNER, SUCHT, KITA, LEFT = 1, 2, 3, 4, 5, 6
PARTNERS = (Partner(JOBCENTER, "Jobcenter Musterstadt"), Partner(JUGENDAMT, "Jugendamt"),
            Partner(SCHULDNER, "Schuldnerberatung"), Partner(SUCHT, "Suchtberatung"),
            Partner(KITA, "Kita Sonnenschein"), Partner(LEFT, "Ausgetreten e.V.", active=False))


def identity(text: str) -> str:
    return text


def plural(singular: str, plural: str, count: int) -> str:
    return singular if count == 1 else plural


def summary_lines(network: NetworkMap, shown: Shown) -> list[str]:
    """The map's full summary in English (untranslated), by line, without blank lines."""
    return [line for line in map_summary(network, shown, "en", identity, plural, limit=None).split("\n") if line]


def _size(png: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def _fits_a_phone(png: bytes) -> bool:
    """1000 px wide (Telegram shows it about 400 px wide) and not much higher than wide."""
    width, height = _size(png)
    return width == 1000 and 200 <= height <= 1400


def _round(number: int) -> RoundFacts:
    opened = datetime(2027, number, 4, 8, tzinfo=UTC)
    return RoundFacts(number * 10, number, f"2027-{number:02d}", opened, opened + timedelta(days=14), True)


def _worked(number: int, org: int, *named: int | str, step: str = "partners_worked_with",
            kind: str = "partners") -> AnswerFact:
    value: Value = tuple(str(other) for other in named)
    return AnswerFact(number * 10, org, step, kind, 5, 4, value, None, False,
                      datetime(2027, number, 5, 9, tzinfo=UTC))


ANSWERS = (
    # quarter before (rounds 1-3): 1-2 (twice), 1-3, 3-4 (twice), 4-5
    _worked(1, JOBCENTER, JUGENDAMT, SCHULDNER),
    _worked(1, JUGENDAMT, JOBCENTER),
    _worked(1, SCHULDNER, SUCHT),
    _worked(1, SUCHT, SCHULDNER, KITA),
    # this quarter (rounds 4-6): 1-2 (three times), 1-4 (named by the Jobcenter only), 2-3 (twice)
    _worked(4, JOBCENTER, JUGENDAMT, SUCHT, LEFT),  # the partner that left is no part of the map
    _worked(4, JUGENDAMT, JOBCENTER, SCHULDNER, JUGENDAMT, "x"),  # itself and junk are left out
    _worked(4, SCHULDNER, JUGENDAMT, JUGENDAMT),  # a partner ticked twice counts once per answer
    _worked(4, KITA),  # "none of them": answered, worked with nobody
    _worked(6, JUGENDAMT, JOBCENTER),
    _worked(5, SUCHT, KITA, step="anything_else", kind="text"),  # other kinds of step are no cooperation
)
HISTORY = History(7, tuple(_round(number) for number in range(1, 7)), PARTNERS, ANSWERS)
KITA_SILENT = tuple(a for a in ANSWERS if not (a.round_id == 40 and a.organisation_id == KITA))  # no answer in round 4


def test_edges_count_each_pair_once_per_answer_whoever_named_it() -> None:
    network = network_map(HISTORY, 60)
    assert network.round_number == 6
    assert network.periods == ("2027-04", "2027-05", "2027-06")
    assert network.edges == {(JOBCENTER, JUGENDAMT): 3, (JOBCENTER, SUCHT): 1, (JUGENDAMT, SCHULDNER): 2}
    assert dict(network.organisations) == {JOBCENTER: "Jobcenter Musterstadt", JUGENDAMT: "Jugendamt",
                                           SCHULDNER: "Schuldnerberatung", SUCHT: "Suchtberatung",
                                           KITA: "Kita Sonnenschein"}
    assert network.degree(JOBCENTER) == 2
    assert network.degree(KITA) == 0


def test_a_partner_that_did_not_answer_but_was_named_has_an_edge() -> None:
    network = network_map(HISTORY, 60)
    assert network.answered == {JOBCENTER, JUGENDAMT, SCHULDNER, KITA}
    assert SUCHT not in network.answered
    assert (JOBCENTER, SUCHT) in network.edges
    assert SUCHT not in network.isolated


def test_isolated_partners() -> None:
    assert network_map(HISTORY, 60).isolated == (KITA,)
    assert network_map(HISTORY, 30).isolated == ()  # everyone named a cooperation in round 1


def test_stopped_pairs_worked_together_the_quarter_before_but_not_now() -> None:
    network = network_map(HISTORY, 60)
    # pairs keep the smaller id first and are sorted by their names: Jobcenter–Schuldner, Kita–Sucht, Schuldner–Sucht
    assert network.stopped == ((JOBCENTER, SCHULDNER), (SUCHT, KITA), (SCHULDNER, SUCHT))
    assert network_map(HISTORY, 30).stopped == ()  # no quarter before the first


def test_a_pair_neither_of_which_answered_is_unknown_not_stopped() -> None:
    history = replace(HISTORY, answers=KITA_SILENT)
    network = network_map(history, 60)
    assert (SUCHT, KITA) not in network.stopped
    assert (SCHULDNER, SUCHT) in network.stopped
    assert network.isolated == (KITA,)  # the others answered and nobody named it


def test_window_is_the_quarter_ending_with_the_round() -> None:
    network = network_map(HISTORY, 40)  # rounds 2-4 against round 1
    assert network.edges == {(JOBCENTER, JUGENDAMT): 2, (JOBCENTER, SUCHT): 1, (JUGENDAMT, SCHULDNER): 2}
    assert (JOBCENTER, SCHULDNER) in network.stopped
    one_round = network_map(HISTORY, 60, window=1)
    assert one_round.edges == {(JOBCENTER, JUGENDAMT): 1}
    assert one_round.answered == {JUGENDAMT}
    with pytest.raises(ValueError, match="window"):
        network_map(HISTORY, 60, window=0)
    with pytest.raises(KeyError):
        network_map(HISTORY, 99)


def test_nobody_answered_means_no_data_not_isolation() -> None:
    network = network_map(replace(HISTORY, answers=()), 60)
    assert network.edges == {} and network.isolated == () and network.stopped == () and network.answered == set()
    assert summary_lines(network, "named") == [
        f"Network map {APR_JUN}: no partner answered the question about cooperation."]


def test_map_due_once_a_quarter_with_the_round_that_has_partners_answers() -> None:
    due = [facts.number for facts in HISTORY.rounds if map_due(HISTORY, facts.id)]
    assert due == [1, 4]  # round 6 has answers too, but the map of round 4 is less than a quarter back
    later = replace(HISTORY, answers=(_worked(2, JOBCENTER, KITA), _worked(3, KITA), _worked(5, SUCHT)))
    assert [facts.number for facts in later.rounds if map_due(later, facts.id)] == [2, 5]
    assert not any(map_due(replace(HISTORY, answers=()), facts.id) for facts in HISTORY.rounds)


def test_named_organisations_reads_ids_as_strings() -> None:
    assert named_organisations(_worked(1, JOBCENTER, "2", " 3", "x", "")) == {2, 3}
    assert named_organisations(_worked(1, JOBCENTER)._replace(value="4")) == {4}
    assert named_organisations(_worked(1, JOBCENTER)._replace(value=None)) == set()


def test_summary_names_the_isolated_the_stopped_and_the_new_pairs() -> None:
    assert summary_lines(network_map(HISTORY, 60), "named") == [
        f"Network map {APR_JUN}",
        "Cooperations named: 3; partners who answered: 4 of 5",
        f"No longer working together (compared with {JAN_MAR}) – ask what got in the way:",
        "• Jobcenter Musterstadt – Schuldnerberatung",
        "• Kita Sonnenschein – Suchtberatung",
        "• Schuldnerberatung – Suchtberatung",
        f"New cooperations (compared with {JAN_MAR}):",
        "• Jobcenter Musterstadt – Suchtberatung",
        "• Jugendamt – Schuldnerberatung",
        "Without a cooperation named – without working together, partners learn little about each other's tasks:",
        "• Kita Sonnenschein",
    ]


def test_summary_where_names_may_not_be_shown_counts_instead() -> None:
    lines = summary_lines(network_map(HISTORY, 60), "aggregate")
    assert lines[2:] == [
        "Pairs of partners no longer working together: 3 – links in the network are getting lost; ask what got in "
        "the way.",
        f"New cooperations (compared with {JAN_MAR}): 2",
        "Partners without a cooperation named: 1 of 5 – without working together, partners learn little about each "
        "other's tasks."]
    assert not any(partner.name in line for partner in HISTORY.partners for line in lines)


def test_summary_marks_isolated_partners_that_did_not_answer_and_praises_a_connected_network() -> None:
    history = replace(HISTORY, answers=KITA_SILENT)
    assert "• Kita Sonnenschein (no answer)" in summary_lines(network_map(history, 60), "named")
    assert summary_lines(network_map(HISTORY, 30), "named") == [
        f"Network map {JAN_MAR}", "Cooperations named: 4; partners who answered: 4 of 5",
        "Every partner worked with at least one other partner."]


def test_summary_with_too_few_answers_in_an_anonymous_network_names_nobody() -> None:
    text = map_summary(network_map(HISTORY, 60), "nothing", "en", identity, plural)
    assert text == (f"Network map {APR_JUN}: fewer than 3 partners answered the question about cooperation, so "
                    "the map is not shown (it would tell whose answers they are).")


def test_labels_keep_the_whole_name_and_break_only_between_words() -> None:
    assert wrap_label("Jugendamt", 14) == "Jugendamt"
    name = "Schuldner- und Insolvenzberatung der Caritas Musterstadt"
    label = wrap_label(name, 14)
    assert "\n" in label and "…" not in label
    assert label.replace("\n", " ") == name
    assert wrap_label("Arbeitgeberservice", 8) == "Arbeitgeberservice"  # a word longer than a line stays whole


def test_circle_order_keeps_linked_partners_together_and_the_isolated_last() -> None:
    import networkx as nx  # type: ignore[import-untyped]

    graph = nx.Graph()
    graph.add_nodes_from(range(1, 8))
    graph.add_edges_from([(1, 5), (5, 7), (2, 4)])
    assert circle_order(graph, list(range(1, 8))) == [5, 1, 7, 2, 4, 3, 6]


def test_picture_is_a_png_of_1000_px() -> None:
    network = network_map(HISTORY, 60)
    png = render_network_map(network, "Netzwerkkarte Apr–Jun 2027", identity)
    assert png.startswith(PNG_SIGNATURE)
    assert _fits_a_phone(png)
    assert 10_000 < len(png) < 1_000_000
    assert render_network_map(network, "Netzwerkkarte Apr–Jun 2027", identity) == png  # the same map, the same picture


def test_picture_without_edges_or_partners_or_with_a_single_partner() -> None:
    for history in (replace(HISTORY, answers=()), replace(HISTORY, partners=(), answers=()),
                    replace(HISTORY, partners=PARTNERS[:1], answers=())):
        png = render_network_map(network_map(history, 60), "Network map", identity)
        assert png.startswith(PNG_SIGNATURE)
        assert _fits_a_phone(png)


def test_picture_of_thirty_organisations_with_long_names() -> None:
    partners = tuple(Partner(org, f"Beratungsstelle Nummer {org} im Landkreis") for org in range(1, 31))
    answers = tuple(_worked(1, org, *(other for other in range(1, 26) if other != org and (org * other) % 7 == 1))
                    for org in range(1, 26))
    network = network_map(History(1, (_round(1),), partners, answers), 10)
    assert set(range(26, 31)) <= set(network.isolated) and len(network.edges) > 10
    png = render_network_map(network, "Network map", identity)
    assert png.startswith(PNG_SIGNATURE) and _fits_a_phone(png)
