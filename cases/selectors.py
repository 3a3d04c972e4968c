"""Reads of cases: the list (keyset pages), possible duplicates, the case page, its history.

Every function takes querysets already limited by `cases.access.visible_cases` and loads what a
page shows in a fixed number of queries, whatever the number of rows."""

import datetime as dt
import functools
import json
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar, cast

from django.apps import apps
from django.contrib.postgres.expressions import ArraySubquery
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from django.db.models import (
    Count,
    F,
    Field,
    ManyToManyField,
    Model,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import access, refcache
from cases.models import (
    AbhDetail,
    AmpkCategory,
    Case,
    CaseLink,
    CaseRecord,
    CaseType,
    ChildMarriageDetail,
    Deadline,
    DisabilityType,
    Document,
    LegalProcess,
    PerpetratorLink,
    Person,
    PersonRole,
    ReferenceItem,
    Relationship,
    RiskLevel,
    ServiceGiven,
    ServiceType,
    Status,
    Step,
    TraffickingDetail,
    UptdFunction,
    ViolenceForm,
    ViolenceSubtype,
    initials_of,
)
from cases.services import PersonData, nik_hash
from ppa.dates import when
from ppa.models import Agency, Region, Role, User

M = TypeVar("M", bound=Model)

PAGE_SIZE = 25
CURSOR_SALT = "cases.list.cursor"


# The pages' templates read a few values that the selectors set on model instances (no field
# of the model holds them). These protocols name those attributes so that setting them is
# type-checked: `cast(_PagePerson, person).lists = ...` sets the attribute on the instance itself.


class _PagePerson(Protocol):
    """A person of the case page: `lists`, the reference rows of its coded lists; the
    services given to them, their legal steps and their relationships to the victims."""

    pk: int
    lists: "PersonLists"
    services_given: list[ServiceGiven]
    legal_steps_list: list[LegalProcess]
    links_to_victims: list[PerpetratorLink]


class _PageLink(Protocol):
    """A perpetrator's link of the case page: `victim_person`, the victim it names."""

    victim_person: Person | None


class _PageDeadline(Protocol):
    """A clock of the case page: `overdue`."""

    overdue: bool


# --- List ----------------------------------------------------------------------------------


def encode_cursor(case: Case) -> str:
    """An opaque, signed position in the list (no primary key readable in the address)."""
    return _position(case.reported_on, case.pk)


def _position(day: dt.date, pk: int) -> str:
    return signing.dumps([day.isoformat(), pk], salt=CURSOR_SALT)


def decode_cursor(value: str) -> tuple[dt.date, int] | None:
    try:
        day, pk = signing.loads(value, salt=CURSOR_SALT)
        return dt.date.fromisoformat(day), int(pk)
    except (signing.BadSignature, ValueError, TypeError):
        return None


def case_list(
    user: User, filters: dict, *, name: str = "", cursor: str = "", size: int = PAGE_SIZE
) -> tuple[list["CaseRow"], str]:
    """One page of the user's cases, newest report first, and the cursor of the next page.

    Keyset pagination on (reported_on, id). The own cases and the referred cases
    (`access.visible_case_parts`) are paged separately, each through an index
    (`cases_case_agency_list` for the own ones), and merged: `WHERE id IN ((own LIMIT n+1)
    UNION ALL (referred LIMIT n+1))`. One query over `agency = X OR id IN (...)` cannot use the
    index and scans every case (bench/README.md: 1 s instead of 12 ms at 1M cases).

    One SQL statement written here rather than built with the ORM: the list is the page opened
    most often, and building and compiling the same statement as querysets took 3 ms of CPU
    per request, more than PostgreSQL takes to run it (bench/README.md, "Case list per
    request"). The filters are `_filter_sql`; every value goes in as a parameter."""
    parts = access.visible_case_parts(user)
    if not parts:
        return [], ""
    now = timezone.now()
    where, params = _filter_sql(user, filters, now=now)
    if name and access.can_search_names(user):
        # Names are searched only in the user's own agency's cases.
        where.append(
            '"cases_case"."agency_id" = %s AND EXISTS (SELECT 1 FROM "cases_person" P '
            'WHERE P."case_id" = "cases_case"."id" AND UPPER(P."name") LIKE UPPER(%s))'
        )
        params += [user.agency_id, _contains(name)]
    position = decode_cursor(cursor) if cursor else None
    if position is not None:
        day, pk = position
        # `reported_on <= day` is the index condition; the OR only settles the ties.
        where.append(
            '"cases_case"."reported_on" <= %s AND ("cases_case"."reported_on" < %s '
            'OR ("cases_case"."reported_on" = %s AND "cases_case"."id" < %s))'
        )
        params += [day, day, day, pk]
    # The limit is written in, not a parameter: a prepared statement's generic plan does not
    # know a parameter's value, and PostgreSQL would plan the statement anew each time.
    limit = int(size) + 1
    union, union_params = [], []
    for condition, part_params in parts:
        union.append(
            '(SELECT "cases_case"."id" FROM "cases_case" WHERE '  # noqa: S608 (conditions written here and in cases.access; values are parameters)
            + " AND ".join([condition, *where])
            + f' ORDER BY "cases_case"."reported_on" DESC, "cases_case"."id" DESC LIMIT {limit})'
        )
        union_params += [*part_params, *params]
    with connection.cursor() as db:
        db.execute(
            _LIST_SQL.format(parts=" UNION ALL ".join(union), limit=limit),
            [now, *union_params],
        )
        values = db.fetchall()
    next_cursor = _position(values[size - 1][4], values[size - 1][0]) if len(values) > size else ""
    values = values[:size]
    own_ids = [v[0] for v in values if v[_AGENCY] == user.agency_id]
    return _rows(values, _victims_of(own_ids), user.agency_id), next_cursor


# A clock that ran out and is not done (clocks recorded after their limit do not count).
_OVERDUE_SQL = (
    'EXISTS (SELECT 1 FROM "cases_deadline" D WHERE D."case_id" = "cases_case"."id" '
    'AND D."done_at" IS NULL AND NOT D."late_entry" AND D."due_at" < %s)'
)


# The page: the rows whose ids the parts found, with what a row shows. The columns' order is
# the one `_rows` unpacks (_AGENCY: the position of agency_id).
# Constant text; the parts are case_list's, every value a parameter.
_LIST_SQL = (
    'SELECT "cases_case"."id", "cases_case"."agency_id", "cases_case"."code", '  # noqa: S608
    f'"cases_case"."number", "cases_case"."reported_on", {_OVERDUE_SQL}, '
    '"cases_case"."case_type", "cases_case"."step", "cases_case"."status", '
    '"cases_case"."risk_level", R."name", U."first_name", U."last_name", U."username" '
    'FROM "cases_case" LEFT JOIN "ppa_region" R ON R."code" = "cases_case"."incident_district_id" '
    'LEFT JOIN "ppa_user" U ON U."id" = "cases_case"."assigned_worker_id" '
    'WHERE "cases_case"."id" IN ({parts}) '
    'ORDER BY "cases_case"."reported_on" DESC, "cases_case"."id" DESC LIMIT {limit}'
)
_AGENCY = 1


@dataclass(frozen=True, slots=True)
class VictimRow:
    """A victim as the list shows it: initials, sex and age group (never the name)."""

    initials: str
    sex: str
    age_group: str


@dataclass(frozen=True, slots=True)
class CaseRow:
    """One row of the case list: plain values with their labels already translated, so that the
    page neither builds model instances nor looks anything up per row."""

    code: Any
    number: str
    reported_on: dt.date
    is_own: bool
    overdue: bool
    victims: tuple[VictimRow, ...]
    case_type: str
    case_type_label: str
    step_label: str
    status: str
    status_label: str
    risk_level: str
    risk_label: str
    district_name: str
    worker_name: str


def _victims_of(case_ids: list[int]) -> dict[int, list[VictimRow]]:
    """The victims of the user's own cases on the page (referred cases show no people). Plain
    SQL: four columns of at most a few dozen rows, read on every list request."""
    found: dict[int, list[VictimRow]] = {}
    if not case_ids:
        return found
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT case_id, name, sex, age_group FROM {Person._meta.db_table} "  # noqa: S608 (model's table name)
            "WHERE case_id = ANY(%s) AND role = %s ORDER BY id",
            [case_ids, PersonRole.VICTIM.value],
        )
        for case_id, name, sex, age_group in cursor.fetchall():
            found.setdefault(case_id, []).append(VictimRow(initials_of(name), sex, age_group))
    return found


