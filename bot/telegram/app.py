"""The one place that wires the bot: handlers in order, services started and closed, the error handler."""

from __future__ import annotations

import asyncio
import functools
import logging
import ssl
from datetime import datetime
from typing import Any

import httpx
from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.clock_anchor import save_anchor
from bot.config import ConfigError, Settings
from bot.core.pacing import Limits, Pacer
from bot.i18n import Catalogs, compile_catalogs
from bot.jobs.backup import check_integrity
from bot.jobs.consent import queue_consent_renewals
from bot.jobs.maintenance import maintenance_due, maintenance_pass
from bot.jobs.outbox import OutboxSender
from bot.jobs.report_worker import reports_if_due
from bot.jobs.rounds import run_due_stepwise
from bot.logsafe import hide_in_logs
from bot.services import Clock, Services, SimulatedClock, system_clock, wall_clock
from bot.telegram import callbacks, roles
from bot.telegram.callbacks import CallbackData
from bot.telegram.context import CONTEXT_TYPES, SERVICES_KEY, BotContext
from bot.telegram.flood import ask_to_slow_down
from bot.telegram.handlers.access import handover_command, invites_command, on_access_button, remove_command
from bot.telegram.handlers.answers import answers_command, on_edit_button, on_revise_button, on_show_button
from bot.telegram.handlers.checkin import checkin_command, on_answer_button
from bot.telegram.handlers.coaching import actions_command, coach_command, on_coach_button
from bot.telegram.handlers.common import refuse_callback
from bot.telegram.handlers.contact_change import on_step_down_button
from bot.telegram.handlers.coordinator import invite_command, partners_command
from bot.telegram.handlers.export import export_command
from bot.telegram.handlers.fallbacks import edited_message, help_command, on_error, unknown_command, unsupported_content
from bot.telegram.handlers.goals import goals_command, on_goal_button
from bot.telegram.handlers.menus import set_default_menus
from bot.telegram.handlers.networks import ask_network, network_command, on_network_choice
from bot.telegram.handlers.notes import notes_command, on_notes_button
from bot.telegram.handlers.onboarding import language_command, on_consent, on_language, start
from bot.telegram.handlers.partner_news import on_quote_button, on_share_button
from bot.telegram.handlers.report_pdf import report_command
from bot.telegram.handlers.reports import digest_command, on_privacy_button, privacy_command
from bot.telegram.handlers.rights import consent_gate, delete_command, leave_command, mydata_command, on_rights_button
from bot.telegram.handlers.rights_scoped import on_rights_in
from bot.telegram.handlers.rounds import on_pause_button, on_round_button, pause_command
from bot.telegram.handlers.scripts_chat import on_script_button, scripts_command
from bot.telegram.handlers.scripts_preview import on_preview_button
from bot.telegram.handlers.scripts_upload import on_document
from bot.telegram.handlers.settings import on_settings_button, settings_command
from bot.telegram.health import start_health, stop_health
from bot.telegram.introduction import introduce
from bot.telegram.limited_request import LimitedRequest
from bot.telegram.message_ids import NOTER_KEY, Noter, NotingRequest, note_received
from bot.telegram.quiet_send import allow_quiet_sends
from bot.telegram.ratelimit import SharedRateLimiter
from bot.telegram.roles import Handler
from bot.telegram.rounds_job import next_look
from bot.telegram.stall import WATCH_KEY, StallWatch, WatchedRequest, stall_tick
from bot.telegram.typed import on_typed
from bot.telegram.update_order import PerChatUpdateProcessor
from bot.usecases.identity import note_reachable as mark_reachable_again
from bot.usecases.scripts import ScriptRegistry, load_tips
from storage.db import open_db, set_meta, sync_to_disk

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]
_SETTINGS_KEY = "settings"
_CLOCK_KEY = "clock"
_SENDER_KEY = "outbox_sender"
_PACER_KEY = "pacer"
_REPLIES_KEY = "replies_request"  # the handlers' HTTP client, which notes each reply's message id
_HEALTH_KEY = "health_server"
UPDATES_AT_ONCE = 4  # people whose updates are handled at the same time (each one's in order)
INTEGRITY_CHECKED = "integrity_checked"  # set in bot_data by whoever checked the file before building the app


async def unknown_button(update: Update, context: BotContext) -> None:
    """A button whose data we never made (forged, or from a retired version of the bot)."""
    await refuse_callback(update, context._("This button is no longer valid."))


