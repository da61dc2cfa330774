"""The Bot API client every Bot of the process uses: whatever handler, job or outbox row built a message, its text and
caption leave within Telegram's limits (bot.core.limits), so a long text is cut instead of refused with a 400."""

from __future__ import annotations

import logging
from dataclasses import replace

from telegram.request import HTTPXRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot.core import limits

log = logging.getLogger(__name__)

# Which parameter of which method is limited, and to how many UTF-16 units (bot.core.limits).
_TEXTS = {"sendmessage": limits.TEXT, "editmessagetext": limits.TEXT, "answercallbackquery": limits.CALLBACK_ANSWER}
_CAPTION_PARAMETER = "caption"


def limit_parameters(method: str, parameters: list[RequestParameter]) -> list[RequestParameter] | None:
    """The parameters with `text` or `caption` cut to the method's limit (HTML without breaking a tag or entity); None
    if every one fits already."""
    method = method.lower()
    html = any(p.name == "parse_mode" and str(p.value).lower() == "html" for p in parameters)
    changed = False
    fitted = []
    for parameter in parameters:
        limit = _TEXTS.get(method) if parameter.name == "text" else (
            limits.CAPTION if parameter.name == _CAPTION_PARAMETER else None)
        value = parameter.value
        if limit is not None and isinstance(value, str):
            short = limits.cut_html(value, limit) if html else limits.cut(value, limit)
            if short != value:
                log.warning("%s: %s of %d UTF-16 units cut to Telegram's %d", method, parameter.name,
                            limits.html_len(value) if html else limits.utf16_len(value), limit)
                parameter, changed = replace(parameter, value=short), True
        if parameter.name == "reply_markup":
            _check_buttons(method, value)
        fitted.append(parameter)
    return fitted if changed else None


def _check_buttons(method: str, markup: object) -> None:
    """Log a button whose data Telegram would refuse (bot/telegram/callbacks.py keeps every kind within 64 bytes):
    its data cannot be cut without tapping into another button's meaning."""
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    for row in rows if isinstance(rows, list) else ():
        for button in row if isinstance(row, list) else ():
            data = button.get("callback_data") if isinstance(button, dict) else None
            if isinstance(data, str) and not limits.fits_callback_data(data):
                log.error("%s: a button's callback data of %d bytes; Telegram takes 1-%d", method,
                          len(data.encode()), limits.CALLBACK_DATA)


class LimitedRequest(HTTPXRequest):
    """PTB's HTTPX client that cuts a message's text or caption to Telegram's limits before it leaves."""

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         *args: object, **kwargs: object) -> tuple[int, bytes]:
        """Send the request, its texts fitted to the limits first."""
        if request_data is not None:
            # The private list is the only way to hand PTB changed parameters; RequestData has no setter.
            fitted = limit_parameters(url.rsplit("/", 1)[-1], request_data._parameters)
            if fitted is not None:
                request_data = RequestData(fitted)
        return await super().do_request(url, method, request_data, *args, **kwargs)  # type: ignore[arg-type]