def _rows(
    values: list[tuple], victims: dict[int, list[VictimRow]], agency_id: Any
) -> list[CaseRow]:
    labels = _labels(translation.get_language())
    rows = []
    for pk, agency, code, number, day, overdue, ctype, step, status, risk, *rest in values:
        district, first, last, username = rest
        # No assigned worker: the join brings None for every name column.
        worker = " ".join(p for p in (first, last) if p) or (username or "")
        rows.append(
            CaseRow(
                code=code,
                number=number,
                reported_on=day,
                is_own=agency == agency_id,
                overdue=overdue,
                victims=tuple(victims.get(pk, ())),
                case_type=ctype,
                case_type_label=labels["type"].get(ctype, ctype),
                step_label=labels["step"].get(step, step),
                status=status,
                status_label=labels["status"].get(status, status),
                risk_level=risk,
                risk_label=labels["risk"].get(risk, risk),
                district_name=district or "",
                worker_name=worker,
            )
        )
    return rows


@functools.lru_cache(maxsize=8)
def _labels(language: str | None) -> dict[str, dict[str, str]]:
    """The list's labels of the coded values in one language (translated once per process,
    not four times a row)."""
    with translation.override(language):
        return {
            name: {code: str(label) for code, label in choices}
            for name, choices in (
                ("type", CaseType.choices),
                ("step", Step.choices),
                ("status", Status.choices),
                ("risk", RiskLevel.choices),
            )
        }


# List filter (query-string name) -> the column it compares (all `"cases_case"`'s).
EQUAL_FILTERS = {
    "status": '"status" = %s',
    "jenis": '"case_type" = %s',
    "tahap": '"step" = %s',
    "risiko": '"risk_level" = %s',
    "kecamatan": '"incident_district_id" = %s',
    "dari": '"reported_on" >= %s',
    "sampai": '"reported_on" <= %s',
}


def _filter_sql(user: User, filters: dict, *, now: dt.datetime) -> tuple[list[str], list]:
    """The list's filters (cleaned values of `ListFilterForm`) as SQL conditions on
    `"cases_case"` and their parameters."""
    where: list[str] = []
    params: list = []
    if filters.get("nomor"):
        where.append('UPPER("cases_case"."number") LIKE UPPER(%s)')
        params.append(_contains(filters["nomor"].strip()))
    for name, condition in EQUAL_FILTERS.items():
        if filters.get(name):
            where.append(f'"cases_case".{condition}')
            params.append(filters[name])
    worker = filters.get("petugas")
    if worker == "me":
        where.append('"cases_case"."assigned_worker_id" = %s')
        params.append(user.pk)
    elif worker == "none":
        where.append('"cases_case"."assigned_worker_id" IS NULL')
    elif worker:
        where.append(
            '"cases_case"."assigned_worker_id" IN (SELECT "id" FROM "ppa_user" WHERE "code" = %s)'
        )
        params.append(worker)
    if filters.get("lewat"):
        where.append(_OVERDUE_SQL)
        params.append(now)
    return where, params


