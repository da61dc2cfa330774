"""Reading a command's name from a message: the consent gate and the refusal log rely on it for any text."""

from __future__ import annotations

import pytest

from bot.telegram.handlers.common import command_of


@pytest.mark.parametrize(("text", "expected"), [
    ("/mydata", "mydata"),
    ("/MyData@netzpuls_bot please", "mydata"),
    ("  /help  ", "help"),
    ("/ ", None),  # a slash and blanks: no command (this once raised IndexError in the consent gate)
    ("/", None),
    ("   ", None),
    ("", None),
    (None, None),
    ("mydata", None),
    ("/my-data", None),
    ("/" + "x" * 33, None),  # longer than Telegram's 32 characters
])
def test_the_command_a_message_starts_with(text: str | None, expected: str | None) -> None:
    assert command_of(text) == expected
