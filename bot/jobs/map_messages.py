"""The quarterly network map for a coordinator: who worked with whom, as one picture with its summary as caption
(queued with the digest, bot/jobs/reports.py: digest day brings at most three messages)."""

from __future__ import annotations

from bot.core.history import History
from bot.core.network_map import CAPTION_LIMIT, map_disclosure, map_summary, map_title, network_map
from bot.i18n import Catalogs
from bot.render.network_picture import render_network_map
from storage.outbox import Outgoing
from storage.people import Membership


def map_messages(catalogs: Catalogs, history: History, round_id: int, coordinator: Membership) -> list[Outgoing]:
    """Once a quarter, one message: the map's picture with its summary as caption (plain text within Telegram's
    caption limit; named organisations, never who answered), or the summary alone where the map may show nothing."""
    locale = coordinator.locale
    _ = catalogs.gettext(locale)
    network = network_map(history, round_id)
    shown = map_disclosure(history, network)
    key = f"{round_id}:{coordinator.id}"
    summary = map_summary(network, shown, locale, _, catalogs.ngettext(locale), limit=CAPTION_LIMIT)
    if shown == "nothing":
        return [Outgoing(f"map-text:{key}", "map", coordinator.user_id, summary, network_id=history.network_id,
                         membership_id=coordinator.id)]
    png = render_network_map(network, map_title(network, locale, _), _, shown)
    return [Outgoing(f"map:{key}", "map", coordinator.user_id, summary, network_id=history.network_id,
                     membership_id=coordinator.id, photo=png)]
