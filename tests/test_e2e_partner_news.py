"""What partners tell the coordination reaches it, over the local Bot API: the onboarding answers when a partner
joins, the exit answers when it leaves, in an anonymous network only when the partner gives them by name, and a
free text of an anonymous round quoted by name only where its partner allowed it."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import Settings
from bot.usecases.scripts import ScriptRegistry
from localapi.server import LocalBotApi, SentMessage
from storage.history import load_history
from storage.reports import set_privacy
from tests.e2e import ADMIN_ID, NOW, ROOT, TEST_DIALOGS, Harness

COORDINATOR = 100
ROUND_OPENS = datetime(2027, 2, 2, 8, 0, tzinfo=UTC)  # the first Tuesday of February, 09:00 in Berlin
GOAL = "Mehr Alleinerziehende\nin Arbeit bringen"
SUCCESSOR = "Bea Berg, 0171 1234"
STATEMENT = "Alle Alleinerziehenden im Landkreis finden in sechs Wochen einen Kitaplatz"


@pytest.fixture
def settings(api: LocalBotApi, tmp_path: Path) -> Settings:
    """The test's monthly script plus the shipped onboarding and exit check-ins."""
    dialogs = tmp_path / "dialogs"
    dialogs.mkdir()
    shutil.copy(TEST_DIALOGS / "monthly_checkin.yaml", dialogs)
    for shipped in ("onboarding_checkin.yaml", "exit_checkin.yaml"):
        shutil.copy(ROOT / "dialogs" / shipped, dialogs)
    return Settings(token=api.token, api_url=api.base_url, db_path=tmp_path / "netzpuls.db",
                    admins=frozenset({ADMIN_ID}), locales_dir=ROOT / "locales", dialogs_dir=dialogs,
                    tick_seconds=0.05, send_timeout=1.0, send_rate=1000.0, chat_rate=1000.0,
                    health_port=0)


async def _network(harness: Harness, privacy: str) -> int:
    """A network with its coordinator (German), named or anonymous."""
    network = harness.network("Netz Süd")
    if privacy == "named":
        set_privacy(harness.db, network, "named", NOW)
    await harness.join(COORDINATOR, "Clara", harness.invite(network))
    harness.api.new_messages(COORDINATOR)
    return network


DONE = {"en": "Done", "de": "Fertig"}
SKIP = {"en": "Skip", "de": "Überspringen"}
THANKS = {"en": "Thank you", "de": "Danke"}
AGREE = {"en": "I agree", "de": "Ich stimme zu"}
LANGUAGE = {"en": "English", "de": "Deutsch"}


async def _onboard(harness: Harness, network: int, user: int = 501, locale: str = "en",
                   organisation: str = "Jobcenter Musterstadt") -> SentMessage:
    """A partner joins and answers the onboarding check-in (the first option, two ticked where several may be, its
    goal typed); the thanks."""
    harness.api.add_user(user, "Anna", language_code=locale)
    [consent] = await harness.send(user, f"/start {harness.invite(network, organisation)}")
    [language] = await harness.tap(user, consent, AGREE[locale])
    _welcome, step = await harness.tap(user, language, LANGUAGE[locale], count=2)  # the intro in the welcome
    while not step.text.startswith(THANKS[locale]):
        labels = [label for row in step.buttons() for label in row]
        if labels == [SKIP[locale]]:
            [step] = await harness.send(user, GOAL)
        elif DONE[locale] in labels:
            for label in (labels[0], labels[2]):
                await harness.tap(user, step, label, count=0)
            [step] = await harness.tap(user, step, DONE[locale])
        else:
            [step] = await harness.tap(user, step, labels[0])
    return step


