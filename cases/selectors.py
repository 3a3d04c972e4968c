"""Reads of cases: the list (keyset pages), possible duplicates, the case page, its history.

Every function takes querysets already limited by `ppa.access.visible_cases` and loads what a
page shows in a fixed number of queries, whatever the number of rows."""

import datetime as dt
import functools
import json
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.postgres.expressions import ArraySubquery
from django.core import signing
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import refcache
from cases.models import (
    AbhDetail,
    AmpkCategory,
    Case,
    CaseLink,
    CaseRecord,
    ChildMarriageDetail,
    Deadline,
    DisabilityType,
    Document,
    LegalProcess,
    PerpetratorLink,
    Person,
    PersonRole,
    ServiceGiven,
    TraffickingDetail,
    ViolenceForm,
    ViolenceSubtype,
)
from cases.services import nik_hash
from ppa import access
from ppa.models import User

PAGE_SIZE = 25
CURSOR_SALT = "cases.list.cursor"


# --- List ----------------------------------------------------------------------------------


def encode_cursor(case: Case) -> str:
    """An opaque, signed position in the list (no primary key readable in the address)."""
    return signing.dumps([case.reported_on.isoformat(), case.pk], salt=CURSOR_SALT)


def decode_cursor(value: str) -> tuple[dt.date, int] | None:
    try:
        day, pk = signing.loads(value, salt=CURSOR_SALT)
        return dt.date.fromisoformat(day), int(pk)
    except (signing.BadSignature, ValueError, TypeError):
        return None


def case_list(
    user: User, filters: dict, *, name: str = "", cursor: str = "", size: int = PAGE_SIZE
) -> tuple[list[Case], str]:
    """One page of the user's cases, newest report first, and the cursor of the next page.

    Keyset pagination on (reported_on, id). The own cases and the referred cases
    (`access.visible_case_parts`) are paged separately, each through an index
    (`cases_case_agency_list` for the own ones), and merged: `WHERE id IN ((own LIMIT n+1)
    UNION ALL (referred LIMIT n+1))`. One query over `agency = X OR id IN (...)` cannot use the
    index and scans every case (bench/README.md: 1 s instead of 12 ms at 1M cases)."""
    now = timezone.now()
    position = decode_cursor(cursor) if cursor else None
    searching = bool(name) and access.can_search_names(user)
    parts = []
    for part in access.visible_case_parts(user):
        part = apply_filters(part.annotate(overdue=_overdue(now)), user, filters)
        if searching:
            # Names are searched only in the user's own agency's cases.
            part = part.filter(agency_id=user.agency_id).filter(
                Exists(Person.objects.filter(case=OuterRef("pk"), name__icontains=name))
            )
        if position is not None:
            day, pk = position
            # `reported_on <= day` is the index condition; the OR only settles the ties.
            part = part.filter(reported_on__lte=day).filter(
                Q(reported_on__lt=day) | Q(reported_on=day, pk__lt=pk)
            )
        parts.append(part.order_by("-reported_on", "-id").values("pk")[: size + 1])
    if not parts:
        return [], ""
    if len(parts) == 1:
        ids = parts[0]
    elif connection.features.supports_slicing_ordering_in_compound:
        ids = parts[0].union(*parts[1:], all=True)
    else:  # SQLite (the demo) refuses LIMIT inside UNION: one query per part instead
        ids = [row["pk"] for part in parts for row in part]
    victims = Person.objects.filter(role=PersonRole.VICTIM).only(
        "case_id", "name", "sex", "age_group", "role"
    )
    qs = (
        Case.objects.filter(pk__in=ids)
        .select_related("incident_district", "assigned_worker")
        .annotate(overdue=_overdue(now))
        .order_by("-reported_on", "-id")
        .prefetch_related(Prefetch("people", queryset=victims.order_by("id"), to_attr="victims"))
    )
    rows = list(qs[: size + 1])
    next_cursor = encode_cursor(rows[size - 1]) if len(rows) > size else ""
    rows = rows[:size]
    for case in rows:
        case.is_own = case.agency_id == user.agency_id
    return rows, next_cursor


