"""Writing a checked case file in batches (the `CaseFile` pass calls it row by row).

Rows are turned into column values (`_Table`: every column filled as Django would fill it)
and copied into PostgreSQL with COPY, 2,000 at a time, each batch with its "+" history rows
(user and reason "diimpor ..."; the rows `simple_history.utils.bulk_create_with_history`
writes), so 50,000 cases take a minute, not the hours of one intake call per case. Ids are
drawn from the tables' sequences before the copy, so the rows that point to a case or a
person are built without reading anything back.
What the intake service derives is derived the same way here: ages and age groups at the
reference date (`cases.services.derived_age`), hashed and masked NIKs, the forms of violence
that sub-forms roll up to (`victim_forms`). Case numbers come from `case_numbers_allocate`
(numbers for a year in one upsert), issued before the write so the sequence row is not held
by the long transaction. Clocks: see `Writer.clocks`.
"""

import datetime as dt
import operator
import uuid
import zoneinfo
from collections.abc import Callable, Iterator
from typing import Any, cast

from django.db import connection, models
from django.utils import timezone

from cases import services as case_services
from cases.models import (
    Case,
    LegalBasis,
    PerpetratorLink,
    Person,
    PersonRole,
    RiskLevel,
    ServiceGiven,
    Status,
    Step,
)
from imports.casefile import CaseFacts
from imports.models import ImportBatch, ImportedCase
from ppa.models import User

BATCH = 2000
# Clocks of an imported case: none when the case is closed or was reported more than this
# many days ago. Every clock a new case starts (follow-up 3 working days, TPKS police report
# 3×24 h, medium risk 6 h) has run out by then, holidays included; younger cases get the
# intake's clocks, where the existing rule marks a clock that already ran out as entered late.
CLOCK_WINDOW_DAYS = 21
Values = dict[str, Any]


class _Table:
    """A table written by COPY: every concrete column of its model, in order, and for each
    the value a row leaves out, as Django would fill it in (the field's default, called per
    row when it is a callable such as uuid4; the write's time for auto_now and auto_now_add;
    "" for text, None otherwise). Rows are given as {attname: value}; `flush` copies them.
    With `history`, the rows' "+" history rows follow in one INSERT ... SELECT from the rows
    just written (what `bulk_create_with_history` writes, without a historical object per
    row in Python); such rows need their ids (`ids`)."""

    def __init__(self, model: type[models.Model], now: dt.datetime, *, history: bool) -> None:
        self.model, self.history = model, history
        fields = [f for f in model._meta.concrete_fields if history or not f.primary_key]
        self.columns = [f.column or f.attname for f in fields]
        self.defaults: Values = {}  # attname -> the value a row leaves out
        self.made: list[tuple[str, Callable[[], Any]]] = []  # attname -> default made per row
        for f in fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.defaults[f.attname] = now
            elif f.has_default() and callable(f.default):
                self.made.append((f.attname, f.default))
            else:
                self.defaults[f.attname] = None if f.primary_key else f.get_default()
        names = [f.attname for f in fields]
        assert len(names) > 1  # itemgetter of one name gives a value, not a tuple
        self.row = operator.itemgetter(*names)
        self.rows: list[tuple[Any, ...]] = []

    def add(self, values: Values) -> None:
        for name, make in self.made:
            if name not in values:
                values[name] = make()
        self.rows.append(self.row({**self.defaults, **values}))

    def ids(self, count: int) -> list[int]:
        """`count` new ids of the table (one round trip), for rows that others point to."""
        if not count:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [self.model._meta.db_table, count],
            )
            return [row[0] for row in cursor.fetchall()]

    def flush(self, user_id: int, now: dt.datetime, reason: str) -> int:
        """COPY the rows (and their history rows); how many rows were written."""
        rows, self.rows = self.rows, []
        if not rows:
            return 0
        quote = connection.ops.quote_name
        table = quote(self.model._meta.db_table)
        columns = ", ".join(quote(c) for c in self.columns)
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            if self.history:
                history = quote(self.model.history.model._meta.db_table)  # type: ignore[attr-defined]
                cursor.execute(
                    f"INSERT INTO {history} ({columns}, history_date, "  # noqa: S608 (names from the models, values bound)
                    "history_change_reason, history_type, history_user_id) "
                    f"SELECT {columns}, %s, %s, '+', %s FROM {table} WHERE id = ANY(%s)",
                    [now, reason, user_id, [row[self.columns.index("id")] for row in rows]],
                )
        return len(rows)


