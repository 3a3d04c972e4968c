"""One way to show a date across the app: the Indonesian long form ("2 Desember 2026"), with
the time in the agency's zone where it matters ("2 Desember 2026, 14.30").

Templates use the `when` filter (a builtin, see settings.TEMPLATES); Python code that writes
text for people (history lines, e-mails) calls `when()` directly.

The same text as Django's `date_format(value, "j E Y")` (E: the month's name as it stands in a
date, "Desember", "December"), written directly: Django's formatter, called for every date of
a page, cost 40-100 µs a date (a case page shows about fifteen). The month names are Django's
own translations, read once per language."""

import datetime as dt

from django.conf import settings
from django.utils import timezone, translation
from django.utils.dates import MONTHS_ALT


def when(value: dt.date | dt.datetime | None, part: str = "") -> str:
    """A date as "2 Desember 2026"; a moment as "2 Desember 2026, 14.30" in the local zone
    (Indonesian writes the time with a point, English with a colon). `part="date"` drops the
    time of a moment. None and "" give ""."""
    if value is None or value == "":
        return ""
    language = translation.get_language()  # None where translation is switched off
    if not isinstance(value, dt.datetime):
        return _day(value, language)
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    if part == "date":
        return _day(local, language)
    separator = ":" if (language or settings.LANGUAGE_CODE).startswith("en") else "."
    return f"{_day(local, language)}, {local.hour:02d}{separator}{local.minute:02d}"


def _day(value: dt.date, language: str | None) -> str:
    return f"{value.day} {_months(language)[value.month - 1]} {value.year:04d}"


_MONTHS: dict[str | None, tuple[str, ...]] = {}


def _months(language: str | None) -> tuple[str, ...]:
    """The twelve month names in the active language, by its code (None: translation switched
    off, Django's untranslated names)."""
    months = _MONTHS.get(language)
    if months is None:
        months = _MONTHS[language] = tuple(str(MONTHS_ALT[m]) for m in range(1, 13))
    return months
