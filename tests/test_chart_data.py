"""What the digest's chart shows, as plain data, and its caption: each partner's level in a named round (with the drop,
before → now), how many rated low, middle and high in an anonymous one, rotating factors at the month they were asked,
and nothing of an anonymous round that fewer than three organisations answered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.chart_caption import CAPTION_LIMIT, chart_caption, short_factor_name
from bot.core.chart_data import GridCell, TrendCell, chart_data, distribution, partner_grid
from bot.core.history import AnswerFact, History, Participation, Partner, Privacy, RoundFacts
from bot.i18n import Catalogs

AGENTUR, JUGENDAMT, KITA, SUCHT = 1, 2, 3, 4
PARTNERS = (Partner(AGENTUR, "Arbeitgeberservice der Agentur für Arbeit"), Partner(JUGENDAMT, "Jugendamt"),
            Partner(KITA, "Kita Sonnenschein"), Partner(SUCHT, "Suchtberatung"))
NAMES = {partner.organisation_id: partner.name for partner in PARTNERS}
GOALS, BENEFIT, RULES = 2, 3, 6
# round → factor → level of Agentur, Jugendamt, Kita, Sucht (None: no answer). Rules are asked in January only.
LEVELS: dict[int, dict[int, tuple[int | None, ...]]] = {
    1: {BENEFIT: (4, 4, 4, 4), RULES: (5, 5, 4, 4)},
    2: {BENEFIT: (4, 4, 4, 4)},
    3: {BENEFIT: (4, 4, 2, 4), GOALS: (3, 4, 4, None)},  # Kita's benefit collapses 4 → 2
}


def identity(text: str) -> str:
    return text


def months(period: str) -> str:
    return {"2027-01": "Jan.", "2027-02": "Feb.", "2027-03": "März"}[period]


def network(privacy: Privacy, answering_in_march: tuple[int, ...] = (AGENTUR, JUGENDAMT, KITA, SUCHT)) -> History:
    """Three closed monthly rounds of four partners; in March only `answering_in_march` answer."""
    rounds, answers, participations = [], [], []
    for number, factors in LEVELS.items():
        opened = datetime(2027, number, 4, 8, tzinfo=UTC)
        rounds.append(RoundFacts(number * 10, number, f"2027-{number:02d}", opened, opened + timedelta(days=10),
                                 True, privacy, frozenset(factors)))
        for organisation in NAMES:
            answered = number != 3 or organisation in answering_in_march
            participations.append(Participation(number * 10, organisation, "done" if answered else "missed"))
            for factor, levels in factors.items():
                level = levels[organisation - 1]
                if answered and level is not None:
                    answers.append(AnswerFact(number * 10, organisation, f"f{factor}", "scale", factor, None, level,
                                              level, False, opened + timedelta(days=1)))
    return History(7, tuple(rounds), PARTNERS, tuple(answers), tuple(participations))


def test_named_grid_holds_each_partners_level_where_last_measured_and_the_drop() -> None:
    data = chart_data(network("named"), 30)
    assert data.named and data.shown == ("named", "named", "named") and data.current == "2027-03"
    grid = dict(partner_grid(data))
    assert list(grid) == sorted(NAMES.values(), key=str.casefold)
    factors = [state.factor for state in data.latest]
    assert grid["Kita Sonnenschein"][factors.index(BENEFIT)] == GridCell(2.0, 4.0, True)  # fell 4 → 2, low
    assert grid["Jugendamt"][factors.index(BENEFIT)] == GridCell(4.0)
    assert grid["Suchtberatung"][factors.index(GOALS)] == GridCell(None)  # no answer
    assert grid["Kita Sonnenschein"][factors.index(RULES)] == GridCell(4.0)  # asked in January only
    assert grid["Jugendamt"][factors.index(1)] == GridCell(None)  # never measured
    assert distribution(data)[BENEFIT - 1].fell == 1


def test_rotating_factor_carries_its_month_and_stays_blank_where_not_asked() -> None:
    data = chart_data(network("named"), 30)
    assert data.latest[RULES - 1].period == "2027-01" and data.latest[BENEFIT - 1].period == "2027-03"
    trend = dict(data.trend)
    assert set(trend) == set(range(1, 12))
    assert trend[RULES] == (TrendCell(4.5), TrendCell(None), TrendCell(None))
    assert trend[BENEFIT] == (TrendCell(4.0), TrendCell(4.0), TrendCell(3.5, 1))  # the mean, and one rated low
    assert dict(data.factors)[BENEFIT] == (4.0, 4.0, 3.5)  # the export's means are unchanged


def test_anonymous_network_gets_counts_never_a_partner() -> None:
    data = chart_data(network("anonymous"), 30)
    assert not data.named and data.partners == () and partner_grid(data) == ()
    benefit = distribution(data)[BENEFIT - 1]
    assert (benefit.period, benefit.low, benefit.middle, benefit.high, benefit.mean, benefit.fell) == \
        ("2027-03", 1, 0, 3, 3.5, 1)
    goals = distribution(data)[GOALS - 1]
    assert (goals.low, goals.middle, goals.high) == (0, 1, 2)
    assert all(state.partners == () and state.dropped == () for state in data.latest)


def test_nothing_of_an_anonymous_round_fewer_than_three_answered() -> None:
    data = chart_data(network("anonymous", answering_in_march=(AGENTUR, KITA)), 30)
    assert data.shown == ("aggregate", "aggregate", "nothing")
    assert all(cells[2] == TrendCell(None) for _factor, cells in data.trend)  # not even which factors got answers
    benefit, goals, rules = (distribution(data)[factor - 1] for factor in (BENEFIT, GOALS, RULES))
    assert benefit.mean is None and benefit.hidden and (benefit.low, benefit.middle, benefit.high) == (0, 0, 0)
    assert goals.mean is None and goals.hidden
    assert (rules.period, rules.mean) == ("2027-01", 4.5)  # an earlier round's result stays
    assert data.responses[-1] == (2, 4)
    assert "Too few partners answered in März" in chart_caption(data, identity, months)


def test_caption_of_a_named_round_names_the_drop() -> None:
    caption = chart_caption(chart_data(network("named"), 30), identity, months)
    assert caption.splitlines()[0] == "Fell sharply: Kita Sonnenschein: Benefit 4 → 2."
    assert "each partner's level of the success factors 1–11 in März" in caption
    assert "Too few" not in caption


def test_caption_of_an_anonymous_round_counts_and_names_nobody() -> None:
    caption = chart_caption(chart_data(network("anonymous"), 30), identity, months)
    assert caption.splitlines()[0] == "Rated low (partners): Benefit: 1."
    assert not any(name in caption for name in NAMES.values())
    assert "No partner is shown by name." in caption


def test_caption_counts_what_it_cannot_list_and_stays_within_telegrams_limit() -> None:
    history = network("named")
    levels = {1: {factor: (5, 5, 5, 5) for factor in range(1, 12)},
              3: {factor: (1, 1, 1, 1) for factor in range(1, 12)}}
    rounds = tuple(facts for facts in history.rounds if facts.number in levels)
    answers = tuple(AnswerFact(facts.id, organisation, f"f{factor}", "scale", factor, None, level, level, False,
                               facts.opened_at) for facts in rounds for factor, per in levels[facts.number].items()
                    for organisation, level in zip(NAMES, per, strict=True))
    caption = chart_caption(chart_data(History(7, rounds, PARTNERS, answers), 30), identity, months)
    assert len(caption) <= CAPTION_LIMIT
    assert "and 41 more." in caption.splitlines()[0]  # 44 drops (4 partners × 11 factors), 3 named


@pytest.mark.parametrize(("lang", "first", "how"), [
    ("de", "Stark gefallen: Kita Sonnenschein: Nutzen 4 → 2.", "Oben: jeder Partner je Erfolgsfaktor 1–11 im März"),
    ("en", "Fell sharply: Kita Sonnenschein: Benefit 4 → 2.", "Top: each partner's level"),
])
def test_caption_in_the_readers_language(catalogs: Catalogs, lang: str, first: str, how: str) -> None:
    caption = chart_caption(chart_data(network("named"), 30), catalogs.gettext(lang), months, lang)
    assert caption.splitlines()[0] == first
    assert caption.splitlines()[1].startswith(how)


def test_short_factor_names_are_short() -> None:
    assert all(len(short_factor_name(factor, identity)) <= 16 for factor in range(1, 12))
    assert short_factor_name(12, identity) == "Success factor 12"
