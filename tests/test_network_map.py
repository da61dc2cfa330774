"""The quarterly network map: who worked with whom from the partners steps, its digest lines and its picture."""

from __future__ import annotations

import struct
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.history import AnswerFact, History, Partner, RoundFacts
from bot.core.network_map import map_due, map_summary, named_organisations, network_map
from bot.core.script.model import Value
from bot.render.network_picture import circle_order, render_network_map, short_label

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JOBCENTER, JUGENDAMT, SCHULDNER, SUCHT, KITA, LEFT = 1, 2, 3, 4, 5, 6
PARTNERS = (Partner(JOBCENTER, "Jobcenter Musterstadt"), Partner(JUGENDAMT, "Jugendamt"),
            Partner(SCHULDNER, "Schuldnerberatung"), Partner(SUCHT, "Suchtberatung"),
            Partner(KITA, "Kita Sonnenschein"), Partner(LEFT, "Ausgetreten e.V.", active=False))


def identity(text: str) -> str:
    return text


def _size(png: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", png[16:24])
    return width, height


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
    assert map_summary(network, "named", identity) == [
        "Network map of the quarter: no partner answered the question about cooperation."]


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


def test_summary_names_the_isolated_and_the_stopped_pairs() -> None:
    lines = map_summary(network_map(HISTORY, 60), "named", identity)
    assert lines == [
        "Network map of the quarter – cooperations named: 3; partners who answered: 4 of 5",
        "Isolated: Kita Sonnenschein – without working together, partners learn little about each other's tasks.",
        "No longer working together: Jobcenter Musterstadt – Schuldnerberatung; Kita Sonnenschein – Suchtberatung; "
        "Schuldnerberatung – Suchtberatung – links in the network are getting lost; ask what got in the way.",
    ]


def test_summary_where_names_may_not_be_shown_counts_instead() -> None:
    lines = map_summary(network_map(HISTORY, 60), "aggregate", identity)
    assert lines[1:] == [
        "Partners without a cooperation named: 1 of 5 – without working together, partners learn little about each "
        "other's tasks.",
        "Pairs of partners no longer working together: 3 – links in the network are getting lost; ask what got in "
        "the way."]
    assert not any(partner.name in line for partner in HISTORY.partners for line in lines)


def test_summary_marks_isolated_partners_that_did_not_answer_and_praises_a_connected_network() -> None:
    history = replace(HISTORY, answers=KITA_SILENT)
    assert "Isolated: Kita Sonnenschein (no answer) – " in map_summary(network_map(history, 60), "named", identity)[1]
    assert map_summary(network_map(HISTORY, 30), "named", identity)[1] == (
        "Every partner worked with at least one other partner.")


def test_summary_counts_the_stopped_pairs_beyond_twelve() -> None:
    partners = tuple(Partner(org, f"Org {org:02d}") for org in range(1, 31))
    answers = (*(_worked(1, org, org + 1) for org in range(1, 30)), *(_worked(4, org) for org in range(1, 31)))
    network = network_map(History(1, tuple(_round(n) for n in range(1, 5)), partners, answers), 40)
    assert len(network.stopped) == 29
    line = map_summary(network, "named", identity)[2]
    assert line.count(" – ") == 12 + 1 and line.startswith("No longer working together: Org 01 – Org 02; ")
    assert "Org 12 – Org 13 (+17 more) – links" in line


def test_short_labels() -> None:
    assert short_label("Jugendamt") == "Jugendamt"
    label = short_label("Schuldner- und Insolvenzberatung der Caritas Musterstadt")
    assert len(label) == 20 and label.endswith("…") and "\n" in label


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
    assert _size(png) == (1000, 1000)
    assert 10_000 < len(png) < 1_000_000
    assert render_network_map(network, "Netzwerkkarte Apr–Jun 2027", identity) == png  # the same map, the same picture


def test_picture_without_edges_or_partners_or_with_a_single_partner() -> None:
    for history in (replace(HISTORY, answers=()), replace(HISTORY, partners=(), answers=()),
                    replace(HISTORY, partners=PARTNERS[:1], answers=())):
        png = render_network_map(network_map(history, 60), "Network map", identity)
        assert png.startswith(PNG_SIGNATURE)
        assert _size(png) == (1000, 1000)


def test_picture_of_thirty_organisations_with_long_names() -> None:
    partners = tuple(Partner(org, f"Beratungsstelle Nummer {org} im Landkreis") for org in range(1, 31))
    answers = tuple(_worked(1, org, *(other for other in range(1, 26) if other != org and (org * other) % 7 == 1))
                    for org in range(1, 26))
    network = network_map(History(1, (_round(1),), partners, answers), 10)
    assert set(range(26, 31)) <= set(network.isolated) and len(network.edges) > 10
    png = render_network_map(network, "Network map", identity)
    assert png.startswith(PNG_SIGNATURE) and _size(png) == (1000, 1000)
