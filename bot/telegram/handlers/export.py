"""/export: the network's answers as a CSV file and an Excel workbook, for the coordinator."""

from __future__ import annotations

from telegram import Update

from bot.telegram.context import BotContext
from bot.telegram.handlers.common import say
from bot.usecases.export import export_answers


async def export_command(update: Update, context: BotContext) -> None:
    """/export: every round's answers (newest revision) as CSV and XLSX, each round as bot.core.disclosure allows."""
    svc, chat = context.svc, update.effective_chat
    if chat is None:
        return
    export = export_answers(svc.db, svc.scripts, svc.catalogs, context.known_member, svc.clock(), context.locale,
                            context._)
    for filename, content in export.files:
        await chat.send_document(document=content, filename=filename)
    if export.note:
        await say(update, export.note)
