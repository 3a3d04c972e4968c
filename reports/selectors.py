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
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import connections, transaction
from django.db.models import (
    Aggregate,
    BooleanField,
    CharField,
    Count,
    Exists,
    F,
    FloatField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cases.models import (
    AgeGroup,
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
    Sex,
    Status,
    ViolenceForm,
)
from ppa.db import current_read_alias
from ppa.models import Agency, Region
from referrals.models import Referral
from reports.models import (
    AmpkCube,
    CaseCube,
    PerpetratorCube,
    Population,
    RelationshipCube,
    ServiceCube,
    StatisticsRefresh,
    VictimCube,
    VictimFormCube,
    VictimProfileCube,
)

DEFAULT_YEARS = 5
MAX_YEARS = 15


class DateBasis:
    REPORTED = "reported"
    INCIDENT = "incident"
    CHOICES = (REPORTED, INCIDENT)


UNKNOWN = "_unknown"  # row code for "not stated"
CHILD_GROUPS = (AgeGroup.G0_5, AgeGroup.G6_12, AgeGroup.G13_17)


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
    source_note: str = ""  # "Data per ..." when a read replica is configured (reports.replica)

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


class MedianDays(Aggregate):
    """Median of a duration in days (PostgreSQL percentile_cont; NULLs are ignored)."""

    function = "percentile_cont"
    name = "MedianDays"
    output_field = FloatField()
    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM %(expressions)s))"

    def as_sql(self, compiler, connection, **extra):
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

    def q(**kwargs) -> Q:
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
        start, end = dt.date(params.year_from, 1, 1), dt.date(params.year_to, 12, 31)
        date_field = _date_field(params)
        period = q(**{f"{date_field}__gte": start, f"{date_field}__lte": end})
        if undated and params.date_basis == DateBasis.INCIDENT:
            period |= q(incident_date__isnull=True, reported_on__gte=start, reported_on__lte=end)
        scope &= period
    if since is not None:
        scope &= q(created_at__gte=since)
    return scope


def _year(params: ReportParams, prefix: str = "") -> ExtractYear:
    return ExtractYear(prefix + _date_field(params))


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
                "id", filter=Q(place_id="rumah_tangga") | Q(place__parent_id="rumah_tangga")
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
            person_id=OuterRef("pk"), violenceform_id="trafficking"
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
    cube: type[Model]  # the aggregate table (reports.models)
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

    def cube(self, measure: Measure, *, undated: bool = False, by_district: bool = False):
        year = "ry" if self.params.date_basis == DateBasis.REPORTED else "iy"
        scope = _cube_scope(self.params, self.region, undated=undated, by_district=by_district)
        return measure.cube.objects.filter(scope).annotate(y=F(year))

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


# --- Building tables ------------------------------------------------------------------------


def _grid(rows: list[dict], key: str, years: list[int], value: str = "n") -> dict[str, list[int]]:
    """{category code: [count per year]} from GROUP BY rows with `y`, `key` and `value`."""
    index = {y: i for i, y in enumerate(years)}
    grid: dict[str, list[int]] = {}
    for r in rows:
        if r["y"] not in index:
            continue
        code = r[key] if r[key] not in (None, "") else UNKNOWN
        grid.setdefault(code, [0] * len(years))[index[r["y"]]] += r[value]
    return grid


def _rows(
    grid: dict[str, list[int]],
    categories: list[tuple[str, str]],
    years: list[int],
    *,
    unknown_label: str | None = None,
    groups: dict[str, list[str]] | None = None,
) -> list[Row]:
    """Rows for every category (zeros included), then "not stated" if it occurs (or any code
    that is no longer in the reference list)."""
    known = {code for code, _label in categories}
    rows = [
        Row(code, label, grid.get(code, [0] * len(years)), (groups or {}).get(code, []))
        for code, label in categories
    ]
    unknown = [0] * len(years)
    for code, values in grid.items():
        if code not in known:
            unknown = [a + b for a, b in zip(unknown, values, strict=True)]
    if any(unknown):
        rows.append(Row(UNKNOWN, unknown_label or _("Tidak diketahui"), unknown))
    return rows


