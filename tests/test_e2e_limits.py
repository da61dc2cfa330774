"""Over the local Bot API: a text built from a stranger's input never breaks Telegram's limits, whatever builds a
message it leaves within them (bot/telegram/limited_request.py), and the admins get one error report per kind of
error and hour, with how many of that kind came (bot/core/error_reports.py)."""

from __future__ import annotations

from telegram.constants import ParseMode

from bot.core.limits import html_len, utf16_len
from tests.e2e import ADMIN_ID, Harness

STRANGER = 900


async def test_a_stranger_s_overlong_unknown_command_gets_a_short_answer_and_no_report(harness: Harness) -> None:
    harness.api.add_user(ADMIN_ID, "Admin", language_code="de")
    await harness.send(ADMIN_ID, "/help")  # the admin's chat is open: a report would arrive
    harness.api.add_user(STRANGER, "Fremd", language_code="de")
    [reply] = await harness.send(STRANGER, "/x-" + "y" * 4090)
    assert reply.text == "Den Befehl /x-" + "y" * 36 + "… kenne ich nicht. /help zeigt, was ich kann."
    await harness.handled()
    assert harness.api.errors == []  # no 400 "message is too long"
    assert harness.api.sent_count(ADMIN_ID) == 1  # /help's answer only


async def test_every_send_is_cut_to_telegram_s_limits_whoever_built_it(harness: Harness) -> None:
    harness.api.add_user(STRANGER, "Fremd", language_code="de")
    await harness.send(STRANGER, "/help")  # the chat is open: the bot may write
    assert harness.app is not None
    bot = harness.app.bot
    await bot.send_message(STRANGER, "😀" * 3000)  # 6000 UTF-16 units, as Telegram counts them
    await bot.send_message(STRANGER, "<b>" + "a &amp; b " * 1000 + "</b>", parse_mode=ParseMode.HTML)
    plain, html = await harness.api.wait_for_messages(STRANGER, 2)
    assert utf16_len(plain.text or "") <= 4096 and (plain.text or "").endswith("…")
    assert html_len(html.text or "") <= 4096 and (html.text or "").endswith("…")
    assert harness.api.errors == []


async def test_five_identical_errors_give_one_report_and_the_next_hour_s_report_counts_them(harness: Harness) -> None:
    harness.api.add_user(ADMIN_ID, "Admin", language_code="de")
    await harness.send(ADMIN_ID, "/help")  # the admin's chat is open: the bot may write
    harness.api.add_user(STRANGER, "Fremd", language_code="de")
    [hint] = await harness.send(STRANGER, "/help")
    harness.api.fail_next("answerCallbackQuery", 400, "Bad Request: something unexpected", times=5)
    for _ in range(5):
        harness.api.forge_callback(STRANGER, hint.message_id, "totally:made:up")
    sorry = await harness.api.wait_for_messages(STRANGER, 5)
    assert all("schiefgegangen" in message.text for message in sorry)
    await harness.handled()
    [report] = await harness.api.wait_for_messages(ADMIN_ID, 1)
    assert "Netzpuls-Fehler: BadRequest" in report.text and "Fehler dieser Art" not in report.text
    assert harness.api.sent_count(ADMIN_ID) == 2  # /help's answer and the one report

    harness.clock.advance(hours=1)
    harness.api.fail_next("answerCallbackQuery", 400, "Bad Request: something unexpected")
    harness.api.forge_callback(STRANGER, hint.message_id, "totally:made:up")
    [later] = await harness.api.wait_for_messages(ADMIN_ID, 1)
    assert "Netzpuls-Fehler: BadRequest" in later.text and "5 Fehler dieser Art seit dem letzten Bericht" in later.text