def _contains(text: str) -> str:
    """A LIKE pattern that finds `text` anywhere, its own % and _ taken literally."""
    return f"%{connection.ops.prep_for_like_query(text)}%"


def list_filter_choices(agency: Agency) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The case list filter's choices: the kecamatan of the agency's city (by code) and its
    active case workers and supervisors (by first name, then username), as (value, label).

    One statement for both, read on every list request (two ORM queries with model instances
    were a sixth of the list's CPU time)."""
    with connection.cursor() as db:
        db.execute(
            'SELECT 0, "code", "name", "code", \'\' FROM "ppa_region" '
            'WHERE "parent_id" = %s AND "level" = %s '
            "UNION ALL "
            'SELECT 1, "code"::text, TRIM(CONCAT("first_name", \' \', "last_name")), '
            '"first_name", "username" FROM "ppa_user" '
            'WHERE "agency_id" = %s AND "role" IN (%s, %s) AND "is_active" '
            "ORDER BY 1, 4, 5",
            [
                agency.region_id,
                Region.Level.DISTRICT,
                agency.pk,
                Role.CASE_WORKER.value,
                Role.SUPERVISOR.value,
            ],
        )
        rows = db.fetchall()
    districts = [(code, label) for kind, code, label, _k, _u in rows if kind == 0]
    workers = [(code, label or username) for kind, code, label, _k, username in rows if kind == 1]
    return districts, workers


# --- Duplicates ------------------------------------------------------------------------------


DUPLICATE_BIRTH_WINDOW = dt.timedelta(days=366)


def _district_of(region_code: str | None) -> str:
    """The kecamatan of a region code (kecamatan or kelurahan/desa), or ""."""
    parts = (region_code or "").split(".")
    return ".".join(parts[:3]) if len(parts) >= 3 else ""


def _near(person: PersonData) -> Q:
    """A similar name (pg_trgm `%`) with the birth date within a year or an address in the same
    kecamatan; Q() when the person gives neither. Each branch is the name with one condition
    that a GiST index holds beside it (`cases_person_birth_trgm`, `cases_person_region_trgm`),
    so one index scan settles both; PostgreSQL ORs the two scans."""
    name = (person.name or "").strip()
    if not name:
        return Q()
    similar = Q(name__trigram_similar=name)
    near = Q()
    if person.birth_date:
        window = (
            person.birth_date - DUPLICATE_BIRTH_WINDOW,
            person.birth_date + DUPLICATE_BIRTH_WINDOW,
        )
        near |= similar & Q(birth_date__range=window)
    district = _district_of(person.address_region_id)
    if district:
        # The kecamatan and every kelurahan/desa under it ("13.71.10", "13.71.10.1001"): codes
        # are digits and dots, and "/" sorts right after ".", so this range holds exactly them,
        # as a range the index can use (a LIKE prefix cannot use a GiST index).
        same_district = Q(address_region_id__gte=district, address_region_id__lt=district + "/")
        near |= similar & same_district
    return near


def possible_duplicates(user: User, people: list) -> list[Case]:
    """Cases the user may see that hold a person with the same NIK, or a similar name (pg_trgm
    similarity) with the birth date within a year or the same kecamatan, as one of `people`
    (PersonData). Only `access.visible_cases`: a case the user may not open is never named."""
    condition = Q()
    for person in people:
        if person.nik:
            condition |= Q(nik_hash=nik_hash(person.nik))
        condition |= _near(person)
    if not condition:
        return []
    matches = Person.objects.filter(condition).values("case_id")
    return list(
        access.visible_cases(user)
        .filter(pk__in=matches)
        .select_related("agency")
        .order_by("-reported_on")[:10]
    )


# --- Case page -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonLists:
    """A person's coded lists as reference rows, each in its reference list's order."""

    violence_forms: list[ViolenceForm] = field(default_factory=list)
    violence_subtypes: list[ViolenceSubtype] = field(default_factory=list)
    ampk_categories: list[AmpkCategory] = field(default_factory=list)
    disability_types: list[DisabilityType] = field(default_factory=list)


@dataclass
class CasePage:
    """What the case page shows. Each person carries `lists` (PersonLists) and each of a
    perpetrator's `victim_links` its `victim_person`; each clock carries `overdue`."""

    case: Case
    victims: list[Person] = field(default_factory=list)
    perpetrators: list[Person] = field(default_factory=list)
    others: list[Person] = field(default_factory=list)
    records: list[CaseRecord] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    links: list[CaseLink] = field(default_factory=list)
    trafficking: TraffickingDetail | None = None
    abh: AbhDetail | None = None
    child_marriage: ChildMarriageDetail | None = None


PERSON_LISTS: dict[str, type[ReferenceItem]] = {
    # many-to-many field of Person -> its reference model
    "violence_forms": ViolenceForm,
    "violence_subtypes": ViolenceSubtype,
    "ampk_categories": AmpkCategory,
    "disability_types": DisabilityType,
}


def _person_m2m(name: str) -> "ManyToManyField[Any, Any]":
    """Person's many-to-many field `name`. Cast: `get_field` is typed for any field or relation,
    and PERSON_LISTS and HISTORY_LISTS name only many-to-many fields of Person."""
    return cast("ManyToManyField[Any, Any]", Person._meta.get_field(name))


def _with_reference_lists(people: QuerySet[Person]) -> QuerySet[Person]:
    """Each person's coded lists as arrays of codes (`<list>_codes`) in the people query
    itself: one indexed subquery per list instead of one query per list."""
    arrays = {}
    for name in PERSON_LISTS:
        m2m = _person_m2m(name)
        # Cast: a many-to-many field always has a through model (auto-created here).
        through = cast(type[Model], m2m.remote_field.through)
        arrays[f"{name}_codes"] = ArraySubquery(
            through._default_manager.filter(**{m2m.m2m_field_name(): OuterRef("pk")}).values(
                # Cast: the through model's side of the reference table is a foreign key.
                cast(Field, through._meta.get_field(m2m.m2m_reverse_field_name())).attname
            )
        )
    return people.annotate(**arrays)


def person_lists(person: Person) -> dict[str, list[str]]:
    """The codes of a person's lists (disabilities, forms of violence, sub-forms, AMPK
    categories) by many-to-many field name, in one query."""
    row = (
        _with_reference_lists(Person.objects.filter(pk=person.pk))
        .values(*(f"{name}_codes" for name in PERSON_LISTS))
        .get()
    )
    return {name: list(row[f"{name}_codes"] or []) for name in PERSON_LISTS}


def case_page(case: Case) -> CasePage:
    """Everything the case page shows, in one statement (`_case_page_sql`), plus one for the
    type-specific details when the case has any.

    The rows come as plain JSON and become unsaved-looking model instances (`Model.from_db`,
    as the ORM loads them) without the ORM's query building, prefetching or reference-list
    reads: the people come with their coded lists (forms of violence, sub-forms, AMPK
    categories, disabilities) and the reference rows their foreign keys name."""
    return _case_page(case)


def _json_values(model: type[Model], data: dict[str, Any]) -> tuple[list[str], list[Any]]:
    """(attribute names, Python values) of the fields of `model` present in `data`, a row as
    `to_jsonb` gives it (columns as keys, JSON values), in the model's field order."""
    names, values = [], []
    for column, model_field in _columns(model):
        if column in data:
            names.append(model_field.attname)
            values.append(model_field.to_python(data[column]))
    return names, values


@functools.cache
def _columns(model: type[Model]) -> list[tuple[str, Field]]:
    # Cast: a concrete field always has a column (`column` is None only for non-concrete ones).
    return [(cast(str, f.column), f) for f in model._meta.concrete_fields]


def _from_json(model: type[M], data: dict[str, Any]) -> M:
    """An instance of `model` as the ORM would load it, from `to_jsonb` of its row (or a
    `jsonb_build_object` of some of its columns: the others are deferred)."""
    names, values = _json_values(model, data)
    return model.from_db(connection.alias, names, values)


def _sql_rows(model: type[Model], where: str, order: str, **related: str) -> str:
    """SQL of a jsonb array of the rows of `model` (alias `x`) matching `where`, in `order`;
    each row `to_jsonb` with `related` (key: SQL over `x`) added."""
    row = "to_jsonb(x)"
    if related:
        pairs = ", ".join(f"'{key}', {sql}" for key, sql in related.items())
        row = f"to_jsonb(x) || jsonb_build_object({pairs})"
    table = connection.ops.quote_name(model._meta.db_table)
    return (
        f"(SELECT coalesce(jsonb_agg({row} ORDER BY {order}), '[]'::jsonb) "  # noqa: S608 (names from the models)
        f"FROM {table} x WHERE {where})"
    )


def _sql_ref(model: type[Model], field_name: str, columns: tuple[str, ...] = ()) -> str:
    """SQL of the row (`to_jsonb`, or only `columns`) that the foreign key `field_name` of
    row `x` of `model` points to, or NULL."""
    # Cast: `field_name` names a foreign key (a concrete field with a related model).
    fk = cast(Field, model._meta.get_field(field_name))
    target = cast(type[Model], fk.related_model)
    quote = connection.ops.quote_name
    alias = f"r_{field_name}"
    key = cast(str, target._meta.pk.column)
    data = f"to_jsonb({alias})"
    if columns:
        data = "jsonb_build_object(" + ", ".join(f"'{c}', {alias}.{quote(c)}" for c in columns)
        data += ")"
    return (
        f"(SELECT {data} FROM {quote(target._meta.db_table)} {alias} "  # noqa: S608 (names from the models)
        f"WHERE {alias}.{quote(key)} = x.{quote(cast(str, fk.column))})"
    )


def _sql_person_list(name: str) -> str:
    """SQL of a jsonb array of the reference rows of person `x`'s list `name`, in the list's
    order (`order`, `code`)."""
    m2m = _person_m2m(name)
    # Cast: a many-to-many field always has a through model (auto-created here).
    through = cast(type[Model], m2m.remote_field.through)
    target = m2m.related_model
    quote = connection.ops.quote_name
    source_column = cast(Field, through._meta.get_field(m2m.m2m_field_name())).column
    target_column = cast(Field, through._meta.get_field(m2m.m2m_reverse_field_name())).column
    return (
        f"(SELECT coalesce(jsonb_agg(to_jsonb(r) ORDER BY r.\"order\", r.code), '[]'::jsonb) "  # noqa: S608 (names from the models)
        f"FROM {quote(target._meta.db_table)} r JOIN {quote(through._meta.db_table)} m "
        f"ON m.{quote(cast(str, target_column))} = r.code "
        f"WHERE m.{quote(cast(str, source_column))} = x.id)"
    )


USER_COLUMNS = ("id", "username", "first_name", "last_name")  # what `str(user)` reads
DETAILS = ("trafficking", "abh", "child_marriage")  # the case's one-to-one detail rows


@functools.cache
def _case_page_sql() -> str:
    """One statement for everything the case page shows (parameter: the case's id, 9 times):
    each part a jsonb array of rows (`to_jsonb`), with the rows their foreign keys point to
    added under `_<field>`; the people with their coded lists as reference rows."""
    people = f"(SELECT id FROM {Person._meta.db_table} WHERE case_id = %s)"  # noqa: S608
    parts = {
        "people": _sql_rows(
            Person,
            "x.case_id = %s",
            "x.id",
            **{f"_{name}": _sql_ref(Person, name) for name in PERSON_REFS},
            _address_region=_sql_ref(Person, "address_region", ("code", "name")),
            **{f"_{name}": _sql_person_list(name) for name in PERSON_LISTS},
        ),
        "services": _sql_rows(
            ServiceGiven,
            f"x.victim_id IN {people}",
            "x.given_on, x.id",
            _service_type=_sql_ref(ServiceGiven, "service_type"),
            _function=_sql_ref(ServiceGiven, "function"),
            _provider=_sql_ref(ServiceGiven, "provider", ("id", "name", "short_name")),
        ),
        "legal_steps": _sql_rows(
            LegalProcess, f"x.perpetrator_id IN {people}", "x.started_on, x.id"
        ),
        "links": _sql_rows(
            PerpetratorLink,
            f"x.perpetrator_id IN {people}",
            "x.id",
            _relationship=_sql_ref(PerpetratorLink, "relationship"),
        ),
        "deadlines": _sql_rows(Deadline, "x.case_id = %s", "x.due_at, x.id"),
        "records": _sql_rows(
            CaseRecord,
            "x.case_id = %s",
            "x.created_at DESC, x.id DESC",
            _author=_sql_ref(CaseRecord, "author", USER_COLUMNS),
        ),
        "documents": _sql_rows(Document, "x.case_id = %s", "x.uploaded_at DESC, x.id DESC"),
        "case_links": _sql_rows(
            CaseLink,
            "x.case_id = %s",
            "x.id",
            _linked_case=_sql_ref(CaseLink, "linked_case", ("id", "code", "number")),
        ),
    }
    quote = connection.ops.quote_name
    details = " OR ".join(
        f"EXISTS (SELECT 1 FROM {quote(Case._meta.get_field(name).related_model._meta.db_table)} "  # type: ignore[union-attr]  # noqa: S608 (names from the models)
        "WHERE case_id = %s)"
        for name in DETAILS
    )
    columns = [f"{sql} AS {name}" for name, sql in parts.items()]
    return f"SELECT {', '.join(columns)}, ({details}) AS has_details"


# Foreign keys of Person to reference tables that the page names.
PERSON_REFS = ("education", "occupation", "marital_status")


def _page_rows(case: Case) -> dict[str, Any]:
    """The case page's statement, run: {part: list of row dicts}, and `has_details`."""
    sql = _case_page_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [case.pk] * sql.count("%s"))
        row = cursor.fetchone()
        names = [c.name for c in cursor.description]
    return {
        name: json.loads(value) if isinstance(value, str) else value
        for name, value in zip(names, row, strict=True)
    }