def _through(name: str) -> tuple[type[models.Model], str]:
    """A many-to-many list of Person: its through model and the column naming the code."""
    descriptor = getattr(Person, name)
    return descriptor.through, descriptor.field.m2m_reverse_field_name() + "_id"


class Writer:
    def __init__(
        self,
        *,
        batch: ImportBatch,
        user: User,
        numbers: dict[int, Iterator[str]],
        reason: str,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        assert batch.agency is not None
        self.batch = batch
        self.agency = batch.agency
        self.user = user
        self.numbers = numbers
        self.reason = reason
        self.progress = progress
        self.written = 0
        self.now = timezone.now()
        self.zone = zoneinfo.ZoneInfo(self.agency.time_zone)
        self.recent_since = timezone.localdate() - dt.timedelta(days=CLOCK_WINDOW_DAYS)
        self.tables: dict[type[models.Model], _Table] = {
            model: _Table(model, self.now, history=True)
            for model in (Case, Person, PerpetratorLink, ServiceGiven)
        }
        self.imported = _Table(ImportedCase, self.now, history=False)
        self.through = {
            name: (_Table(_through(name)[0], self.now, history=False), _through(name)[1])
            for name in (
                "disability_types",
                "violence_forms",
                "violence_subtypes",
                "ampk_categories",
            )
        }
        self.cases: list[tuple[str, CaseFacts, Values]] = []
        self.people: list[tuple[CaseFacts, int, str, Values, dict[str, list[str]]]] = []
        self.links: list[tuple[CaseFacts, int, int, str]] = []
        self.services: list[tuple[CaseFacts, Values]] = []
        self.recent: list[tuple[int, bool]] = []  # open cases young enough for clocks

    # --- rows -----------------------------------------------------------------------------

    def case(self, register: str, row: dict[str, Any], facts: CaseFacts) -> None:
        closed_on = row["closed_on"]
        values = {
            "number": next(self.numbers[facts.reported_on.year]),
            "agency_id": self.agency.pk,
            "region_id": self.agency.region_id,
            "intake_token": uuid.uuid4(),
            "registered_by_id": self.user.pk,
            "intake_channel": row["intake_channel"],
            "reported_on": row["reported_on"],
            "incident_date": row["incident_date"],
            "description": row["description"],
            "place_id": row["place_id"],
            "incident_address": row["incident_address"] or "",
            "incident_district_id": row["incident_district_id"]
            or (row["incident_village_id"] or "").rpartition(".")[0]
            or None,
            "incident_village_id": row["incident_village_id"],
            "case_type": row["case_type"],
            "risk_level": row["risk_level"] or RiskLevel.LOW.value,
            "legal_basis": LegalBasis.PUBLIC_TASK.value,
            "step": (Step.CLOSURE if closed_on else Step.IDENTIFICATION).value,
            "status": (Status.CLOSED if closed_on else Status.OPEN).value,
            "closed_at": dt.datetime.combine(closed_on, dt.time(12), tzinfo=self.zone)
            if closed_on
            else None,
        }
        self.cases.append((register, facts, values))
        if len(self.cases) >= BATCH:
            self.flush()

    def _person(self, row: dict[str, Any], case: CaseFacts, role: str) -> Values:
        age, group, is_child = case_services.derived_age(
            birth_date=row["birth_date"],
            stated_age=row["stated_age"],
            stated_on=case.reported_on,
            at=case.reference_date,
        )
        nik = row["nik"] or ""
        return {
            "case_id": cast(int, case.case_id),
            "role": role,
            "name": row["name"] or "",
            "sex": row["sex"] or "",
            "birth_date": row["birth_date"],
            "stated_age": row["stated_age"],
            "nik_hash": case_services.nik_hash(nik) if nik else "",
            "nik_masked": case_services.nik_mask(nik),
            "education_id": row["education_id"],
            "occupation_id": row["occupation_id"],
            "marital_status_id": row["marital_status_id"],
            "has_disability": bool(row["has_disability"] or row["disability_type_ids"]),
            "address": row["address"] or "",
            "address_region_id": row["address_region_id"],
            "phone": row["phone"] or "",
            "child_legal_role": row.get("child_legal_role") or "",
            "age": age,
            "age_group": group,
            "is_child": is_child,
        }

    def victim(self, row: dict[str, Any], case: CaseFacts, forms: list[str]) -> None:
        person = self._person(row, case, PersonRole.VICTIM.value)
        lists = {
            "disability_types": row["disability_type_ids"] or [],
            "violence_forms": forms,
            "violence_subtypes": row["violence_subtype_ids"] or [],
            "ampk_categories": (row["ampk_category_ids"] or []) if person["is_child"] else [],
        }
        self.people.append((case, row["victim_no"], "v", person, lists))
        if len(self.people) >= BATCH:
            self.flush()

    def perpetrator(self, row: dict[str, Any], case: CaseFacts, first: bool) -> None:
        if first:
            person = self._person(row, case, PersonRole.PERPETRATOR.value)
            if not person["name"]:
                person["name"] = "Tidak diketahui"
            lists = {"disability_types": row["disability_type_ids"] or []}
            self.people.append((case, row["perpetrator_no"], "p", person, lists))
        self.links.append((case, row["perpetrator_no"], row["victim_no"], row["relationship_id"]))
        if len(self.people) >= BATCH or len(self.links) >= BATCH:
            self.flush()

    def service(self, row: dict[str, Any], case: CaseFacts) -> None:
        self.services.append(
            (
                case,
                {
                    "service_type_id": row["service_type_id"],
                    "function_id": row["function_id"],
                    "provider_id": self.agency.pk,
                    "given_on": row["given_on"],
                    "description": row["description"] or "",
                    "recorded_by_id": self.user.pk,
                    "victim_no": row["victim_no"],
                },
            )
        )
        if len(self.services) >= BATCH:
            self.flush()

    # --- batches ----------------------------------------------------------------------------

    def _write(self, model: type[models.Model], rows: list[Values]) -> None:
        """Rows of a tracked model, with ids drawn from its sequence (set on each row), copied
        with their history rows."""
        table = self.tables[model]
        for values, pk in zip(rows, table.ids(len(rows)), strict=True):
            values["id"] = pk
            table.add(values)
        self.written += table.flush(self.user.pk, self.now, self.reason)

    def flush(self) -> None:
        if self.cases:
            self._write(Case, [values for _r, _f, values in self.cases])
            for register, facts, values in self.cases:
                facts.case_id = values["id"]
                self.imported.add(
                    {
                        "batch_id": self.batch.pk,
                        "agency_id": self.agency.pk,
                        "register_number": register,
                        "case_id": values["id"],
                    }
                )
                if values["status"] != Status.CLOSED and values["reported_on"] >= self.recent_since:
                    self.recent.append((values["id"], facts.sexual))
            self.imported.flush(self.user.pk, self.now, self.reason)
            self.cases = []
        if self.people:
            self._flush_people()
        if self.links:
            self._write(
                PerpetratorLink,
                [
                    {
                        "perpetrator_id": facts.perpetrator_ids[p],
                        "victim_id": facts.victim_ids[v],
                        "relationship_id": relationship,
                    }
                    for facts, p, v, relationship in self.links
                ],
            )
            self.links = []
        if self.services:
            rows = []
            for facts, values in self.services:
                values["victim_id"] = facts.victim_ids[values.pop("victim_no")]
                rows.append(values)
            self._write(ServiceGiven, rows)
            self.services = []
        if self.progress is not None:
            self.progress(self.written)

    def _flush_people(self) -> None:
        self._write(Person, [values for *_rest, values, _l in self.people])
        for facts, number, kind, values, lists in self.people:
            (facts.victim_ids if kind == "v" else facts.perpetrator_ids)[number] = values["id"]
            for name, codes in lists.items():
                table, target = self.through[name]
                for code in codes:
                    table.add({"person_id": values["id"], target: code})
        for table, _target in self.through.values():
            table.flush(self.user.pk, self.now, self.reason)
        self.people = []

    def clocks(self) -> int:
        """The intake's clocks for the open cases reported in the last CLOCK_WINDOW_DAYS days
        (`cases.services.deadlines_open`: a clock that already ran out is recorded as entered
        late, never reminded); older and closed cases get none."""
        self.flush()
        sexual = dict(self.recent)
        for case in Case.objects.filter(pk__in=sexual).select_related("agency").order_by("pk"):
            case_services.deadlines_open(case=case, new_case=True, sexual=sexual[case.pk])
        return len(self.recent)
