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


@dataclass(frozen=True)
class ReportParams:
    year_from: int
    year_to: int
    region_code: str
    case_type: str = ""  # "" = all case types
    date_basis: str = DateBasis.REPORTED

    @property
    def years(self) -> list[int]:
        return list(range(self.year_from, self.year_to + 1))

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
    total: list | None = None  # per-year total for tables whose rows partition it
    total_label: str = ""
    multi_count: bool = False
    note: str = ""
    kind: str = "count"  # "count" or "rate"

    @property
    def is_empty(self) -> bool:
        values = [v for row in self.rows for v in row.values]
        return not any(v not in (0, None) for v in values)


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