def _with_refs(instance: M, data: dict[str, Any], **models: type[Model]) -> M:
    """Set the foreign keys `models` (field name: model) of `instance` to the rows loaded
    with it under `_<field>` (None stays None)."""
    for name, model in models.items():
        related = data.get(f"_{name}")
        setattr(instance, name, _from_json(model, related) if related is not None else None)
    return instance


def _people(rows: dict[str, Any]) -> list[Person]:
    """The case's people, each with its lists (`lists`), services (`services_given`), legal
    steps (`legal_steps_list`) and relationships to victims (`links_to_victims`, each with
    its `victim_person`)."""
    refs = {name: _person_fk_model(name) for name in (*PERSON_REFS, "address_region")}
    people = []
    for data in rows["people"]:
        person = _with_refs(_from_json(Person, data), data, **refs)
        page_person = cast(_PagePerson, person)
        found: dict[str, list[Any]] = {
            name: [_from_json(model, r) for r in data[f"_{name}"]]
            for name, model in PERSON_LISTS.items()
        }
        page_person.lists = PersonLists(**found)
        page_person.services_given = []
        page_person.legal_steps_list = []
        page_person.links_to_victims = []
        people.append(person)
    by_id = {p.pk: cast(_PagePerson, p) for p in people}
    for data in rows["services"]:
        service = _with_refs(
            _from_json(ServiceGiven, data),
            data,
            service_type=ServiceType,
            function=UptdFunction,
            provider=Agency,
        )
        by_id[service.victim_id].services_given.append(service)
    for data in rows["legal_steps"]:
        step = _from_json(LegalProcess, data)
        by_id[step.perpetrator_id].legal_steps_list.append(step)
    for data in rows["links"]:
        link = _with_refs(_from_json(PerpetratorLink, data), data, relationship=Relationship)
        cast(_PageLink, link).victim_person = cast(Person | None, by_id.get(link.victim_id))
        by_id[link.perpetrator_id].links_to_victims.append(link)
    return people


