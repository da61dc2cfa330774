"""End to end: the onboarding check-in after joining, ticking several answers, the paged partners step, a rotation
module and a branch on the organisation's kind, through the local Bot API server."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import Settings
from localapi.objects import SentMessage
from localapi.server import LocalBotApi
from storage.people import organisation_for
from tests.e2e import NOW, Harness

HEAD = """\
version: 1
languages: [de, en]
title: {de: T, en: T}
"""
MONTHLY = HEAD + """id: monthly_checkin
outro: {de: Danke für den Check-in!, en: Thanks!}
modules:
  - {id: quarterly, every: 3, offset: 0}
steps:
  - id: helps
    kind: choice
    multiple: true
    factor: 3
    text: {de: "Was hilft Ihnen?", en: "What helps you?"}
    options:
      - {id: contacts, text: {de: Kontakte, en: Contacts}}
      - {id: cases, text: {de: Fallberatung, en: Case advice}}
      - {id: nothing, text: {de: Nichts, en: Nothing}}
  - id: worked_with
    kind: partners
    factor: 11
    text: {de: "Mit wem haben Sie gearbeitet?", en: "Who did you work with?"}
  - id: rules
    kind: yes_no
    module: quarterly
    factor: 6
    text: {de: "Gibt es Regeln?", en: "Are there rules?"}
    next:
      - if: {context: role, eq: jobcenter}
        then: leadership
      - then: end
  - id: leadership
    kind: yes_no
    factor: 8
    text: {de: "Ist Ihre Leitung dabei?", en: "Is your leadership on board?"}
"""
ONBOARDING = HEAD + """id: onboarding_checkin
intro: {de: Zum Start eine kurze Frage., en: One short question to start.}
outro: {de: "Danke, willkommen!", en: "Thanks, welcome!"}
steps:
  - id: expectations
    kind: choice
    multiple: true
    factor: 3
    text: {de: "Was erwarten Sie?", en: "What do you expect?"}
    options:
      - {id: contacts, text: {de: Kontakte, en: Contacts}}
      - {id: referrals, text: {de: Vermittlungen, en: Referrals}}
"""


@pytest.fixture
def settings(api: LocalBotApi, tmp_path: Path, settings: Settings) -> Settings:
    """The usual test settings, with a dialogs folder holding the two scripts above."""
    dialogs = tmp_path / "dialogs"
    dialogs.mkdir()
    (dialogs / "monthly_checkin.yaml").write_text(MONTHLY, encoding="utf-8")
    (dialogs / "onboarding_checkin.yaml").write_text(ONBOARDING, encoding="utf-8")
    return replace(settings, dialogs_dir=dialogs)


def labels(message: SentMessage) -> list[str]:
    """The button labels of a message as it looks now."""
    markup = message.reply_markup or {}
    return [button["text"] for row in markup.get("inline_keyboard", []) for button in row]


def answers(harness: Harness) -> list[tuple[str, str, str]]:
    """(script, step, JSON value) of every stored answer."""
    return harness.db.execute("SELECT script_id, step_id, value_json FROM answers ORDER BY id").fetchall()


async def test_onboarding_ticks_partners_module_and_role(harness: Harness) -> None:
    network = harness.network()
    for n in range(1, 11):  # ten other organisations: two pages of partners
        organisation_for(harness.db, network, f"Träger {n:02d}", NOW)
    harness.api.add_user(501, "Anna")
    [consent] = await harness.send(501, f"/start {harness.invite(network, 'Jobcenter Musterstadt')}")
    [language] = await harness.tap(501, consent, "Ich stimme zu")
    welcome, expectations = await harness.tap(501, language, "Deutsch", count=2)
    assert welcome.text.startswith("Willkommen, Anna!") and welcome.text.endswith("\n\nZum Start eine kurze Frage.")
    assert labels(expectations) == ["Kontakte", "Vermittlungen", "Fertig"]
    await harness.tap(501, expectations, "Fertig", count=0)
    assert answers(harness) == []  # nothing ticked: "Fertig" is refused, nothing stored
    await harness.tap(501, expectations, "Vermittlungen", count=0)
    assert labels(expectations) == ["Kontakte", "✓ Vermittlungen", "Fertig"]
    [outro] = await harness.tap(501, expectations, "Fertig")
    assert outro.text.startswith("Danke, willkommen!") and "✓ Vermittlungen" in expectations.text
    assert labels(outro) == ["Antworten mit Namen an die Koordination geben"]  # an anonymous network

    [helps] = await harness.send(501, "/checkin")
    for label in ("Kontakte", "Fallberatung", "✓ Kontakte", "Kontakte"):  # ticked, unticked, ticked again
        await harness.tap(501, helps, label, count=0)
    assert labels(helps) == ["✓ Kontakte", "✓ Fallberatung", "Nichts", "Fertig"]
    [partners] = await harness.tap(501, helps, "Fertig")
    assert "Seite 1 von 2" in partners.text and labels(partners)[-2:] == ["▶", "Keine davon"]
    assert "Jobcenter Musterstadt" not in " ".join(labels(partners))  # not one's own organisation
    await harness.tap(501, partners, "Träger 02", count=0)
    await harness.tap(501, partners, "▶", count=0)
    assert "Seite 2 von 2" in partners.text and "Träger 09" in labels(partners)
    await harness.tap(501, partners, "Träger 10", count=0)
    [rules] = await harness.tap(501, partners, "Fertig")
    assert "Träger 02, Träger 10" in partners.text
    [leadership] = await harness.tap(501, rules, "Ja")  # a jobcenter: the branch on its kind
    assert "Leitung" in leadership.text
    [done] = await harness.tap(501, leadership, "Nein")
    assert done.text == "Danke für den Check-in!"
    ids = dict(harness.db.execute("SELECT name, id FROM organisations").fetchall())
    assert answers(harness) == [
        ("onboarding_checkin", "expectations", '["referrals"]'),
        ("monthly_checkin", "helps", '["contacts", "cases"]'),
        ("monthly_checkin", "worked_with", f'["{ids["Träger 02"]}", "{ids["Träger 10"]}"]'),
        ("monthly_checkin", "rules", "true"),
        ("monthly_checkin", "leadership", "false")]
    checkin = harness.db.execute("SELECT checkin_id FROM answers WHERE step_id = 'helps'").fetchone()[0]
    query = harness.api.forge_callback(501, helps.message_id, f"a:{checkin}:helps:_done")  # a stale second "Fertig"
    await harness.api.wait_for_callback_answer(query)
    assert len(answers(harness)) == 5
    [listing] = await harness.send(501, "/answers")
    assert "→ Kontakte, Fallberatung" in listing.text and "→ Träger 02, Träger 10" in listing.text
    assert labels(listing) == ["3", "4"]  # ticked answers are not changed one tap at a time