_COMMANDS: tuple[tuple[str, Handler], ...] = (
    ("start", start), ("help", help_command),
    ("checkin", checkin_command), ("answers", answers_command), ("pause", pause_command),
    ("language", language_command),
    ("invite", invite_command), ("partners", partners_command), ("settings", settings_command),
    ("scripts", scripts_command), ("digest", digest_command),
    # The network's answers as CSV and XLSX documents (coordinators; anonymous networks without organisations).
    ("export", export_command),
    # The network's report of up to a year as a PDF to share (coordinators; anonymous rounds without organisations).
    ("report", report_command), ("privacy", privacy_command), ("coach", coach_command), ("actions", actions_command),
    # Who is in the network (coordinators): open invite links, handing the role over, taking a partner out.
    ("invites", invites_command), ("handover", handover_command), ("remove", remove_command),
    # The partners' own words (coordinators): free texts by success factor and by round; goal statements beside the
    # network's goal, the vague ones marked, and the goal workshop's file.
    ("notes", notes_command), ("goals", goals_command),
    # Everyone's data protection rights: a copy of their data, erasing it, leaving the network.
    ("mydata", mydata_command), ("delete", delete_command), ("leave", leave_command),
    # A member of several networks: which one their commands and typed answers are for.
    ("network", network_command),
)
_BUTTONS: tuple[tuple[type[CallbackData], Handler], ...] = (
    (callbacks.Consent, on_consent), (callbacks.Language, on_language),
    (callbacks.Answer, on_answer_button), (callbacks.RoundPrompt, on_round_button),
    (callbacks.EditAnswer, on_edit_button), (callbacks.Revise, on_revise_button),
    (callbacks.ShowAnswers, on_show_button),  # "Change answers" under a finished check-in: what /answers shows
    (callbacks.Pause, on_pause_button), (callbacks.Setting, on_settings_button),
    (callbacks.ScriptButton, on_script_button), (callbacks.PrivacyChoice, on_privacy_button),
    (callbacks.Coach, on_coach_button), (callbacks.PreviewAnswer, on_preview_button),
    (callbacks.RightsAction, on_rights_button), (callbacks.Access, on_access_button),
    # Under a finished check-in's closing message: the answers to the coordination by name, a text quoted by name.
    (callbacks.ShareAnswers, on_share_button), (callbacks.QuoteNamed, on_quote_button),
    (callbacks.Notes, on_notes_button), (callbacks.GoalAction, on_goal_button),
    # Which network a member of several acts in: asked before a command, or chosen under /network.
    (callbacks.NetworkChoice, on_network_choice),
    # /leave and /delete of a member of several networks: which network (or all), then the confirmation.
    (callbacks.RightsIn, on_rights_in),
    # "I'm no longer responsible" under a prompt or reminder: confirm, then who takes over (bot/usecases/contact_change)
    (callbacks.StepDown, on_step_down_button),
)


def register_handlers(app: Application) -> None:  # type: ignore[type-arg]
    """All handlers, in the order PTB tries them (the first match wins)."""
    private = filters.ChatType.PRIVATE
    # 0. Before anything else, each in its own group: a member who writes again is reachable again; a member who
    #    agreed to an older consent text is asked again, and only their rights (/mydata, /delete, /leave) pass.
    app.add_handler(TypeHandler(Update, note_received), group=-3)  # the chat's last message id (outbox_recovery)
    app.add_handler(TypeHandler(Update, note_reachable), group=-2)
    app.add_handler(TypeHandler(Update, consent_gate), group=-1)
    # 1. Edited messages first: otherwise an edited "/checkin" would run the command again.
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE & private, edited_message))
    # 2. Commands, each run only for the roles bot/telegram/roles.py allows it (the others are refused politely), and
    #    for a member of several networks in the one it is for (asked with buttons where that is not clear).
    for name, handler in _COMMANDS:
        app.add_handler(CommandHandler(name, roles.command(name, handler, ask_network), filters=private))
    # 3. Buttons, by the prefix of their callback data (each kind's PATTERN), each kind for its roles; anything else
    #    is stale or forged.
    for kind, handler in _BUTTONS:
        app.add_handler(CallbackQueryHandler(roles.button(kind, handler), pattern=kind.PATTERN))
    app.add_handler(CallbackQueryHandler(unknown_button))
    # 4. Everything else a person can send: unknown commands, typed answers (bot/telegram/typed.py decides which dialog
    #    waits for them, or whether it is the network goal a coordinator asked to type), then files (an edited script
    #    from an admin or coordinator; a refusal for anyone else) before the answer to stickers, photos and the rest.
    app.add_handler(MessageHandler(filters.COMMAND & private, unknown_command))
    app.add_handler(MessageHandler(filters.TEXT & private, on_typed))
    app.add_handler(MessageHandler(filters.Document.ALL & private, on_document))
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & private, unsupported_content))
    # 5. One error handler: log, tell the admins, apologise.
    app.add_error_handler(on_error)