def _person_fk_model(name: str) -> type[Model]:
    return cast(type[Model], Person._meta.get_field(name).related_model)


def _case_page(case: Case) -> CasePage:
    rows = _page_rows(case)
    people = _people(rows)
    now = timezone.now()
    deadlines = [_from_json(Deadline, data) for data in rows["deadlines"]]
    for deadline in deadlines:
        cast(_PageDeadline, deadline).overdue = (
            deadline.done_at is None and not deadline.late_entry and deadline.due_at < now
        )
    page = CasePage(
        case=case,
        victims=[p for p in people if p.role == PersonRole.VICTIM],
        perpetrators=[p for p in people if p.role == PersonRole.PERPETRATOR],
        others=[p for p in people if p.role not in (PersonRole.VICTIM, PersonRole.PERPETRATOR)],
        records=[
            _with_refs(_from_json(CaseRecord, data), data, author=User) for data in rows["records"]
        ],
        documents=[_from_json(Document, data) for data in rows["documents"]],
        deadlines=deadlines,
        links=[
            _with_refs(_from_json(CaseLink, data), data, linked_case=Case)
            for data in rows["case_links"]
        ],
    )
    if rows["has_details"]:  # few cases have them (and the trafficking one has a list)
        details = Case.objects.select_related(*DETAILS).get(pk=case.pk)
        page.trafficking = _one_to_one(details, "trafficking")
        page.abh = _one_to_one(details, "abh")
        page.child_marriage = _one_to_one(details, "child_marriage")
    return page


