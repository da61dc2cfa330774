"""The quarterly network map from the `partners` steps: who worked with whom, who is isolated, which pairs stopped
(and whether a contact person changed in between), which pairs are new.

Risk factor 4 (little knowledge of the partners' tasks) and success factor 11: partners who never work together learn
little about each other. The map is about organisations only: a cooperation counts the same whoever named it, and
nothing here tells which person answered. Pure: reads a `History`, returns plain data and text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from babel.dates import format_interval

from bot.core.disclosure import Shown, disclosure, strictest
from bot.core.history import AnswerFact, History, RoundFacts
from bot.core.limits import utf16_len as utf16_length

Gettext = Callable[[str], str]
Ngettext = Callable[[str, str, int], str]
Pair = tuple[int, int]  # two organisation ids, the smaller first

PARTNERS_KIND = "partners"  # the step kind whose answers name the organisations a partner worked with
WINDOW = 3  # rounds in a quarter of the default monthly script (the partners step is asked every third round)
CAPTION_LIMIT = 1024  # Telegram's longest photo caption, in UTF-16 code units


@dataclass(frozen=True)
class NetworkMap:
    """Who worked with whom in the `window` rounds up to `round_number`, by organisation, never by who answered.

    `organisations`: the network's active partners (id → name); `edges`: pair (a < b) → in how many partners answers
    of the window the cooperation was named (A naming B and B naming A are two); `isolated`: active organisations
    with no edge (empty when nobody answered: no data is not isolation); `stopped`: pairs with an edge in the window
    before and none now, at least one of the two having answered now; `answered`: organisations that answered a
    partners step in the window; `new`: pairs with an edge now and none in the window before, at least one of the two
    having answered then; `contact_changed`: the stopped pairs of which an organisation's contact person was replaced
    after the pair was last named and before the round closed (pair → those organisations). `isolated`, `stopped` and
    `new` are sorted by name (a pair by its names in order).
    """

    round_number: int
    periods: tuple[str, ...]  # the window's rounds, oldest first, e.g. ("2027-02", "2027-03", "2027-04")
    organisations: Mapping[int, str]
    edges: Mapping[Pair, int]
    isolated: tuple[int, ...]
    stopped: tuple[Pair, ...]
    answered: frozenset[int]
    compared: tuple[str, ...] = ()  # the rounds of the window before, oldest first (none before the first window)
    new: tuple[Pair, ...] = ()
    contact_changed: Mapping[Pair, tuple[int, ...]] = field(default_factory=dict)

    def name(self, organisation_id: int) -> str:
        """The organisation's name ("#id" for one that is not an active partner)."""
        return self.organisations.get(organisation_id, f"#{organisation_id}")

    def degree(self, organisation_id: int) -> int:
        """With how many other organisations the organisation worked in the window."""
        return sum(1 for pair in self.edges if organisation_id in pair)

    @property
    def lost(self) -> tuple[Pair, ...]:
        """The stopped pairs without a contact change in between: links the network is losing."""
        return tuple(pair for pair in self.stopped if pair not in self.contact_changed)

    def pair_name(self, pair: Pair) -> str:
        """"A – B", the two names in alphabetical order."""
        return " – ".join(sorted(map(self.name, pair), key=str.casefold))


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
    before_answers = _partners_answers(history, before, organisations)
    edges = _edges(now_answers, organisations)
    previous = _edges(before_answers, organisations)
    answered = frozenset(fact.organisation_id for fact in now_answers)
    answered_before = frozenset(fact.organisation_id for fact in before_answers)

    def by_name(org: int) -> tuple[str, int]:
        return organisations[org].casefold(), org

    def pair_key(pair: Pair) -> list[tuple[str, int]]:
        return sorted(map(by_name, pair))

    linked = {org for pair in edges for org in pair}
    isolated = tuple(sorted((org for org in organisations if org not in linked), key=by_name)) if answered else ()
    stopped = tuple(sorted((pair for pair in previous if pair not in edges and answered.intersection(pair)),
                           key=pair_key))
    new = tuple(sorted((pair for pair in edges if pair not in previous and answered_before.intersection(pair)),
                       key=pair_key))
    changed = _contact_changes(history, before_answers, stopped, current.closes_at)
    return NetworkMap(current.number, tuple(facts.period for facts in shown), organisations, edges, isolated, stopped,
                      answered, tuple(facts.period for facts in before), new, changed)


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


def period_name(periods: Sequence[str], locale: str) -> str:
    """The months from the first period to the last, written out: "Februar–April 2027", "April 2027"."""
    first, last = (date(int(period[:4]), int(period[5:7]), 1) for period in (periods[0], periods[-1]))
    return format_interval(first, last, "yMMMM", locale=locale)


def map_title(network: NetworkMap, locale: str, _: Gettext) -> str:
    """The map's title, naming the months its rounds cover ("Netzwerkkarte Februar–April 2027")."""
    return _("Network map {period}").format(period=period_name(network.periods, locale))


@dataclass(frozen=True)
class Section:
    """A part of the map's summary: a heading and the names it lists (none: the heading is a sentence)."""

    heading: str
    items: tuple[str, ...] = ()


