"""One place decides what may be shown: every outlet asked with 1, 2 and 3 answering organisations, anonymous and
named; late answers count nowhere; the one sources of missed check-ins, contact changes and "hidden" vs "none"."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.core.chart_data import chart_data
from bot.core.digest.build import build_digest, partner_feedback, signals_view
from bot.core.disclosure import OUTLETS, Outlet, disclosure, round_disclosure
from bot.core.factor_levels import factor_states
from bot.core.history import History, MembershipEvent, Participation, ParticipationStatus, Privacy
from bot.core.network_map import map_disclosure, network_map
from bot.core.participation import membership_changes, missed_in_row, missed_streak
from bot.core.risk.rules import find_signals
from bot.core.tips import Tips
from bot.render.export_files import shareable
from tests.test_export import _record
from tests.test_risk_rules import START, benefit, history, rid, statement, worked_with
from tests.texts import plain_all


def identity(text: str) -> str:
    return text


def plural(singular: str, plural_: str, count: int) -> str:
    return singular if count == 1 else plural_


@pytest.mark.parametrize("outlet", OUTLETS)
@pytest.mark.parametrize("answering", [1, 2, 3])
@pytest.mark.parametrize("privacy", ["anonymous", "named"])
def test_the_rule_for_every_outlet(outlet: Outlet, answering: int, privacy: Privacy) -> None:
    shown = disclosure(privacy, answering, outlet)
    if privacy == "named" and outlet != "feedback":
        assert shown == "named"  # the coordinator of a named round sees who answered what
    else:  # anonymous, or the partners' feedback in any network: aggregates over three at least
        assert shown == ("aggregate" if answering >= 3 else "nothing")


def collapse(answering: int, privacy: Privacy = "anonymous") -> History:
    """Round 1: three organisations rate the benefit 5. Round 2: `answering` of them answer, the first one collapses
    to 1, and they name each other on the partners step; round 2 opened under `privacy`."""
    answers = [benefit(1, org, 5) for org in (1, 2, 3)]
    answers += [benefit(2, org, 1 if org == 1 else 5) for org in range(1, answering + 1)]
    answers += [worked_with(2, org, (str(org % 3 + 1),)) for org in range(1, answering + 1)]
    answers += [statement(2, org, "Jugendliche bis 2028 in Ausbildung bringen") for org in range(1, answering + 1)]
    base = history(answers, rounds=2, orgs=(1, 2, 3))
    return replace(base, rounds=(base.rounds[0], replace(base.rounds[1], privacy=privacy)))


@pytest.mark.parametrize("answering", [1, 2, 3])
def test_each_outlet_shows_nothing_from_fewer_than_three_anonymous_answers(answering: int, tips: Tips) -> None:
    h = collapse(answering)
    signals = find_signals(h, rid(2))
    assert any(signal.rule == "unclear_benefit" for signal in signals)  # found, whatever may be shown
    hidden = answering < 3
    digest = plain_all(build_digest(h, rid(2), signals, tips, "en", identity, plural, network_name="N", month="M"))
    assert ("Unclear benefit" in digest) is not hidden
    assert ("Visible benefit for each partner: too few answers" in digest) is hidden
    assert ("Signs from the answers are not shown" in digest) is hidden and "No warning signs" not in digest
    alerts = signals_view(h, rid(2), signals, "alert").signals
    assert (not alerts) is hidden
    feedback = partner_feedback(h, rid(2), signals, "en", identity, plural)
    assert ("coordinator will take this up" in feedback) is not hidden and ("Went down" in feedback) is not hidden
    chart = chart_data(h, rid(2))
    assert (dict(chart.factors).get(3, (None, None))[1] is None) is hidden
    assert chart.partners == ()  # never a grid of names in an anonymous round
    assert (map_disclosure(h, network_map(h, rid(2), window=1)) == "nothing") is hidden
    assert (round_disclosure(h, rid(2), "partners") == "nothing") is hidden
    assert (not signals_view(h, rid(2), signals, "coaching").signals) is hidden
    records = [_record(org, "benefit", "scale", 1, factor=3, risk=5, period="2027-02") for org in range(1, 3)]
    kept, withheld = shareable(records, {"2027-02": round_disclosure(h, rid(2), "export")})
    assert (withheld == ["2027-02"] and not kept) is hidden
    export = {state.factor: state for state in chart_data(h, rid(2), outlet="export").latest}
    assert (export[3].level is None) is hidden


def test_a_named_round_shows_the_collapsed_partner_by_name_in_digest_and_chart(tips: Tips) -> None:
    h = collapse(3, "named")
    h = replace(h, rounds=(replace(h.rounds[0], privacy="named"), h.rounds[1]))
    signals = find_signals(h, rid(2))
    digest = plain_all(build_digest(h, rid(2), signals, tips, "en", identity, plural, network_name="N", month="M"))
    assert "🔴 Urgent: Unclear benefit – Org 1" in digest
    assert "fell: Org 1 from 5 to 1" in digest and "low: Org 1 1" in digest
    chart = chart_data(h, rid(2))
    benefit_state = next(state for state in chart.latest if state.factor == 3)
    assert benefit_state.dropped == ((1, 5.0, 1.0),) and chart.named
    assert "Tip (Evaluation): Call Org 1 in the next few days" in digest  # the partner first


def test_a_switch_to_named_names_nothing_of_the_round_it_opened_without() -> None:
    h = collapse(3, "anonymous")
    assert round_disclosure(h, rid(2), "digest") == "aggregate"
    named = replace(h, rounds=tuple(replace(facts, privacy="named") for facts in h.rounds))
    assert round_disclosure(named, rid(2), "digest") == "named"


def test_one_count_of_missed_check_ins() -> None:
    given: tuple[ParticipationStatus, ...] = ("done", "missed", "missed", "missed")
    statuses = [Participation(rid(number), 1, status) for number, status in enumerate(given, start=1)]
    h = replace(history(rounds=4, orgs=(1,)), participations=tuple(statuses))
    assert missed_in_row(["done", "missed", "missed", "missed"]) == 3
    assert missed_in_row(["missed", "excused", "missed"]) == 1
    assert missed_streak(h, 1, rid(4)).rounds == 3 and missed_streak(h, 1, rid(4)).since == 2
    [signal] = [one for one in find_signals(h, rid(4)) if one.rule == "fading_engagement"]
    assert dict(signal.evidence[0].params)["rounds"] == 3  # the digest says what /partners says


def test_a_new_contact_person_is_a_contact_change_not_a_new_partner() -> None:
    handover = START + timedelta(days=40)  # in round 2's window
    events = (MembershipEvent(1, "joined", START), MembershipEvent(2, "joined", START),
              MembershipEvent(1, "replaced", handover), MembershipEvent(1, "joined", handover),
              MembershipEvent(3, "joined", handover + timedelta(days=1)))
    h = replace(history(rounds=2, orgs=(1, 2, 3)), events=events)
    assert membership_changes(h, rid(2)) == {1: ["contact_changed"], 3: ["new_partner"]}
    assert membership_changes(h, rid(1)) == {1: ["new_partner"], 2: ["new_partner"]}


def test_factor_states_of_a_round_nobody_answered_say_hidden_not_fine() -> None:
    h = collapse(3)
    empty = replace(h, answers=tuple(answer for answer in h.answers if answer.round_id != rid(2)))
    view = signals_view(empty, rid(2), [], "digest")
    assert view.note == "no_answers"
    states = {state.factor: state for state in factor_states(empty, rid(2), "digest")}
    assert states[3].round_number == 1  # shown as of the round it was last measured in
