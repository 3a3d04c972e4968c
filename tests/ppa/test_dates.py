"""One date format across the app: "2 Desember 2026", with the time where it matters."""

import datetime as dt
import re
from pathlib import Path

from django.template import Context, Template
from django.utils import translation
from django.utils.formats import date_format

from ppa.dates import when

MOMENT = dt.datetime(2026, 12, 2, 7, 30, tzinfo=dt.UTC)  # 14.30 in Jakarta


def test_dates_and_moments_in_indonesian_and_english():
    assert when(dt.date(2026, 12, 2)) == "2 Desember 2026"
    assert when(MOMENT) == "2 Desember 2026, 14.30"
    assert when(MOMENT, "date") == "2 Desember 2026"
    assert when(None) == ""
    with translation.override("en"):
        assert when(MOMENT) == "2 December 2026, 14:30"


def test_the_filter_needs_no_load_tag():
    rendered = Template('{{ d|when }} · {{ m|when }} · {{ m|when:"date" }}').render(
        Context({"d": dt.date(2024, 5, 8), "m": MOMENT})
    )
    assert rendered == "8 Mei 2024 · 2 Desember 2026, 14.30 · 2 Desember 2026"


def test_no_template_formats_a_date_its_own_way():
    root = Path(__file__).resolve().parents[2] / "templates"
    own = [
        f"{path.relative_to(root)}: {match}"
        for path in root.rglob("*.html")
        for match in re.findall(r"\|date:[\"']([^\"']*)[\"']", path.read_text())
        if match != "c"  # machine-readable datetime attributes
    ]
    assert own == []


def test_every_month_and_an_early_year_as_django_formats_them():
    """The direct formatting gives Django's own text for each month, in both languages."""
    days = [dt.date(2025, month, 1 + month) for month in range(1, 13)] + [dt.date(987, 3, 4)]
    for language in ("id", "en"):
        with translation.override(language):
            assert [when(day) for day in days] == [date_format(day, "j E Y") for day in days]
    with translation.override("en"):
        assert when(dt.date(2026, 5, 8)) == "8 May 2026"
    assert when(dt.date(2026, 8, 17)) == "17 Agustus 2026"


def test_dates_written_with_translation_off_leave_the_indonesian_names_alone():
    with translation.override(None):
        assert when(dt.date(2026, 12, 2)) == "2 December 2026"
    assert when(dt.date(2026, 12, 2)) == "2 Desember 2026"