def _one_to_one(case: Case, name: str) -> Any:
    """The row on the reverse side of a one-to-one field, or None (loaded by select_related)."""
    try:
        return getattr(case, name)
    except ObjectDoesNotExist:
        return None


# --- History -------------------------------------------------------------------------------

SKIP_FIELDS = {"updated_at", "version", "created_at", "nik_hash", "intake_token", "code", "id"}


@dataclass
class HistoryEntry:
    when: dt.datetime
    who: str
    what: str
    kind: str  # "+", "~", "-"
    reason: str
    changes: list[tuple[str, str, str]]

    @property
    def done(self) -> str:
        """What happened to the row, in words (the history templates show it)."""
        if self.kind == "+":
            return _("dibuat")
        if self.kind == "-":
            return _("dihapus")
        return _("diubah")


def _shown(model_field: Field, value: Any, users: dict[int, str]) -> str:
    if value in (None, ""):
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation and model_field.related_model is User:
        return users.get(value, f"#{value}")
    if isinstance(value, bool):
        return _("Ya") if value else _("Tidak")
    if isinstance(value, dt.date):
        return when(value)
    text = str(value)
    return text if len(text) <= 160 else text[:157] + "…"


# (tracked model, label, condition on its history table `h`)
Sources = list[tuple[type[Model], "str | Promise", str]]


def _history_sources() -> Sources:
    """(model, label, condition on its history table `h`) of everything whose changes the case
    page lists; `%s` is the case's id. Rows hanging on a person belong to the case's people."""
    person_ids = f"(SELECT id FROM {Person._meta.db_table} WHERE case_id = %s)"  # noqa: S608
    return [
        (Case, gettext_lazy("Kasus"), "h.id = %s"),
        (Person, gettext_lazy("Orang"), "h.case_id = %s"),
        (CaseRecord, gettext_lazy("Catatan"), "h.case_id = %s"),
        (Document, gettext_lazy("Dokumen"), "h.case_id = %s"),
        (Deadline, gettext_lazy("Batas waktu"), "h.case_id = %s"),
        (ServiceGiven, gettext_lazy("Layanan"), f"h.victim_id IN {person_ids}"),
        (LegalProcess, gettext_lazy("Proses hukum"), f"h.perpetrator_id IN {person_ids}"),
        (
            PerpetratorLink,
            gettext_lazy("Hubungan pelaku-korban"),
            f"h.victim_id IN {person_ids}",
        ),
    ]


HISTORY_SOURCES = _history_sources()


@functools.cache
def _history_model(model: type[Model]) -> type[Model]:
    """The historical model of a tracked model. `Model.history` builds a new manager class on
    every access (simple-history, about 0.5 ms): looked up once per process."""
    return model.history.model  # type: ignore[attr-defined]


@dataclass
class Version:
    """One history row as plain data: which row, when, by whom (user id or name), why, the
    row's values by attribute name, and for a person the codes of the lists kept with it."""

    row_id: int
    when: dt.datetime
    kind: str  # "+", "~", "-"
    user_id: int | None
    reason: str
    values: dict[str, Any]
    lists: dict[str, list[str]] = field(default_factory=dict)
    who: str = ""


def _version_from_json(history_model: type[Model], data: dict[str, Any]) -> Version:
    """A Version from `to_jsonb(h)` of a history row (columns as keys, JSON values)."""
    values = dict(zip(*_json_values(history_model, data), strict=True))
    return Version(
        row_id=values["id"],
        when=values["history_date"],
        kind=values["history_type"],
        user_id=values["history_user_id"],
        reason=values["history_change_reason"] or "",
        values=values,
        lists=_decoded(data["_lists"]) if "_lists" in data else {},
    )


def _version_from_row(row: Model) -> Version:
    """A Version from a historical instance loaded by the ORM (with its `history_user`)."""
    values = {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields}
    user = row.history_user  # type: ignore[attr-defined]
    return Version(
        row_id=values["id"],
        when=values["history_date"],
        kind=values["history_type"],
        user_id=values["history_user_id"],
        reason=values["history_change_reason"] or "",
        values=values,
        who=str(user) if user else "",
    )


@functools.cache
def _history_sql() -> str:
    """SQL of every history row of every source (`HISTORY_SOURCES`) in one UNION ALL (each
    branch through the history table's index on the case or person column), followed by the
    users the rows name (who made each change, and users named in a change) as source -1."""
    quote = connection.ops.quote_name
    parts = []
    named = ["(h.data->>'history_user_id')::bigint"]
    for n, (model, _label, condition) in enumerate(HISTORY_SOURCES):
        table = quote(_history_model(model)._meta.db_table)
        data = "to_jsonb(h)"
        if model is Person:  # with the lists kept with each row
            data = f"to_jsonb(h) || jsonb_build_object('_lists', {_history_list_sql()})"
        parts.append(
            f"SELECT {n} AS source, h.id AS row_id, h.history_date, h.history_id, "  # noqa: S608 (names from the models, values bound)
            f"{data} AS data FROM {table} h WHERE {condition}"
        )
        named += [
            f"CASE WHEN h.source = {n} THEN (h.data->>'{f.column}')::bigint END"
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model is User
        ]
    rows = " UNION ALL ".join(f"({part})" for part in parts)
    user = ", ".join(f"'{c}', u.{quote(c)}" for c in USER_COLUMNS)
    ids = " UNION ".join(f"SELECT {column} FROM h" for column in named)  # noqa: S608
    return (
        f"WITH h AS ({rows}) SELECT * FROM h UNION ALL "  # noqa: S608 (names from the models)
        f"SELECT -1, u.id, NULL, NULL, jsonb_build_object({user}) "
        f"FROM {quote(User._meta.db_table)} u WHERE u.id IN ({ids}) "
        "ORDER BY source, row_id, history_date, history_id"
    )


