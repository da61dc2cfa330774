"""Plain records that storage reads and the layers above draw from: no database, no Telegram, no rendering."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.script.model import Value


@dataclass(frozen=True)
class AnswerRecord:
    """The newest revision of one answer given in a round, as the database holds it."""

    period: str  # "2027-02"
    organisation_id: int
    organisation: str
    script_id: str
    script_version: int
    step_id: str
    kind: str
    factor: int | None
    risk: int | None
    value: Value
    late: bool
    answered_at: datetime
    quote_named: bool = False  # a free text the partner allowed to be quoted with its organisation's name