def _sum_rows(rows: list[Row], years: list[int]) -> list[int]:
    return [sum(r.values[i] for r in rows) for i in range(len(years))]


def _status_of(age_group: str) -> str:
    if not age_group:
        return UNKNOWN
    return "anak" if age_group in CHILD_GROUPS else "dewasa"


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


# Being split into one small builder per table (then the exemption goes).
def _annual_statistics(  # noqa: C901, PLR0912, PLR0915
    params: ReportParams, *, aggregates: bool
) -> Snapshot:
    years = params.years
    region = Region.objects.select_related("parent").get(code=params.region_code)
    labels = _reference_labels()
    refresh = latest_refresh() if aggregates else None
    source = _Source(params, region, refresh)
    unit_cases, unit_victims, unit_perps = _("kasus"), _("korban"), _("pelaku")

    # 1-2. Cases per year (total, closed, in the household) and by place, one query. Under
    #      the incident-date basis it also counts the cases of the period that have no
    #      incident date (year NULL); the place table only takes the dated ones.
    case_rows = source.rows("cases", undated=True)
    undated = sum(r["n"] for r in case_rows if r["y"] is None)
    index = {y: i for i, y in enumerate(years)}
    n_cases, n_closed, n_household = ([0] * len(years) for _i in range(3))
    for r in case_rows:
        if r["y"] in index:
            i = index[r["y"]]
            n_cases[i] += r["n"]
            n_closed[i] += r["closed"]
            n_household[i] += r["household"]
    place_rows = [r for r in case_rows if r["y"] is not None]

    # 3. Cases by kecamatan of the incident (a province: by city/regency).
    cases = Case.objects.filter(source.live_scope()(""))
    if region.level == Region.Level.PROVINCE:
        area = {"a": F("region_id"), "a_name": F("region__name")}
        area_cube = {"a": F("region_id"), "a_name": F("region__name")}
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
        area = area_cube = {}
    area_rows: list[dict] = []
    if area:
        area_rows = list(
            cases.annotate(y=_year(params), **area)
            .values("y", *area)
            .annotate(n=Count("id"))
            .order_by()
        )
        if refresh is not None:
            aggregated = (
                source.cube(MEASURES["cases"], by_district=region.level == Region.Level.REGENCY)
                .annotate(**area_cube)
                .values("y", *area_cube)
                .annotate(total=Sum("n"))
                .order_by()
            )
            area_rows += [{**r, "n": r.pop("total")} for r in aggregated]

    # 4. Victims by sex, age group, served, disability, trafficked.
    victim_rows = source.rows("victims")
    # 5. Victims by form of violence (multi-count).
    form_rows = source.rows("forms")
    # 6-8. Victims by education x occupation x marital status; each table is a margin of it.
    profile_rows = source.rows("profile")
    single_dims = {
        dim: [{"y": r["y"], "c": r[column], "n": r["n"]} for r in profile_rows]
        for dim, column in (("education", "e"), ("occupation", "o"), ("marital", "m"))
    }
    # 9. Perpetrators by sex and age group.
    perp_rows = source.rows("perpetrators")
    # 10. Perpetrators by relationship to the victim.
    relationship_rows = source.rows("relationship")
    # 11. Victims by service received (multi-count), child or adult.
    service_rows = source.rows("services")
    # 12. Children in need of special protection (AMPK, KLA cluster V), multi-count.
    ampk_rows = source.rows("ampk")
    # 13-14. Referrals of these cases (when the referrals app is installed).
    referral_rows, partner_rows = _referral_rows(params, region)
    # 15. Population for rates (small table).
    population = {
        (p["year"], p["sex"], p["age_band"]): p["count"]
        for p in Population.objects.filter(region_id=region.code, year__in=years).values(
            "year", "sex", "age_band", "count"
        )
    }

    # --- Tables ---------------------------------------------------------------------------
    def total_by(rows: list[dict]) -> list[int]:
        out = [0] * len(years)
        for r in rows:
            if r["y"] in index:
                out[index[r["y"]]] += r["n"]
        return out

    n_victims = total_by(victim_rows)
    n_perps = total_by(perp_rows)
    tables: list[Table] = []

    tables.append(
        Table(
            "headline",
            _("Jumlah kasus, korban dan pelaku per tahun"),
            _("kasus / korban / pelaku"),
            [
                Row("cases", _("Kasus"), n_cases),
                Row("victims", _("Korban"), n_victims),
                Row("perpetrators", _("Pelaku"), n_perps),
            ],
            note=_(
                "Kasus, korban dan pelaku dihitung terpisah: satu kasus dapat memiliki lebih "
                "dari satu korban dan pelaku."
            ),
        )
    )

    open_rows = [
        Row("open", _("Dalam penanganan"), [a - b for a, b in zip(n_cases, n_closed, strict=True)]),
        Row("closed", _("Selesai (terminasi)"), n_closed),
    ]
    tables.append(
        Table(
            "cases_status",
            _("Status penanganan kasus"),
            unit_cases,
            open_rows,
            total=n_cases,
            total_label=_("Jumlah kasus"),
            note=_("Status pada saat laporan dibuat."),
        )
    )

    sex_labels = [(Sex.FEMALE.value, _("Perempuan")), (Sex.MALE.value, _("Laki-laki"))]
    victim_sex = _rows(_grid(victim_rows, "sex", years), sex_labels, years)
    tables.append(
        Table(
            "victims_sex",
            _("Jumlah korban berdasarkan jenis kelamin"),
            unit_victims,
            victim_sex,
            total=n_victims,
            total_label=_("Jumlah korban"),
        )
    )

    age_labels = [(g.value, g.label) for g in AgeGroup]
    age_groups = {g.value: ["status:" + _status_of(g.value)] for g in AgeGroup}
    victim_age = _rows(_grid(victim_rows, "age_group", years), age_labels, years, groups=age_groups)
    for row in victim_age:
        if row.code == UNKNOWN:
            row.groups = ["status:" + UNKNOWN]
    tables.append(
        Table(
            "victims_age",
            _("Korban berdasarkan kelompok umur"),
            unit_victims,
            victim_age,
            total=n_victims,
            total_label=_("Jumlah korban"),
            note=_("Umur pada tanggal kejadian."),
        )
    )

    status_rows = [dict(r, st=_status_of(r["age_group"])) for r in victim_rows]
    status_labels = [("anak", _("Anak (di bawah 18 tahun)")), ("dewasa", _("Dewasa"))]
    tables.append(
        Table(
            "victims_status",
            _("Korban berdasarkan status usia (anak/dewasa)"),
            unit_victims,
            [
                r
                for r in _rows(_grid(status_rows, "st", years), status_labels, years)
                if r.code != UNKNOWN or any(r.values)
            ],
            total=n_victims,
            total_label=_("Jumlah korban"),
        )
    )

    cross = [dict(r, x=f"{_status_of(r['age_group'])}:{r['sex'] or UNKNOWN}") for r in victim_rows]
    cross_labels = [
        ("anak:P", _("Anak perempuan")),
        ("anak:L", _("Anak laki-laki")),
        ("dewasa:P", _("Perempuan dewasa")),
        ("dewasa:L", _("Laki-laki dewasa")),
    ]
    cross_grid = _grid(cross, "x", years)
    cross_groups = {
        code: ["status:" + code.split(":")[0], "sex:" + code.split(":")[1]]
        for code, _label in cross_labels
    }
    tables.append(
        Table(
            "victims_sex_status",
            _("Korban berdasarkan jenis kelamin dan status usia"),
            unit_victims,
            _rows(
                cross_grid,
                cross_labels,
                years,
                unknown_label=_("Umur atau jenis kelamin tidak diketahui"),
                groups=cross_groups,
            ),
            total=n_victims,
            total_label=_("Jumlah korban"),
        )
    )

    forms = _rows(_grid(form_rows, "f", years), labels["form"], years)
    tables.append(
        Table(
            "victims_form",
            _("Korban berdasarkan bentuk kekerasan"),
            unit_victims,
            forms,
            multi_count=True,
            note=_(
                "Hitungan ganda: satu korban dapat mengalami lebih dari satu bentuk kekerasan, "
                "sehingga jumlah baris dapat melebihi jumlah korban."
            ),
        )
    )

    for key, title, dim in (
        ("victims_education", _("Korban berdasarkan pendidikan"), "education"),
        ("victims_occupation", _("Korban berdasarkan pekerjaan"), "occupation"),
        ("victims_marital", _("Korban berdasarkan status perkawinan"), "marital"),
    ):
        tables.append(
            Table(
                key,
                title,
                unit_victims,
                _rows(
                    _grid(single_dims[dim], "c", years),
                    labels[dim],
                    years,
                    unknown_label=_("Tidak diisi"),
                ),
                total=n_victims,
                total_label=_("Jumlah korban"),
            )
        )

    disability = [dict(r, d="ya" if r["has_disability"] else "tidak") for r in victim_rows]
    tables.append(
        Table(
            "victims_disability",
            _("Korban berdasarkan disabilitas"),
            unit_victims,
            _rows(
                _grid(disability, "d", years),
                [("ya", _("Penyandang disabilitas")), ("tidak", _("Bukan penyandang disabilitas"))],
                years,
            ),
            total=n_victims,
            total_label=_("Jumlah korban"),
        )
    )

    places = _rows(_grid(list(place_rows), "p", years), labels["place"], years)
    tables.append(
        Table(
            "cases_place",
            _("Kasus berdasarkan tempat kejadian"),
            unit_cases,
            places,
            total=n_cases,
            total_label=_("Jumlah kasus"),
            note=_(
                "Sub-tempat lokal (misalnya media sosial/daring) digabung ke enam kategori SIMFONI."
            ),
        )
    )

    if area_rows:
        tables.append(_area_table(area_rows, region, years, n_cases, unit_cases))

    perp_sex = _rows(_grid(perp_rows, "sex", years), sex_labels, years)
    tables.append(
        Table(
            "perpetrators_sex",
            _("Pelaku berdasarkan jenis kelamin"),
            unit_perps,
            perp_sex,
            total=n_perps,
            total_label=_("Jumlah pelaku"),
        )
    )
    perp_age = _rows(_grid(perp_rows, "age_group", years), age_labels, years, groups=age_groups)
    tables.append(
        Table(
            "perpetrators_age",
            _("Pelaku berdasarkan kelompok umur"),
            unit_perps,
            perp_age,
            total=n_perps,
            total_label=_("Jumlah pelaku"),
        )
    )
    tables.append(
        Table(
            "perpetrators_relationship",
            _("Pelaku berdasarkan hubungan dengan korban"),
            unit_perps,
            _rows(
                _grid(relationship_rows, "r", years),
                labels["relationship"],
                years,
                unknown_label=_("Hubungan belum dicatat"),
            ),
            multi_count=True,
            note=_(
                "Hubungan dicatat per pasangan pelaku-korban: pelaku dengan hubungan berbeda "
                "terhadap beberapa korban dihitung di setiap baris yang sesuai."
            ),
        )
    )

    service_grid = _grid(service_rows, "s", years)
    services = _rows(service_grid, labels["service"], years)
    child_served = total_by(
        [r for r in victim_rows if r["served"] and r["age_group"] in CHILD_GROUPS]
    )
    all_served = total_by([r for r in victim_rows if r["served"]])
    tables.append(
        Table(
            "victims_service",
            _("Layanan yang diberikan kepada korban"),
            unit_victims,
            [*services, Row("any", _("Korban yang menerima sedikitnya satu layanan"), all_served)],
            multi_count=True,
            note=_(
                "Hitungan ganda: satu korban dapat menerima beberapa jenis layanan; setiap "
                "korban dihitung sekali per jenis layanan."
            ),
        )
    )

    # KLA cluster V (special protection): AMPK categories and the served indicators.
    ampk = _rows(_grid(ampk_rows, "c", years), labels["ampk"], years)
    tables.append(
        Table(
            "kla_ampk",
            _("Anak memerlukan perlindungan khusus (AMPK) menurut kategori - Klaster V KLA"),
            _("anak korban"),
            ampk,
            multi_count=True,
            note=_(
                "Hitungan ganda: satu anak dapat masuk lebih dari satu kategori (UU 35/2014 "
                "Pasal 59 ayat 2)."
            ),
        )
    )
    n_children = total_by([r for r in victim_rows if r["age_group"] in CHILD_GROUPS])
    trafficked = [r for r in victim_rows if r["trafficked"] and r["age_group"] in CHILD_GROUPS]
    tables.append(
        Table(
            "kla_served",
            _("Indikator Klaster V KLA: anak korban yang terlayani"),
            _("anak korban"),
            [
                Row("children", _("Anak korban kekerasan"), n_children),
                Row("children_served", _("Anak korban yang terlayani"), child_served),
                Row("trafficked", _("Anak korban perdagangan orang"), total_by(trafficked)),
                Row(
                    "trafficked_served",
                    _("Anak korban perdagangan orang yang terlayani"),
                    total_by([r for r in trafficked if r["served"]]),
                ),
                Row(
                    "disabled_children_served",
                    _("Anak penyandang disabilitas yang terlayani"),
                    total_by(
                        [
                            r
                            for r in victim_rows
                            if r["served"]
                            and r["has_disability"]
                            and r["age_group"] in CHILD_GROUPS
                        ]
                    ),
                ),
            ],
            note=_("Terlayani: menerima sedikitnya satu layanan yang tercatat."),
        )
    )

    if referral_rows is not None:
        tables += _referral_tables(referral_rows, partner_rows, years)

    rates = _rate_table(population, years, n_cases, victim_rows)
    if rates is not None:
        tables.append(rates)

    return Snapshot(
        params=params.to_dict(),
        years=years,
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
        tables=tables,
        undated_cases=undated if params.date_basis == DateBasis.INCIDENT else None,
        referrals_available=referral_rows is not None,
        aggregated_before=(
            timezone.localtime(refresh.covers_before).isoformat() if refresh else None
        ),
        aggregated_at=refresh.refreshed_at.isoformat(timespec="seconds") if refresh else None,
        aggregates_note=_aggregates_note(refresh),
    )


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