def _history_rows(case: Case) -> tuple[list[list[Version]], dict[int, str]]:
    """Every history row of every source as Versions, one list per source, ordered by row,
    then time (as the diffs need); and the names of the users they name. One query."""
    sql = _history_sql()
    loaded: list[list[Version]] = [[] for _source in HISTORY_SOURCES]
    users: dict[int, str] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [case.pk] * sql.count("%s"))
        for source, _row_id, _when, _history_id, data in cursor.fetchall():
            if isinstance(data, str):
                data = json.loads(data)
            if source < 0:
                users[data["id"]] = str(_from_json(User, data))
                continue
            model = _history_model(HISTORY_SOURCES[source][0])
            loaded[source].append(_version_from_json(model, data))
    return loaded, users


def _field_changes(
    fields: list[Field], before: Version | None, after: Version, users: dict[int, str]
) -> list[tuple[str, str, str]]:
    """(label, old, new) of the fields that differ between two versions of a row."""
    old = before.values if before is not None else {}
    return [
        (
            str(f.verbose_name),
            _shown(f, old.get(f.attname), users),
            _shown(f, after.values.get(f.attname), users),
        )
        for f in fields
        if old.get(f.attname) != after.values.get(f.attname)
    ]


def _display(model: type[Model], name: str, value: object) -> str:
    """The label of a coded value, as `get_<name>_display()` gives it."""
    return str(choice_label(model, name, value))


@functools.cache
def _choices(model: type[Model], name: str) -> dict[object, object]:
    # Cast: `name` is a concrete field with choices (`role`, `kind`), not a relation.
    return dict(cast(Field, model._meta.get_field(name)).flatchoices)


def choice_label(model: type[Model], name: str, value: object) -> object:
    """The label of the value of the coded field `name` (the value itself when it is not one of
    the choices, as `get_<name>_display()`), translated into the active language."""
    found = _choices(model, name).get(value)
    return value if found is None else str(found)


def _what(model: type[Model], label: "str | Promise", version: Version) -> str:
    """What a history entry is about: the source's label, with the person's role or the
    record's or clock's kind."""
    if model is Person:
        return f"{label}: {_display(Person, 'role', version.values.get('role'))}"
    if model is CaseRecord or model is Deadline:
        return f"{label}: {_display(model, 'kind', version.values.get('kind'))}"
    return str(label)


def case_history(case: Case) -> list[HistoryEntry]:
    """Who changed what, when and why, across the case and what hangs on it, newest first.

    One query whatever the number of rows: the history rows of every tracked table in one
    UNION ALL, with the users they name (who made each change, and users named in a change);
    diffs are computed in Python between consecutive versions of each row."""
    loaded, users = _history_rows(case)
    entries = []
    for (model, label, _condition), versions in zip(HISTORY_SOURCES, loaded, strict=True):
        fields = [f for f in model._meta.concrete_fields if f.name not in SKIP_FIELDS]
        previous: dict[int, Version] = {}
        for version in versions:
            before = previous.get(version.row_id)
            previous[version.row_id] = version
            changes = []
            if version.kind == "~":
                changes = _field_changes(fields, before, version, users)
                # Lists changed by a correction (`services.person_update` raises the version;
                # the intake's rows that add the lists one by one do not).
                if model is Person and before is not None and _new_version(before, version):
                    changes += _list_changes(before.lists, version.lists)
                if not changes:
                    continue
            who = users.get(version.user_id) if version.user_id else None
            entries.append(
                HistoryEntry(
                    when=version.when,
                    who=who or _("sistem"),
                    what=_what(model, label, version),
                    kind=version.kind,
                    reason=version.reason,
                    changes=changes,
                )
            )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


def _new_version(before: Version, after: Version) -> bool:
    return before.values.get("version") != after.values.get("version")