async def test_a_named_network_s_coordinator_reads_the_onboarding_answers_in_full(harness: Harness) -> None:
    network = await _network(harness, "named")
    thanks = await _onboard(harness, network)
    assert thanks.buttons() == []  # named: nothing to give by name
    [news] = await harness.api.wait_for_messages(COORDINATOR, 1, timeout=10)
    assert news.text.startswith("Jobcenter Musterstadt (Anna) ist „Netz Süd“ beigetreten.")
    # the coordinator's language (German), not the partner's (English); the goal in full, on one line, in quotes
    assert "Was erwarten Sie vom Netzwerk?\n→ Kurze Wege zu anderen Stellen, Die anderen Angebote kennenlernen" \
        in news.text
    assert "→ „Mehr Alleinerziehende in Arbeit bringen“" in news.text
    assert ("Was kann Ihre Organisation ins Netzwerk einbringen?\n→ Fachwissen und Beratung, Mitarbeit an gemeinsamen "
            "Aufgaben") in news.text
    assert "Wie viel Zeit können Sie im Monat etwa für das Netzwerk einplanen?\n→ Bis zu zwei Stunden" in news.text
    await harness.restart()  # sent once, also after a restart
    harness.clock.advance(minutes=1)
    await harness.api.wait_until(lambda: harness.db.execute(
        "SELECT COUNT(*) FROM outbox WHERE status = 'queued'").fetchone()[0] == 0)
    assert [m for m in harness.api.new_messages(COORDINATOR)] == []
    assert harness.db.execute("SELECT COUNT(*) FROM outbox WHERE kind = 'partner_news'").fetchone()[0] == 1


async def _leave(harness: Harness, user: int) -> SentMessage:
    """/leave, confirmed: the exit check-in's first question."""
    [question] = await harness.send(user, "/leave")
    intro, first = await harness.tap(user, question, "Yes, leave", count=2)
    assert "sorry to see you go" in intro.text
    return first


async def test_leaving_tells_the_coordinator_the_reasons_and_the_successor(harness: Harness) -> None:
    network = await _network(harness, "named")
    await _onboard(harness, network)
    await harness.api.wait_for_messages(COORDINATOR, 1, timeout=10)
    first = await _leave(harness, 501)
    [settled] = await harness.tap(501, first, "New job or role")
    [_successor] = await harness.tap(501, settled, "Yes")
    [note] = await harness.send(501, SUCCESSOR)
    [recommend] = await harness.tap(501, note, "Skip")  # what the successor should know (exit check-in version 2)
    [change] = await harness.tap(501, recommend, "4")
    [thanks] = await harness.send(501, "Mehr gemeinsame\nFallkonferenzen")
    assert thanks.text.startswith("Thank you for your work") and thanks.buttons() == []
    [news] = await harness.api.wait_for_messages(COORDINATOR, 1, timeout=10)
    assert news.text.startswith("Jobcenter Musterstadt (Anna) hat „Netz Süd“ verlassen.")
    assert "Was ist der wichtigste Grund, dass Ihre Mitarbeit im Netzwerk endet?\n→ Neue Stelle oder Aufgabe" \
        in news.text
    assert "→ „Bea Berg, 0171 1234“" in news.text and "→ „Mehr gemeinsame Fallkonferenzen“" in news.text
    assert "übernimmt?" in news.text and change.text


async def test_leaving_without_finishing_the_exit_questions_is_said_a_day_later(harness: Harness) -> None:
    network = await _network(harness, "named")
    await _onboard(harness, network)
    await harness.api.wait_for_messages(COORDINATOR, 1, timeout=10)
    first = await _leave(harness, 501)
    await harness.tap(501, first, "Too little benefit")
    harness.clock.advance(hours=25)
    [news] = await harness.api.wait_for_messages(COORDINATOR, 1, timeout=10)
    assert news.text.startswith("Jobcenter Musterstadt (Anna) hat „Netz Süd“ verlassen.")
    assert "nicht zu Ende beantwortet" in news.text and "→ Zu wenig Nutzen" in news.text
    assert harness.db.execute("SELECT status, expired_at IS NOT NULL FROM checkins WHERE script_id = 'exit_checkin'"
                              ).fetchone() == ("done", 1)


