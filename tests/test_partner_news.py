"""What the coordinators read when a partner joins or leaves (bot/core/partner_news.py), the labels of the buttons
that give answers by name, and m015 (answers.quote_named) on a database made before it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlite_utils import Database

from bot.core.partner_news import (
    MAX_BUTTON,
    Departure,
    ExitState,
    Telling,
    Who,
    fitted,
    joined_text,
    left_text,
    quote_button,
    share_button,
)
from bot.core.script.loader import load_script_file
from bot.core.script.model import Script, Value
from bot.i18n import Catalogs
from storage.checkins import StepRecord, get_checkin, record_step, revise_answer, start_checkin
from storage.db import open_db
from storage.migrations import migrations
from storage.partner_news import TextAnswer, allow_quote_named, text_answers
from storage.people import create_invite, create_network, organisation_for, redeem_invite
from tests.e2e import NOW, ROOT

WHO = Who("Jobcenter Musterstadt", "Anna", "Netz Süd")
GOAL = "Mehr Alleinerziehende\nin Arbeit   bringen"
ONBOARDING: list[tuple[str, Value]] = [("expectations", ("quick_contacts", "joint_projects")), ("own_goal", GOAL),
              ("goal_source", "not_yet"), ("contribution", ("expertise",)), ("time_for_network", "up_to_2h")]


@pytest.fixture(scope="module")
def onboarding() -> Script:
    """The shipped onboarding check-in."""
    return load_script_file(ROOT / "dialogs" / "onboarding_checkin.yaml")


@pytest.fixture(scope="module")
def exit_script() -> Script:
    """The shipped exit check-in."""
    return load_script_file(ROOT / "dialogs" / "exit_checkin.yaml")


def test_a_named_network_reads_every_onboarding_answer_in_full_in_the_coordinators_language(
        onboarding: Script, catalogs: Catalogs) -> None:
    text = joined_text(WHO, onboarding, ONBOARDING, "named", "de", catalogs.gettext("de"))
    assert text == (
        "Jobcenter Musterstadt (Anna) ist „Netz Süd“ beigetreten. Die Antworten auf die Fragen für neue Partner:\n\n"
        "Was erwarten Sie vom Netzwerk?\n→ Kurze Wege zu anderen Stellen, Gemeinsame Projekte\n\n"
        "Was möchten Sie mit Ihrer Organisation im Netzwerk erreichen? Ein Satz genügt.\n"
        "→ „Mehr Alleinerziehende in Arbeit bringen“\n\n"
        "Wie haben Sie vom gemeinsamen Ziel des Netzwerks erfahren?\n→ Ich kenne es noch nicht\n\n"
        "Was kann Ihre Organisation ins Netzwerk einbringen?\n→ Fachwissen und Beratung\n\n"
        "Wie viel Zeit können Sie im Monat etwa für das Netzwerk einplanen?\n→ Bis zu zwei Stunden")
    english = joined_text(WHO, onboarding, ONBOARDING, "named", "en", catalogs.gettext("en"))
    assert "What do you expect from the network?\n→ Quick access to other services, Joint projects" in english
    assert "→ “Mehr Alleinerziehende in Arbeit bringen”" in english  # the partner's words as written, one line


def test_an_anonymous_network_reads_who_joined_but_not_the_answers(onboarding: Script, catalogs: Catalogs) -> None:
    text = joined_text(WHO, onboarding, ONBOARDING, "anonymous", "de", catalogs.gettext("de"))
    assert text.startswith("Jobcenter Musterstadt (Anna) ist „Netz Süd“ beigetreten")
    assert "bleiben die Antworten anonym" in text
    assert "Alleinerziehende" not in text and "Kurze Wege" not in text and "Bis zu zwei" not in text


def test_answers_given_by_name_afterwards_come_with_the_name(onboarding: Script, catalogs: Catalogs) -> None:
    text = joined_text(WHO, onboarding, ONBOARDING, "shared", "en", catalogs.gettext("en"))
    assert text.startswith("Jobcenter Musterstadt (Anna) gives you by name its answers from joining \"Netz Süd\":")
    assert "→ Up to two hours" in text


EXIT: list[tuple[str, Value]] = [("exit_reason", "job_change"), ("handover_settled", True),
                                  ("successor", "Bea Berg,\n0171 1234"), ("recommend", 4), ("what_change", None)]


def test_leaving_with_the_exit_answers_names_the_reason_and_the_successor(exit_script: Script,
                                                                           catalogs: Catalogs) -> None:
    text = left_text(WHO, exit_script, EXIT, "finished", "named", "left", "de", catalogs.gettext("de"))
    assert text == (
        "Jobcenter Musterstadt (Anna) hat „Netz Süd“ verlassen.\n\nDie Antworten auf die Fragen zum Abschied:\n\n"
        "Was ist der wichtigste Grund, dass Ihre Mitarbeit im Netzwerk endet?\n→ Neue Stelle oder Aufgabe\n\n"
        "Ist schon geregelt, wer Ihre Aufgaben und Absprachen im Netzwerk übernimmt?\n→ Ja\n\n"
        "Wer übernimmt? Bitte Name und Kontakt, wenn die Person damit einverstanden ist – sonst einfach "
        "überspringen.\n→ „Bea Berg, 0171 1234“\n\n"
        "Würden Sie anderen Organisationen empfehlen, im Netzwerk mitzuarbeiten?\n→ 4\n\n"
        "Was sollte das Netzwerk besser machen? (optional)\n→ übersprungen")


@pytest.mark.parametrize(("exit_state", "telling", "departure", "present", "absent"), [
    ("unfinished", "named", "left", ["has left", "were not finished", "What was answered:", "New job or role"],
     ["The answers to the questions on leaving"]),
    ("unfinished", "anonymous", "left", ["has left", "were not finished"], ["New job or role", "Bea Berg"]),
    ("finished", "anonymous", "left", ["has left", "stay anonymous"], ["New job or role", "Bea Berg"]),
    ("none", "named", "left", ["has left"], ["questions on leaving", "New job"]),
    ("finished", "named", "replaced", ["Anna is no longer the contact person of Jobcenter Musterstadt", "Bea Berg"],
     ["has left"]),
    ("finished", "named", "stepped_down", ["Anna is no longer responsible for Jobcenter Musterstadt", "stays in the",
                                           "Bea Berg"], ["has left", "has taken over"]),
])
def test_how_a_partner_left_is_said(exit_script: Script, catalogs: Catalogs, exit_state: ExitState, telling: Telling,
                                    departure: Departure, present: list[str], absent: list[str]) -> None:
    text = left_text(WHO, exit_script, EXIT[:3] if exit_state == "unfinished" else EXIT, exit_state, telling,
                     departure, "en", catalogs.gettext("en"))
    assert all(part in text for part in present), text
    assert not any(part in text for part in absent), text


@pytest.mark.parametrize("text", [
    "kurz", "Wir brauchen dringend mehr Plätze in der Kinderbetreuung am Nachmittag und in den Ferien",
    "Ein" + "sehrlangeswort" * 8, "Zeile eins\nZeile zwei " * 10])
@pytest.mark.parametrize("locale", ["de", "en"])
def test_a_quote_button_fits_and_cuts_at_a_word(catalogs: Catalogs, text: str, locale: str) -> None:
    _ = catalogs.gettext(locale)
    for done in (False, True):
        label = quote_button(text, done, _)
        assert len(label) <= MAX_BUTTON and "\n" not in label
        start = label.split("„" if locale == "de" else "“", 1)[1].rstrip("“”")
        if start.endswith("…"):
            assert " ".join(text.split()).startswith(start[:-1])
            following = " ".join(text.split())[len(start) - 1:]
            assert following.startswith(" ") or " " not in start  # a whole word, unless it is the only one
        else:
            assert start == " ".join(text.split())
    assert quote_button("kurz", False, catalogs.gettext("de")) == "Mit unserem Namen zitieren: „kurz“"


def test_fitted_cuts_before_the_word_that_does_not_fit() -> None:
    assert fitted("Q: {start}", "eins zwei drei vier", limit=15) == "Q: eins zwei…"
    assert fitted("Q: {start}", "eins zwei drei", limit=17) == "Q: eins zwei drei"


def test_the_share_button_in_both_languages(catalogs: Catalogs) -> None:
    assert share_button(False, catalogs.gettext("de")) == "Antworten mit Namen an die Koordination geben"
    assert share_button(False, catalogs.gettext("en")) == "Share my answers with the coordinator by name"
    assert share_button(True, catalogs.gettext("de")).startswith("✓ ")


def test_m015_adds_quote_named_to_the_answers_of_an_existing_database(tmp_path: Path) -> None:
    """Answers stored before m015 may not be quoted by name until their partner allows it."""
    path = tmp_path / "old.db"
    old = Database(str(path))
    migrations.apply(old, stop_before="m015_answer_quote_named")
    stamp = NOW.isoformat()
    old.execute("INSERT INTO networks (id, name, created_at) VALUES (1, 'Netz', ?)", [stamp])
    old.execute("INSERT INTO organisations (id, network_id, name, created_at) VALUES (1, 1, 'Kita', ?)", [stamp])
    old.execute("INSERT INTO users (id, first_name, locale, created_at) VALUES (5, 'Eva', 'de', ?)", [stamp])
    old.execute("INSERT INTO memberships (id, network_id, user_id, role, organisation_id, consent_version, joined_at)"
                " VALUES (1, 1, 5, 'partner', 1, 3, ?)", [stamp])
    old.execute("INSERT INTO checkins (id, membership_id, network_id, organisation_id, script_id, script_version,"
                " state, status, started_at, updated_at) VALUES (1, 1, 1, 1, 'monthly_checkin', 2, '{}', 'done', ?, ?)",
                [stamp, stamp])
    old.execute("INSERT INTO answers (checkin_id, membership_id, network_id, organisation_id, script_id,"
                " script_version, step_id, revision, kind, value_json, answered_at) VALUES (1, 1, 1, 1,"
                " 'monthly_checkin', 2, 'anything_else', 0, 'text', '\"Danke\"', ?)", [stamp])
    old.conn.commit()
    assert "quote_named" not in {column.name for column in old["answers"].columns}
    old.close()
    db = open_db(path)
    assert db.execute("SELECT step_id, quote_named FROM answers").fetchall() == [("anything_else", 0)]
    db.close()


def test_a_revised_text_is_a_new_answer_without_the_permission(db: Database) -> None:
    """The permission belongs to the revision it was given for: a revision is not quotable by name, and the button of
    the revised answer is stale; someone else may never give it."""
    network = create_network(db, "Netz", NOW)
    token = create_invite(db, network, "partner", organisation_for(db, network, "Kita", NOW), NOW, 14).token
    member = redeem_invite(db, token, 5, "Eva", "de", 3, NOW)
    checkin = start_checkin(db, member, "monthly_checkin", 2, "{}", NOW)
    assert record_step(db, checkin, StepRecord("anything_else", "text", None, True, "Erste Fassung", "{}", True), NOW)
    [first] = text_answers(db, checkin.id)
    assert allow_quote_named(db, first.answer_id, user_id=6) is None  # not theirs
    assert allow_quote_named(db, first.answer_id, user_id=5) == TextAnswer(first.answer_id, "Erste Fassung", True)
    done = get_checkin(db, checkin.id)
    assert done is not None
    assert revise_answer(db, done, StepRecord("anything_else", "text", None, True, "Zweite Fassung", "{}", True), NOW)
    [second] = text_answers(db, checkin.id)
    assert second.text == "Zweite Fassung" and not second.quote_named
    assert allow_quote_named(db, first.answer_id, user_id=5) is None  # revised since: stale
