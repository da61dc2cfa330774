"""Settings: read once from the environment (and an optional .env file) into one frozen object."""

from __future__ import annotations

import io
import logging
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values
from dotenv.parser import parse_stream

DEFAULT_API_URL = "https://api.telegram.org/bot"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Telegram's rule for setWebhook's secret_token, sent back in the X-Telegram-Bot-Api-Secret-Token header.
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
MAX_NAMED = 300  # characters of NETZPULS_CONTROLLER and NETZPULS_PRIVACY_CONTACT: the consent text must fit a message


class ConfigError(ValueError):
    """A setting is missing or malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    """Every setting Netzpuls knows; see .env.example for their meaning."""

    token: str | None = None
    api_url: str = DEFAULT_API_URL
    db_path: Path = Path("netzpuls.db")
    admins: frozenset[int] = field(default_factory=frozenset)
    dialogs_dir: Path = PROJECT_ROOT / "dialogs"
    locales_dir: Path = PROJECT_ROOT / "locales"
    bot_username: str | None = None
    invite_ttl_days: int = 14
    log_level: str = "INFO"
    send_rate: float = 30.0
    chat_rate: float = 1.0  # messages per second into one private chat (Telegram: about one)
    tick_seconds: float = 30.0
    send_timeout: float = 10.0
    webhook_url: str | None = None  # set: Telegram posts updates there (webhook mode); else long polling
    webhook_secret: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    health_listen: str = "127.0.0.1"
    health_port: int = 8080  # 0: no health server
    report_worker: bool = True  # draw a round's charts and maps in a short-lived process (False: in a thread)
    stall_minutes: float = 3.0  # updates failing this long: the admins are told once, /readyz answers 503
    backup_dir: Path | None = None  # None: "backups" beside the database file
    backup_keep: int = 7  # daily backups kept; 0: no scheduled backups
    retention_months: int = 24  # free-text answers older than this are erased
    controller: str | None = None  # who is responsible for the data (the consent text names them); None: not named
    privacy_contact: str | None = None  # whom to ask about data protection; None: not named
    in_container: bool = False  # NETZPULS_IN_CONTAINER (the image sets it): `run` without a token never plays the demo

    @property
    def backups_path(self) -> Path:
        """Where backups go: NETZPULS_BACKUP_DIR, else the folder "backups" beside the database file."""
        return self.backup_dir if self.backup_dir is not None else self.db_path.parent / "backups"

    @property
    def file_url(self) -> str:
        """The file download base URL, derived from the API URL ("/bot" becomes "/file/bot")."""
        base = self.api_url.rstrip("/")
        if base.endswith("/bot"):
            return base[: -len("/bot")] + "/file/bot"
        return base + "/file/bot"


def parse_env_file(path: Path) -> dict[str, str]:
    """Read KEY=VALUE lines of a .env file with python-dotenv (quotes, `export`, `# comments` also after a value);
    a line that is not KEY=VALUE raises ConfigError naming file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path} cannot be read: {error}") from None
    for binding in parse_stream(io.StringIO(text)):
        if binding.error or (binding.key is not None and binding.value is None):
            raw = binding.original.string
            line = binding.original.line + raw[: len(raw) - len(raw.lstrip())].count("\n")
            raise ConfigError(f"{path}:{line}: expected KEY=VALUE, got {raw.strip()!r}")
    values = dotenv_values(stream=io.StringIO(text), interpolate=False)
    return {key: value for key, value in values.items() if value is not None}


def _parse_admins(raw: str) -> frozenset[int]:
    ids: set[int] = set()
    for part in raw.replace(";", ",").replace(" ", ",").split(","):
        if not part:
            continue
        try:
            ids.add(int(part))
        except ValueError:
            raise ConfigError(
                f"NETZPULS_ADMINS must list numeric Telegram user ids separated by commas, got {part!r}"
            ) from None
    return frozenset(ids)


def _positive(raw: str | None, key: str, default: float) -> float:
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{key} must be a number, got {raw!r}") from None
    if not math.isfinite(value):
        raise ConfigError(f"{key} must be a finite number, got {raw!r}")
    if value <= 0:
        raise ConfigError(f"{key} must be greater than 0, got {raw!r}")
    return value


def _whole(raw: str | None, key: str, default: int, low: int, high: int | None = None) -> int:
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{key} must be a whole number, got {raw!r}") from None
    if value < low or (high is not None and value > high):
        allowed = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise ConfigError(f"{key} must be {allowed}, got {raw!r}")
    return value


def _log_level(raw: str | None) -> str:
    """The log level's name, upper-case; one that logging does not know is a ConfigError."""
    level = (raw or "INFO").upper()
    if level not in logging.getLevelNamesMapping():
        raise ConfigError(f"NETZPULS_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {raw!r}")
    return level


def _webhook(url: str | None, secret: str | None) -> tuple[str | None, str | None]:
    """The webhook URL and secret, checked; the secret's value never appears in a message."""
    if url is not None and not (url.startswith("https://") and len(url) > len("https://")):
        raise ConfigError(f"NETZPULS_WEBHOOK_URL must be a public https:// URL (Telegram posts only to HTTPS), "
                          f"got {url!r}")
    if url is not None and secret is None:
        raise ConfigError("NETZPULS_WEBHOOK_SECRET is required with NETZPULS_WEBHOOK_URL: 1 to 256 characters of "
                          "A-Z, a-z, 0-9, _ and -, e.g. made by "
                          "`python -c \"import secrets; print(secrets.token_urlsafe(32))\"`")
    if secret is not None and not SECRET_TOKEN.fullmatch(secret):
        raise ConfigError(f"NETZPULS_WEBHOOK_SECRET must be 1 to 256 characters of A-Z, a-z, 0-9, _ and - "
                          f"(Telegram's rule); the value set has {len(secret)} character(s)")
    return url, secret


