"""The buttons of /scripts, drafts and previews fit Telegram's 64 bytes and parse back; long answers are cut."""

from __future__ import annotations

import pytest

from bot.core.limits import utf16_len as utf16_length
from bot.telegram import callbacks
from bot.telegram.callbacks import DraftAction, ScriptButton, ScriptCancel, ScriptConfirm, ScriptRollback, ScriptShow
from bot.telegram.handlers.scripts_common import fit_lines

LONGEST_ID = "a" * 40


@pytest.mark.parametrize("action", [
    ScriptShow("download", LONGEST_ID), ScriptShow("versions", LONGEST_ID),
    ScriptRollback(LONGEST_ID, 999_999), ScriptConfirm(LONGEST_ID, 999_999, 999_998),
    ScriptCancel(), DraftAction("preview", 10**12 - 1), DraftAction("publish", 7),
    DraftAction("discard", 7)])
def test_script_buttons_fit_and_parse_back(action: ScriptButton) -> None:
    data = action.pack()
    assert len(data.encode()) <= 64
    assert ScriptButton.unpack(data) == action


@pytest.mark.parametrize("data", ["d:", "d:dl:", "d:dl:Bad", "d:rb:x:1234567", "d:ry:x:1", "d:pb:x", "d:zz:1",
                                  f"d:dl:{LONGEST_ID}a"])
def test_malformed_script_buttons_are_refused(data: str) -> None:
    assert ScriptButton.unpack(data) is None


def test_preview_buttons_fit_and_parse_back() -> None:
    data = callbacks.PreviewAnswer(10**12 - 1, "s" * 24, "v" * 16).pack()
    assert len(data.encode()) <= 64
    assert callbacks.PreviewAnswer.unpack(data) == callbacks.PreviewAnswer(10**12 - 1, "s" * 24, "v" * 16)
    assert callbacks.PreviewAnswer.unpack("r:1:step:bad-value") is None


def test_long_answers_are_cut_with_a_count_of_what_is_left_out() -> None:
    def more(count: int) -> str:
        return f"… and {count} more"

    lines = [f"problem {n}: {'ü' * 90}" for n in range(100)]
    text = fit_lines(lines, more)
    assert utf16_length(text) <= 4096 and text.endswith(f"… and {100 - text.count('problem')} more")
    assert fit_lines(lines[:3], more) == "\n".join(lines[:3])
    assert fit_lines(lines[:5], more, most=2) == "\n".join([*lines[:2], "… and 3 more"])
    emoji = fit_lines(["😀" * 3000, "x"], more)  # an emoji counts twice in Telegram's limit
    assert emoji == "… and 2 more"