def _overdue(now: dt.datetime) -> Exists:
    return Exists(
        Deadline.objects.filter(
            case=OuterRef("pk"), done_at__isnull=True, late_entry=False, due_at__lt=now
        )
    )


def apply_filters(qs: QuerySet, user: User, filters: dict) -> QuerySet:
    if filters.get("nomor"):
        qs = qs.filter(number__icontains=filters["nomor"].strip())
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("jenis"):
        qs = qs.filter(case_type=filters["jenis"])
    if filters.get("tahap"):
        qs = qs.filter(step=filters["tahap"])
    if filters.get("risiko"):
        qs = qs.filter(risk_level=filters["risiko"])
    if filters.get("kecamatan"):
        qs = qs.filter(incident_district_id=filters["kecamatan"])
    if filters.get("dari"):
        qs = qs.filter(reported_on__gte=filters["dari"])
    if filters.get("sampai"):
        qs = qs.filter(reported_on__lte=filters["sampai"])
    worker = filters.get("petugas")
    if worker == "me":
        qs = qs.filter(assigned_worker_id=user.pk)
    elif worker == "none":
        qs = qs.filter(assigned_worker__isnull=True)
    elif worker:
        qs = qs.filter(assigned_worker__code=worker)
    if filters.get("lewat"):
        qs = qs.filter(overdue=True)
    return qs


# --- Duplicates ------------------------------------------------------------------------------


DUPLICATE_BIRTH_WINDOW = dt.timedelta(days=366)


def _district_of(region_code: str | None) -> str:
    """The kecamatan of a region code (kecamatan or kelurahan/desa), or ""."""
    parts = (region_code or "").split(".")
    return ".".join(parts[:3]) if len(parts) >= 3 else ""


def _near(person) -> Q:
    """A similar name (pg_trgm `%`, index `cases_person_name_trgm`) with the birth date within
    a year or an address in the same kecamatan; Q() when the person gives neither. Each branch
    pairs the name with one indexed condition, so PostgreSQL can AND the two index scans."""
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
        same_district = Q(address_region_id=district) | Q(
            address_region__pk__startswith=district + "."
        )
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


@dataclass
class CasePage:
    case: Case
    victims: list[Person] = field(default_factory=list)
    perpetrators: list[Person] = field(default_factory=list)
    others: list[Person] = field(default_factory=list)
    records: list[CaseRecord] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    links: list[CaseLink] = field(default_factory=list)
    trafficking: object = None
    abh: object = None
    child_marriage: object = None


PERSON_LISTS = {
    # many-to-many field of Person -> its reference model
    "violence_forms": ViolenceForm,
    "violence_subtypes": ViolenceSubtype,
    "ampk_categories": AmpkCategory,
    "disability_types": DisabilityType,
}


def _with_reference_lists(people: QuerySet) -> QuerySet:
    """Each person's coded lists as arrays of codes in the people query itself (one indexed
    subquery per list instead of one query per list). Elsewhere (SQLite, the demo) the lists
    are prefetched, one query per list."""
    if connection.vendor != "postgresql":
        return people.prefetch_related(*PERSON_LISTS)
    arrays = {}
    for name in PERSON_LISTS:
        m2m = Person._meta.get_field(name)
        through = m2m.remote_field.through
        arrays[f"{name}_codes"] = ArraySubquery(
            through.objects.filter(**{m2m.m2m_field_name(): OuterRef("pk")}).values(
                through._meta.get_field(m2m.m2m_reverse_field_name()).attname
            )
        )
    return people.annotate(**arrays)


def _set_prefetched(obj, name: str, items: list) -> None:
    """Fill `obj.<name>.all()` with `items`, as prefetch_related does (no query later)."""
    qs = getattr(obj, name).all()
    qs._result_cache = items
    qs._prefetch_done = True
    if not hasattr(obj, "_prefetched_objects_cache"):
        obj._prefetched_objects_cache = {}
    obj._prefetched_objects_cache[name] = qs


def _from_json(model: type, data) -> object:
    """A model instance from `to_jsonb(row)`, as if loaded by the ORM."""
    if isinstance(data, str):
        data = json.loads(data)
    fields = model._meta.concrete_fields
    return model.from_db(
        connection.alias,
        [f.attname for f in fields],
        [f.to_python(data.get(f.column)) for f in fields],
    )


