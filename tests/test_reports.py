"""Queueing a closed round's reports on a real SQLite file: digest, chart, the quarter's network map, feedback, once."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from itertools import pairwise

import pytest
from sqlite_utils import Database

from bot.core.history import Thresholds
from bot.core.tips import Tips
from bot.i18n import Catalogs
from bot.jobs.reports import queue_round_reports
from bot.usecases.scripts import ScriptRegistry
from storage.checkins import StepRecord, record_step, start_checkin
from storage.people import create_invite, create_network, organisation_for, redeem_invite
from storage.reports import network_thresholds, set_privacy, set_thresholds
from storage.rounds import close_round, open_round
from tests.e2e import NOW, ROOT

NAMES = ("Jobcenter Musterstadt", "Jugendamt", "Kita Sonnenschein")


@pytest.mark.parametrize(("privacy", "answering", "map_shown"), [
    ("anonymous", 2, False),  # two answers: the map would tell whose they are
    ("anonymous", 3, True),
    ("named", 2, True),
])
def test_a_closed_round_gets_digest_chart_map_and_feedback_once(db: Database, catalogs: Catalogs, tips: Tips,
                                                                 privacy: str, answering: int,
                                                                 map_shown: bool) -> None:
    registry = ScriptRegistry(db)
    registry.load_directory(ROOT / "dialogs", NOW)
    script = registry.current("monthly_checkin")
    network = create_network(db, "Netz", NOW)
    set_privacy(db, network, privacy, NOW)  # type: ignore[arg-type]
    redeem_invite(db, create_invite(db, network, "coordinator", None, NOW, 9).token, 900, "C", "de", 1, NOW)
    partners = [redeem_invite(db, create_invite(db, network, "partner", organisation_for(db, network, name, NOW),
                                                NOW, 9).token, 700 + n, "P", "de", 1, NOW)
                for n, name in enumerate(NAMES)]
    round_id = open_round(db, network, "2027-02", NOW, NOW + timedelta(days=10), [p.id for p in partners], NOW)
    assert round_id is not None
    links = [*pairwise(partners), (partners[2], partners[0])][:answering]  # Jobcenter – Jugendamt – Kita (– Jobcenter)
    for partner, other in links:
        checkin = start_checkin(db, partner, script.id, script.version, "{}", NOW, round_id)
        record_step(db, checkin, StepRecord("partners_worked_with", "partners", 5, True, (str(other.organisation_id),),
                                            '{"current": null, "answers": {}, "path": []}', True, risk=4), NOW)
    close_round(db, round_id, [], NOW + timedelta(days=10))

    assert queue_round_reports(db, catalogs, registry, tips, NOW + timedelta(days=10)) == 1
    assert queue_round_reports(db, catalogs, registry, tips, NOW + timedelta(days=11)) == 0  # once
    rows = db.execute("SELECT kind, chat_id, text, photo IS NOT NULL FROM outbox ORDER BY id").fetchall()
    kinds = [(kind, chat, photo) for kind, chat, _text, photo in rows]
    # digest day brings the coordinator three messages at most: the map is one, a picture with its summary as caption
    assert kinds == [("digest", 900, 0), ("chart", 900, 1), ("map", 900, 1 if map_shown else 0),
                     *(("feedback", 700 + n, 0) for n in range(answering))]
    digest, summary = rows[0][2], rows[2][2]
    assert f"{answering} von 3 Partnern haben geantwortet" in digest
    if map_shown:
        assert summary.startswith(f"Netzwerkkarte Februar 2027\nGenannte Kooperationen: {answering}; geantwortet "
                                  f"haben {answering} von 3")
    else:
        assert "Keine Antwort von: Kita Sonnenschein" in digest
        assert summary.startswith("Netzwerkkarte Februar 2027: Weniger als 3 Partner haben die Frage zur "
                                  "Zusammenarbeit beantwortet")
        assert "Jobcenter" not in summary and "Jugendamt" not in summary


@pytest.mark.parametrize("stored", ["null", "[1, 2]", '"x"', '{"drop": NaN}', '{"trend_rounds": Infinity}',
                                    '{"network_min_partners": 0}', '{"low_share": 2}', "{broken"])
def test_broken_thresholds_fall_back_to_the_defaults(db: Database, stored: str) -> None:
    network = create_network(db, "Netz", NOW)
    db.execute("UPDATE networks SET thresholds = ? WHERE id = ?", [stored, network])
    assert network_thresholds(db, network) == Thresholds()


def test_thresholds_a_network_set_are_kept(db: Database) -> None:
    network = create_network(db, "Netz", NOW)
    set_thresholds(db, network, replace(Thresholds(), low_level=1, low_share=0.5))
    assert network_thresholds(db, network) == replace(Thresholds(), low_level=1, low_share=0.5)
