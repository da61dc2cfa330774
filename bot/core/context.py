"""What a check-in knows besides the answers: round, month, the partner's kind, the other partners, and the topics a
coaching check-in offers."""

from __future__ import annotations

from dataclasses import dataclass

# The kinds of partner organisation a script may branch on (`{context: role, eq: jobcenter}`).
ORGANISATION_KINDS: tuple[str, ...] = (
    "jobcenter", "youth_office", "counselling", "care", "employer", "welfare", "health", "education", "other")
CONTEXT_KEYS: tuple[str, ...] = ("round", "month", "role", "answered_last_round", "successor_asked")
# Words in an organisation's name that tell its kind (German and English), checked in this order.
_KIND_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("jobcenter", ("jobcenter", "arbeitsagentur", "agentur für arbeit", "job centre", "job center")),
    ("youth_office", ("jugendamt", "jugendhilfe", "youth")),
    ("counselling", ("beratung", "counsel")),
    ("care", ("kita", "kindertages", "tagespflege", "day care", "daycare", "kindergarten")),
    ("health", ("klinik", "gesundheit", "praxis", "health", "hospital", "psychiatr")),
    ("education", ("schule", "bildung", "volkshochschule", "school", "college", "education")),
    ("welfare", ("caritas", "diakonie", "awo", "arbeiterwohlfahrt", "paritätisch", "drk", "rotes kreuz", "welfare")),
    ("employer", (" gmbh", " ag ", "unternehmen", "betrieb", "handwerk", "employer", " ltd")),  # not gGmbH
)


@dataclass(frozen=True)
class CheckinContext:
    """The facts a check-in may depend on; `partners` are (id, name) of the network's other organisations, `topics`
    (id, label) of what a focus step offers, in the order shown (the caller fills them, e.g. this month's signals first,
    then the success factors)."""

    round_number: int = 1
    month: int = 1
    role: str = "other"
    answered_last_round: bool = False
    partners: tuple[tuple[str, str], ...] = ()
    topics: tuple[tuple[str, str], ...] = ()
    successor_asked: bool = False  # an exit check-in after "I'm no longer responsible", which asked who takes over

    def value(self, key: str) -> int | bool | str:
        """The value a context condition compares (`round`, `month`, `role`, `answered_last_round`,
        `successor_asked`)."""
        values: dict[str, int | bool | str] = {
            "round": self.round_number, "month": self.month, "role": self.role,
            "answered_last_round": self.answered_last_round, "successor_asked": self.successor_asked}
        return values[key]

    def partner_ids(self) -> set[str]:
        """The ids a partners step accepts."""
        return {partner_id for partner_id, _name in self.partners}

    def topic_ids(self) -> set[str]:
        """The ids a focus step accepts."""
        return {topic_id for topic_id, _label in self.topics}


def guess_kind(name: str) -> str:
    """The organisation kind its name suggests ("other" when nothing fits)."""
    lowered = f" {name.lower()} "
    for kind, words in _KIND_WORDS:
        if any(word in lowered for word in words):
            return kind
    return "other"
