"""Switching a network between anonymous and named: the setting, and the notice to every partner, in one transaction.
A switch to named applies from the next round on (each round keeps the setting it opened with), so the partners
hear of it before their next check-in; a switch to anonymous applies at once, to the earlier rounds too."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from bot.core.history import Privacy as Privacy
from bot.i18n import Catalogs, Gettext
from storage.outbox import Outgoing, enqueue
from storage.reports import network_privacy, set_privacy


def notice_text(_: Gettext, network: str, privacy: Privacy) -> str:
    """What the partners are told when their network's privacy changes."""
    if privacy == "named":
        return _("A note on privacy in \"{network}\": from the next check-in round on, the coordination sees which "
                 "organisation answered what. Your answers so far stay anonymous. /mydata shows what is stored about "
                 "you; /leave takes you out of the network.").format(network=network)
    return _("A note on privacy in \"{network}\": from now on the coordination sees your answers only summarised over "
             "at least 3 organisations and without names, your earlier answers included.").format(network=network)


def switch_privacy(db: Database, catalogs: Catalogs, network_id: int, privacy: Privacy, now: datetime) -> bool:
    """Set the network's privacy and, when it changed, queue the notice to each active partner in their language;
    True if it changed (a second tap on the same choice changes nothing and tells nobody again)."""
    with db.atomic():
        if network_privacy(db, network_id) == privacy:
            return False
        set_privacy(db, network_id, privacy, now)
        rows = db.execute(
            "SELECT m.id, m.user_id, COALESCE(u.locale, 'de'), n.name FROM memberships m JOIN networks n"
            " ON n.id = m.network_id LEFT JOIN users u ON u.id = m.user_id WHERE m.network_id = ?"
            " AND m.role = 'partner' AND m.left_at IS NULL ORDER BY m.id", [network_id]).fetchall()
        enqueue(db, [Outgoing(f"privacy:{network_id}:{membership_id}:{now.isoformat()}", "privacy", int(user_id),
                              notice_text(catalogs.gettext(str(locale)), str(network), privacy),
                              network_id=network_id, membership_id=int(membership_id))
                     for membership_id, user_id, locale, network in rows], now)
    return True


def privacy_of(db: Database, network_id: int) -> Privacy:
    """The network's privacy setting now (anonymous or named)."""
    return network_privacy(db, network_id)
