"""The bot introduces itself: at start it sets its description and short description per language over the local
Bot API, only where Telegram has another text, and a failure of these calls stops nothing."""

from __future__ import annotations

import logging

import pytest

from bot.i18n import Catalogs
from bot.telegram.introduction import (
    DESCRIPTION_LIMIT,
    SHORT_DESCRIPTION_LIMIT,
    description,
    languages,
    short_description,
)
from localapi.entities import utf16_len
from tests.e2e import Harness

SETTERS = ("setMyDescription", "setMyShortDescription")
GETTERS = ("getMyDescription", "getMyShortDescription")


def _calls(harness: Harness, since: int, methods: tuple[str, ...]) -> list[tuple[str, str]]:
    """(method, language code) of the calls of these methods since request number `since`."""
    return [(r.method, str(r.params.get("language_code", ""))) for r in harness.api.requests[since:]
            if r.method in methods]


def test_the_texts_fit_telegrams_limits_in_every_language(catalogs: Catalogs) -> None:
    for _code, locale in languages():
        _ = catalogs.gettext(locale)
        for text, limit in ((description(_), DESCRIPTION_LIMIT), (short_description(_), SHORT_DESCRIPTION_LIMIT)):
            assert 0 < max(len(text), utf16_len(text)) <= limit, (locale, len(text))
    assert description(catalogs.gettext("de")) != description(catalogs.gettext("en"))


async def test_the_description_is_set_once_per_language_and_not_again_when_unchanged(harness: Harness,
                                                                                     catalogs: Catalogs) -> None:
    de, en = catalogs.gettext("de"), catalogs.gettext("en")
    assert harness.api.description() == harness.api.description("de") == description(de)
    assert harness.api.description("en") == description(en)
    assert harness.api.description(short=True) == harness.api.description("de", short=True) == short_description(de)
    assert harness.api.description("en", short=True) == short_description(en)
    assert "Netzpuls" in description(de) and "Einladungslink" in description(de)
    assert sorted(_calls(harness, 0, SETTERS)) == sorted((method, code) for method in SETTERS
                                                         for code in ("", "de", "en"))

    since = len(harness.api.requests)
    await harness.restart()
    assert _calls(harness, since, SETTERS) == []  # unchanged: looked at, not set again
    assert len(_calls(harness, since, GETTERS)) == 6

    harness.api.profile_texts[("short", "en")] = "An older text"  # e.g. set by hand in @BotFather
    since = len(harness.api.requests)
    await harness.restart()
    assert _calls(harness, since, SETTERS) == [("setMyShortDescription", "en")]
    assert harness.api.description("en", short=True) == short_description(en)


async def test_a_failing_description_call_stops_nothing(harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    harness.api.profile_texts.clear()
    harness.api.fail_next("getMyDescription", 400, "Bad Request: not today")
    with caplog.at_level(logging.WARNING, logger="bot.telegram.introduction"):
        await harness.restart()
    assert [r.getMessage() for r in caplog.records if r.name == "bot.telegram.introduction"] == [
        "could not set the bot's description (it works without): Not today"]
    assert harness.api.description() == ""  # nothing set this time; the next start tries again
    harness.api.add_user(700, "Otto")
    [answer] = await harness.send(700, "/help")  # the bot runs
    assert "Einladungslink" in answer.text
