"""End to end through the local Bot API: a round closes → the coordinator's digest and chart, the partners' result;
a collapsing benefit in an anonymous network → no alert while the round is open, the urgent signal with the
digest at its close; /digest on demand; /privacy switches to named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from localapi.server import SentMessage
from tests.e2e import Harness

FEB_OPENS = datetime(2027, 2, 2, 8, 0, tzinfo=UTC)
FEB_CLOSES = datetime(2027, 2, 12, 8, 0, tzinfo=UTC)
MAR_OPENS = datetime(2027, 3, 2, 8, 0, tzinfo=UTC)
MAR_CLOSES = datetime(2027, 3, 12, 8, 0, tzinfo=UTC)
COORDINATOR = 900
PARTNERS = (701, 702, 703)


async def low_benefit_checkin(harness: Harness, user: int, prompt: SentMessage) -> None:
    """Answer the check-in with a benefit of 1 (and its follow-up)."""
    _intro, goals = await harness.tap(user, prompt, "Jetzt starten", count=2)
    [statement] = await harness.tap(user, goals, "5")
    [benefit] = await harness.tap(user, statement, "Überspringen")
    [why] = await harness.tap(user, benefit, "1")
    [agreements] = await harness.tap(user, why, "Weniger Doppelarbeit")
    [anything] = await harness.tap(user, agreements, "Ja, alle")
    await harness.tap(user, anything, "Überspringen")


async def test_close_digest_chart_feedback_urgent_alert_and_privacy(harness: Harness) -> None:
    network = harness.network()
    await harness.join(COORDINATOR, "Clara", harness.invite(network))
    for n, user in enumerate(PARTNERS):
        await harness.partner(user_id=user, organisation=f"Träger {n}", network_id=network)

    harness.clock.now = FEB_OPENS
    for user in PARTNERS:
        [prompt] = await harness.api.wait_for_messages(user, 1)
        _intro, goals = await harness.tap(user, prompt, "Jetzt starten", count=2)
        await harness.finish_checkin(user, goals)
    before = harness.api.sent_count(COORDINATOR)
    harness.clock.now = FEB_CLOSES
    *digest, chart = await harness.api.wait_for_messages(COORDINATOR, 2)
    assert digest[0].text.startswith("Netzpuls-Überblick · Netzwerk Alleinerziehende Musterstadt · Februar 2027")
    assert "3 von 3 Partnern haben geantwortet (100 %)" in digest[0].text
    assert "Erkennbarer Nutzen des Netzwerks für die einzelnen Akteure: 4,0" in digest[0].text
    assert "Keine Warnzeichen in dieser Runde." in digest[0].text
    assert chart.kind == "photo" and "Oben:" in chart.text and len(chart.text) <= 1024  # how to read it
    for user in PARTNERS:
        [feedback] = await harness.api.wait_for_messages(user, 1)
        assert feedback.text.startswith("Was „Netzwerk Alleinerziehende Musterstadt“ im Februar 2027 gelernt hat")
        assert "Träger" not in feedback.text  # nothing that identifies a partner
    assert harness.api.sent_count(COORDINATOR) == before + 2

    harness.clock.now = MAR_OPENS
    prompts = {user: (await harness.api.wait_for_messages(user, 1))[0] for user in PARTNERS}
    await low_benefit_checkin(harness, PARTNERS[0], prompts[PARTNERS[0]])  # 4 → 1: the benefit collapses
    harness.clock.advance(minutes=11)  # urgent signals are looked for every ten minutes ...
    last, _chart = await harness.send(COORDINATOR, "/digest", count=2)  # anonymous: the closed round, not the open
    assert last.text.startswith("Netzpuls-Überblick · Netzwerk Alleinerziehende Musterstadt · Februar 2027")
    assert harness.db.execute("SELECT COUNT(*) FROM outbox WHERE kind = 'alert'").fetchone()[0] == 0
    for user in PARTNERS[1:]:  # not even once three answered: an alert minutes after an answer would say whose
        _intro, goals = await harness.tap(user, prompts[user], "Jetzt starten", count=2)
        await harness.finish_checkin(user, goals)
    harness.clock.advance(minutes=11)
    await harness.send(PARTNERS[1], "/help")  # the bot runs on
    assert harness.db.execute("SELECT COUNT(*) FROM outbox WHERE kind = 'alert'").fetchone()[0] == 0

    [choice] = await harness.send(COORDINATOR, "/privacy")
    assert choice.text.startswith("Datenschutz in diesem Netzwerk: anonym.")
    await harness.tap(COORDINATOR, choice, "mit Namen", count=0)
    assert choice.text.startswith("Datenschutz in diesem Netzwerk: mit Namen.")
    for user in PARTNERS:  # told before their next check-in: names from the next round on, earlier answers stay
        [notice] = await harness.api.wait_for_messages(user, 1)
        assert notice.text.startswith("Ein Hinweis zum Datenschutz in „Netzwerk Alleinerziehende Musterstadt“: Ab der "
                                      "nächsten Check-in-Runde sieht die Koordination")
    # The open round opened anonymous and stays so: /digest still shows the closed round, and no names.
    *texts, png = await harness.send(COORDINATOR, "/digest", count=2)
    assert texts[0].text.startswith("Netzpuls-Überblick · Netzwerk Alleinerziehende Musterstadt · Februar 2027")
    assert "Unklarheit" not in texts[0].text and png.kind == "photo"
    assert harness.db.execute("SELECT privacy FROM rounds ORDER BY id").fetchall() == [("anonymous",), ("anonymous",)]
    assert harness.clock.now < MAR_OPENS + timedelta(days=1)
    [overview] = await harness.send(COORDINATOR, "/partners")
    lines = overview.text.splitlines()
    assert lines[lines.index(next(line for line in lines if line.startswith("• Träger 0"))) + 1] == \
        "   diese Runde: beantwortet"
    assert overview.text.count("diese Runde: beantwortet") == 3

    # At the close, the digest brings the urgent signal, counted and unnamed, with what to do without knowing whom.
    harness.clock.now = MAR_CLOSES
    march, _chart = await harness.api.wait_for_messages(COORDINATOR, 2)
    assert march.text.startswith("Netzpuls-Überblick · Netzwerk Alleinerziehende Musterstadt · März 2027")
    assert "🔴 Dringend: Unklarheit über den Nutzen – ein Partner" in march.text and "Träger 0" not in march.text
    assert "1 Partner bewertete „Wie sehr hilft Ihnen das Netzwerk zurzeit bei Ihrer eigenen Arbeit?“ deutlich" \
        in march.text  # counted, never named: three organisations answered
    assert "Tipp (Evaluation): Ein Partner sieht kaum noch Nutzen: Bieten Sie noch diese Woche allen Partnern" \
        in march.text
