"""Keeps the bot token, the webhook secret and people's data out of the log (PTB logs the API URL, requests, answers
and updates at DEBUG)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

# The loggers whose lines can carry the token (in URLs) or the secret (setWebhook's parameters).
_LOGGERS = ("telegram.Bot", "telegram.ext.ExtBot", "telegram.ext.Updater", "telegram.ext.Application",
            "telegram.request.HTTPXRequest", "httpx")
HIDDEN = "[hidden]"
# PTB's DEBUG lines that carry whole requests, answers and updates, i.e. people's ids, names and messages: only the
# leading arguments (the endpoint) are kept.
_PAYLOADS = {
    "Calling Bot API endpoint `%s` with parameters `%s`": 1,
    "Call to Bot API endpoint `%s` finished with return value `%s`": 1,
    "Processing update %s": 0,
    "Dropping pending update: %s": 0,
    "Webhook received data: %s": 0,
    # CRITICAL, not DEBUG: an update the webhook could not read is logged whole
    "Something went wrong processing the data received from Telegram. Received data was *not* processed! Received "
    "data was: %r": 0,
}


class _Hide(logging.Filter):
    """Rewrites a record's message with every known secret replaced."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        """Always let the record pass, with the secrets replaced and people's data left out."""
        keep = _PAYLOADS.get(record.msg) if isinstance(record.msg, str) else None
        if keep is not None and isinstance(record.args, tuple):
            record.args = record.args[:keep] + (HIDDEN,) * (len(record.args) - keep)
        elif keep is not None and isinstance(record.args, Mapping):  # logging unpacks a lone dict argument
            record.args = (HIDDEN,)
        message = record.getMessage()
        hidden = message
        for secret in self.secrets:
            hidden = hidden.replace(secret, HIDDEN)
        if hidden != message:
            record.msg, record.args = hidden, None
        return True


_FILTER = _Hide()


def hide_in_logs(*secrets: str | None) -> None:
    """From now on, replace these strings in every line python-telegram-bot and httpx log (None is skipped)."""
    _FILTER.secrets.update(secret for secret in secrets if secret)
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
