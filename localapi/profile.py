"""The bot's profile texts on the local Bot API: setMyDescription, getMyDescription, setMyShortDescription and
getMyShortDescription, kept per language as Telegram keeps them.

The language code is empty or two lower-case letters (TDLib's validate_bot_language_code); the length limits (0-512
and 0-120 characters) come from the spec's field descriptions and are checked with every request
(localapi/spec.py). An empty or missing text removes the text of that language. A getter returns exactly the text of
the language asked for, "" if it has none: whether Telegram falls back to the default text there is not documented,
so callers must not rely on a fallback either way."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from localapi.objects import JSON
from localapi.spec import ApiError
from localapi.world import TelegramWorld

_LANGUAGE_CODE = re.compile(r"(?:[a-z]{2})?")
_FIELDS = {"description": "description", "short": "short_description"}


def language_of(params: JSON) -> str:
    """The request's language code ("" for the default), refused like Telegram refuses a malformed one."""
    code = params.get("language_code", "")
    if not _LANGUAGE_CODE.fullmatch(code):
        raise ApiError(400, "Bad Request: invalid language code specified")
    return str(code)


class ProfileMethods(TelegramWorld):
    """The description and short description of the bot, per language ("" is the default)."""

    def __init__(self, bot_username: str, bot_id: int) -> None:
        super().__init__(bot_username, bot_id)
        self.profile_texts: dict[tuple[str, str], str] = {}  # ("description" or "short", language) -> text

    def description(self, language_code: str = "", *, short: bool = False) -> str:
        """The description (or short description) set for exactly this language ("": the default), "" if none."""
        return self.profile_texts.get(("short" if short else "description", language_code), "")

    def profile_methods(self) -> dict[str, Callable[[JSON], Awaitable[Any]]]:
        """The four methods by their Bot API names."""
        return {"setMyDescription": self._set_my_description, "getMyDescription": self._get_my_description,
                "setMyShortDescription": self._set_my_short_description,
                "getMyShortDescription": self._get_my_short_description}

    def _set(self, kind: str, params: JSON) -> bool:
        key = (kind, language_of(params))
        text = params.get(_FIELDS[kind], "")
        if text:
            self.profile_texts[key] = text
        else:
            self.profile_texts.pop(key, None)
        self.notify()
        return True

    def _get(self, kind: str, params: JSON) -> JSON:
        return {_FIELDS[kind]: self.profile_texts.get((kind, language_of(params)), "")}

    async def _set_my_description(self, params: JSON) -> bool:
        return self._set("description", params)

    async def _get_my_description(self, params: JSON) -> JSON:
        return self._get("description", params)

    async def _set_my_short_description(self, params: JSON) -> bool:
        return self._set("short", params)

    async def _get_my_short_description(self, params: JSON) -> JSON:
        return self._get("short", params)