async def note_reachable(update: Update, context: BotContext) -> None:
    """Whoever writes or taps can be messaged again (after a 403 had marked them unreachable)."""
    if context.ready and update.effective_user is not None:
        mark_reachable_again(context.svc.db, context.identity)


async def rounds_tick(context: BotContext) -> None:
    """The scheduler's job: apply what is due now (open, prompt, remind, close) and wake the sender; then look again
    at the next due moment (bot/telegram/rounds_job.py)."""
    looked = None
    try:
        looked = await _apply_due(context.svc)
    finally:
        _look_after(context.application, next_look(context.svc, looked))


def _look_after(app: Application, seconds: float) -> None:  # type: ignore[type-arg]
    """Run the rounds job once, `seconds` from now (it schedules its next run itself)."""
    assert app.job_queue is not None, "python-telegram-bot[job-queue] is required"
    # However late it gets to run (a busy event loop): a missed run would end the chain of looks for good.
    app.job_queue.run_once(rounds_tick, seconds, name="rounds", job_kwargs={"misfire_grace_time": None})


async def _apply_due(svc: Services) -> datetime:
    """Open, prompt, remind and close what is due; then reports, alerts and the daily maintenance. Returns the time
    the rounds were looked at."""
    sync_to_disk(svc.db)
    looked = svc.clock()
    await run_due_stepwise(svc.db, svc.catalogs, looked, svc.wake_sender)
    # After a round closed: digest, chart and feedback (once); urgent signals at once. Charts take ~0.2 s each, so
    # this runs in a worker thread or process with its own connection, and only when something is due.
    now = svc.clock()
    if await reports_if_due(svc, now):  # a round's close in a short-lived process (bot/jobs/report_worker.py)
        svc.wake_sender()
    # Once a day: erase free texts past the retention period, then the daily backup (a file copy: a worker thread).
    if maintenance_due(svc.settings, svc.db, now):
        await asyncio.to_thread(maintenance_pass, svc.settings, now)
    return looked


async def post_init(app: Application) -> None:  # type: ignore[type-arg]
    """Open the database, load catalogs and scripts, remember the bot's username, set the default menu."""
    settings: Settings = app.bot_data[_SETTINGS_KEY]
    clock: Clock = app.bot_data[_CLOCK_KEY]
    if not app.bot_data.get(INTEGRITY_CHECKED):  # `bot run` checked before building the app, with a plain message
        check_integrity(settings.db_path, settings.backups_path)  # a damaged file stops the start with what to do
    db = open_db(settings.db_path)
    compile_catalogs(settings.locales_dir)
    scripts = ScriptRegistry(db)
    scripts.load_directory(settings.dialogs_dir, clock())
    tips = load_tips(settings.dialogs_dir)  # a broken tips file stops the start, naming file and line
    username = app.bot.username
    set_meta(db, "bot_username", username)
    catalogs = Catalogs(settings.locales_dir)
    # The outbox has its own Bot: its pacing replaces PTB's rate limiter, which would double-throttle it.
    # It never polls: its getUpdates client is its one client too.
    sending = _http(20, settings.send_timeout)
    sender_bot = Bot(settings.token or "", base_url=settings.api_url, base_file_url=settings.file_url,
                     request=sending, get_updates_request=sending)
    await sender_bot.initialize()
    sender = OutboxSender(sender_bot, settings.db_path, catalogs, clock, app.bot_data[_PACER_KEY],
                          admins=settings.admins)
    replies = app.bot_data.get(_REPLIES_KEY)
    app.bot_data[NOTER_KEY] = noter = Noter(db)  # from now on each message's id is noted, sent or received
    if isinstance(replies, NotingRequest):
        replies.note = noter
    svc = Services(settings, db, scripts, catalogs, clock, tips, username, wake_sender=sender.wake)
    app.bot_data[SERVICES_KEY] = svc
    app.bot_data[_SENDER_KEY] = sender
    await set_default_menus(app.bot, svc)
    if introduced := await introduce(app.bot, catalogs):
        log.info("set %d of the bot's descriptions", introduced)
    # A new consent text comes with a release: whoever has not agreed to it is asked now, not when they write next.
    if asked := queue_consent_renewals(db, catalogs, settings, clock()):
        log.info("asked %d members to agree to the new consent text", asked)
    await sender.start()
    # Soon after start (a round due during downtime opens at once); APScheduler cannot take first=0.
    _look_after(app, min(1.0, settings.tick_seconds))
    # Getting updates failing for minutes (polls, or the webhook's deliveries): the admins are told, /readyz says so.
    assert app.job_queue is not None, "python-telegram-bot[job-queue] is required"
    app.job_queue.run_repeating(stall_tick, interval=settings.tick_seconds, first=settings.tick_seconds,
                                name="updates watch")
    app.bot_data[_HEALTH_KEY] = await start_health(settings, lambda: sender.running, app.bot_data[WATCH_KEY].stalled)
    log.info("Netzpuls ready as @%s, database %s", username, settings.db_path)


