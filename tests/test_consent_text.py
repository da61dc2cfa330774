"""The consent text says what applies: the network's setting, the controller and the data-protection contact (or
plainly that the operator has not named them), Telegram and its privacy policy; the settings that name them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings
from bot.core.consent import CONSENT_VERSION, ConsentTerms
from bot.i18n import Catalogs
from bot.usecases.consent import consent_body, renewal_text
from tests.e2e import TEST_CONTROLLER, TEST_PRIVACY_CONTACT

NAMED = Settings(controller=TEST_CONTROLLER, privacy_contact=TEST_PRIVACY_CONTACT)


def test_unnamed_controller_and_contact_are_said_plainly(catalogs: Catalogs) -> None:
    text = "\n\n".join(consent_body(catalogs.gettext("de"), Settings(), "anonymous"))
    assert ("Verantwortlich für Ihre Daten (Verantwortlicher nach DSGVO): vom Betreiber dieses Bots noch nicht "
            "benannt.\nAnsprechperson für Datenschutz: vom Betreiber dieses Bots noch nicht benannt.") in text
    english = "\n\n".join(consent_body(catalogs.gettext("en"), Settings(controller="Stadt X"), "named"))
    assert "(the controller under the GDPR): Stadt X.\nData protection contact: not named by the operator" in english
    assert "This network is set to \"named\"" in english and "https://telegram.org/privacy" in english


def test_the_renewal_says_why_it_asks(catalogs: Catalogs) -> None:
    _ = catalogs.gettext("de")
    switched = renewal_text(_, "Netz", NAMED, "named", ConsentTerms(CONSENT_VERSION, "anonymous"))
    assert switched.startswith("Ein Hinweis zum Datenschutz in „Netz“: Ab der nächsten Check-in-Runde")
    assert "Bis dahin bekommen Sie keine Check-ins." in switched and "„mit Namen“ eingestellt" in switched
    changed = renewal_text(_, "Netz", NAMED, "anonymous", ConsentTerms(CONSENT_VERSION - 1, "anonymous"))
    assert changed.startswith("Die Einwilligungserklärung von Netzpuls hat sich geändert")
    assert f"{TEST_CONTROLLER}." in changed and changed.endswith("Sind Sie einverstanden?")
    assert len(changed) < 4096 and len(switched) < 4096


def test_the_terms_of_a_button_read_back() -> None:
    for terms in (ConsentTerms(4, "anonymous"), ConsentTerms(12, "named")):
        assert ConsentTerms.read(terms.word) == terms
    assert [ConsentTerms.read(word) for word in (None, "", "4", "4x", "04a", "a4")] == [None] * 6


def test_controller_and_contact_come_from_the_environment(tmp_path: Path) -> None:
    settings = load_settings({"NETZPULS_CONTROLLER": " Stadt Musterstadt, Marktplatz 1 ",
                              "NETZPULS_PRIVACY_CONTACT": "datenschutz@musterstadt.example"}, tmp_path / "none")
    assert (settings.controller, settings.privacy_contact) == ("Stadt Musterstadt, Marktplatz 1",
                                                               "datenschutz@musterstadt.example")
    assert (load_settings({}, tmp_path / "none").controller, Settings().privacy_contact) == (None, None)


@pytest.mark.parametrize(("key", "value"), [("NETZPULS_CONTROLLER", "x" * 301),
                                            ("NETZPULS_PRIVACY_CONTACT", "Frau A\nZimmer 3")])
def test_a_controller_or_contact_too_long_for_the_text_is_refused(tmp_path: Path, key: str, value: str) -> None:
    with pytest.raises(ConfigError, match=key):
        load_settings({key: value}, tmp_path / "none")