def person_lists(person: Person) -> dict[str, list[str]]:
    """The codes of a person's lists (disabilities, forms of violence, sub-forms, AMPK
    categories) by many-to-many field name: one query on PostgreSQL."""
    if connection.vendor != "postgresql":
        return {
            name: list(getattr(person, name).values_list("pk", flat=True)) for name in PERSON_LISTS
        }
    row = (
        _with_reference_lists(Person.objects.filter(pk=person.pk))
        .values(*(f"{name}_codes" for name in PERSON_LISTS))
        .get()
    )
    return {name: list(row[f"{name}_codes"] or []) for name in PERSON_LISTS}


# What hangs directly on the case: (page attribute, model, foreign key loaded with the row,
# order of the list as the model's Meta gives it, with the id settling ties).
CASE_ROWS = [
    ("records", CaseRecord, "author", lambda r: (r.created_at, r.pk), True),
    ("documents", Document, "uploaded_by", lambda d: (d.uploaded_at, d.pk), True),
    ("deadlines", Deadline, None, lambda d: (d.due_at, d.pk), False),
    ("links", CaseLink, "linked_case", lambda link: link.pk, False),
    ("trafficking", TraffickingDetail, None, None, False),
    ("abh", AbhDetail, None, None, False),
    ("child_marriage", ChildMarriageDetail, None, None, False),
]


def _case_rows(case: Case) -> dict[str, list]:
    """Records, documents, clocks, linked cases and the type-specific details of a case in
    one UNION ALL query (each branch through its table's `case_id` index), with the user or
    case each row names; as model instances, by page attribute. Elsewhere (SQLite, the demo)
    one ORM query per table."""
    if connection.vendor != "postgresql":
        found = {
            name: list(
                model.objects.filter(case=case).select_related(*([related] if related else []))
            )
            for name, model, related, _key, _reverse in CASE_ROWS
        }
        return _sorted_case_rows(found)
    quote = connection.ops.quote_name
    parts = []
    for n, (_name, model, related, _key, _reverse) in enumerate(CASE_ROWS):
        table = quote(model._meta.db_table)
        case_column = quote(model._meta.get_field("case").column)
        if related:
            fk = model._meta.get_field(related)
            join = (
                f"JOIN {quote(fk.related_model._meta.db_table)} r "
                f"ON r.{quote(fk.target_field.column)} = x.{quote(fk.column)}"
            )
            parts.append(
                f"SELECT {n} AS source, to_jsonb(x) AS data, to_jsonb(r) AS related "  # noqa: S608  # nosec B608: names from the models, values bound
                f"FROM {table} x {join} WHERE x.{case_column} = %s"
            )
        else:
            parts.append(
                f"SELECT {n} AS source, to_jsonb(x) AS data, NULL::jsonb AS related "  # noqa: S608  # nosec B608: names from the models, values bound
                f"FROM {table} x WHERE x.{case_column} = %s"
            )
    found: dict[str, list] = {name: [] for name, *_rest in CASE_ROWS}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(f"({part})" for part in parts), [case.pk] * len(parts))
        for source, data, related_data in cursor.fetchall():
            name, model, related, _key, _reverse = CASE_ROWS[source]
            obj = _from_json(model, data)
            if related:
                fk = model._meta.get_field(related)
                fk.set_cached_value(obj, _from_json(fk.related_model, related_data))
            found[name].append(obj)
    return _sorted_case_rows(found)


def _sorted_case_rows(found: dict[str, list]) -> dict[str, list]:
    for name, _model, _related, key, reverse in CASE_ROWS:
        if key is not None:
            found[name].sort(key=key, reverse=reverse)
    return found


def case_page(case: Case) -> CasePage:
    """Everything the case page shows, in a fixed number of queries.

    The people come with their coded lists (forms of violence, sub-forms, AMPK categories,
    disabilities) as arrays of codes; the labels come from the reference lists, read once per
    request (`cases.refcache`) together with the service form's choices."""
    with refcache.per_request():
        return _case_page(case)


