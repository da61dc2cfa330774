"""/digest on demand: the newest round's digest and chart for one coordinator, as far as its privacy allows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlite_utils import Database

from bot.core.tips import Tips
from bot.i18n import Catalogs
from bot.usecases.report import digest_caption, digest_messages, round_signals
from bot.usecases.scripts import ScriptRegistry
from storage.history import load_history
from storage.people import Membership
from storage.reports import network_thresholds


@dataclass(frozen=True)
class Digest:
    """What /digest shows: nothing yet ("no_rounds", "anonymous_open"), or texts (Telegram HTML) and a chart with its
    caption, of an open round too."""

    state: Literal["no_rounds", "anonymous_open", "shown"]
    texts: list[str]
    chart: bytes = b""
    open: bool = False
    caption: str = ""


def digest_now(db: Database, catalogs: Catalogs, scripts: ScriptRegistry, tips: Tips, member: Membership) -> Digest:
    """The digest of the newest round: a closed one, or an open named one so far (an open anonymous round never:
    two looks one answer apart would show that answer)."""
    history = load_history(db, member.network_id, scripts.version, network_thresholds(db, member.network_id))
    if not history.rounds:
        return Digest("no_rounds", [])
    newest = history.rounds[-1]
    if newest.privacy == "anonymous" and not newest.closed:
        closed = [facts for facts in history.rounds if facts.closed]
        if not closed:
            return Digest("anonymous_open", [])
        newest = closed[-1]
    texts, png = digest_messages(catalogs, scripts, tips, history, newest.id, round_signals(history, newest.id),
                                 member)
    return Digest("shown", texts, png, not newest.closed,
                  digest_caption(catalogs, history, newest.id, member.locale))
