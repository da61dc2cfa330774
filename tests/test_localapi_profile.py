"""The local Bot API keeps the bot's description and short description per language, as Telegram does: a real
python-telegram-bot Bot sets and reads them over HTTP, within the spec's limits and language codes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot, BotCommand
from telegram.error import BadRequest

from localapi.server import LocalBotApi


@pytest.fixture
async def server() -> AsyncIterator[LocalBotApi]:
    """A fresh local Bot API server."""
    async with LocalBotApi() as running:
        yield running


@pytest.fixture
async def bot(server: LocalBotApi) -> AsyncIterator[Bot]:
    """A python-telegram-bot Bot talking to it."""
    async with Bot(server.token, base_url=server.base_url) as client:
        yield client


async def test_descriptions_are_kept_per_language(server: LocalBotApi, bot: Bot) -> None:
    assert (await bot.get_my_description()).description == ""
    assert await bot.set_my_description("Standard")
    assert await bot.set_my_description("Deutsch", language_code="de")
    assert await bot.set_my_short_description("Short", language_code="en")
    assert (await bot.get_my_description()).description == "Standard"
    assert (await bot.get_my_description(language_code="de")).description == "Deutsch"
    assert (await bot.get_my_description(language_code="en")).description == ""  # exactly that language's text
    assert (await bot.get_my_short_description(language_code="en")).short_description == "Short"
    assert (await bot.get_my_short_description()).short_description == ""
    assert (server.description(), server.description("de"), server.description("en", short=True)) == (
        "Standard", "Deutsch", "Short")
    assert await bot.set_my_description("", language_code="de")  # an empty text removes that language's
    assert await bot.set_my_description()  # and so does none
    assert (server.description(), server.description("de")) == ("", "")
    assert server.description("en", short=True) == "Short"
    assert server.errors == []


async def test_the_limits_of_the_spec_hold(server: LocalBotApi, bot: Bot) -> None:
    assert await bot.set_my_description("ä" * 512)
    assert await bot.set_my_short_description("😀" * 60)  # limits are counted in UTF-16 units, as the bot's guard does
    with pytest.raises(BadRequest, match=r"(?i)^short_description is too long$"):
        await bot.set_my_short_description("😀" * 61)
    with pytest.raises(BadRequest, match=r"(?i)^description is too long$"):
        await bot.set_my_description("x" * 513)
    with pytest.raises(BadRequest, match=r"(?i)^short_description is too long$"):
        await bot.set_my_short_description("x" * 121, language_code="en")
    assert (server.description(), server.description(short=True)) == ("ä" * 512, "😀" * 60)
    assert server.description("en", short=True) == ""


@pytest.mark.parametrize("code", ["DE", "deu", "d", "de-DE", "1a"])
async def test_a_language_code_is_two_lower_case_letters(server: LocalBotApi, bot: Bot, code: str) -> None:
    with pytest.raises(BadRequest, match=r"^Invalid language code specified$"):
        await bot.set_my_description("Text", language_code=code)
    with pytest.raises(BadRequest, match=r"^Invalid language code specified$"):
        await bot.get_my_short_description(language_code=code)
    with pytest.raises(BadRequest, match=r"^Invalid language code specified$"):
        await bot.set_my_commands([BotCommand("help", "Hilfe")], language_code=code)
    assert server.profile_texts == {} and server.command_lists == {}
