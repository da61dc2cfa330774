"""An editor tries a draft as a partner would: the pure engine, its state in the draft, nothing else stored."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlite_utils import Database

from bot.core import engine
from bot.core.context import CheckinContext
from bot.core.engine import Accepted, DialogState, Pending
from bot.core.script.model import Script
from bot.i18n import Gettext
from bot.usecases.dialog import Dialog
from storage.people import partner_overview
from storage.script_drafts import Draft, get_draft, running_preview, save_preview, start_preview

__all__ = ["SAMPLE_PARTNERS", "Draft", "MayPreview", "PreviewDialog", "begin", "draft_of", "preview_context", "running"]

MayPreview = Callable[[Draft], bool]  # whether this person may run this draft's preview

# An admin's preview is for no network in particular: a partners step offers these made-up organisations.
SAMPLE_PARTNERS: tuple[tuple[str, str], ...] = (
    ("1", "Jobcenter Musterstadt"), ("2", "Jugendamt Musterstadt"), ("3", "Schuldnerberatung Musterstadt"),
    ("4", "Kita Sonnenschein"))


def preview_context(db: Database, now: datetime, draft: Draft) -> CheckinContext:
    """What the preview branches on: a first round this month, answered last round, the network's partners."""
    if draft.network_id is None:
        partners = SAMPLE_PARTNERS
    else:
        overview = partner_overview(db, draft.network_id, now)
        partners = tuple((str(row.organisation_id), row.name) for row in overview) or SAMPLE_PARTNERS
    return CheckinContext(round_number=1, month=now.month, role="other", answered_last_round=True,
                          partners=partners)


class PreviewDialog:
    """A running preview behind the runner: its state in the draft, replaced only once per step."""

    def __init__(self, db: Database, now: datetime, draft: Draft, script: Script, locale: str,
                 state: str | None = None) -> None:
        self.draft = draft
        self._db = db
        self._before = state or draft.preview_state or ""
        self._dialog = Dialog(script, DialogState.from_json(self._before), preview_context(db, now, draft), locale)

    @property
    def dialog(self) -> Dialog:
        """The preview as loaded."""
        return self._dialog

    def save(self, outcome: Accepted | Pending) -> bool:
        """The new state (none once finished), if the draft still has the one loaded."""
        after = outcome.state
        return save_preview(self._db, self.draft.id, self._before, None if after.finished else after.to_json())

    def remember_prompt(self, message_id: int | None) -> None:
        """A preview does not track its messages."""

    def after(self, outcome: Accepted, _: Gettext) -> tuple[str, ...]:
        """Nothing: the end shows the outro with the draft's buttons."""
        return ()


def begin(db: Database, now: datetime, draft: Draft, script: Script, locale: str) -> PreviewDialog | None:
    """(Re)start the draft's preview at its first step; None if the draft was decided a moment ago."""
    state = engine.start(script, preview_context(db, now, draft))
    if not start_preview(db, draft.id, state.to_json()):
        return None
    if state.finished:  # no step is shown in this round
        save_preview(db, draft.id, state.to_json(), None)
    return PreviewDialog(db, now, draft, script, locale, state.to_json())


def draft_of(db: Database, draft_id: int) -> Draft | None:
    """A draft by id."""
    return get_draft(db, draft_id)


def running(db: Database, user_id: int) -> Draft | None:
    """The draft whose preview this person is running, if any."""
    draft = running_preview(db, user_id)
    return draft if draft is not None and draft.preview_state is not None else None