def changes_since(case: Case, version: int) -> list[HistoryEntry]:
    """Changes of the case itself made after the user opened a form at `version`."""
    rows = (
        Case.history.filter(id=case.pk, version__gte=version)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    return _version_diffs(Case, [_version_from_row(row) for row in rows], _("Kasus"))


def person_changes_since(person: Person, version: int) -> list[HistoryEntry]:
    """Changes of one person's data made after the user opened a form at `version`."""
    rows = list(
        Person.history.filter(id=person.pk, version__gte=version)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    lists = _history_lists([row.history_id for row in rows])
    versions = [_version_from_row(row) for row in rows]
    for row, version_row in zip(rows, versions, strict=True):
        version_row.lists = lists.get(row.history_id, {})
    return _version_diffs(Person, versions, _("Orang"), with_lists=True)


def _version_diffs(
    model: type[Model], versions: list[Version], label: str, with_lists: bool = False
) -> list[HistoryEntry]:
    """One entry per change between consecutive versions of one row (the conflict views)."""
    fields = [f for f in model._meta.concrete_fields if f.name not in SKIP_FIELDS]
    entries = []
    for before, after in zip(versions, versions[1:], strict=False):
        changes = _field_changes(fields, before, after, {})
        if with_lists and _new_version(before, after):
            changes += _list_changes(before.lists, after.lists)
        if not changes:
            continue  # e.g. the intake's rows that add a new person's lists one by one
        entries.append(
            HistoryEntry(
                when=after.when,
                who=after.who or _("sistem"),
                what=_what(model, label, after),
                kind=after.kind,
                reason=after.reason,
                changes=changes,
            )
        )
    return entries


# Lists of a person kept with each history row (simple-history's m2m snapshots).
HISTORY_LISTS = ("violence_forms", "violence_subtypes", "ampk_categories")


def _history_list_sql() -> str:
    """SQL of a jsonb object {list name: [codes]} of the history row `h` of a person."""
    quote = connection.ops.quote_name
    items = []
    for name in HISTORY_LISTS:
        through = apps.get_model("cases", f"HistoricalPerson_{name}")
        target = _person_m2m(name).m2m_reverse_field_name()
        column = through._meta.get_field(target).column
        table = quote(through._meta.db_table)
        items.append(
            f"'{name}', ARRAY(SELECT m.{quote(column)} FROM {table} m "  # noqa: S608 (names from the models)
            f"WHERE m.history_id = h.history_id ORDER BY 1)"
        )
    return f"jsonb_build_object({', '.join(items)})"


def _history_lists(history_ids: list[int]) -> dict[int, dict[str, list[str]]]:
    """{history id: {list name: sorted codes}} of person history rows (one query)."""
    if not history_ids:
        return {}
    history = _history_model(Person)
    table = connection.ops.quote_name(history._meta.db_table)
    sql = (
        f"SELECT h.history_id, {_history_list_sql()} FROM {table} h "  # noqa: S608 (names from the models, values bound)
        "WHERE h.history_id = ANY(%s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(history_ids)])
        return {hid: _decoded(lists) for hid, lists in cursor.fetchall()}


def _decoded(lists: str | dict[str, list[str]]) -> dict[str, list[str]]:
    if isinstance(lists, str):
        lists = json.loads(lists)
    assert isinstance(lists, dict)
    return {name: sorted(lists.get(name) or []) for name in HISTORY_LISTS}


def _list_changes(
    before: dict[str, list[str]], after: dict[str, list[str]]
) -> list[tuple[str, str, str]]:
    """Readable changes of a person's lists between two history rows (labels, not codes)."""
    changes = []
    for name in HISTORY_LISTS:
        old, new = before.get(name), after.get(name)
        if old is None or new is None or old == new:
            continue
        model_field = _person_m2m(name)
        # Cast: the coded lists of a person point to reference tables (see PERSON_LISTS).
        known = refcache.all_rows(cast(type[ReferenceItem], model_field.related_model))

        def labels(codes: list[str], known: dict[str, object] = known) -> str:
            return ", ".join(str(known[c]) if c in known else c for c in codes) or "—"

        changes.append((str(model_field.verbose_name), labels(old), labels(new)))
    return changes


# --- The most used choices first (intake) ------------------------------------------------------

USAGE_CASES = 2000  # the agency's most recently reported cases
USAGE_CACHE_SECONDS = 600  # a new case moves the order within ten minutes


def _usage_querysets(agency_id: int) -> dict[str, QuerySet]:
    """For each reference list the intake offers, a grouped count of its codes over the
    agency's USAGE_CASES most recent cases: {model label: queryset of (choice, n)}.

    A number of cases rather than a period: the cost stays the same for the biggest office
    (a period of two years read 120,000 cases of one office at one million cases, 5.5 s)."""
    recent = (
        Case.objects.filter(agency_id=agency_id)
        .order_by("-reported_on", "-pk")  # the case list's index
        .values("pk")[:USAGE_CASES]
    )
    cases = {"case_id__in": recent}
    victims = {"victim__case_id__in": recent}
    counted: dict[str, QuerySet] = {
        "cases.place": Case.objects.filter(pk__in=recent, place__isnull=False).values(
            choice=F("place_id")
        ),
        "cases.relationship": PerpetratorLink.objects.filter(**victims).values(
            choice=F("relationship_id")
        ),
        "cases.servicetype": ServiceGiven.objects.filter(**victims).values(
            choice=F("service_type_id")
        ),
    }
    for name in ("education", "occupation", "marital_status"):
        target = cast(type[Model], Person._meta.get_field(name).related_model)
        counted[target._meta.label_lower] = Person.objects.filter(
            **cases, **{f"{name}__isnull": False}
        ).values(choice=F(f"{name}_id"))
    for name in ("violence_forms", "violence_subtypes", "ampk_categories", "disability_types"):
        m2m = cast(Any, Person._meta.get_field(name))
        through = m2m.remote_field.through
        person = f"{m2m.m2m_field_name()}__"
        counted[m2m.related_model._meta.label_lower] = through.objects.filter(
            **{person + k: v for k, v in cases.items()}
        ).values(choice=F(f"{m2m.m2m_reverse_field_name()}_id"))
    return {label: qs.annotate(n=Count("pk")).order_by() for label, qs in counted.items()}


def _count_usage(agency_id: int) -> dict[str, dict[str, int]]:
    """One query: the grouped counts of every list, joined with UNION ALL."""
    parts, params = [], []
    for label, queryset in _usage_querysets(agency_id).items():
        sql, qs_params = queryset.query.sql_with_params()
        parts.append(f"SELECT %s, u.choice, u.n FROM ({sql}) AS u")  # noqa: S608 (ORM SQL)
        params += [label, *qs_params]
    usage: dict[str, dict[str, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for label, choice, n in cursor.fetchall():
            usage.setdefault(label, {})[choice] = n
    return usage


def choice_usage(agency_id: int) -> dict[str, dict[str, int]]:
    """How often the agency's own recent cases used each choice of the intake's reference
    lists: {model label: {code: count}}. Kept in the cache for USAGE_CACHE_SECONDS (and
    read once per request); an agency without cases gets an empty dict."""
    key = f"cases:choice-usage:{agency_id}"

    def load() -> dict[str, dict[str, int]]:
        found = cache.get_or_set(key, lambda: _count_usage(agency_id), USAGE_CACHE_SECONDS)
        return cast(dict[str, dict[str, int]], found)

    return refcache.cached(key, load)


def by_use(choices: list[tuple[str, str]], counts: dict[str, int]) -> list[tuple[str, str]]:
    """The same choices, most used first; equal counts (and unused choices) keep the official
    reference order (a stable sort). Nothing is dropped or added."""
    return sorted(choices, key=lambda choice: -counts.get(choice[0], 0))
