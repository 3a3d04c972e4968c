"""One way to show a date across the app: the Indonesian long form ("2 Desember 2026"), with
the time in the agency's zone where it matters ("2 Desember 2026, 14.30").

Templates use the `when` filter (a builtin, see settings.TEMPLATES); Python code that writes
text for people (history lines, e-mails) calls `when()` directly."""

import datetime as dt

from django.utils import timezone, translation
from django.utils.formats import date_format

DATE = "j E Y"  # E: the month's name as it stands in a date ("Desember", "December")


def when(value: dt.date | dt.datetime | None, part: str = "") -> str:
    """A date as "2 Desember 2026"; a moment as "2 Desember 2026, 14.30" in the local zone
    (Indonesian writes the time with a point, English with a colon). `part="date"` drops the
    time of a moment. None and "" give ""."""
    if value is None or value == "":
        return ""
    if not isinstance(value, dt.datetime):
        return date_format(value, DATE)
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    if part == "date":
        return date_format(local, DATE)
    clock = "H:i" if (translation.get_language() or "id").startswith("en") else "H.i"
    return f"{date_format(local, DATE)}, {date_format(local, clock)}"