def map_sections(network: NetworkMap, shown: Shown, locale: str, _: Gettext) -> list[Section]:
    """What the map says beyond its counts, most important first: lost links (ask what got in the way), links lost
    since a contact person changed (introduce the new one), new links, isolated partners, the rest. Organisations are
    named only where the map may show names: in an anonymous network "X is isolated" or "A and B stopped" beside who
    answered would tell what X, A or B answered, so they are counted (and a contact change is not singled out)."""
    if not network.answered or shown == "nothing":
        return []
    before = period_name(network.compared, locale) if network.compared else ""
    total = len(network.organisations)
    if shown != "named":
        sections = []
        if network.stopped:
            sections.append(Section(_("Pairs of partners no longer working together: {count} – links in the network "
                                      "are getting lost; ask what got in the way.").format(count=len(network.stopped))))
        if network.new:
            sections.append(Section(_("New cooperations (compared with {before}): {count}").format(
                before=before, count=len(network.new))))
        if network.isolated:
            sections.append(Section(_("Partners without a cooperation named: {count} of {total} – without working "
                                      "together, partners learn little about each other's tasks.").format(
                count=len(network.isolated), total=total)))
        elif total > 1:
            sections.append(Section(_("Every partner worked with at least one other partner.")))
        return sections
    sections = []
    if network.lost:
        sections.append(Section(_("No longer working together (compared with {before}) – ask what got in the "
                                  "way:").format(before=before), tuple(map(network.pair_name, network.lost))))
    if network.contact_changed:
        sections.append(Section(
            _("No longer working together since a contact person changed (compared with {before}) – introduce the "
              "new contact person to the partner:").format(before=before),
            tuple(_("{pair} (new contact person at {names})").format(
                pair=network.pair_name(pair), names=", ".join(map(network.name, network.contact_changed[pair])))
                  for pair in network.stopped if pair in network.contact_changed)))
    if network.new:
        sections.append(Section(_("New cooperations (compared with {before}):").format(before=before),
                                tuple(map(network.pair_name, network.new))))
    if network.isolated:
        sections.append(Section(
            _("Without a cooperation named – without working together, partners learn little about each other's "
              "tasks:"),
            tuple(network.name(org) if org in network.answered else _("{name} (no answer)").format(
                name=network.name(org)) for org in network.isolated)))
    elif total > 1:
        sections.append(Section(_("Every partner worked with at least one other partner.")))
    return sections


def map_summary(network: NetworkMap, shown: Shown, locale: str, _: Gettext, ngettext: Ngettext, *,
                limit: int | None = CAPTION_LIMIT) -> str:
    """The map's text for the coordinator, plain, titled like the picture (map_title): its counts, then
    map_sections. Within `limit` UTF-16 units (a photo caption; None: no limit) it keeps the title and counts and as
    many entries as fit in the order of importance, ending with "… and N more" for the rest; it never cuts a line,
    so a name is shown whole or not at all."""
    title = map_title(network, locale, _)
    if not network.answered:
        return _("{title}: no partner answered the question about cooperation.").format(title=title)
    if shown == "nothing":
        return _("{title}: fewer than 3 partners answered the question about cooperation, so the map is not shown (it "
                 "would tell whose answers they are).").format(title=title)
    head = "\n".join((title, _("Cooperations named: {count}; partners who answered: {answered} of {total}").format(
        count=len(network.edges), answered=len(network.answered), total=len(network.organisations))))
    blocks = [[section.heading, *(f"• {item}" for item in section.items)] for section in map_sections(
        network, shown, locale, _)]
    full = "\n\n".join([head, *("\n".join(block) for block in blocks)])
    if limit is None or utf16_length(full) <= limit:
        return full
    entries = sum(max(len(block) - 1, 1) for block in blocks)

    def more(count: int, shown_as: int) -> str:
        return "\n\n" + ngettext("… and {count} more (see the map)", "… and {count} more (see the map)",
                                   count).format(count=shown_as)

    room = limit - max(utf16_length(more(form, entries)) for form in (1, entries))  # the longest the end can be
    text, kept = _fit(head, blocks, room)
    return text + more(entries - kept, entries - kept)


def _fit(head: str, blocks: Sequence[Sequence[str]], room: int) -> tuple[str, int]:
    """The head and the blocks' lines, in order, as far as they fit in `room` units (a heading only with its first
    entry); how many entries (lines under a heading, or a heading alone) were kept."""
    text, kept = head, 0
    for block in blocks:
        start = "\n\n" + "\n".join(block[:2])
        if utf16_length(text + start) > room:
            return text, kept
        text, kept = text + start, kept + 1
        for line in block[2:]:
            if utf16_length(text + "\n" + line) > room:
                return text, kept
            text, kept = text + "\n" + line, kept + 1
    return text, kept


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


def _contact_changes(history: History, before_answers: Sequence[AnswerFact], stopped: Iterable[Pair],
                     until: datetime) -> dict[Pair, tuple[int, ...]]:
    """The stopped pairs one of whose organisations had its contact person replaced after the pair was last named
    (the person who named it, or was named, may be gone) and before `until`; pair → those organisations."""
    changed: dict[Pair, tuple[int, ...]] = {}
    for pair in stopped:
        named_at = max(fact.answered_at for fact in before_answers if fact.organisation_id in pair
                       and set(pair) - {fact.organisation_id} <= named_organisations(fact))
        orgs = tuple(org for org in pair if any(event.kind == "replaced" and event.organisation_id == org
                                                and named_at < event.at <= until for event in history.events))
        if orgs:
            changed[pair] = orgs
    return changed
