"""The one selector behind the dashboard, the CSV/XLSX exports and the annual PDF.

`annual_statistics(params)` computes every figure with GROUP BY queries in PostgreSQL (a
constant number of them, whatever the amount of data) and returns a `Snapshot` of plain
Python data (ints, strings, lists), which is JSON-serialisable and stored with a PDF run.

Counting conventions (SIMFONI-PPA, see docs/domain.md):
- cases, victims and perpetrators are counted separately; one case can have several of each;
- the year of a case is the year of its reporting date (default) or of its incident date;
  victims and perpetrators take the year of their case;
- forms of violence, services and special-protection categories are multi-count: one victim
  can appear in several rows, so such tables have no total row;
- only cases that may be used for statistics are counted: the victim consented
  (`consent_statistics`) or the data is processed on a legal basis other than consent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    Aggregate,
    BooleanField,
    CharField,
    Count,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear
from django.db.models.sql.compiler import SQLCompiler
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cases.models import (
    AmpkCategory,
    Case,
    CaseType,
    Education,
    LegalBasis,
    MaritalStatus,
    Occupation,
    Person,
    PersonRole,
    Place,
    Relationship,
    ServiceGiven,
    ServiceType,
    Status,
    ViolenceForm,
)
from ppa.db import current_read_alias
from ppa.models import Region
from referrals.models import Referral
from reports.models import (
    RECAP_FIGURES,
    RECAP_FORMS,
    AmpkCube,
    CaseCube,
    Cube,
    PerpetratorCube,
    Population,
    RelationshipCube,
    ServiceCube,
    StatisticsRefresh,
    VictimCube,
    VictimFormCube,
    VictimProfileCube,
    YearlyRecap,
)
from reports.recaps import apply_recaps, fitting_recaps, recap_entries
from reports.snapshot import (
    CHILD_GROUPS,
    DEFAULT_YEARS,
    MAX_YEARS,
    UNKNOWN,
    DateBasis,
    Period,
    ReportParams,
    Row,
    Snapshot,
    Table,
    month_key,
    month_start,
    report_subject,
)
from reports.tables import FORM_TRAFFICKING, PLACE_HOUSEHOLD, Figures, Trend, build_tables

# The parameters and the snapshot are defined in reports.snapshot; importable from here too.
__all__ = [
    "CHILD_GROUPS",
    "DEFAULT_YEARS",
    "MAX_YEARS",
    "MEASURES",
    "UNKNOWN",
    "DateBasis",
    "ReportParams",
    "Row",
    "Snapshot",
    "Table",
    "annual_statistics",
    "cube_keys",
    "cube_scope",
    "latest_refresh",
]


class MedianDays(Aggregate):
    """Median of a duration in days (PostgreSQL percentile_cont; NULLs are ignored)."""

    function = "percentile_cont"
    name = "MedianDays"
    output_field = FloatField()
    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM %(expressions)s))"

    # Ignore: the signature of Aggregate.as_sql, which drops Func's positional `function`,
    # `template`, `arg_joiner` (django-stubs marks Aggregate.as_sql the same way).
    def as_sql(  # type: ignore[override]
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        sql, params = super().as_sql(compiler, connection, **extra)
        return f"({sql}) / 86400.0", params


# --- Scope -----------------------------------------------------------------------------------


def _date_field(params: ReportParams) -> str:
    return "reported_on" if params.date_basis == DateBasis.REPORTED else "incident_date"


def _usable(prefix: str = "") -> Q:
    """Cases that may be used for statistics: consent, or a legal basis other than consent."""
    return Q(**{prefix + "consent_statistics": True}) | ~Q(
        **{prefix + "legal_basis": LegalBasis.CONSENT}
    )


def _scope(
    params: ReportParams,
    region: Region,
    prefix: str = "",
    *,
    dated: bool = True,
    undated: bool = False,
    since: dt.datetime | None = None,
) -> Q:
    """The cases a report counts, as a filter usable from Case (prefix "") or a related model
    (prefix "case__"). `undated` (incident basis) adds the cases of the period without an
    incident date; `since` keeps only the cases registered at or after that moment (the part
    of a report the nightly aggregates do not cover)."""

    def q(**kwargs: Any) -> Q:
        return Q(**{prefix + k: v for k, v in kwargs.items()})

    if region.level == Region.Level.PROVINCE and since is not None:
        # Only the cases registered since the aggregates' cutoff (few, found through
        # cases_case_created); the cities as a list keep the LIKE out of that plan.
        scope = q(region_id__in=Region.objects.filter(parent_id=region.code).values("code"))
    elif region.level == Region.Level.PROVINCE:
        # Kemendagri codes nest (13 > 13.71), so a prefix finds the province's cities without
        # a join, and PostgreSQL estimates its row count from the column histogram (a join to
        # the regions gave a 200x underestimate and nested loops over a million cases).
        scope = q(region__code__startswith=region.code + ".")
    elif region.level == Region.Level.REGENCY:
        scope = q(region_id=region.code)
    else:  # a kecamatan of the city the case is recorded under
        scope = q(region_id=region.parent_id, incident_district_id=region.code)
    scope &= _usable(prefix)
    if params.case_type:
        scope &= q(case_type=params.case_type)
    if dated:
        start, end = params.start, params.end
        date_field = _date_field(params)
        period = q(**{f"{date_field}__gte": start, f"{date_field}__lte": end})
        if undated and params.date_basis == DateBasis.INCIDENT:
            period |= q(incident_date__isnull=True, reported_on__gte=start, reported_on__lte=end)
        scope &= period
    if since is not None:
        scope &= q(created_at__gte=since)
    return scope


def _year(params: ReportParams, prefix: str = "") -> Expression:
    """The column of a case: its year, or its month as 202403 in a periodic report."""
    date_field = prefix + _date_field(params)
    if params.periodic:
        return ExpressionWrapper(
            ExtractYear(date_field) * 100 + ExtractMonth(date_field), output_field=IntegerField()
        )
    return ExtractYear(date_field)


def _cube_scope(
    params: ReportParams, region: Region, *, undated: bool = False, by_district: bool = False
) -> Q:
    """`_scope` on the keys of the aggregate tables (reports.models.Cube). A city or province
    reads the rows summed over the kecamatan (`rollup`, about a tenth of the rows) unless it
    needs them by kecamatan (`by_district`)."""
    if region.level == Region.Level.PROVINCE:
        scope = Q(region__code__startswith=region.code + ".")  # no join: region_id LIKE
    elif region.level == Region.Level.REGENCY:
        scope = Q(region_id=region.code)
    else:
        scope = Q(region_id=region.parent_id, district_id=region.code)
    rollup = region.level != Region.Level.DISTRICT and not by_district
    scope &= Q(rollup=rollup)
    if params.case_type:
        scope &= Q(case_type=params.case_type)
    year = "ry" if params.date_basis == DateBasis.REPORTED else "iy"
    period = Q(**{f"{year}__gte": params.year_from, f"{year}__lte": params.year_to})
    if undated and params.date_basis == DateBasis.INCIDENT:
        period |= Q(iy__isnull=True, ry__gte=params.year_from, ry__lte=params.year_to)
    return scope & period


# --- Measures --------------------------------------------------------------------------------
# Each GROUP BY query of the report, as a function of the cases it counts (`scope(prefix)`, a
# filter from the model the query starts at) and of its grouping keys (`keys(prefix)`, name ->
# expression). The selector groups by the report year ({"y": year}); the nightly refresh
# (reports.services.statistics_refresh) runs the very same querysets grouped by CUBE_KEYS and
# stores them with INSERT ... SELECT. The aggregate table's columns carry the names below.

Scope = Callable[[str], Q]
Keys = Callable[[str], dict[str, Any]]


def _cases_measure(scope: Scope, keys: Keys) -> QuerySet:
    """Cases by top-level place (local sub-places roll up to SIMFONI's six): total, closed,
    in the household."""
    k = keys("")
    return (
        Case.objects.filter(scope(""))
        .annotate(**k, p=Coalesce("place__parent_id", "place_id"))
        .values(*k, "p")
        .annotate(
            n=Count("id"),
            closed=Count("id", filter=Q(status=Status.CLOSED)),
            household=Count(
                "id", filter=Q(place_id=PLACE_HOUSEHOLD) | Q(place__parent_id=PLACE_HOUSEHOLD)
            ),
        )
        .order_by()
    )


def _people(scope: Scope, role: str) -> QuerySet:
    return Person.objects.filter(scope("case__"), role=role)


def _victims_measure(scope: Scope, keys: Keys) -> QuerySet:
    """Victims by sex, age group, served (>= 1 service), disability, and whether trafficking
    is among their forms (for the KLA indicator "child trafficking victims served")."""
    k = keys("case__")
    served = Exists(ServiceGiven.objects.filter(victim_id=OuterRef("pk")))
    trafficked = Exists(
        Person.violence_forms.through.objects.filter(
            person_id=OuterRef("pk"), violenceform_id=FORM_TRAFFICKING
        )
    )
    return (
        _people(scope, PersonRole.VICTIM)
        .annotate(**k, served=served, trafficked=trafficked)
        .values(*k, "sex", "age_group", "served", "has_disability", "trafficked")
        .annotate(n=Count("id"))
        .order_by()
    )


def _victims_by_list(scope: Scope, keys: Keys, field: str, dim: str) -> QuerySet:
    """Victims by each code of one of their lists (multi-count: a victim with two codes
    counts in both rows), the code under the name `dim`."""
    k = keys("case__")
    return (
        _people(scope, PersonRole.VICTIM)
        .filter(**{f"{field}__isnull": False})
        .annotate(**k, **{dim: F(f"{field}__code")})
        .values(*k, dim)
        .annotate(n=Count("id"))
        .order_by()
    )


def _forms_measure(scope: Scope, keys: Keys) -> QuerySet:
    """Victims by form of violence (multi-count)."""
    return _victims_by_list(scope, keys, "violence_forms", "f")


def _profile_measure(scope: Scope, keys: Keys) -> QuerySet:
    """Victims by education x occupation x marital status (a few hundred combinations at
    most), one scan; each table is a margin of it."""
    k = keys("case__")
    return (
        _people(scope, PersonRole.VICTIM)
        .annotate(**k, e=F("education_id"), o=F("occupation_id"), m=F("marital_status_id"))
        .values(*k, "e", "o", "m")
        .annotate(n=Count("id"))
        .order_by()
    )


def _perpetrators_measure(scope: Scope, keys: Keys) -> QuerySet:
    k = keys("case__")
    return (
        _people(scope, PersonRole.PERPETRATOR)
        .annotate(**k)
        .values(*k, "sex", "age_group")
        .annotate(n=Count("id"))
        .order_by()
    )


def _relationship_measure(scope: Scope, keys: Keys) -> QuerySet:
    """Perpetrators by relationship to the victim (per perpetrator-victim pair, so a
    perpetrator related differently to two victims counts in both rows). Distinct counts add
    up over the cube keys: a perpetrator belongs to one case."""
    k = keys("case__")
    return (
        _people(scope, PersonRole.PERPETRATOR)
        .annotate(**k, r=F("victim_links__relationship_id"))
        .values(*k, "r")
        .annotate(n=Count("id", distinct=True))
        .order_by()
    )


def _services_measure(scope: Scope, keys: Keys) -> QuerySet:
    """Victims by service received (multi-count), child or adult; distinct per victim."""
    k = keys("victim__case__")
    return (
        ServiceGiven.objects.filter(scope("victim__case__"), victim__role=PersonRole.VICTIM)
        .annotate(**k, s=F("service_type_id"), is_child=F("victim__is_child"))
        .values(*k, "s", "is_child")
        .annotate(n=Count("victim_id", distinct=True))
        .order_by()
    )


def _ampk_measure(scope: Scope, keys: Keys) -> QuerySet:
    """Children in need of special protection (AMPK, KLA cluster V), multi-count."""
    return _victims_by_list(scope, keys, "ampk_categories", "c")


@dataclass(frozen=True)
class Measure:
    query: Callable[[Scope, Keys], QuerySet]
    cube: type[Cube]  # the aggregate table (reports.models)
    dims: tuple[str, ...]
    counts: tuple[str, ...] = ("n",)


MEASURES = {
    "cases": Measure(_cases_measure, CaseCube, ("p",), ("n", "closed", "household")),
    "victims": Measure(
        _victims_measure,
        VictimCube,
        ("sex", "age_group", "served", "has_disability", "trafficked"),
    ),
    "forms": Measure(_forms_measure, VictimFormCube, ("f",)),
    "profile": Measure(_profile_measure, VictimProfileCube, ("e", "o", "m")),
    "perpetrators": Measure(_perpetrators_measure, PerpetratorCube, ("sex", "age_group")),
    "relationship": Measure(_relationship_measure, RelationshipCube, ("r",)),
    "services": Measure(_services_measure, ServiceCube, ("s", "is_child")),
    "ampk": Measure(_ampk_measure, AmpkCube, ("c",)),
}

# Grouping keys of the aggregate tables: queryset name -> Cube column (reports.models.Cube).
CUBE_KEYS = {
    "k_ry": "ry",
    "k_iy": "iy",
    "k_region": "region_id",
    "k_district": "district_id",
    "k_type": "case_type",
    "k_rollup": "rollup",
}


def cube_keys(*, rollup: bool) -> Keys:
    """The cube keys from a model at `prefix` from Case; `rollup` groups over all kecamatan
    (district NULL), for the city and province reports."""

    def keys(prefix: str) -> dict[str, Any]:
        district = (
            Value(None, output_field=CharField()) if rollup else F(prefix + "incident_district_id")
        )
        return {
            "k_ry": ExtractYear(prefix + "reported_on"),
            "k_iy": ExtractYear(prefix + "incident_date"),
            "k_region": F(prefix + "region_id"),
            "k_district": district,
            "k_type": F(prefix + "case_type"),
            "k_rollup": Value(rollup, output_field=BooleanField()),
        }

    return keys


def cube_scope(before: dt.datetime) -> Scope:
    """What the aggregate tables hold: usable cases registered (created) before `before`.

    The split is on the registration time, not the reporting date: a case entered today with
    a reporting date last month (a paper backlog) is counted live until the next refresh."""
    return lambda prefix: _usable(prefix) & Q(**{prefix + "created_at__lt": before})


def latest_refresh() -> StatisticsRefresh | None:
    return StatisticsRefresh.objects.order_by("-refreshed_at", "-id").first()


def _merge(rows: list[dict], counts: tuple[str, ...]) -> list[dict]:
    """Sum the counts of rows with equal dimensions (the live part and the aggregates)."""
    merged: dict[tuple, dict] = {}
    for r in rows:
        key = tuple((k, v) for k, v in r.items() if k not in counts)
        if key in merged:
            for c in counts:
                merged[key][c] += r[c]
        else:
            merged[key] = dict(r)
    return list(merged.values())


class _Source:
    """Runs a measure for one report: live for the cases registered since the cutoff (all cases
    when there are no aggregates), plus the aggregate table for the cases before it."""

    def __init__(self, params: ReportParams, region: Region, refresh: StatisticsRefresh | None):
        self.params, self.region, self.refresh = params, region, refresh
        self.since = refresh.covers_before if refresh else None

    def live_scope(self, *, undated: bool = False) -> Scope:
        return lambda prefix: _scope(
            self.params, self.region, prefix, undated=undated, since=self.since
        )

    def cube(
        self, measure: Measure, *, undated: bool = False, by_district: bool = False
    ) -> QuerySet[Cube]:
        year = "ry" if self.params.date_basis == DateBasis.REPORTED else "iy"
        scope = _cube_scope(self.params, self.region, undated=undated, by_district=by_district)
        return measure.cube._default_manager.filter(scope).annotate(y=F(year))

    def rows(self, name: str, *, undated: bool = False) -> list[dict]:
        measure = MEASURES[name]
        params = self.params
        rows = list(
            measure.query(self.live_scope(undated=undated), lambda p: {"y": _year(params, p)})
        )
        if self.refresh is None:
            return rows
        aggregated = (
            self.cube(measure, undated=undated)
            .values("y", *measure.dims)
            .annotate(**{"sum_" + c: Sum(c) for c in measure.counts})
            .order_by()
        )
        aggregated = [{k.removeprefix("sum_"): v for k, v in r.items()} for r in aggregated]
        return _merge(rows + aggregated, measure.counts)


# --- Labels ------------------------------------------------------------------------------------


def _reference_labels() -> dict[str, list[tuple[str, str]]]:
    """All reference lists in one query: {list name: [(code, label), ...]} in display order."""
    english = get_language() == "en"
    lists = [
        ("place", Place.objects.filter(parent__isnull=True)),
        ("form", ViolenceForm.objects.all()),
        ("service", ServiceType.objects.all()),
        ("relationship", Relationship.objects.all()),
        ("education", Education.objects.all()),
        ("occupation", Occupation.objects.all()),
        ("marital", MaritalStatus.objects.all()),
        ("ampk", AmpkCategory.objects.all()),
    ]
    parts = [
        qs.order_by().values_list(Value(name), "code", "label", "label_en", "order")
        for name, qs in lists
    ]
    labels: dict[str, list[tuple[str, str, int]]] = {name: [] for name, _qs in lists}
    for name, code, label, label_en, order in parts[0].union(*parts[1:], all=True):
        labels[name].append((code, (label_en if english else label), order))
    return {
        name: [(code, label) for code, label, _o in sorted(items, key=lambda i: (i[2], i[0]))]
        for name, items in labels.items()
    }


# --- The report --------------------------------------------------------------------------------


TableBuilder = Callable[[ReportParams, Region], list[Table]]
# Tables built elsewhere from this module's Row and Table (e.g. reports.coordination_stats:
# community reports and prevention activities). Those modules import this one, so they register
# their builder in ReportsConfig.ready instead of being imported here; appended in order.
_table_builders: list[TableBuilder] = []


def register_tables(builder: TableBuilder) -> None:
    """Add `builder`'s tables to every snapshot (called once, from ReportsConfig.ready)."""
    if builder not in _table_builders:
        _table_builders.append(builder)


def _registered_tables(params: ReportParams, region: Region) -> list[Table]:
    """The registered builders' tables, in the report's columns (years or months)."""
    return [table for builder in _table_builders for table in builder(params, region)]


def annual_statistics(params: ReportParams, *, aggregates: bool = True) -> Snapshot:
    """Every figure of the statistics page and the annual report, aggregated in SQL.

    Cases registered before the newest `StatisticsRefresh.covers_before` are counted from the
    nightly aggregate tables, the others live; `aggregates=False` counts everything live
    (same figures as of the refresh; for checks and the bench).

    All queries run in one read-only REPEATABLE READ transaction, so every table counts the
    same cases even while cases are being registered, and without JIT compilation (measured:
    about 150 ms of JIT per query against a few ms of work on a city-year). Inside a caller's
    transaction (e.g. a test) the isolation level can no longer be chosen. The queries go to
    the read replica when the caller chose it (`ppa.db.reading_from`, `reports.replica`)."""
    alias = current_read_alias()
    own_transaction = transaction.get_autocommit(using=alias)  # not in a caller's atomic block
    with transaction.atomic(using=alias, savepoint=False):
        statement = "SET LOCAL jit = off"
        if own_transaction:
            statement = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY; " + statement
        with connections[alias].cursor() as cursor:
            cursor.execute(statement)
        return _annual_statistics(params, aggregates=aggregates)


def _annual_statistics(params: ReportParams, *, aggregates: bool) -> Snapshot:
    region = Region.objects.select_related("parent").get(code=params.region_code)
    labels = _reference_labels()
    # The aggregate tables hold years; a periodic report (months) is counted live.
    refresh = latest_refresh() if aggregates and not params.periodic else None
    figures, undated = _figures(params, region, labels, _Source(params, region, refresh))
    tables = build_tables(figures)
    used, unfit = fitting_recaps(report_recaps(params, region), params.case_type)
    kept = apply_recaps(tables, figures.columns, figures.n_cases, used)
    return Snapshot(
        params=params.to_dict(),
        years=params.years,
        columns=[_month_label(c) for c in params.columns] if params.periodic else params.years,
        period_label=period_label(params),
        region={
            "code": region.code,
            "name": region.name,
            "kind": region.kind,
            "level": region.level,
            "level_label": str(Region.Level(region.level).label),
        },
        case_type_label=(
            str(CaseType(params.case_type).label) if params.case_type else _("Semua jenis kasus")
        ),
        basis_label=(
            _("berdasarkan tanggal pelaporan")
            if params.date_basis == DateBasis.REPORTED
            else _("berdasarkan tanggal kejadian")
        ),
        inclusion_note=_(
            "Dihitung hanya kasus yang korbannya menyetujui penggunaan data untuk statistik, atau "
            "yang datanya diproses berdasarkan dasar hukum selain persetujuan (UU 27/2022)."
        ),
        language=get_language() or "id",
        computed_at=timezone.now().isoformat(timespec="seconds"),
        tables=tables + _registered_tables(params, region),
        recaps=recap_entries(figures.columns, used, kept, unfit),
        undated_cases=undated if params.date_basis == DateBasis.INCIDENT else None,
        referrals_available=figures.referral_rows is not None,
        aggregated_before=(
            timezone.localtime(refresh.covers_before).isoformat() if refresh else None
        ),
        aggregated_at=refresh.refreshed_at.isoformat(timespec="seconds") if refresh else None,
        aggregates_note=_aggregates_note(refresh),
    )


def _figures(
    params: ReportParams,
    region: Region,
    labels: dict[str, list[tuple[str, str]]],
    source: _Source,
) -> tuple[Figures, int]:
    """The rows of every measure for the report (the builders' input), and the number of
    cases of the period without an incident date (incident basis)."""
    # Under the incident-date basis the cases query also counts the cases of the period that
    # have no incident date (y NULL); no table counts them.
    case_rows = source.rows("cases", undated=True)
    undated = sum(r["n"] for r in case_rows if r["y"] is None)
    referral_rows, partner_rows = _referral_rows(params, region)
    figures = Figures(
        region=region,
        subject=report_subject(params.case_type),
        columns=params.columns,
        monthly=params.periodic,
        labels=labels,
        case_rows=[r for r in case_rows if r["y"] is not None],
        area_rows=_area_rows(params, region, source),
        victim_rows=source.rows("victims"),
        form_rows=source.rows("forms"),
        profile_rows=source.rows("profile"),
        perp_rows=source.rows("perpetrators"),
        relationship_rows=source.rows("relationship"),
        service_rows=source.rows("services"),
        ampk_rows=source.rows("ampk"),
        referral_rows=referral_rows,
        partner_rows=partner_rows,
        population={} if params.periodic else _population(region, params.years),
        trend=_trend(params, region) if params.periodic else None,
    )
    return figures, undated


TREND_MONTHS = 12  # the monthly trend of a periodic report covers at least this many months


def _trend(params: ReportParams, region: Region) -> Trend:
    """Cases, victims and perpetrators per month over the period, or over the twelve months
    that end with it when it is shorter (a monthly report shows the year before it)."""
    end = month_start(month_key(params.end))
    back = end.year * 12 + end.month - 1 - (TREND_MONTHS - 1)
    start = min(params.start, dt.date(back // 12, back % 12 + 1, 1))
    window = replace(params, period=Period.RANGE.value, date_from=start.isoformat())
    cases = Case.objects.filter(_scope(window, region)).annotate(y=_year(window))
    people = {
        role: Person.objects.filter(_scope(window, region, "case__"), role=role).annotate(
            y=_year(window, "case__")
        )
        for role in (PersonRole.VICTIM, PersonRole.PERPETRATOR)
    }

    def per_month(qs: QuerySet) -> list[dict]:
        return list(qs.values("y").annotate(n=Count("id")).order_by())

    columns = window.columns
    return Trend(
        columns=columns,
        labels=[_month_label(c) for c in columns],
        cases=per_month(cases),
        victims=per_month(people[PersonRole.VICTIM]),
        perpetrators=per_month(people[PersonRole.PERPETRATOR]),
    )


def _month_label(key: int) -> str:
    """A month column's header: "Mar 2024" (in the active language)."""
    return formats.date_format(month_start(key), "M Y")


ROMAN = ("I", "II", "III", "IV")


def period_label(params: ReportParams) -> str:
    """The period in words: "2021–2023", "Maret 2024", "Triwulan I 2024", "Semester II 2024",
    "1 Januari 2024 – 15 Maret 2024"."""
    start, end = params.start, params.end
    if params.period == Period.YEARS:
        years = params.years
        return f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
    if params.period == Period.MONTH:
        return formats.date_format(start, "F Y")
    if params.period == Period.QUARTER:
        number = ROMAN[(start.month - 1) // 3]
        return _("Triwulan %(n)s %(year)s") % {"n": number, "year": start.year}
    if params.period == Period.HALF:
        number = ROMAN[(start.month - 1) // 6]
        return _("Semester %(n)s %(year)s") % {"n": number, "year": start.year}
    return _("%(start)s – %(end)s") % {
        "start": formats.date_format(start, "j F Y"),
        "end": formats.date_format(end, "j F Y"),
    }


def _area_rows(params: ReportParams, region: Region, source: _Source) -> list[dict]:
    """Cases by kecamatan of the incident (a province: by city/regency); none for a kecamatan."""
    if region.level == Region.Level.PROVINCE:
        area = area_cube = {"a": F("region_id"), "a_name": F("region__name")}
    elif region.level == Region.Level.REGENCY:
        area = {
            "a": F("incident_district_id"),
            "a_name": F("incident_district__name"),
            "a_parent": F("incident_district__parent_id"),
        }
        area_cube = {
            "a": F("district_id"),
            "a_name": F("district__name"),
            "a_parent": F("district__parent_id"),
        }
    else:
        return []
    rows = list(
        Case.objects.filter(source.live_scope()(""))
        .annotate(y=_year(params), **area)
        .values("y", *area)
        .annotate(n=Count("id"))
        .order_by()
    )
    if source.refresh is not None:
        aggregated = (
            source.cube(MEASURES["cases"], by_district=region.level == Region.Level.REGENCY)
            .annotate(**area_cube)
            .values("y", *area_cube)
            .annotate(total=Sum("n"))
            .order_by()
        )
        rows += [{**r, "n": r.pop("total")} for r in aggregated]
    return rows


def _population(region: Region, years: list[int]) -> dict[tuple[int, str, str], int]:
    """Population of the region for rates: {(year, sex, age band): count} (a small table)."""
    return {
        (p["year"], p["sex"], p["age_band"]): p["count"]
        for p in Population.objects.filter(region_id=region.code, year__in=years).values(
            "year", "sex", "age_band", "count"
        )
    }


def _aggregates_note(refresh: StatisticsRefresh | None) -> str:
    if refresh is None:
        return ""
    return _(
        "Angka kasus yang dicatat sebelum %(before)s diambil dari rekap statistik per "
        "%(at)s; perubahan pada kasus tersebut tampil setelah rekap berikutnya (setiap malam). "
        "Kasus yang dicatat sejak %(before)s dihitung langsung."
    ) % {
        "before": formats.date_format(timezone.localtime(refresh.covers_before), "j F Y H.i"),
        "at": formats.date_format(timezone.localtime(refresh.refreshed_at), "j F Y H.i"),
    }


def _referral_rows(params: ReportParams, region: Region) -> tuple[list | None, list | None]:
    sent = Q(approved_at__isnull=False)
    referrals = Referral.objects.filter(_scope(params, region, "case__"), sent).annotate(
        y=_year(params, "case__")
    )
    median = MedianDays(F("accepted_at") - F("delivered_at"))
    rows = list(
        referrals.values("y")
        .annotate(
            n=Count("id"),
            delivered=Count("id", filter=Q(delivered_at__isnull=False)),
            accepted=Count("id", filter=Q(accepted_at__isnull=False)),
            declined=Count("id", filter=Q(declined_at__isnull=False)),
            completed=Count("id", filter=Q(completed_at__isnull=False)),
            median_days=median,
        )
        .order_by()
    )
    partners = list(
        referrals.annotate(k=F("to_agency__kind"))
        .values("y", "k")
        .annotate(n=Count("id"))
        .order_by()
    )
    return rows, partners


# --- Yearly recaps -------------------------------------------------------------------------------


def recap_rows(recaps: QuerySet[YearlyRecap]) -> list[YearlyRecap]:
    """The recaps of the list page, newest year first, in one query."""
    return list(
        recaps.select_related("region", "entered_by").order_by(
            F("withdrawn_at").asc(nulls_first=True), "region__name", "-year", "population"
        )
    )


@dataclass(frozen=True)
class RecapChange:
    label: str
    old: object
    new: object


@dataclass(frozen=True)
class RecapVersion:
    when: dt.datetime
    user: str
    kind: str  # "+" created, "~" changed
    reason: str
    changes: list[RecapChange]


RECAP_HISTORY_HIDDEN = {"id", "code", "entered_by", "entered_at"}


def recap_history(recap: YearlyRecap) -> list[RecapVersion]:
    """Every version of the recap, newest first, with what changed and who changed it (one
    query; the values are compared in Python)."""
    records = list(
        recap.history.select_related("history_user", "region").order_by(
            "history_date", "history_id"
        )
    )
    fields = [f for f in YearlyRecap._meta.concrete_fields if f.name not in RECAP_HISTORY_HIDDEN]
    versions, previous = [], None
    for record in records:
        changes = [
            RecapChange(str(f.verbose_name), _display(previous, f), _display(record, f))
            for f in fields
            if previous is not None and f.value_from_object(previous) != f.value_from_object(record)
        ]
        user = record.history_user
        versions.append(
            RecapVersion(
                when=record.history_date,
                user=(user.get_full_name() or user.username) if user else "",
                kind=record.history_type,
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
        previous = record
    return versions[::-1]


def _display(record: Any, field: Any) -> object:
    if field.name == "region":
        return record.region.name
    if field.choices:
        return getattr(record, f"get_{field.name}_display")()
    return field.value_from_object(record)


def report_recaps(params: ReportParams, region: Region) -> list[dict]:
    """The recaps in force of the report's region and years (one small query), as plain rows;
    none for a periodic report (recaps count years)."""
    if params.periodic:
        return []
    return [
        {
            **r,
            "forms": {code: r.pop("form_" + code) for code in RECAP_FORMS},
            "source_date": r["source_date"].isoformat(),
        }
        for r in YearlyRecap.objects.filter(
            region_id=region.code,
            year__gte=params.year_from,
            year__lte=params.year_to,
            withdrawn_at__isnull=True,
        )
        .order_by("year", "population")
        .values(
            "year",
            "population",
            *RECAP_FIGURES,
            "source_document",
            "source_meeting",
            "source_date",
        )
    ]
