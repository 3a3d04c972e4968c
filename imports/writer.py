"""Writing a checked case file in batches (the `CaseFile` pass calls it row by row).

Rows are turned into model instances and bulk-created 1,000 at a time with their history
rows (`simple_history.utils.bulk_create_with_history`: one row per object, user and reason
"diimpor ..."), so 50,000 cases take seconds, not the hours of one intake call per case.
What the intake service derives is derived the same way here: ages and age groups at the
reference date (`cases.services.derived_age`), hashed and masked NIKs, the forms of violence
that sub-forms roll up to (`victim_forms`). Case numbers come from `case_numbers_allocate`
(numbers for a year in one upsert), issued before the write so the sequence row is not held
by the long transaction. Clocks: see `Writer.clocks`.
"""

import datetime as dt
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

BATCH = 1000
# Clocks of an imported case: none when the case is closed or was reported more than this
# many days ago. Every clock a new case starts (follow-up 3 working days, TPKS police report
# 3×24 h, medium risk 6 h) has run out by then, holidays included; younger cases get the
# intake's clocks, where the existing rule marks a clock that already ran out as entered late.
CLOCK_WINDOW_DAYS = 21


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
        self.cases: list[tuple[str, CaseFacts, Case]] = []
        self.people: list[tuple[CaseFacts, int, str, Person, dict[str, list[str]]]] = []
        self.links: list[tuple[CaseFacts, int, int, str]] = []
        self.services: list[ServiceGiven] = []
        self.recent: list[tuple[Case, bool]] = []  # open cases young enough for clocks

    # --- rows -----------------------------------------------------------------------------

    def case(self, register: str, row: dict[str, Any], facts: CaseFacts) -> None:
        closed_on = row["closed_on"]
        case = Case(
            number=next(self.numbers[facts.reported_on.year]),
            agency=self.agency,
            region_id=self.agency.region_id,
            intake_token=uuid.uuid4(),
            registered_by=self.user,
            intake_channel=row["intake_channel"],
            reported_on=row["reported_on"],
            incident_date=row["incident_date"],
            description=row["description"],
            place_id=row["place_id"],
            incident_address=row["incident_address"] or "",
            incident_district_id=row["incident_district_id"]
            or (row["incident_village_id"] or "").rpartition(".")[0]
            or None,
            incident_village_id=row["incident_village_id"],
            case_type=row["case_type"],
            risk_level=row["risk_level"] or RiskLevel.LOW,
            legal_basis=LegalBasis.PUBLIC_TASK,
            step=Step.CLOSURE if closed_on else Step.IDENTIFICATION,
            status=Status.CLOSED if closed_on else Status.OPEN,
            closed_at=dt.datetime.combine(closed_on, dt.time(12), tzinfo=self.zone)
            if closed_on
            else None,
        )
        self.cases.append((register, facts, case))
        if len(self.cases) >= BATCH:
            self.flush()

    def _person(self, row: dict[str, Any], case: CaseFacts, role: str) -> Person:
        age, group, is_child = case_services.derived_age(
            birth_date=row["birth_date"],
            stated_age=row["stated_age"],
            stated_on=case.reported_on,
            at=case.reference_date,
        )
        nik = row["nik"] or ""
        return Person(
            case_id=cast(int, case.case_id),
            role=role,
            name=row["name"] or "",
            sex=row["sex"] or "",
            birth_date=row["birth_date"],
            stated_age=row["stated_age"],
            nik_hash=case_services.nik_hash(nik) if nik else "",
            nik_masked=case_services.nik_mask(nik),
            education_id=row["education_id"],
            occupation_id=row["occupation_id"],
            marital_status_id=row["marital_status_id"],
            has_disability=bool(row["has_disability"] or row["disability_type_ids"]),
            address=row["address"] or "",
            address_region_id=row["address_region_id"],
            phone=row["phone"] or "",
            child_legal_role=row.get("child_legal_role") or "",
            age=age,
            age_group=group,
            is_child=is_child,
        )

    def victim(self, row: dict[str, Any], case: CaseFacts, forms: list[str]) -> None:
        person = self._person(row, case, PersonRole.VICTIM)
        lists = {
            "disability_types": row["disability_type_ids"] or [],
            "violence_forms": forms,
            "violence_subtypes": row["violence_subtype_ids"] or [],
            "ampk_categories": (row["ampk_category_ids"] or []) if person.is_child else [],
        }
        self.people.append((case, row["victim_no"], "v", person, lists))
        if len(self.people) >= BATCH:
            self.flush()

    def perpetrator(self, row: dict[str, Any], case: CaseFacts, first: bool) -> None:
        if first:
            person = self._person(row, case, PersonRole.PERPETRATOR)
            if not person.name:
                person.name = "Tidak diketahui"
            lists = {"disability_types": row["disability_type_ids"] or []}
            self.people.append((case, row["perpetrator_no"], "p", person, lists))
        self.links.append((case, row["perpetrator_no"], row["victim_no"], row["relationship_id"]))
        if len(self.people) >= BATCH or len(self.links) >= BATCH:
            self.flush()

    def service(self, row: dict[str, Any], case: CaseFacts) -> None:
        self.services.append(
            ServiceGiven(
                victim_id=case.victim_ids[row["victim_no"]],
                service_type_id=row["service_type_id"],
                function_id=row["function_id"],
                provider=self.agency,
                given_on=row["given_on"],
                description=row["description"] or "",
                recorded_by=self.user,
            )
        )
        if len(self.services) >= BATCH:
            self.flush()

    # --- batches ----------------------------------------------------------------------------

    def _create(self, objs: list[Any], model: type[models.Model]) -> None:
        """Insert the rows, then their "+" history rows in one INSERT ... SELECT from the rows
        just written (what `bulk_create_with_history` does, without building a historical
        object per row in Python: a third of the write's time)."""
        model._default_manager.bulk_create(objs, batch_size=BATCH)
        history = model.history.model  # type: ignore[attr-defined]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column or f.attname) for f in model._meta.concrete_fields)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {quote(history._meta.db_table)} ({columns}, history_date, "  # noqa: S608 (names from the models, values bound)
                "history_change_reason, history_type, history_user_id) "
                f"SELECT {columns}, %s, %s, '+', %s FROM {quote(model._meta.db_table)} "
                "WHERE id = ANY(%s)",
                [self.now, self.reason, self.user.pk, [o.pk for o in objs]],
            )
        self.written += len(objs)

    def flush(self) -> None:
        if self.cases:
            self._create([c for _r, _f, c in self.cases], Case)
            ImportedCase.objects.bulk_create(
                ImportedCase(batch=self.batch, agency=self.agency, register_number=r, case=c)
                for r, _f, c in self.cases
            )
            for _register, facts, case in self.cases:
                facts.case_id = case.pk
                if case.status != Status.CLOSED and case.reported_on >= self.recent_since:
                    self.recent.append((case, facts.sexual))
            self.cases = []
        if self.people:
            self._flush_people()
        if self.links:
            self._create(
                [
                    PerpetratorLink(
                        perpetrator_id=facts.perpetrator_ids[p],
                        victim_id=facts.victim_ids[v],
                        relationship_id=relationship,
                    )
                    for facts, p, v, relationship in self.links
                ],
                PerpetratorLink,
            )
            self.links = []
        if self.services:
            self._create(self.services, ServiceGiven)
            self.services = []
        if self.progress is not None:
            self.progress(self.written)

    def _flush_people(self) -> None:
        self._create([p for *_rest, p, _l in self.people], Person)
        through: dict[str, list[models.Model]] = {}
        for facts, number, kind, person, lists in self.people:
            (facts.victim_ids if kind == "v" else facts.perpetrator_ids)[number] = person.pk
            for name, codes in lists.items():
                model, target = _through(name)
                through.setdefault(name, []).extend(
                    model(person_id=person.pk, **{target: code}) for code in codes
                )
        for name, rows in through.items():
            _through(name)[0]._default_manager.bulk_create(rows, batch_size=BATCH)
        self.people = []

    def clocks(self) -> int:
        """The intake's clocks for the open cases reported in the last CLOCK_WINDOW_DAYS days
        (`cases.services.deadlines_open`: a clock that already ran out is recorded as entered
        late, never reminded); older and closed cases get none."""
        self.flush()
        for case, sexual in self.recent:
            case_services.deadlines_open(case=case, new_case=True, sexual=sexual)
        return len(self.recent)
