"""Settings: read once from the environment (and an optional .env file) into one frozen object."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_API_URL = "https://api.telegram.org/bot"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


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
    tick_seconds: float = 30.0
    send_timeout: float = 10.0

    @property
    def file_url(self) -> str:
        """The file download base URL, derived from the API URL ("/bot" becomes "/file/bot")."""
        base = self.api_url.rstrip("/")
        if base.endswith("/bot"):
            return base[: -len("/bot")] + "/file/bot"
        return base + "/file/bot"


def parse_env_file(path: Path) -> dict[str, str]:
    """Read KEY=VALUE lines of a .env file; blank lines and # comments are skipped."""
    values: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :]
        key, sep, value = line.partition("=")
        if not sep:
            raise ConfigError(f"{path}:{number}: expected KEY=VALUE, got {raw!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values


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
    if value <= 0:
        raise ConfigError(f"{key} must be greater than 0, got {raw!r}")
    return value


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
    return Settings(
        send_rate=_positive(get("NETZPULS_SEND_RATE"), "NETZPULS_SEND_RATE", defaults.send_rate),
        tick_seconds=_positive(get("NETZPULS_TICK_SECONDS"), "NETZPULS_TICK_SECONDS", defaults.tick_seconds),
        send_timeout=_positive(get("NETZPULS_SEND_TIMEOUT"), "NETZPULS_SEND_TIMEOUT", defaults.send_timeout),
        token=get("TELEGRAM_BOT_TOKEN"),
        api_url=get("TELEGRAM_API_URL") or DEFAULT_API_URL,
        db_path=Path(get("NETZPULS_DB") or "netzpuls.db"),
        admins=_parse_admins(get("NETZPULS_ADMINS") or ""),
        dialogs_dir=Path(get("NETZPULS_DIALOGS") or defaults.dialogs_dir),
        locales_dir=defaults.locales_dir,
        bot_username=get("NETZPULS_BOT_USERNAME"),
        invite_ttl_days=ttl,
        log_level=(get("NETZPULS_LOG_LEVEL") or "INFO").upper(),
    )
