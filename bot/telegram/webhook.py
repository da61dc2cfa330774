"""Webhook mode: what PTB's run_webhook (and Updater.start_webhook) is given, the same for `run` and the tests."""

from __future__ import annotations

from typing import Any

from bot.config import Settings
from bot.telegram.app import ALLOWED_UPDATES

# A fixed path: a path made from the secret would put the secret into every proxy's access log.
WEBHOOK_PATH = "telegram"


def webhook_options(settings: Settings) -> dict[str, Any]:
    """listen, port, url_path, webhook_url, secret_token and allowed_updates for run_webhook and start_webhook."""
    if not settings.webhook_url or not settings.webhook_secret:
        raise ValueError("webhook mode needs NETZPULS_WEBHOOK_URL and NETZPULS_WEBHOOK_SECRET")
    return {"listen": settings.webhook_listen, "port": settings.webhook_port, "url_path": WEBHOOK_PATH,
            "webhook_url": settings.webhook_url, "secret_token": settings.webhook_secret,
            "allowed_updates": ALLOWED_UPDATES}


def mode_line(settings: Settings) -> str:
    """How the bot gets its updates, for the log (never the token or the secret)."""
    if settings.webhook_url:
        return (f"webhook mode: Telegram posts to {settings.webhook_url}, received on "
                f"{settings.webhook_listen}:{settings.webhook_port}/{WEBHOOK_PATH} (secret token checked)")
    return "long polling mode"
