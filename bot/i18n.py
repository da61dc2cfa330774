"""Babel catalogs: compile the .po files, load one Translations per locale, pick a user's locale; month names, local
days and a round's deadline written out in a locale."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from bot.core.calendar import Schedule, local

LOCALES: tuple[str, ...] = ("de", "en")
DEFAULT_LOCALE = "de"
DOMAIN = "messages"

Gettext = Callable[[str], str]
Ngettext = Callable[[str, str, int], str]


def pick_locale(language_code: str | None) -> str:
    """The supported locale closest to a Telegram language code (German when unknown)."""
    if language_code:
        base = language_code.split("-")[0].lower()
        if base in LOCALES:
            return base
    return DEFAULT_LOCALE


def compile_catalogs(locales_dir: Path) -> list[Path]:
    """Build each locale's .mo from its .po when missing or older; return the files written."""
    written: list[Path] = []
    for locale in LOCALES:
        po_path = locales_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=locale)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        written.append(mo_path)
    return written


class Catalogs:
    """The compiled translations of every supported locale."""

    def __init__(self, locales_dir: Path) -> None:
        self._translations: dict[str, Translations] = {}
        for locale in LOCALES:
            mo_path = locales_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"
            if not mo_path.exists():
                raise FileNotFoundError(f"{mo_path} is missing: run bin/setup (it compiles the catalogs, as "
                                        f"'pybabel compile -d {locales_dir}' does)")
            with mo_path.open("rb") as mo_file:
                self._translations[locale] = Translations(mo_file, domain=DOMAIN)

    def gettext(self, locale: str) -> Gettext:
        """The gettext function of one locale (unknown locales get German)."""
        return self._translations.get(locale, self._translations[DEFAULT_LOCALE]).gettext

    def ngettext(self, locale: str) -> Ngettext:
        """The plural-aware gettext function of one locale."""
        return self._translations.get(locale, self._translations[DEFAULT_LOCALE]).ngettext


def month_name(period: str, locale: str) -> str:
    """"Januar 2027" for "2027-01"."""
    year, month = (int(part) for part in period.split("-"))
    return format_date(date(year, month, 1), "MMMM yyyy", locale=locale)


def local_day(schedule: Schedule, moment: datetime, locale: str) -> str:
    """The moment's local date, written out: "15. Januar 2027"."""
    return format_date(local(schedule, moment).date(), format="long", locale=locale)


# How a weekday with its date and an hour are written: German as Germans write them, English the British way (the
# partners work in Germany, where the day comes before the month).
_DATE_LOCALE = {"de": "de_DE", "en": "en_GB"}
_WEEKDAY_DATE = {"de": "EEEE, d. MMMM", "en": "EEEE, d MMMM"}
_HOUR = {"de": ("H 'Uhr'", "H:mm 'Uhr'"), "en": ("h a", "h:mm a")}


def weekday_date(day: date, locale: str) -> str:
    """A day with its weekday, without the year: "Freitag, 15. Januar" / "Friday, 15 January"."""
    lang = locale if locale in _WEEKDAY_DATE else DEFAULT_LOCALE
    return format_date(day, _WEEKDAY_DATE[lang], locale=_DATE_LOCALE[lang])


def local_deadline(schedule: Schedule, moment: datetime, locale: str) -> str:
    """When something ends (a round closes at that hour), in the network's time zone, with weekday and time but
    without the year: "Freitag, 15. Januar, 9 Uhr" / "Friday, 15 January, 9 am"; minutes only when not :00."""
    lang = locale if locale in _HOUR else DEFAULT_LOCALE
    at = local(schedule, moment)
    hour = format_datetime(at, _HOUR[lang][0 if at.minute == 0 else 1], locale=_DATE_LOCALE[lang])
    return f"{weekday_date(at.date(), lang)}, {hour}"
