"""The quarterly network map for a coordinator: who worked with whom, as lines and a picture (queued with the
digest, bot/jobs/reports.py)."""

from __future__ import annotations

from bot.core.history import History
from bot.core.network_map import map_disclosure, map_summary, network_map
from bot.i18n import Catalogs, month_name
from bot.render.network_picture import render_network_map
from storage.outbox import Outgoing
from storage.people import Membership


def map_messages(catalogs: Catalogs, history: History, round_id: int, coordinator: Membership) -> list[Outgoing]:
    """Once a quarter: who worked with whom (named organisations, never who answered), as lines and a picture."""
    _ = catalogs.gettext(coordinator.locale)
    current = next(r for r in history.rounds if r.id == round_id)
    network = network_map(history, round_id)
    shown = map_disclosure(history, network)
    key = f"{round_id}:{coordinator.id}"
    text = Outgoing(f"map-text:{key}", "map", coordinator.user_id, "\n".join(map_summary(network, shown, _)),
                    network_id=history.network_id, membership_id=coordinator.id)
    if shown == "nothing":
        return [text]
    title = _("Network map {month}").format(month=month_name(current.period, coordinator.locale))
    png = render_network_map(network, title, _, shown)
    return [text, Outgoing(f"map:{key}", "map", coordinator.user_id, title, network_id=history.network_id,
                           membership_id=coordinator.id, photo=png)]
