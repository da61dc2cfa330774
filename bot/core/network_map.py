"""The quarterly network map from the `partners` steps: who worked with whom, who is isolated, which pairs stopped.

Risk factor 4 (little knowledge of the partners' tasks) and success factor 11: partners who never work together learn
little about each other. The map is about organisations only: a cooperation counts the same whoever named it, and
nothing here tells which person answered. Pure: reads a `History`, returns plain data and text lines.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass

from bot.core.disclosure import Shown, disclosure, strictest
from bot.core.history import AnswerFact, History, RoundFacts

Gettext = Callable[[str], str]
Pair = tuple[int, int]  # two organisation ids, the smaller first

PARTNERS_KIND = "partners"  # the step kind whose answers name the organisations a partner worked with
WINDOW = 3  # rounds in a quarter of the default monthly script (the partners step is asked every third round)
MAX_PAIRS_SHOWN = 12  # stopped pairs named in the digest line; the rest are counted


@dataclass(frozen=True)
class NetworkMap:
    """Who worked with whom in the `window` rounds up to `round_number`, by organisation, never by who answered.

    `organisations`: the network's active partners (id → name); `edges`: pair (a < b) → in how many partners answers
    of the window the cooperation was named (A naming B and B naming A are two); `isolated`: active organisations
    with no edge (empty when nobody answered: no data is not isolation); `stopped`: pairs with an edge in the window
    before and none now, at least one of the two having answered now; `answered`: organisations that answered a
    partners step in the window. `isolated` and `stopped` are sorted by name (a pair by its names in order).
    """

    round_number: int
    periods: tuple[str, ...]  # the window's rounds, oldest first, e.g. ("2027-02", "2027-03", "2027-04")
    organisations: Mapping[int, str]
    edges: Mapping[Pair, int]
    isolated: tuple[int, ...]
    stopped: tuple[Pair, ...]
    answered: frozenset[int]

    def name(self, organisation_id: int) -> str:
        """The organisation's name ("#id" for one that is not an active partner)."""
        return self.organisations.get(organisation_id, f"#{organisation_id}")

    def degree(self, organisation_id: int) -> int:
        """With how many other organisations the organisation worked in the window."""
        return sum(1 for pair in self.edges if organisation_id in pair)


def network_map(history: History, round_id: int, *, window: int = WINDOW) -> NetworkMap:
    """The network map of the `window` rounds up to and including round `round_id`, compared with the `window`
    rounds before; only active partners appear (a pair broken by a partner leaving is reported as its leaving)."""
    if window < 1:
        raise ValueError(f"window must be at least 1, not {window}")
    current = history.round(round_id)
    shown = _rounds(history, current.number - window + 1, current.number)
    before = _rounds(history, current.number - 2 * window + 1, current.number - window)
    organisations = {partner.organisation_id: partner.name for partner in history.partners if partner.active}
    now_answers = _partners_answers(history, shown, organisations)
    edges = _edges(now_answers, organisations)
    previous = _edges(_partners_answers(history, before, organisations), organisations)
    answered = frozenset(fact.organisation_id for fact in now_answers)

    def by_name(org: int) -> tuple[str, int]:
        return organisations[org].casefold(), org

    linked = {org for pair in edges for org in pair}
    isolated = tuple(sorted((org for org in organisations if org not in linked), key=by_name)) if answered else ()
    stopped = tuple(sorted((pair for pair in previous if pair not in edges and answered.intersection(pair)),
                           key=lambda pair: sorted(map(by_name, pair))))
    return NetworkMap(current.number, tuple(facts.period for facts in shown), organisations, edges, isolated, stopped,
                      answered)


def map_due(history: History, round_id: int, *, window: int = WINDOW) -> bool:
    """Whether the round's digest brings a network map: the round has partners answers and no map came in the
    `window` - 1 rounds before it (walking the rounds from the first, a round with partners answers is due when the
    last due one is at least `window` rounds back). The default script asks in rounds 1, 4, 7, ...: maps come with
    those rounds' digests, each covering the quarter that ends with the answers just given."""
    current = history.round(round_id)
    with_answers = {fact.round_id for fact in history.answers if fact.kind == PARTNERS_KIND}
    last_due: int | None = None
    for facts in sorted(history.rounds, key=lambda r: r.number):
        if facts.number > current.number:
            break
        if facts.id in with_answers and (last_due is None or facts.number - last_due >= window):
            last_due = facts.number
    return last_due == current.number


