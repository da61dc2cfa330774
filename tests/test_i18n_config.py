"""Catalogs are complete in both languages; settings come from the environment and an optional file."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.config import DEFAULT_API_URL, ConfigError, load_settings
from bot.i18n import LOCALES, Catalogs, pick_locale
from tests.e2e import ROOT

PLACEHOLDER = re.compile(r"\{(\w*)\}")


def _source_messages() -> set[str]:
    found: set[str] = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(str(ROOT / "bot")):
        if isinstance(message, str):
            found.add(message)
    return found


@pytest.mark.parametrize("locale", LOCALES)
def test_every_source_string_is_translated(locale: str) -> None:
    with (ROOT / "locales" / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    translated = {m.id: m.string for m in catalog if m.id and isinstance(m.id, str)}
    missing = sorted(m for m in _source_messages() if not translated.get(m))
    assert not missing, f"{locale} lacks translations for: {missing}"
    fuzzy = sorted(m.id for m in catalog if m.id and m.fuzzy)
    assert not fuzzy, f"{locale} has fuzzy entries: {fuzzy}"
    for msgid, msgstr in translated.items():
        assert set(PLACEHOLDER.findall(str(msgid))) == set(PLACEHOLDER.findall(str(msgstr))), msgid


def test_catalogs_translate_at_runtime(catalogs: Catalogs) -> None:
    assert catalogs.gettext("de")("Yes") == "Ja"
    assert catalogs.gettext("en")("Yes") == "Yes"
    assert catalogs.gettext("fr")("Yes") == "Ja"  # unknown locales fall back to German


@pytest.mark.parametrize(("code", "locale"), [("de", "de"), ("de-AT", "de"), ("en-GB", "en"), ("fr", "de"),
                                              (None, "de")])
def test_pick_locale(code: str | None, locale: str) -> None:
    assert pick_locale(code) == locale


def test_settings_from_environment_and_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("# comment\nTELEGRAM_BOT_TOKEN=from-file\nNETZPULS_DB='/data/n.db'\nNETZPULS_ADMINS=1, 2\n")
    settings = load_settings({"TELEGRAM_BOT_TOKEN": "from-env"}, env_file)
    assert settings.token == "from-env"
    assert settings.db_path == Path("/data/n.db")
    assert settings.admins == frozenset({1, 2})
    assert settings.api_url == DEFAULT_API_URL
    assert settings.file_url == "https://api.telegram.org/file/bot"


def test_an_env_file_may_have_comments_after_values_quotes_and_export(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("NETZPULS_LOG_LEVEL=warning  # default: INFO\nexport NETZPULS_SEND_RATE=12 # per second\n"
                        "NETZPULS_BOT_USERNAME=\"np_bot\"  # without @\nNETZPULS_DB=/data/a#b.db\n\n"
                        "NETZPULS_ADMINS='1, 2'\n")
    settings = load_settings({}, env_file)
    assert (settings.log_level, settings.send_rate, settings.bot_username) == ("WARNING", 12.0, "np_bot")
    assert settings.db_path == Path("/data/a#b.db")  # a # without a space before it is part of the value
    assert settings.admins == frozenset({1, 2})


@pytest.mark.parametrize(("line", "message"), [
    ("NETZPULS_LOG_LEVEL=LOUD  # very", "NETZPULS_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, "
                                        "got 'LOUD'"),
    ("NETZPULS_SEND_RATE=fast", "NETZPULS_SEND_RATE must be a number, got 'fast'"),
    ("NETZPULS_TICK_SECONDS=nan", "NETZPULS_TICK_SECONDS must be a finite number, got 'nan'"),
    ("NETZPULS_HEALTH_PORT=80 80", "NETZPULS_HEALTH_PORT must be a whole number, got '80 80'"),
    ("NETZPULS_BACKUP_KEEP", "expected KEY=VALUE, got 'NETZPULS_BACKUP_KEEP'"),
    ("this is no setting", "expected KEY=VALUE, got 'this is no setting'"),
])
def test_a_bad_line_or_value_in_the_env_file_is_named(tmp_path: Path, line: str, message: str) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"# settings\n\n{line}\nNETZPULS_DB=x.db\n")
    with pytest.raises(ConfigError) as raised:
        load_settings({}, env_file)
    said = str(raised.value)
    assert said == (f"{env_file}:3: {message}" if "KEY=VALUE" in message else message)


def test_an_env_file_that_is_not_text_is_named(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_bytes(b"NETZPULS_DB=\xff\xfe.db\n")
    with pytest.raises(ConfigError, match="cannot be read"):
        load_settings({}, env_file)


def test_a_bad_setting_stops_the_command_with_one_line_and_exit_code_2(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("NETZPULS_LOG_LEVEL=LOUD  # very\n")
    env = {"PYTHONPATH": str(ROOT), "NETZPULS_ENV_FILE": str(env_file), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "bot", "dialogs", "check"], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=60, check=False)
    assert done.returncode == 2
    assert done.stderr.splitlines() == ["Configuration error: NETZPULS_LOG_LEVEL must be one of DEBUG, INFO, WARNING, "
                                        "ERROR, CRITICAL, got 'LOUD'"]


def test_file_url_is_derived_from_a_local_api_url(tmp_path: Path) -> None:
    settings = load_settings({"TELEGRAM_API_URL": "http://127.0.0.1:8081/bot"}, tmp_path / "none")
    assert settings.file_url == "http://127.0.0.1:8081/file/bot"
    assert settings.token is None


@pytest.mark.parametrize(("key", "value"), [("NETZPULS_ADMINS", "alice"), ("NETZPULS_INVITE_TTL_DAYS", "0"),
                                            ("NETZPULS_IN_CONTAINER", "maybe")])
def test_bad_settings_are_named(tmp_path: Path, key: str, value: str) -> None:
    with pytest.raises(ConfigError, match=key):
        load_settings({key: value}, tmp_path / "none")


@pytest.mark.parametrize(("value", "expected"), [(None, False), ("1", True), ("true", True), ("0", False),
                                                ("No", False)])
def test_in_container_is_a_yes_or_no(tmp_path: Path, value: str | None, expected: bool) -> None:
    environ = {} if value is None else {"NETZPULS_IN_CONTAINER": value}
    assert load_settings(environ, tmp_path / "none").in_container is expected


def test_env_example_documents_every_setting() -> None:
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    used = set(re.findall(r'get\("([A-Z_]+)"\)', (ROOT / "bot" / "config.py").read_text()))
    used.add("NETZPULS_ENV_FILE")
    assert used <= documented, used - documented


def test_webhook_health_backup_and_retention_defaults(tmp_path: Path) -> None:
    settings = load_settings({"NETZPULS_DB": "/data/netzpuls.db"}, tmp_path / "none")
    assert (settings.webhook_url, settings.webhook_secret) == (None, None)
    assert (settings.webhook_listen, settings.webhook_port) == ("0.0.0.0", 8443)
    assert (settings.health_listen, settings.health_port) == ("127.0.0.1", 8080)
    assert settings.backup_dir is None
    assert settings.backups_path == Path("/data/backups")
    assert (settings.backup_keep, settings.retention_months) == (7, 24)


def test_webhook_health_backup_and_retention_from_environment(tmp_path: Path) -> None:
    secret = "s3cr3t_-" + "x" * 248
    settings = load_settings({"NETZPULS_WEBHOOK_URL": "https://bot.example.org/telegram",
                              "NETZPULS_WEBHOOK_SECRET": secret, "NETZPULS_WEBHOOK_LISTEN": "127.0.0.1",
                              "NETZPULS_WEBHOOK_PORT": "9000", "NETZPULS_HEALTH_LISTEN": "0.0.0.0",
                              "NETZPULS_HEALTH_PORT": "0", "NETZPULS_BACKUP_DIR": "/backups",
                              "NETZPULS_BACKUP_KEEP": "0", "NETZPULS_RETENTION_MONTHS": "1"}, tmp_path / "none")
    assert (settings.webhook_url, settings.webhook_secret) == ("https://bot.example.org/telegram", secret)
    assert (settings.webhook_listen, settings.webhook_port) == ("127.0.0.1", 9000)
    assert (settings.health_listen, settings.health_port) == ("0.0.0.0", 0)
    assert settings.backups_path == settings.backup_dir == Path("/backups")
    assert (settings.backup_keep, settings.retention_months) == (0, 1)


WEBHOOK = {"NETZPULS_WEBHOOK_URL": "https://bot.example.org/telegram", "NETZPULS_WEBHOOK_SECRET": "Good_secret-1"}


@pytest.mark.parametrize(("changes", "key"), [
    ({"NETZPULS_WEBHOOK_URL": "http://bot.example.org/telegram"}, "NETZPULS_WEBHOOK_URL"),
    ({"NETZPULS_WEBHOOK_URL": "bot.example.org"}, "NETZPULS_WEBHOOK_URL"),
    ({"NETZPULS_WEBHOOK_SECRET": ""}, "NETZPULS_WEBHOOK_SECRET"),  # required with the URL
    ({"NETZPULS_WEBHOOK_SECRET": "has spaces"}, "NETZPULS_WEBHOOK_SECRET"),
    ({"NETZPULS_WEBHOOK_SECRET": "umlaut-ä"}, "NETZPULS_WEBHOOK_SECRET"),
    ({"NETZPULS_WEBHOOK_SECRET": "x" * 257}, "NETZPULS_WEBHOOK_SECRET"),
    ({"NETZPULS_WEBHOOK_PORT": "0"}, "NETZPULS_WEBHOOK_PORT"),
    ({"NETZPULS_WEBHOOK_PORT": "65536"}, "NETZPULS_WEBHOOK_PORT"),
    ({"NETZPULS_WEBHOOK_PORT": "https"}, "NETZPULS_WEBHOOK_PORT"),
    ({"NETZPULS_HEALTH_PORT": "-1"}, "NETZPULS_HEALTH_PORT"),
    ({"NETZPULS_HEALTH_PORT": "8443"}, "NETZPULS_HEALTH_PORT"),  # the webhook's port
    ({"NETZPULS_BACKUP_KEEP": "-1"}, "NETZPULS_BACKUP_KEEP"),
    ({"NETZPULS_BACKUP_KEEP": "seven"}, "NETZPULS_BACKUP_KEEP"),
    ({"NETZPULS_RETENTION_MONTHS": "0"}, "NETZPULS_RETENTION_MONTHS"),
    ({"NETZPULS_RETENTION_MONTHS": "1.5"}, "NETZPULS_RETENTION_MONTHS"),
])
def test_bad_webhook_health_backup_and_retention_settings_are_named(tmp_path: Path, changes: dict[str, str],
                                                                    key: str) -> None:
    with pytest.raises(ConfigError, match=key) as refused:
        load_settings({**WEBHOOK, **changes}, tmp_path / "none")
    secret = changes.get("NETZPULS_WEBHOOK_SECRET", WEBHOOK["NETZPULS_WEBHOOK_SECRET"])
    assert not secret or secret not in str(refused.value), "a refusal must not show the secret"


def test_a_secret_without_a_url_is_checked_but_polling_stays(tmp_path: Path) -> None:
    settings = load_settings({"NETZPULS_WEBHOOK_SECRET": "Good_secret-1"}, tmp_path / "none")
    assert settings.webhook_url is None
    with pytest.raises(ConfigError, match="NETZPULS_WEBHOOK_SECRET"):
        load_settings({"NETZPULS_WEBHOOK_SECRET": "bad/secret"}, tmp_path / "none")


def test_missing_catalogs_point_to_bin_setup(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="run bin/setup"):
        Catalogs(tmp_path)
    assert (ROOT / "bin" / "setup").is_file()
