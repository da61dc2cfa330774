"""Telegram's limits (bot/core/limits.py): texts cut in UTF-16 units, HTML without a broken tag or entity; the
client-level guard (bot/telegram/limited_request.py); error reports grouped per kind and hour
(bot/core/error_reports.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from telegram.request._requestparameter import RequestParameter

from bot.core.error_reports import ErrorReports
from bot.core.limits import CALLBACK_DATA, cut, cut_html, fits_callback_data, html_len, utf16_len
from bot.telegram.limited_request import limit_parameters
from localapi.entities import parse_html

T0 = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)


def test_utf16_counts_an_emoji_outside_the_bmp_twice() -> None:
    assert utf16_len("ä€") == 2 and utf16_len("😀") == 2 and utf16_len("👍🏽") == 4


def test_cut_keeps_a_fitting_text_and_cuts_a_long_one_with_an_ellipsis() -> None:
    assert cut("kurz", 40) == "kurz"
    assert cut("x" * 41, 40) == "x" * 39 + "…"
    emoji = cut("😀" * 30, 41)
    assert utf16_len(emoji) <= 41 and emoji.endswith("…") and "\ud83d" not in emoji
    assert utf16_len(cut("😀" * 3000, 4096)) <= 4096


def test_cut_html_closes_open_tags_and_never_breaks_an_entity() -> None:
    html = "<b>Fett &amp; " + "x" * 50 + "</b> <i>" + "y" * 50 + "</i>"
    for limit in range(1, html_len(html) + 2):
        short = cut_html(html, limit)
        text, _entities = parse_html(short)  # the local Bot API parses it as Telegram does: no error
        assert html_len(short) <= limit and utf16_len(text) <= limit
    assert cut_html(html, 10) == "<b>Fett &amp; xx…</b>"
    assert cut_html('<a href="https://example.org/?a=1&amp;b=2">' + "z" * 20 + "</a>", 5) == \
        '<a href="https://example.org/?a=1&amp;b=2">zzzz…</a>'


def test_callback_data_is_limited_in_bytes() -> None:
    assert fits_callback_data("a" * CALLBACK_DATA) and not fits_callback_data("ä" * 33)


def test_the_guard_cuts_text_and_caption_to_the_method_limit() -> None:
    params = [RequestParameter("chat_id", 5, None), RequestParameter("text", "😀" * 3000, None)]
    fitted = limit_parameters("sendMessage", params)
    assert fitted is not None and utf16_len(str(fitted[1].value)) <= 4096 and fitted[0] is params[0]
    caption = limit_parameters("sendPhoto", [RequestParameter("caption", "c" * 2000, None)])
    assert caption is not None and len(str(caption[0].value)) == 1024
    html = limit_parameters("editMessageText", [RequestParameter("parse_mode", "HTML", None),
                                                RequestParameter("text", "<i>" + "&lt;" * 5000 + "</i>", None)])
    assert html is not None and str(html[1].value).endswith("&lt;…</i>") and html_len(str(html[1].value)) <= 4096
    assert limit_parameters("sendMessage", [RequestParameter("text", "kurz", None)]) is None


def test_the_guard_logs_a_button_telegram_would_refuse(caplog: pytest.LogCaptureFixture) -> None:
    markup = {"inline_keyboard": [[{"text": "ok", "callback_data": "a:1"}, {"text": "x", "callback_data": "ä" * 33}]]}
    assert limit_parameters("sendMessage", [RequestParameter("reply_markup", markup, None)]) is None
    assert "callback data of 66 bytes" in caplog.text


def test_one_report_per_kind_and_hour_the_held_ones_counted_in_the_next() -> None:
    reports = ErrorReports()
    assert [reports.report("BadRequest", T0 + timedelta(minutes=m)) for m in range(5)] == [1, None, None, None, None]
    assert reports.report("KeyError", T0) == 1  # another kind is told at once
    assert reports.report("BadRequest", T0 + timedelta(minutes=59)) is None
    assert reports.report("BadRequest", T0 + timedelta(hours=1)) == 6
    assert reports.report("BadRequest", T0 + timedelta(hours=2, minutes=1)) == 1
