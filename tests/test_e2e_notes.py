"""End to end through the local Bot API: a coordinator browses the partners' words with /notes (by success factor and
by round, paged in one message with ◀ ▶, every quote in full with its organisation in a named network); a partner
cannot; /goals shows each partner's goal statement with the vague ones marked, sets the network's goal by typing,
and exports a file for a goal workshop; an anonymous network with two statements shows neither."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from localapi.objects import SentMessage
from tests.e2e import Harness

FEB_OPENS = datetime(2027, 2, 2, 8, 0, tzinfo=UTC)
FEB_CLOSES = datetime(2027, 2, 12, 8, 0, tzinfo=UTC)
JANA = 930  # coordinates the network
PARTNERS = tuple(range(841, 855))  # fourteen partner organisations: their closing words fill more than one message
VAGUE = "Bessere Zusammenarbeit im Netzwerk."
CONCRETE = "Bis Ende 2027 finden 30 Alleinerziehende in Musterstadt einen Ausbildungsplatz."


def organisation(user: int) -> str:
    return f"Beratungsstelle {user - 840:02d}"


def closing(user: int) -> str:
    """A closing text of 300 characters (the step's maximum) that names its partner at both ends."""
    head, tail = f"Anfang {user}: ", f" Ende {user}."
    body = ("Fallkonferenz & Kinderbetreuung <klären> " * 10)[:300 - len(head) - len(tail) - 1] + "x"
    return head + body + tail


async def checkin(harness: Harness, user: int, prompt: SentMessage, statement: str, words: str | None) -> None:
    """Goals clear (5), the goal in one sentence typed, benefit 4, agreements kept, the closing words typed."""
    _intro, goals = await harness.tap(user, prompt, "Jetzt starten", count=2)
    [_statement] = await harness.tap(user, goals, "5")
    [benefit] = await harness.send(user, statement)
    [agreements] = await harness.tap(user, benefit, "4")
    [anything] = await harness.tap(user, agreements, "Ja, alle")
    if words is None:
        await harness.tap(user, anything, "Überspringen")
    else:
        await harness.send(user, words)


async def february(harness: Harness, partners: tuple[int, ...], named: bool, words: bool = True) -> None:
    """Jana's network with these partners (named from its first round, or anonymous); everyone answers February's
    check-in (the first partner's goal statement is vague), and the round closes."""
    network = harness.network("Netzwerk Alleinerziehende Musterstadt")
    await harness.join(JANA, "Jana", harness.invite(network))
    if named:
        [choice] = await harness.send(JANA, "/privacy")
        await harness.tap(JANA, choice, "mit Namen", count=0)
    for user in partners:
        await harness.partner(user_id=user, organisation=organisation(user), network_id=network)
    harness.clock.now = FEB_OPENS
    for index, user in enumerate(partners):
        [prompt] = await harness.api.wait_for_messages(user, 1)
        await checkin(harness, user, prompt, VAGUE if index == 0 else CONCRETE, closing(user) if words else None)
    harness.clock.now = FEB_CLOSES
    await harness.api.wait_for_messages(JANA, 2)  # the digest and its chart
    for user in partners:
        await harness.api.wait_for_messages(user, 1)  # the partners' result
    await harness.handled()


def labels(message: SentMessage) -> list[str]:
    return [label for row in message.buttons() for label in row]


async def test_a_coordinator_pages_through_the_partners_words_and_a_partner_cannot(harness: Harness) -> None:
    await february(harness, PARTNERS, named=True)
    [overview] = await harness.send(JANA, "/notes")
    assert overview.parse_mode == "HTML"
    assert "• Aus dem Netzwerk: 14" in overview.text and "• Gemeinsame Ziele: 14" in overview.text
    # (the test script's agreements question has no levels: its answers are follow-up choices, quoted as words)
    assert labels(overview) == ["Gemeinsame Ziele (14)", "Verbindlichkeit und Verlässlichkeit der Arbeit (14)",
                                "Aus dem Netzwerk (14)", "Nach Runde"]

    # A factor's words: page 1 of 2 in place of the overview, forward, back; each quote once, in full, named.
    sent = harness.api.sent_count(JANA)
    await harness.tap(JANA, overview, "Aus dem Netzwerk (14)", count=0)
    first = overview.text
    assert first.startswith("📝 Aus dem Netzwerk · Seite 1 von 2")
    assert first.count("💬 „Möchten Sie der Koordination noch etwas mitgeben? (optional)“") == 1
    assert labels(overview) == ["▶", "Übersicht"]
    await harness.tap(JANA, overview, "▶", count=0)
    second = overview.text
    assert second.startswith("📝 Aus dem Netzwerk · Seite 2 von 2") and labels(overview) == ["◀", "Übersicht"]
    assert second.count("💬 „Möchten Sie der Koordination noch etwas mitgeben? (optional)“") == 1
    for user in PARTNERS:
        line = f"   – Februar 2027 · {organisation(user)}: „{closing(user)}“"
        assert sum(page.splitlines().count(line) for page in (first, second)) == 1, user
    assert all(len(page.encode("utf-16-le")) // 2 <= 4096 for page in (first, second))
    assert "&amp; Kinderbetreuung &lt;klären&gt;" in overview.raw_text
    await harness.tap(JANA, overview, "◀", count=0)
    assert overview.text == first
    assert harness.api.sent_count(JANA) == sent and overview.edit_count == 3  # edited in place, nothing new sent

    # By round: the list of rounds, then the round's words under their success factor.
    await harness.tap(JANA, overview, "Übersicht", count=0)
    await harness.tap(JANA, overview, "Nach Runde", count=0)
    assert labels(overview) == ["Februar 2027 (42)", "Übersicht"]
    await harness.tap(JANA, overview, "Februar 2027 (42)", count=0)
    page = overview.text.splitlines()
    assert page[0].startswith("📝 Februar 2027 · Seite 1 von ")
    assert page[2] == "Gemeinsame Ziele" and page[3] == "💬 „Wie würden Sie das Ziel des Netzwerks in einem Satz " \
                                                          "beschreiben?“"
    assert f"   – {organisation(PARTNERS[0])}: „{VAGUE}“" in page

    # A stale or forged page is refused like any stale button, and the message stays as it is.
    before = overview.text
    answer = await harness.api.wait_for_callback_answer(harness.api.forge_callback(JANA, overview.message_id,
                                                                                    "w:f:0:7"))
    assert answer.text == "Dieser Knopf ist nicht mehr gültig." and overview.text == before

    # A partner may not use /notes nor its buttons.
    [refusal] = await harness.send(PARTNERS[0], "/notes")
    assert refusal.text == "Dieser Befehl ist nur für die Netzwerkkoordination."
    [carrier] = await harness.send(PARTNERS[0], "/language")
    answer = await harness.api.wait_for_callback_answer(
        harness.api.forge_callback(PARTNERS[0], carrier.message_id, "w:f:0:0"))
    assert answer.text == "Dieser Knopf ist nicht für Sie bestimmt."


async def test_goals_shows_the_statements_sets_the_network_goal_and_exports_for_a_workshop(harness: Harness) -> None:
    partners = PARTNERS[:3]
    await february(harness, partners, named=True, words=False)
    [board] = await harness.send(JANA, "/goals")
    lines = board.text.splitlines()
    assert lines[0] == "🎯 Ziele · Netzwerk Alleinerziehende Musterstadt"
    assert "Noch nicht festgelegt. Tippen Sie auf „Netzwerkziel festlegen“ und schreiben Sie es in einem Satz." \
        in lines
    vague = lines.index(f"• {organisation(partners[0])} · Februar 2027: „{VAGUE}“")
    assert lines[vague + 1] == "   ⚠️ vage, es fehlt: ein überprüfbares Ergebnis, bis wann"
    concrete = lines.index(f"• {organisation(partners[1])} · Februar 2027: „{CONCRETE}“")
    assert lines[concrete + 1].startswith("   ✅ konkret")
    assert labels(board) == ["Netzwerkziel festlegen", "Für den Zielworkshop exportieren"]

    # The coordinator sets the network's goal by typing one sentence; it is checked like the partners' goals.
    [ask] = await harness.tap(JANA, board, "Netzwerkziel festlegen")
    assert ask.text.startswith("Bitte schreiben Sie das Ziel des Netzwerks in einem Satz") and labels(ask) == [
        "Abbrechen"]
    [saved] = await harness.send(JANA, "Mehr Vernetzung")
    assert saved.text.splitlines()[:3] == ["Gespeichert. Das Netzwerkziel:", "„Mehr Vernetzung“",
                                           "⚠️ vage, es fehlt: für wen, ein überprüfbares Ergebnis, bis wann"]
    [hint] = await harness.send(JANA, "Noch ein Satz")  # the next line is no goal any more
    assert "Mehr Vernetzung" not in hint.text
    [ask] = await harness.tap(JANA, board, "Netzwerkziel festlegen")
    [saved] = await harness.send(JANA, CONCRETE)
    assert saved.text.splitlines()[2].startswith("✅ konkret")
    [board] = await harness.send(JANA, "/goals")
    assert f"„{CONCRETE}“" in board.text.split("Die Ziele der Partner")[0]

    # The goal workshop's file: the network goal, every statement with what it misses, three questions.
    [document] = await harness.tap(JANA, board, "Für den Zielworkshop exportieren")
    assert document.kind == "document"
    assert re.fullmatch(r"netzpuls-netzwerk-alleinerziehende-musterstadt-ziele-2027-02-12\.md", document.filename or "")
    text = (document.file or b"").decode("utf-8")
    assert text.startswith("# Zielworkshop · Netzwerk Alleinerziehende Musterstadt")
    assert f"> {CONCRETE}" in text
    assert f"- {organisation(partners[0])} · Februar 2027: „{VAGUE}“ – vage, es fehlt: ein überprüfbares Ergebnis, " \
           "bis wann" in text
    assert all(organisation(user) in text for user in partners)
    assert sum(1 for line in text.splitlines() if re.match(r"[123]\. ", line)) == 3

    # Cancelling: the next line is not taken as the goal.
    [ask] = await harness.tap(JANA, board, "Netzwerkziel festlegen")
    await harness.tap(JANA, ask, "Abbrechen", count=0)
    assert ask.text == "Nichts wurde geändert." and not labels(ask)
    await harness.send(JANA, "Das ist kein Ziel")
    [board] = await harness.send(JANA, "/goals")
    assert "Das ist kein Ziel" not in board.text


async def test_an_anonymous_network_with_two_statements_shows_neither(harness: Harness) -> None:
    partners = PARTNERS[:3]
    network = harness.network("Netzwerk Jugend")
    await harness.join(JANA, "Jana", harness.invite(network))
    for user in partners:
        await harness.partner(user_id=user, organisation=organisation(user), network_id=network)
    harness.clock.now = FEB_OPENS
    for index, user in enumerate(partners):
        [prompt] = await harness.api.wait_for_messages(user, 1)
        if index < 2:
            await checkin(harness, user, prompt, f"Geheimziel {user}", f"Geheimtext {user}")
        else:  # answers, but gives no goal statement nor closing words
            _intro, goals = await harness.tap(user, prompt, "Jetzt starten", count=2)
            await harness.finish_checkin(user, goals)
    harness.clock.now = FEB_CLOSES
    await harness.api.wait_for_messages(JANA, 2)
    [board] = await harness.send(JANA, "/goals")
    assert "2 Aussagen werden zurückgehalten" in board.text
    [overview] = await harness.send(JANA, "/notes")
    for user in partners:
        assert organisation(user) not in board.text and f"Geheimziel {user}" not in board.text
    # three organisations answered the round: its words show, without names
    await harness.tap(JANA, overview, "Aus dem Netzwerk (2)", count=0)
    assert "   – Februar 2027: „Geheimtext 841“" in overview.text.splitlines()
    assert not any(organisation(user) in overview.text for user in partners)