def _case_page(case: Case) -> CasePage:
    people = list(
        _with_reference_lists(
            case.people.select_related(
                "education", "occupation", "marital_status", "address_region"
            )
        )
        .prefetch_related(
            Prefetch(
                "services",
                queryset=ServiceGiven.objects.select_related(
                    "service_type", "function", "provider"
                ).order_by("given_on", "id"),
            ),
            Prefetch(
                "legal_steps",
                queryset=LegalProcess.objects.order_by("started_on", "id"),
            ),
            Prefetch(
                "victim_links",
                queryset=PerpetratorLink.objects.select_related("relationship"),
            ),
        )
        .order_by("id")
    )
    by_id = {p.pk: p for p in people}
    for person in people:
        for name, model in PERSON_LISTS.items():
            if not hasattr(person, f"{name}_codes"):
                continue  # prefetched (not PostgreSQL)
            known = refcache.all_rows(model)
            codes = set(getattr(person, f"{name}_codes") or ())
            # The model's ordering (`order`, `code`) is the reference list's order.
            _set_prefetched(person, name, [o for code, o in known.items() if code in codes])
        for link in person.victim_links.all():
            link.victim_person = by_id.get(link.victim_id)
    page = CasePage(
        case=case,
        victims=[p for p in people if p.role == PersonRole.VICTIM],
        perpetrators=[p for p in people if p.role == PersonRole.PERPETRATOR],
        others=[p for p in people if p.role not in (PersonRole.VICTIM, PersonRole.PERPETRATOR)],
    )
    rows = _case_rows(case)
    page.records, page.documents = rows["records"], rows["documents"]
    page.deadlines, page.links = rows["deadlines"], rows["links"]
    for name in ("trafficking", "abh", "child_marriage"):
        if rows[name]:  # one row at most (one-to-one)
            setattr(page, name, rows[name][0])
    now = timezone.now()
    for deadline in page.deadlines:
        deadline.overdue = (
            deadline.done_at is None and not deadline.late_entry and deadline.due_at < now
        )
    return page


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


def _shown(model_field, value, users: dict) -> str:
    if value in (None, ""):
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation and model_field.related_model is User:
        return users.get(value, f"#{value}")
    if isinstance(value, bool):
        return _("Ya") if value else _("Tidak")
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%d-%m-%Y %H:%M")
    text = str(value)
    return text if len(text) <= 160 else text[:157] + "…"


def _history_sources() -> list[tuple[type, str, str]]:
    """(model, label, condition on its history table `h`) of everything whose changes the case
    page lists; `%s` is the case's id. Rows hanging on a person belong to the case's people."""
    person_ids = f"(SELECT id FROM {Person._meta.db_table} WHERE case_id = %s)"  # noqa: S608  # nosec B608
    return [
        (Case, _("Kasus"), "h.id = %s"),
        (Person, _("Orang"), "h.case_id = %s"),
        (CaseRecord, _("Catatan"), "h.case_id = %s"),
        (Document, _("Dokumen"), "h.case_id = %s"),
        (Deadline, _("Batas waktu"), "h.case_id = %s"),
        (ServiceGiven, _("Layanan"), f"h.victim_id IN {person_ids}"),
        (LegalProcess, _("Proses hukum"), f"h.perpetrator_id IN {person_ids}"),
        (PerpetratorLink, _("Hubungan pelaku-korban"), f"h.victim_id IN {person_ids}"),
    ]


@functools.cache
def _history_model(model: type) -> type:
    """The historical model of a tracked model. `Model.history` builds a new manager class on
    every access (simple-history, about 0.5 ms): looked up once per process."""
    return model.history.model


