"""The plain data every statistics output renders: the parameters of a report and the
`Snapshot` of its tables (JSON-serialisable, stored with a PDF run). No query here."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import AgeGroup, CaseType

DEFAULT_YEARS = 5
MAX_YEARS = 15


class DateBasis:
    REPORTED = "reported"
    INCIDENT = "incident"
    CHOICES = (REPORTED, INCIDENT)


UNKNOWN = "_unknown"  # row code for "not stated"
# A cell a yearly recap does not give (printed "tidak tersedia", never 0; reports.text.fmt).
NOT_AVAILABLE = "n/a"
CHILD_GROUPS = (AgeGroup.G0_5, AgeGroup.G6_12, AgeGroup.G13_17)


class ReportSubject(models.TextChoices):
    """Whom a report is about, from its case-type filter: it decides the title, the summary
    and which sections apply (no KLA page in a report on women only)."""

    WOMEN = "women", _("Perempuan")
    CHILDREN = "children", _("Anak")
    WOMEN_AND_CHILDREN = "women_children", _("Perempuan dan Anak")


# Case types whose victims are, by definition, adult women or children.
WOMEN_ONLY_TYPES = (CaseType.KTP,)
CHILDREN_ONLY_TYPES = (CaseType.AMPK, CaseType.ABH, CaseType.CHILD_MARRIAGE)


def report_subject(case_type: str) -> ReportSubject:
    if case_type in WOMEN_ONLY_TYPES:
        return ReportSubject.WOMEN
    if case_type in CHILDREN_ONLY_TYPES:
        return ReportSubject.CHILDREN
    return ReportSubject.WOMEN_AND_CHILDREN


class Period(models.TextChoices):
    """The span of a report. The annual report has a column per year; every other period a
    column per month (a date range that starts or ends mid-month has partial first or last
    months)."""

    YEARS = "tahunan", _("Tahunan (per tahun)")
    MONTH = "bulan", _("Satu bulan")
    QUARTER = "triwulan", _("Triwulan")
    HALF = "semester", _("Semester")
    RANGE = "rentang", _("Rentang tanggal")


MONTHS_IN = {Period.MONTH: 1, Period.QUARTER: 3, Period.HALF: 6}
MAX_MONTHS = 12  # a date range spans at most this many month columns (one print page wide)


def month_key(day: dt.date) -> int:
    """The column of a month in a periodic report: 202403 for March 2024."""
    return day.year * 100 + day.month


def month_start(key: int) -> dt.date:
    return dt.date(key // 100, key % 100, 1)


def months_between(start: dt.date, end: dt.date) -> list[int]:
    """The month keys from `start`'s month to `end`'s, both included."""
    keys, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        keys.append(year * 100 + month)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return following - dt.timedelta(days=1)


@dataclass(frozen=True)
class ReportParams:
    year_from: int
    year_to: int
    region_code: str
    case_type: str = ""  # "" = all case types
    date_basis: str = DateBasis.REPORTED
    period: str = Period.YEARS.value
    date_from: str = ""  # ISO dates of a periodic report (month, quarter, half-year, range)
    date_to: str = ""

    @property
    def years(self) -> list[int]:
        return list(range(self.year_from, self.year_to + 1))

    @property
    def periodic(self) -> bool:
        """Month columns (every period but the annual report)."""
        return self.period != Period.YEARS

    @property
    def start(self) -> dt.date:
        if self.periodic:
            return dt.date.fromisoformat(self.date_from)
        return dt.date(self.year_from, 1, 1)

    @property
    def end(self) -> dt.date:
        if self.periodic:
            return dt.date.fromisoformat(self.date_to)
        return dt.date(self.year_to, 12, 31)

    @property
    def columns(self) -> list[int]:
        """The column keys: years, or months as 202403."""
        return months_between(self.start, self.end) if self.periodic else self.years

    @classmethod
    def for_period(
        cls, period: str, year: int, number: int, region_code: str, **extra: Any
    ) -> ReportParams:
        """Month `number` (1-12), quarter (1-4) or half-year (1-2) of `year`."""
        size = MONTHS_IN[Period(period)]
        first = (number - 1) * size + 1
        start, end = dt.date(year, first, 1), _month_end(year, first + size - 1)
        return cls.for_range(start, end, region_code, period=period, **extra)

    @classmethod
    def for_range(
        cls,
        start: dt.date,
        end: dt.date,
        region_code: str,
        *,
        period: str = Period.RANGE.value,
        **extra: Any,
    ) -> ReportParams:
        return cls(
            year_from=start.year,
            year_to=end.year,
            region_code=region_code,
            period=period,
            date_from=start.isoformat(),
            date_to=end.isoformat(),
            **extra,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReportParams:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})

    @classmethod
    def default(cls, region_code: str, today: dt.date | None = None) -> ReportParams:
        year = (today or timezone.localdate()).year
        return cls(year_from=year - DEFAULT_YEARS + 1, year_to=year, region_code=region_code)


@dataclass
class Row:
    code: str
    label: str
    values: list  # one per year: int (exact), float (rates), or str ("<5", "*") when suppressed
    groups: list[str] = field(default_factory=list)  # linked subtotals (for suppression)


@dataclass
class Table:
    key: str
    title: str
    unit: str  # what one count is: "kasus", "korban", "pelaku" (translated)
    rows: list[Row]
    total: list | None = None  # per-column total for tables whose rows partition it
    total_label: str = ""
    multi_count: bool = False
    note: str = ""
    kind: str = "count"  # "count" or "rate"
    # Headers of a table whose columns are not the report's (the monthly trend); None: the
    # snapshot's `columns`.
    columns: list | None = None
    # True: some year columns show a yearly recap (their headers are marked "(rekap)").
    recaps: bool = False

    @property
    def is_empty(self) -> bool:
        values = [v for row in self.rows for v in row.values]
        return not any(v not in (0, None, NOT_AVAILABLE) for v in values)


@dataclass
class Snapshot:
    params: dict[str, Any]
    years: list[int]
    region: dict[str, Any]  # code, name, kind, level
    case_type_label: str
    basis_label: str  # "berdasarkan tanggal pelaporan"
    inclusion_note: str
    language: str
    computed_at: str
    edition: str = "internal"
    tables: list[Table] = field(default_factory=list)
    undated_cases: int | None = None  # incident basis: cases without an incident date
    referrals_available: bool = False
    # Cases reported before this day (ISO date) are counted from the nightly aggregates,
    # rebuilt at `aggregated_at` (ISO time); None: every figure was computed live.
    aggregated_before: str | None = None
    aggregated_at: str | None = None
    aggregates_note: str = ""  # the same, as a sentence for the reader
    source_note: str = ""  # "Data per ..." when a read replica is configured (reports.replica)
    # Column headers (the years, or "Mar 2024" for the months of a periodic report) and the
    # period in words ("2021–2023", "Maret 2024", "Triwulan I 2024"). Figures stored before
    # periods existed have neither: they are the years.
    columns: list = field(default_factory=list)
    period_label: str = ""
    # Yearly recaps of the report's region and years (reports.recaps.recap_entries): per year,
    # whether its column shows the recap, the recap's figures and its sources.
    recaps: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.columns:
            self.columns = list(self.years)
        if not self.period_label and self.years:
            first, last = self.years[0], self.years[-1]
            self.period_label = f"{first}–{last}" if first != last else str(first)

    @property
    def periodic(self) -> bool:
        """Month columns (a periodic report), not years."""
        return (self.params.get("period") or Period.YEARS) != Period.YEARS

    @property
    def recap_years(self) -> list[int]:
        """The columns that show a yearly recap instead of case-level figures."""
        return [e["year"] for e in self.recaps if e["used"]]

    @property
    def subject(self) -> ReportSubject:
        return report_subject(self.params.get("case_type") or "")

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)

    @property
    def total_cases(self) -> int:
        headline = self.table("headline")
        return sum(v for v in headline.rows[0].values if isinstance(v, int)) if headline else 0

    @property
    def is_empty(self) -> bool:
        headline = self.table("headline")
        return headline is None or headline.is_empty

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Snapshot:
        data = dict(data)
        tables = [Table(**{**t, "rows": [Row(**r) for r in t["rows"]]}) for t in data.pop("tables")]
        return cls(**data, tables=tables)