def _referral_tables(rows: list[dict], partners: list[dict], years: list[int]) -> list[Table]:
    index = {y: i for i, y in enumerate(years)}

    def series(column: str, default: object = 0) -> list:
        out: list = [default] * len(years)
        for r in rows:
            if r["y"] in index:
                out[index[r["y"]]] = r[column]
        return out

    medians = [None if v is None else round(v, 1) for v in series("median_days", None)]
    sent = series("n")
    kinds = [(k.value, str(k.label)) for k in Agency.Kind if k != Agency.Kind.UPTD_PPA]
    unit = _("rujukan")
    return [
        Table(
            "referrals",
            _("Rujukan ke lembaga mitra"),
            unit,
            [
                Row("sent", _("Rujukan dikirim (disetujui)"), sent),
                Row("accepted", _("Diterima lembaga tujuan"), series("accepted")),
                Row("declined", _("Ditolak lembaga tujuan"), series("declined")),
                Row("completed", _("Selesai ditangani"), series("completed")),
                Row("median_days", _("Median hari sampai diterima"), medians),
            ],
            note=_(
                "Rujukan dihitung menurut tahun kasusnya. Median hari: dari rujukan terkirim ke "
                "lembaga tujuan sampai diterima, hanya rujukan yang sudah diterima."
            ),
        ),
        Table(
            "referrals_partner",
            _("Rujukan dikirim menurut jenis lembaga tujuan"),
            unit,
            _rows(_grid(partners, "k", years), kinds, years),
            total=sent,
            total_label=_("Jumlah rujukan dikirim"),
        ),
    ]