def map_disclosure(history: History, network: NetworkMap) -> Shown:
    """What the map may show (bot.core.disclosure): its rounds taken together (anonymous if any of them is) and the
    organisations that answered the question about cooperation in them."""
    privacy = strictest(facts.privacy for facts in history.rounds if facts.period in network.periods)
    return disclosure(privacy, len(network.answered), "map")


def map_summary(network: NetworkMap, shown: Shown, _: Gettext) -> list[str]:
    """The network map's lines for the coordinator's digest: how many cooperations and answers, the isolated partners
    and the pairs that stopped working together, each with what it means (risk 4, success factor 11). Organisations
    are named only where the map may show names: in an anonymous network "X is isolated" or "A and B stopped" beside
    who answered would tell what X, A or B answered, so they are counted; with too few answers there is no map."""
    if not network.answered:
        return [_("Network map of the quarter: no partner answered the question about cooperation.")]
    if shown == "nothing":
        return [_("Network map of the quarter: fewer than 3 partners answered the question about cooperation, so the "
                  "map is not shown (it would tell whose answers they are).")]
    lines = [_("Network map of the quarter – cooperations named: {count}; partners who answered: {answered} of "
               "{total}").format(count=len(network.edges), answered=len(network.answered),
                                 total=len(network.organisations))]
    if network.isolated and shown != "named":
        lines.append(_("Partners without a cooperation named: {count} of {total} – without working together, "
                       "partners learn little about each other's tasks.").format(
            count=len(network.isolated), total=len(network.organisations)))
    elif network.isolated:
        names = ", ".join(network.name(org) if org in network.answered
                          else _("{name} (no answer)").format(name=network.name(org)) for org in network.isolated)
        lines.append(_("Isolated: {names} – without working together, partners learn little about each other's "
                       "tasks.").format(names=names))
    elif len(network.organisations) > 1:
        lines.append(_("Every partner worked with at least one other partner."))
    if network.stopped and shown != "named":
        lines.append(_("Pairs of partners no longer working together: {count} – links in the network are getting "
                       "lost; ask what got in the way.").format(count=len(network.stopped)))
    elif network.stopped:
        pairs = "; ".join(" – ".join(sorted(map(network.name, pair), key=str.casefold))
                          for pair in network.stopped[:MAX_PAIRS_SHOWN])
        if len(network.stopped) > MAX_PAIRS_SHOWN:
            pairs += " " + _("(+{count} more)").format(count=len(network.stopped) - MAX_PAIRS_SHOWN)
        lines.append(_("No longer working together: {pairs} – links in the network are getting lost; ask what got in "
                       "the way.").format(pairs=pairs))
    return lines


def named_organisations(fact: AnswerFact) -> set[int]:
    """The organisation ids a partners answer names (ids as strings; anything else is left out)."""
    value = fact.value
    items = (value,) if isinstance(value, str) else value if isinstance(value, tuple) else ()
    return {int(item) for item in items if isinstance(item, str) and item.strip().isdigit()}


def _rounds(history: History, first: int, last: int) -> list[RoundFacts]:
    return sorted((facts for facts in history.rounds if first <= facts.number <= last), key=lambda r: r.number)


def _partners_answers(history: History, rounds: Iterable[RoundFacts], active: Collection[int]) -> list[AnswerFact]:
    ids = {facts.id for facts in rounds}
    return [fact for fact in history.answers
            if fact.kind == PARTNERS_KIND and fact.round_id in ids and fact.organisation_id in active]


def _edges(answers: Iterable[AnswerFact], active: Collection[int]) -> dict[Pair, int]:
    """Each pair once per answer that names it, whichever of the two answered."""
    weights: Counter[Pair] = Counter()
    for fact in answers:
        for other in named_organisations(fact):
            if other != fact.organisation_id and other in active:
                a, b = sorted((fact.organisation_id, other))
                weights[(a, b)] += 1
    return dict(weights)
