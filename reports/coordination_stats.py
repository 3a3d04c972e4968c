"""Figures of the coordination layer in the annual and the periodic reports: community
task-force reports (how many arrived, how many became cases) and prevention activities (by kind,
month, kecamatan, topic; participants by sex and child/adult; the child-marriage prevention
figure for KLA cluster II). Two GROUP BY queries; counted live (no nightly aggregate), in the
column (year, or month of a periodic report) the report arrived or the activity took place,
whatever the date basis, and not split by case type. The months of a year add up to the year.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import (
    Count,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Sum,
)
from django.db.models.functions import ExtractMonth, ExtractYear, Left
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from cases.models import Case
from coordination.models import (
    CommunityReport,
    CommunityReportStatus,
    PreventionActivity,
    PreventionKind,
    PreventionTopic,
)
from ppa.models import Region
from reports.selectors import ReportParams, Row, Table
from reports.tables import category_rows, grid

PARTICIPANTS = ("girls", "boys", "women", "men")


def _within(region: Region, field: str) -> Q:
    return Q(**{f"{field}_id": region.code}) | Q(
        **{f"{field}__code__startswith": region.code + "."}
    )


def _column(params: ReportParams, field: str) -> Expression:
    """The report column of a row: the year of `field`, or its month as 202403 (periodic)."""
    if params.periodic:
        return ExpressionWrapper(
            ExtractYear(field) * 100 + ExtractMonth(field), output_field=IntegerField()
        )
    return ExtractYear(field)


def _moments(params: ReportParams) -> tuple[dt.datetime, dt.datetime]:
    """The period as [start, end) moments of the local day (for a date-time field)."""
    start = timezone.make_aware(dt.datetime.combine(params.start, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(params.end + dt.timedelta(days=1), dt.time.min))
    return start, end


def coordination_tables(params: ReportParams, region: Region) -> list[Table]:
    columns = params.columns
    return _community_tables(params, region, columns) + _prevention_tables(params, region, columns)


def _community_tables(params: ReportParams, region: Region, columns: list[int]) -> list[Table]:
    became = Exists(Case.objects.filter(intake_token=OuterRef("intake_token")))
    start, end = _moments(params)
    rows: list[dict[str, Any]] = [
        dict(r)
        for r in CommunityReport.objects.filter(
            _within(region, "village"), created_at__gte=start, created_at__lt=end
        )
        .annotate(y=_column(params, "created_at"), became=became)
        .values("y")
        .annotate(
            n=Count("id"),
            cases=Count("id", filter=Q(became=True)),
            closed=Count("id", filter=Q(status=CommunityReportStatus.CLOSED)),
        )
        .order_by()
    ]
    grid = {key: [0] * len(columns) for key in ("n", "cases", "closed")}
    index = {y: i for i, y in enumerate(columns)}
    for r in rows:
        for key in grid:
            grid[key][index[r["y"]]] = r[key]
    return [
        Table(
            "community_reports",
            _("Laporan masyarakat/Satgas PPA"),
            _("laporan"),
            [
                Row("received", _("Laporan diterima UPTD PPA"), grid["n"]),
                Row("became_case", _("Menjadi kasus"), grid["cases"]),
                Row("closed", _("Ditutup tanpa kasus"), grid["closed"]),
            ],
            note=_("Menurut tahun laporan diterima, dari kelurahan/desa kejadian di wilayah ini."),
        )
    ]


def _area_key(region: Region) -> tuple[int, int]:
    """(characters of the region code that name the area row, level of that area)."""
    if region.level == Region.Level.PROVINCE:
        return 5, Region.Level.REGENCY
    return 8, Region.Level.DISTRICT


def _prevention_tables(params: ReportParams, region: Region, columns: list[int]) -> list[Table]:
    width, _level = _area_key(region)
    rows: list[dict[str, Any]] = [
        dict(r)
        for r in PreventionActivity.objects.filter(
            _within(region, "region"), held_on__gte=params.start, held_on__lte=params.end
        )
        .annotate(
            y=_column(params, "held_on"), m=ExtractMonth("held_on"), a=Left(F("region_id"), width)
        )
        # Grouped by the topic list too: topics are counted from the groups (multi-count).
        .values("y", "m", "kind", "a", "topics")
        .annotate(n=Count("id"), **{f"s_{p}": Sum(p) for p in PARTICIPANTS})
        .order_by()
    ]
    for r in rows:  # the sums are named apart from the fields they add up
        r["m"] = str(r["m"])  # row codes are strings (months "1".."12")
        r.update({p: r.pop(f"s_{p}") for p in PARTICIPANTS})
        topics = r["topics"] or []
        r.update({f"t_{t}": r["n"] if t in topics else 0 for t in PreventionTopic.values})
        child_marriage = PreventionTopic.CHILD_MARRIAGE in topics
        r["km"] = r["n"] if child_marriage else 0
        r["km_children"] = r["girls"] + r["boys"] if child_marriage else 0
    names = dict(Region.objects.filter(code__in={r["a"] for r in rows}).values_list("code", "name"))
    return _prevention_from_rows(rows, columns, names)


def _sums(rows: list[dict], columns: list[int], column: str) -> list[int]:
    index = {y: i for i, y in enumerate(columns)}
    out = [0] * len(columns)
    for r in rows:
        out[index[r["y"]]] += r[column] or 0
    return out


def _by(rows: list[dict], key: str, column: str) -> list[dict]:
    merged: dict[tuple, int] = {}
    for r in rows:
        merged[(r["y"], r[key])] = merged.get((r["y"], r[key]), 0) + (r[column] or 0)
    return [{"y": y, "c": c, "n": n} for (y, c), n in merged.items()]


def _by_category(
    rows: list[dict],
    columns: list[int],
    *,
    code: str,
    title: str,
    key: str,
    categories: list[tuple[str, str]],
    participants: bool = False,
) -> Table:
    """Activities (or their participants) per category of `key`, per column, with the total."""
    column = "p" if participants else "n"
    return Table(
        code,
        title,
        _("peserta") if participants else _("kegiatan"),
        category_rows(grid(_by(rows, key, column), "c", columns), categories, columns),
        total=_sums(rows, columns, column),
        total_label=_("Jumlah peserta") if participants else _("Jumlah kegiatan"),
    )


def _participants_table(rows: list[dict], columns: list[int]) -> Table:
    participants = [
        Row(p, label, _sums(rows, columns, p))
        for p, label in (
            ("girls", _("Anak perempuan")),
            ("boys", _("Anak laki-laki")),
            ("women", _("Perempuan dewasa")),
            ("men", _("Laki-laki dewasa")),
        )
    ]
    return Table(
        "prevention_participants",
        _("Peserta kegiatan pencegahan menurut jenis kelamin dan usia"),
        _("peserta"),
        participants,
        total=_sums(rows, columns, "p"),
        total_label=_("Jumlah peserta"),
    )


def _topic_tables(rows: list[dict], columns: list[int]) -> list[Table]:
    topics = [
        Row(t.value, str(t.label), _sums(rows, columns, f"t_{t.value}")) for t in PreventionTopic
    ]
    return [
        Table(
            "prevention_topic",
            _("Kegiatan pencegahan menurut topik"),
            _("kegiatan"),
            topics,
            multi_count=True,
            note=_("Satu kegiatan dapat membahas lebih dari satu topik."),
        ),
        Table(
            "kla_prevention",
            _("Klaster II KLA: pencegahan perkawinan anak"),
            _("kegiatan"),
            [
                Row(
                    "activities", _("Kegiatan bertopik perkawinan anak"), _sums(rows, columns, "km")
                ),
                Row(
                    "children",
                    _("Peserta anak pada kegiatan tersebut"),
                    _sums(rows, columns, "km_children"),
                ),
            ],
        ),
    ]


def _prevention_from_rows(rows: list[dict], columns: list[int], names: dict) -> list[Table]:
    for r in rows:
        r["p"] = sum(r[p] or 0 for p in PARTICIPANTS)
    kinds = [(k.value, str(k.label)) for k in PreventionKind]
    months = [(str(m), str(MONTHS[m])) for m in range(1, 13)]
    areas = sorted(names.items(), key=lambda item: item[1])
    return [
        _by_category(
            rows,
            columns,
            code="prevention_kind",
            title=_("Kegiatan pencegahan menurut jenis"),
            key="kind",
            categories=kinds,
        ),
        _participants_table(rows, columns),
        _by_category(
            rows,
            columns,
            code="prevention_participants_kind",
            title=_("Peserta kegiatan pencegahan menurut jenis kegiatan"),
            key="kind",
            categories=kinds,
            participants=True,
        ),
        _by_category(
            rows,
            columns,
            code="prevention_month",
            title=_("Kegiatan pencegahan menurut bulan"),
            key="m",
            categories=months,
        ),
        _by_category(
            rows,
            columns,
            code="prevention_area",
            title=_("Kegiatan pencegahan menurut wilayah"),
            key="a",
            categories=areas,
        ),
        *_topic_tables(rows, columns),
    ]