def _area_table(
    area_rows: list[dict], region: Region, years: list[int], n_cases: list[int], unit: str
) -> Table:
    index = {y: i for i, y in enumerate(years)}
    names: dict[str, str] = {}
    grid: dict[str, list[int]] = {}
    for r in area_rows:
        if r["y"] not in index:
            continue
        if r["a"] is None:
            code, name = UNKNOWN, _("Kecamatan tidak diketahui")
        elif region.level == Region.Level.REGENCY and r.get("a_parent") != region.code:
            code, name = "_outside", _("Luar kota/kabupaten")
        else:
            code, name = r["a"], r["a_name"]
        names[code] = name
        grid.setdefault(code, [0] * len(years))[index[r["y"]]] += r["n"]
    special = {UNKNOWN, "_outside"}
    ordered = sorted((c for c in grid if c not in special), key=lambda c: names[c])
    ordered += [c for c in ("_outside", UNKNOWN) if c in grid]
    province = region.level == Region.Level.PROVINCE
    return Table(
        "cases_area",
        _("Kasus berdasarkan kabupaten/kota") if province else _("Kasus berdasarkan kecamatan"),
        unit,
        [Row(code, names[code], grid[code]) for code in ordered],
        total=n_cases,
        total_label=_("Jumlah kasus"),
        note=_("Hanya wilayah yang mencatat kasus ditampilkan.")
        if province
        else _("Kecamatan tempat kejadian; hanya kecamatan yang mencatat kasus ditampilkan."),
    )