async def post_shutdown(app: Application) -> None:  # type: ignore[type-arg]
    """Close the health server, stop the outbox sender (what is queued stays queued), then close the database."""
    await stop_health(app.bot_data.pop(_HEALTH_KEY, None))
    sender = app.bot_data.pop(_SENDER_KEY, None)
    if isinstance(sender, OutboxSender):
        await sender.stop()
        await sender.bot.shutdown()
    svc = app.bot_data.get(SERVICES_KEY)
    if isinstance(svc, Services):
        if isinstance(svc.clock, SimulatedClock):  # the commands' clock stands where the bot's stopped
            save_anchor(svc.db, svc.clock(), 0.0)
        svc.db.close()


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every HTTP client of the process: httpx reads the CA file for each (30-50 ms)."""
    return httpx.create_ssl_context()


def _http(pool: int, timeout: float = 5.0, kind: type[LimitedRequest] = LimitedRequest,
          watch: StallWatch | None = None) -> LimitedRequest:
    """A Bot API client with `pool` connections at most and this read and write timeout (PTB's default 5 s),
    sharing the process's TLS context; every text it sends fits Telegram's limits (bot/telegram/limited_request),
    and with a watch, each request's outcome goes to it."""
    options: dict[str, Any] = {"connection_pool_size": pool, "read_timeout": timeout, "write_timeout": timeout,
                               "httpx_kwargs": {"verify": _tls()}}
    return kind(**options) if watch is None else WatchedRequest(watch, **options)


def build_application(settings: Settings, clock: Clock = system_clock) -> Application:  # type: ignore[type-arg]
    """The PTB Application for these settings; nothing is opened until it is initialised."""
    if not settings.token:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set")
    hide_in_logs(settings.token, settings.webhook_secret)
    allow_quiet_sends()
    # One Pacer for everything sent with this token: the handlers' replies and the outbox share Telegram's limits.
    pacer = Pacer(Limits(per_second=settings.send_rate, per_chat_per_second=settings.chat_rate))
    updates = PerChatUpdateProcessor(UPDATES_AT_ONCE)
    watch = StallWatch(wall_clock(clock), settings.stall_minutes)  # is getUpdates working? (bot/telegram/stall.py)
    replies = _http(256, kind=NotingRequest)  # PTB's default pool, with the shared TLS context
    app = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.api_url)
        .base_file_url(settings.file_url)
        .request(replies)
        .get_updates_request(_http(1, watch=watch))
        .rate_limiter(SharedRateLimiter(pacer))
        # Different people's updates at the same time, each person's in order, a flood answered once
        # (bot/telegram/update_order.py).
        .concurrent_updates(updates)
        .context_types(CONTEXT_TYPES)  # services, identity and translator per update (bot/telegram/context.py)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    app.bot_data[_SETTINGS_KEY] = settings
    app.bot_data[_CLOCK_KEY] = clock
    app.bot_data[_PACER_KEY] = pacer
    app.bot_data[WATCH_KEY] = watch
    app.bot_data[_REPLIES_KEY] = replies
    updates.on_flood = functools.partial(ask_to_slow_down, app)
    register_handlers(app)
    return app


async def start_application(app: Application, poll_timeout: int = 10) -> None:  # type: ignore[type-arg]
    """Start like run_polling does (initialise, post_init, poll, start) inside an already running event loop."""
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    assert app.updater is not None

    def polling_error(error: TelegramError) -> None:
        # as run_polling does: a failed getUpdates goes to the one error handler, which knows passing faults
        app.create_task(app.process_error(update=None, error=error))

    await app.updater.start_polling(poll_interval=0, timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES,
                                    error_callback=polling_error)
    await app.start()


async def stop_application(app: Application) -> None:  # type: ignore[type-arg]
    """Stop what start_application started, in the reverse order, closing the database last."""
    assert app.updater is not None
    if app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await app.shutdown()
    if app.post_shutdown is not None:
        await app.post_shutdown(app)