async def test_an_anonymous_network_gets_the_answers_only_when_the_partner_gives_them(harness: Harness) -> None:
    network = await _network(harness, "anonymous")
    thanks = await _onboard(harness, network)
    assert thanks.buttons() == [["Share my answers with the coordinator by name"]]
    assert "only without your name" in thanks.text
    [news] = await harness.api.wait_for_messages(COORDINATOR, 1, timeout=10)
    assert news.text.startswith("Jobcenter Musterstadt (Anna) ist „Netz Süd“ beigetreten")
    assert "anonym" in news.text and "Alleinerziehende" not in news.text and "Kurze Wege" not in news.text

    await harness.tap(501, thanks, "Share my answers with the coordinator by name", count=0)
    [named] = await harness.api.wait_for_messages(COORDINATOR, 1, timeout=10)
    assert named.text.startswith("Jobcenter Musterstadt (Anna) gibt Ihnen die Antworten vom Beitritt")
    assert "→ „Mehr Alleinerziehende in Arbeit bringen“" in named.text
    assert thanks.buttons() == [["✓ Answers given to the coordinator by name"]]
    query = harness.api.forge_callback(501, thanks.message_id, thanks.reply_markup["inline_keyboard"][0][0][  # type: ignore[index]
        "callback_data"])
    again = await harness.api.wait_for_callback_answer(query)
    assert again.text == "The coordination already has your answers with your name."
    checkin = harness.db.execute("SELECT id FROM checkins WHERE script_id = 'onboarding_checkin'").fetchone()[0]
    harness.api.add_user(502, "Otto", language_code="de")
    forged = await harness.api.wait_for_callback_answer(harness.api.forge_callback(502, 1, f"g:{checkin}"))
    assert forged.text in ("Dieser Knopf ist nicht mehr gültig.", "Dieser Knopf ist nicht für Sie gedacht.")
    harness.clock.advance(minutes=1)
    await harness.api.wait_until(lambda: harness.db.execute(
        "SELECT COUNT(*) FROM outbox WHERE status = 'queued'").fetchone()[0] == 0)
    assert harness.api.new_messages(COORDINATOR) == []  # given once
    assert harness.db.execute("SELECT COUNT(*) FROM outbox WHERE dedupe_key LIKE 'shared:%'").fetchone()[0] == 1


async def test_a_free_text_of_an_anonymous_round_is_quoted_by_name_only_where_allowed(harness: Harness) -> None:
    network = await _network(harness, "anonymous")
    for user, organisation in ((601, "Kita Sonnenschein"), (602, "Diakonie Nord")):
        await _onboard(harness, network, user, "de", organisation)
    harness.clock.now = ROUND_OPENS
    [prompt] = await harness.api.wait_for_messages(601, 1, timeout=10)
    _intro, goals = await harness.tap(601, prompt, "Jetzt starten", count=2)
    [statement] = await harness.tap(601, goals, "5")
    [benefit] = await harness.send(601, STATEMENT)
    [agreements] = await harness.tap(601, benefit, "4")
    [anything] = await harness.tap(601, agreements, "Ja, alle")
    [thanks] = await harness.tap(601, anything, "Überspringen")
    assert "nur ohne Ihren Namen" in thanks.text and statement.text
    [[label], [change]] = thanks.buttons()
    assert change == "Antworten ändern"  # the round is open: its answers can still change
    assert label == "Mit unserem Namen zitieren: „Alle Alleinerziehenden im…“"  # cut at a word, within 64
    assert len(label) <= 64
    answer_id, flag = harness.db.execute("SELECT id, quote_named FROM answers WHERE step_id = 'goal_statement'"
                                         ).fetchone()
    assert flag == 0
    # Another partner's forged button for this answer: refused as stale, nothing changes.
    query = harness.api.forge_callback(602, 1, f"q:{answer_id}")
    refused = await harness.api.wait_for_callback_answer(query)
    assert refused.text == "Dieser Knopf ist nicht mehr gültig."
    assert harness.db.execute("SELECT quote_named FROM answers WHERE id = ?", [answer_id]).fetchone() == (0,)

    await harness.tap(601, thanks, label, count=0)
    await harness.api.wait_until(lambda: thanks.buttons() != [[label], [change]])
    assert thanks.buttons() == [["✓ Mit unserem Namen zitierbar: „Alle Alleinerziehenden im…“"], [change]]
    assert harness.db.execute("SELECT quote_named FROM answers WHERE id = ?", [answer_id]).fetchone() == (1,)
    history = load_history(harness.db, network, ScriptRegistry(harness.db).version)
    [quoted] = [a for a in history.answers if a.step_id == "goal_statement"]
    assert quoted.quote_named and quoted.value == STATEMENT
    assert not any(a.quote_named for a in history.answers if a.step_id != "goal_statement")