def _rate_table(
    population: dict[tuple[int, str, str], int],
    years: list[int],
    n_cases: list[int],
    victim_rows: list[dict],
) -> Table | None:
    """Rates per 100,000 where the population of the region and year has been entered."""
    if not population:
        return None
    index = {y: i for i, y in enumerate(years)}
    women = [0] * len(years)
    children = [0] * len(years)
    for r in victim_rows:
        if r["y"] in index:
            if r["sex"] == Sex.FEMALE:
                women[index[r["y"]]] += r["n"]
            if r["age_group"] in CHILD_GROUPS:
                children[index[r["y"]]] += r["n"]

    def pop(year: int, sex: str, band: str) -> int | None:
        if (year, sex, band) in population:
            return population[(year, sex, band)]
        if (
            sex == ""
            and band == ""
            and (year, "L", "") in population
            and (year, "P", "") in population
        ):
            return population[(year, "L", "")] + population[(year, "P", "")]
        return None

    def rate(counts: list[int], sex: str, band: str) -> list:
        out = []
        for i, y in enumerate(years):
            p = pop(y, sex, band)
            out.append(None if not p else round(counts[i] * 100_000 / p, 1))
        return out

    def pops(sex: str, band: str) -> list:
        return [pop(y, sex, band) for y in years]

    return Table(
        "rates",
        _("Rasio kekerasan per 100.000 penduduk"),
        _("per 100.000 penduduk"),
        [
            Row("pop_all", _("Jumlah penduduk"), pops("", "")),
            Row("cases_rate", _("Kasus per 100.000 penduduk"), rate(n_cases, "", "")),
            Row("pop_women", _("Jumlah penduduk perempuan"), pops("P", "")),
            Row(
                "women_rate",
                _("Korban perempuan per 100.000 penduduk perempuan"),
                rate(women, "P", ""),
            ),
            Row("pop_children", _("Jumlah penduduk anak"), pops("", "anak")),
            Row(
                "children_rate",
                _("Korban anak per 100.000 penduduk anak"),
                rate(children, "", "anak"),
            ),
        ],
        kind="rate",
        note=_("Kosong (–) bila jumlah penduduk tahun itu belum diisi."),
    )