def _history_rows(case: Case, sources: list) -> list[list]:
    """Every history row of every source, in one UNION ALL query (each branch through the
    history table's index on the case or person column), as historical model instances:
    one list per source, ordered by row, then time (as the diffs need). Elsewhere (SQLite,
    the demo) one query per history table."""
    history_models = [_history_model(model) for model, _label, _condition in sources]
    if connection.vendor != "postgresql":
        return [
            list(
                history_model.objects.raw(
                    f"SELECT h.* FROM {connection.ops.quote_name(history_model._meta.db_table)} h "  # noqa: S608  # nosec B608: names from the models, values bound
                    f"WHERE {condition} ORDER BY h.id, h.history_date, h.history_id",
                    [case.pk],
                )
            )
            for history_model, (_model, _label, condition) in zip(
                history_models, sources, strict=True
            )
        ]
    parts = []
    for n, (_model, _label, condition) in enumerate(sources):
        table = connection.ops.quote_name(history_models[n]._meta.db_table)
        data = "to_jsonb(h)"
        if _model is Person:  # with the lists kept with each row
            data = f"to_jsonb(h) || jsonb_build_object('_lists', {_history_list_sql()})"
        parts.append(
            f"SELECT {n} AS source, h.id AS row_id, h.history_date, h.history_id, "  # noqa: S608  # nosec B608: names from the models, values bound
            f"{data} AS data FROM {table} h WHERE {condition}"
        )
    sql = " UNION ALL ".join(f"({part})" for part in parts)
    sql += " ORDER BY source, row_id, history_date, history_id"
    loaded: list[list] = [[] for _source in sources]
    with connection.cursor() as cursor:
        cursor.execute(sql, [case.pk] * len(sources))
        for source, _row_id, _when, _history_id, data in cursor.fetchall():
            if isinstance(data, str):
                data = json.loads(data)
            row = _from_json(history_models[source], data)
            if "_lists" in data:
                row.lists = _decoded(data["_lists"])
            loaded[source].append(row)
    return loaded


def _field_changes(fields: list, before, after, users: dict) -> list[tuple[str, str, str]]:
    """(label, old, new) of the fields that differ between two versions of a row."""
    return [
        (
            str(f.verbose_name),
            _shown(f, getattr(before, f.attname, None), users),
            _shown(f, getattr(after, f.attname, None), users),
        )
        for f in fields
        if getattr(before, f.attname, None) != getattr(after, f.attname, None)
    ]


def case_history(case: Case) -> list[HistoryEntry]:
    """Who changed what, when and why, across the case and what hangs on it, newest first.

    Two queries whatever the number of rows: the history rows of every tracked table in one
    UNION ALL, then the users they name (who made each change, and users named in a change);
    diffs are computed in Python between consecutive versions of each row."""
    sources = _history_sources()
    loaded = _history_rows(case, sources)
    user_ids: set[int] = set()
    for (model, _label, _condition), rows in zip(sources, loaded, strict=True):
        user_fields = [
            f for f in model._meta.concrete_fields if f.is_relation and f.related_model is User
        ]
        for row in rows:
            if row.history_user_id:
                user_ids.add(row.history_user_id)
            for f in user_fields:
                value = getattr(row, f.attname, None)
                if value:
                    user_ids.add(value)
    users = {u.pk: str(u) for u in User.objects.filter(pk__in=user_ids)} if user_ids else {}
    entries = []
    for (model, label, _condition), rows in zip(sources, loaded, strict=True):
        fields = [f for f in model._meta.concrete_fields if f.name not in SKIP_FIELDS]
        previous: dict = {}
        for row in rows:
            before = previous.get(row.id)
            changes = _field_changes(fields, before, row, users) if row.history_type == "~" else []
            # Lists changed by a correction (`services.person_update` raises the version; the
            # intake's rows that add the lists one by one do not).
            if (
                model is Person
                and before is not None
                and row.history_type == "~"
                and before.version != row.version
            ):
                changes += _list_changes(getattr(before, "lists", {}), getattr(row, "lists", {}))
            previous[row.id] = row
            if row.history_type == "~" and not changes:
                continue
            what = label
            if model is Person:
                what = f"{label}: {row.get_role_display()}"
            elif model is CaseRecord or model is Deadline:
                what = f"{label}: {row.get_kind_display()}"
            who = users.get(row.history_user_id) if row.history_user_id else None
            entries.append(
                HistoryEntry(
                    when=row.history_date,
                    who=who or _("sistem"),
                    what=what,
                    kind=row.history_type,
                    reason=row.history_change_reason or "",
                    changes=changes,
                )
            )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