def _named(raw: str | None, key: str) -> str | None:
    """A name or address the consent text quotes: one line of at most MAX_NAMED characters."""
    if raw is not None and ("\n" in raw or "\r" in raw or len(raw) > MAX_NAMED):
        raise ConfigError(f"{key} must be one line of at most {MAX_NAMED} characters, got {len(raw)} character(s)")
    return raw


def _flag(raw: str | None, key: str) -> bool:
    """A yes/no setting: 1, true, yes or on; 0, false, no or off (any case); unset is no."""
    if raw is None:
        return False
    value = raw.lower()
    if value not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
        raise ConfigError(f"{key} must be 1 or 0 (true or false), got {raw!r}")
    return value in ("1", "true", "yes", "on")


def load_settings(environ: Mapping[str, str] | None = None, env_file: Path | None = None) -> Settings:
    """Build Settings from an optional .env file overlaid by the environment (the environment wins)."""
    env = dict(os.environ if environ is None else environ)
    file_path = env_file if env_file is not None else Path(env.get("NETZPULS_ENV_FILE", ".env"))
    merged: dict[str, str] = parse_env_file(file_path) if file_path.is_file() else {}
    merged.update(env)

    def get(key: str) -> str | None:
        value = merged.get(key, "").strip()
        return value or None

    ttl_raw = get("NETZPULS_INVITE_TTL_DAYS") or "14"
    try:
        ttl = int(ttl_raw)
    except ValueError:
        raise ConfigError(f"NETZPULS_INVITE_TTL_DAYS must be a whole number of days, got {ttl_raw!r}") from None
    if ttl < 1:
        raise ConfigError("NETZPULS_INVITE_TTL_DAYS must be at least 1")
    defaults = Settings()
    webhook_url, webhook_secret = _webhook(get("NETZPULS_WEBHOOK_URL"), get("NETZPULS_WEBHOOK_SECRET"))
    webhook_port = _whole(get("NETZPULS_WEBHOOK_PORT"), "NETZPULS_WEBHOOK_PORT", defaults.webhook_port, 1, 65535)
    health_port = _whole(get("NETZPULS_HEALTH_PORT"), "NETZPULS_HEALTH_PORT", defaults.health_port, 0, 65535)
    if webhook_url is not None and health_port == webhook_port:
        raise ConfigError(f"NETZPULS_HEALTH_PORT and NETZPULS_WEBHOOK_PORT must differ, both are {health_port}")
    backup_dir = get("NETZPULS_BACKUP_DIR")
    return Settings(
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        webhook_listen=get("NETZPULS_WEBHOOK_LISTEN") or defaults.webhook_listen,
        webhook_port=webhook_port,
        health_listen=get("NETZPULS_HEALTH_LISTEN") or defaults.health_listen,
        health_port=health_port,
        backup_dir=Path(backup_dir) if backup_dir else None,
        backup_keep=_whole(get("NETZPULS_BACKUP_KEEP"), "NETZPULS_BACKUP_KEEP", defaults.backup_keep, 0),
        retention_months=_whole(get("NETZPULS_RETENTION_MONTHS"), "NETZPULS_RETENTION_MONTHS",
                                defaults.retention_months, 1),
        send_rate=_positive(get("NETZPULS_SEND_RATE"), "NETZPULS_SEND_RATE", defaults.send_rate),
        chat_rate=_positive(get("NETZPULS_CHAT_RATE"), "NETZPULS_CHAT_RATE", defaults.chat_rate),
        tick_seconds=_positive(get("NETZPULS_TICK_SECONDS"), "NETZPULS_TICK_SECONDS", defaults.tick_seconds),
        send_timeout=_positive(get("NETZPULS_SEND_TIMEOUT"), "NETZPULS_SEND_TIMEOUT", defaults.send_timeout),
        report_worker=bool(_whole(get("NETZPULS_REPORT_WORKER"), "NETZPULS_REPORT_WORKER", 1, 0, 1)),
        stall_minutes=_positive(get("NETZPULS_STALL_MINUTES"), "NETZPULS_STALL_MINUTES", defaults.stall_minutes),
        token=get("TELEGRAM_BOT_TOKEN"),
        api_url=get("TELEGRAM_API_URL") or DEFAULT_API_URL,
        db_path=Path(get("NETZPULS_DB") or "netzpuls.db"),
        admins=_parse_admins(get("NETZPULS_ADMINS") or ""),
        dialogs_dir=Path(get("NETZPULS_DIALOGS") or defaults.dialogs_dir),
        locales_dir=defaults.locales_dir,
        bot_username=get("NETZPULS_BOT_USERNAME"),
        invite_ttl_days=ttl,
        log_level=_log_level(get("NETZPULS_LOG_LEVEL")),
        controller=_named(get("NETZPULS_CONTROLLER"), "NETZPULS_CONTROLLER"),
        privacy_contact=_named(get("NETZPULS_PRIVACY_CONTACT"), "NETZPULS_PRIVACY_CONTACT"),
        in_container=_flag(get("NETZPULS_IN_CONTAINER"), "NETZPULS_IN_CONTAINER"),
    )