def changes_since(case: Case, version: int) -> list[HistoryEntry]:
    """Changes of the case itself made after the user opened a form at `version`."""
    rows = list(
        Case.history.filter(id=case.pk, version__gte=version)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    return _version_diffs(Case, rows, lambda row: _("Kasus"))


def person_changes_since(person: Person, version: int) -> list[HistoryEntry]:
    """Changes of one person's data made after the user opened a form at `version`."""
    rows = list(
        Person.history.filter(id=person.pk, version__gte=version)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    lists = _history_lists([row.history_id for row in rows])
    for row in rows:
        row.lists = lists.get(row.history_id, {})
    return _version_diffs(
        Person, rows, lambda row: f"{_('Orang')}: {row.get_role_display()}", with_lists=True
    )


def _version_diffs(model, rows: list, what, with_lists: bool = False) -> list[HistoryEntry]:
    fields = [f for f in model._meta.concrete_fields if f.name not in SKIP_FIELDS]
    users: dict = {}
    entries = []
    for before, after in zip(rows, rows[1:], strict=False):
        changes = _field_changes(fields, before, after, users)
        if with_lists and before.version != after.version:
            changes += _list_changes(before.lists, after.lists)
        if not changes:
            continue  # e.g. the intake's rows that add a new person's lists one by one
        entries.append(
            HistoryEntry(
                when=after.history_date,
                who=str(after.history_user) if after.history_user else _("sistem"),
                what=what(after),
                kind=after.history_type,
                reason=after.history_change_reason or "",
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
        target = Person._meta.get_field(name).m2m_reverse_field_name()
        column = through._meta.get_field(target).column
        table = quote(through._meta.db_table)
        items.append(
            f"'{name}', ARRAY(SELECT m.{quote(column)} FROM {table} m "  # noqa: S608  # nosec B608: names from the models
            f"WHERE m.history_id = h.history_id ORDER BY 1)"
        )
    return f"jsonb_build_object({', '.join(items)})"


def _history_lists(history_ids: list[int]) -> dict[int, dict[str, list[str]]]:
    """{history id: {list name: sorted codes}} of person history rows (one query)."""
    if not history_ids:
        return {}
    if connection.vendor != "postgresql":  # SQLite (the demo): one query per list
        found: dict[int, dict[str, list[str]]] = {
            hid: {name: [] for name in HISTORY_LISTS} for hid in history_ids
        }
        for name in HISTORY_LISTS:
            through = apps.get_model("cases", f"HistoricalPerson_{name}")
            target = Person._meta.get_field(name).m2m_reverse_field_name()
            code = through._meta.get_field(target).attname
            for hid, value in through.objects.filter(history_id__in=history_ids).values_list(
                "history_id", code
            ):
                found[hid][name].append(value)
        return {hid: _decoded(lists) for hid, lists in found.items()}
    history = _history_model(Person)
    table = connection.ops.quote_name(history._meta.db_table)
    sql = (
        f"SELECT h.history_id, {_history_list_sql()} FROM {table} h "  # noqa: S608  # nosec B608: names from the models, values bound
        "WHERE h.history_id = ANY(%s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(history_ids)])
        return {hid: _decoded(lists) for hid, lists in cursor.fetchall()}


def _decoded(lists) -> dict[str, list[str]]:
    if isinstance(lists, str):
        lists = json.loads(lists)
    return {name: sorted(lists.get(name) or []) for name in HISTORY_LISTS}


def _list_changes(before: dict, after: dict) -> list[tuple[str, str, str]]:
    """Readable changes of a person's lists between two history rows (labels, not codes)."""
    changes = []
    for name in HISTORY_LISTS:
        old, new = before.get(name), after.get(name)
        if old is None or new is None or old == new:
            continue
        model_field = Person._meta.get_field(name)
        known = refcache.all_rows(model_field.related_model)

        def labels(codes, known=known) -> str:
            return ", ".join(str(known[c]) if c in known else c for c in codes) or "—"

        changes.append((str(model_field.verbose_name), labels(old), labels(new)))
    return changes


def open_deadlines_overdue(user: User) -> QuerySet:
    """Overdue clocks of the user's visible cases (for the worker's and supervisor's lists)."""
    return Deadline.objects.filter(
        case__in=access.visible_cases(user),
        done_at__isnull=True,
        late_entry=False,
        due_at__lt=timezone.now(),
    ).select_related("case")
