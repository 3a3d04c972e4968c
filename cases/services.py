"""State changes of cases. Views, tasks, commands and tests all call these functions."""

import datetime as dt
import hashlib
import hmac
import uuid
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.translation import gettext as _
from lokal import add_working_days, parse_nik

from cases import refcache
from cases.models import (
    AbhDetail,
    AgeGroup,
    Case,
    CaseLink,
    CaseRecord,
    CaseSequence,
    ChildMarriageDetail,
    Deadline,
    Document,
    IntakeDraft,
    LegalBasis,
    LegalProcess,
    PerpetratorLink,
    Person,
    PersonRole,
    RiskLevel,
    ServiceGiven,
    Status,
    Step,
    TraffickingDetail,
    ViolenceSubtype,
)
from cases.reference import SEXUAL_VIOLENCE
from ppa.models import Agency, Role, User

# --- Derived values ----------------------------------------------------------------------


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Whole years between a birth date and a date."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def derived_age(
    *, birth_date: dt.date | None, stated_age: int | None, stated_on: dt.date, at: dt.date
) -> tuple[int | None, str, bool | None]:
    """(age, age group, is child) at the incident, from a birth date or an age stated on a day."""
    if birth_date is not None:
        age = age_on(birth_date, at)
    elif stated_age is not None:
        # An age stated at intake is the age on the reporting day; go back to the incident.
        age = max(0, stated_age - max(0, age_on(at, stated_on)))
    else:
        return None, "", None
    return age, AgeGroup.for_age(age).value, age < 18


# --- NIK -----------------------------------------------------------------------------------


def nik_hash(nik: str) -> str:
    """Keyed hash of a NIK, for duplicate matching without keeping the NIK in clear."""
    key = getattr(settings, "NIK_HASH_KEY", "") or settings.SECRET_KEY
    return hmac.new(key.encode(), nik.encode(), hashlib.sha256).hexdigest()


def nik_mask(nik: str) -> str:
    return f"{nik[:4]}{'*' * 8}{nik[-4:]}" if len(nik) == 16 else ""


def nik_warnings(nik: str, *, sex: str = "", birth_date: dt.date | None = None) -> list[str]:
    """Structural problems of a NIK, in Indonesian, from lokal-id's offline parser.

    A NIK is never required; a structurally odd one is warned about (it may still be real,
    e.g. a kecamatan code that no longer exists after pemekaran), an impossible one refused by
    the form (see `nik_errors`)."""
    info = parse_nik(nik)
    notes = [str(w) for w in info.warnings]
    if info.valid and sex and info.gender and info.gender != sex:
        notes.append("Jenis kelamin pada NIK tidak sesuai dengan jenis kelamin yang diisi.")
    if info.valid and birth_date and info.birth_date and info.birth_date != birth_date.isoformat():
        notes.append("Tanggal lahir pada NIK tidak sesuai dengan tanggal lahir yang diisi.")
    return notes


def nik_errors(nik: str) -> list[str]:
    """Errors that make a NIK impossible (wrong length, impossible date), in Indonesian."""
    if not nik.isdigit() or len(nik) != 16:
        return ["NIK harus terdiri dari 16 angka."]
    info = parse_nik(nik)
    return [str(e) for e in info.errors]


# --- Case numbers --------------------------------------------------------------------------


def next_case_number(region_code: str, year: int) -> str:
    """Issue the next number for a region and year with one atomic upsert (no race)."""
    table = CaseSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (region_code, year, last) VALUES (%s, %s, 1) "  # noqa: S608 (table name from the model, values bound)
            f"ON CONFLICT (region_code, year) DO UPDATE SET last = {table}.last + 1 "
            "RETURNING last",
            [region_code, year],
        )
        (sequence,) = cursor.fetchone()
    return f"{region_code}/{year}/{sequence:04d}"


# --- Intake --------------------------------------------------------------------------------


@dataclass
class PersonData:
    """One person as entered at intake (validated by the form before it gets here)."""

    role: str
    name: str
    sex: str = ""
    birth_date: dt.date | None = None
    stated_age: int | None = None
    nik: str = ""
    education_id: str | None = None
    occupation_id: str | None = None
    marital_status_id: str | None = None
    has_disability: bool = False
    disability_type_ids: list[str] = field(default_factory=list)
    address: str = ""
    address_region_id: str | None = None
    phone: str = ""
    relation_to_victim: str = ""
    child_legal_role: str = ""
    violence_form_ids: list[str] = field(default_factory=list)
    violence_subtype_ids: list[str] = field(default_factory=list)
    ampk_category_ids: list[str] = field(default_factory=list)
    key: str = ""  # the form's local id, to link perpetrators to victims


@dataclass
class CaseData:
    intake_channel: str
    reported_on: dt.date
    description: str
    place_id: str
    case_type: str
    risk_level: str
    incident_date: dt.date | None = None
    incident_date_approximate: bool = False
    incident_address: str = ""
    incident_district_id: str | None = None
    incident_village_id: str | None = None
    within_authority: bool = True
    consent_sharing: bool = False
    consent_statistics: bool = True
    legal_basis: str = LegalBasis.CONSENT
    legal_basis_note: str = ""


class IntakeError(Exception):
    """A rule of intake was broken; the message is for the officer, in Indonesian."""


def _add_codes(related: Any, codes: Iterable[str]) -> None:
    """Add reference rows to a many-to-many relation by code (their primary key; the stubs
    expect instances or integers)."""
    related.add(*codes)


def subtype_forms(subtype_ids: Iterable[str]) -> dict[str, str]:
    """The SIMFONI form each sub-form rolls up to (read with the other reference lists:
    once per request inside `refcache.per_request`, else one query)."""
    codes = set(subtype_ids)
    if not codes:
        return {}
    known = cast(dict[str, ViolenceSubtype], refcache.all_rows(ViolenceSubtype))
    return {code: known[code].form_id for code in codes if code in known}


def victim_forms(data: PersonData, rollup: dict[str, str]) -> list[str]:
    """The forms of violence of a victim: those chosen, plus those its sub-forms roll up to."""
    forms = set(data.violence_form_ids)
    forms |= {rollup[code] for code in data.violence_subtype_ids if code in rollup}
    return sorted(forms)


def person_create(*, case: Case, data: PersonData, rollup: dict[str, str] | None = None) -> Person:
    """One person of a new case, with the reference lists chosen for them.

    `rollup` (sub-form code -> form code, see `subtype_forms`) may be read beforehand for
    all the people of a case; missing, it is read here. The lists are added to the new
    person one field at a time, so simple-history writes the same rows as `set()` did: the
    `+` row, then one `~` row (with its many-to-many snapshot) per list that is not empty."""
    age, group, is_child = derived_age(
        birth_date=data.birth_date,
        stated_age=data.stated_age,
        stated_on=case.reported_on,
        at=case.reference_date,
    )
    nik = data.nik.strip()
    person = Person.objects.create(
        case=case,
        role=data.role,
        name=data.name.strip(),
        sex=data.sex,
        birth_date=data.birth_date,
        stated_age=data.stated_age,
        nik_hash=nik_hash(nik) if nik else "",
        nik_masked=nik_mask(nik),
        education_id=data.education_id,
        occupation_id=data.occupation_id,
        marital_status_id=data.marital_status_id,
        has_disability=data.has_disability,
        address=data.address,
        address_region_id=data.address_region_id,
        phone=data.phone,
        relation_to_victim=data.relation_to_victim,
        child_legal_role=data.child_legal_role,
        age=age,
        age_group=group,
        is_child=is_child,
    )
    # A new person has no rows yet: add() is what set() does then, without reading them first.
    if data.disability_type_ids:
        _add_codes(person.disability_types, data.disability_type_ids)
    if data.role == PersonRole.VICTIM:
        if rollup is None:
            rollup = subtype_forms(data.violence_subtype_ids)
        # Sub-forms (TPKS, PKDRT, trafficking) roll up to their SIMFONI form.
        forms = victim_forms(data, rollup)
        if forms:
            _add_codes(person.violence_forms, forms)
        if data.violence_subtype_ids:
            _add_codes(person.violence_subtypes, data.violence_subtype_ids)
        if is_child and data.ampk_category_ids:
            _add_codes(person.ampk_categories, data.ampk_category_ids)
    return person


def _register_guard(data: CaseData, people: list[PersonData]) -> None:
    if not any(p.role == PersonRole.VICTIM for p in people):
        raise IntakeError(_("Kasus harus memiliki sedikitnya satu korban."))
    if data.incident_date and data.incident_date > data.reported_on:
        raise IntakeError(_("Tanggal kejadian tidak boleh setelah tanggal pelaporan."))
    if data.reported_on > timezone.localdate():
        raise IntakeError(_("Tanggal pelaporan tidak boleh di masa depan."))


def _register_people(
    case: Case, people: list[PersonData], links: Iterable[tuple[str, str, str]]
) -> dict[str, str]:
    """Create the people and the perpetrator-victim links; the sub-form roll-up they used."""
    rollup = subtype_forms(
        code for person_data in people for code in person_data.violence_subtype_ids
    )
    by_key = {}
    for person_data in people:
        by_key[person_data.key or str(id(person_data))] = person_create(
            case=case, data=person_data, rollup=rollup
        )
    for perpetrator_key, victim_key, relationship in links:
        PerpetratorLink.objects.create(
            perpetrator=by_key[perpetrator_key],
            victim=by_key[victim_key],
            relationship_id=relationship,
        )
    return rollup


def case_register(
    *,
    actor: User,
    data: CaseData,
    people: list[PersonData],
    links: Iterable[tuple[str, str, str]] = (),
    intake_token: uuid.UUID | None = None,
    details: dict | None = None,
    related: Iterable[tuple[Case, str]] = (),
) -> tuple[Case, bool]:
    """Open a case with its people in one transaction; return (case, created).

    `links` are (perpetrator key, victim key, relationship code). A second submission with
    the same `intake_token` returns the case the first one created instead of a second case.
    `details` holds the type-specific part ({"trafficking": {...}} and so on, see
    `case_details_set`); `related` are (case, note) pairs the officer linked as possible
    duplicates. The statutory clocks (`Deadline`) are created in the same transaction.
    """
    token = intake_token or uuid.uuid4()
    existing = Case.objects.filter(intake_token=token).first()
    if existing is not None:
        return existing, False
    agency = actor.agency
    if agency is None:
        raise IntakeError(_("Akun Anda tidak terhubung dengan lembaga."))
    _register_guard(data, people)
    try:
        with transaction.atomic():
            case = Case.objects.create(
                number=next_case_number(agency.region_id, data.reported_on.year),
                agency=agency,
                region_id=agency.region_id,
                intake_token=token,
                registered_by=actor,
                **data.__dict__,
            )
            rollup = _register_people(case, people, links)
            written = case_details_set(case=case, details=details) if details else {}
            for other, note in related:
                CaseLink.objects.create(
                    case=case, linked_case=other, note=note[:255], created_by=actor
                )
            sexual = any(
                SEXUAL_VIOLENCE in victim_forms(p, rollup)
                for p in people
                if p.role == PersonRole.VICTIM
            )
            abh = cast(AbhDetail | None, written.get("abh"))
            deadlines_open(case=case, new_case=True, sexual=sexual, abh=abh)
    except IntegrityError:
        # Two submissions of the same form raced: the other one created the case.
        existing = Case.objects.filter(intake_token=token).first()
        if existing is None:
            raise
        return existing, False
    return case, True


def case_details_set(*, case: Case, details: dict) -> dict[str, object]:
    """Create or replace the type-specific details of a case (trafficking, ABH, child marriage);
    return the saved rows by key.

    `details` maps "trafficking" / "abh" / "child_marriage" to field dicts; many-to-many
    values are lists under the field name (`exploitation_purpose`)."""
    models: dict[str, Any] = {
        "trafficking": TraffickingDetail,
        "abh": AbhDetail,
        "child_marriage": ChildMarriageDetail,
    }
    saved = {}
    for key, values in details.items():
        model = models[key]
        values = dict(values)
        m2m = {"exploitation_purpose": values.pop("exploitation_purpose", None)}
        obj = model.objects.filter(case=case).first() or model(case=case)
        for name, value in values.items():
            setattr(obj, name, value)
        obj.save()
        if key == "trafficking" and m2m["exploitation_purpose"] is not None:
            obj.exploitation_purpose.set(m2m["exploitation_purpose"])
        saved[key] = obj
    return saved


# --- Clocks --------------------------------------------------------------------------------

LEGAL_BASIS = {
    Deadline.Kind.POLICE_REPORT_TPKS: "UU 12/2022 (TPKS): laporan ke kepolisian ≤ 3×24 jam",
    Deadline.Kind.RESPONSE_MEDIUM_RISK: "Permen PPPA 2/2022: risiko sedang ditangani ≤ 6 jam",
    Deadline.Kind.FOLLOW_UP: "Standar layanan: tindak lanjut pengaduan ≤ 3 hari kerja",
    Deadline.Kind.DIVERSION: "UU 11/2012 (SPPA): diversi selesai ≤ 30 hari",
}


def working_days_after(day: dt.date, n: int) -> dt.date:
    """`n` working days after `day`: Indonesian holidays and cuti bersama where lokal-id has
    the year's calendar, otherwise Monday to Friday."""
    try:
        return add_working_days(day, n)
    except ValueError:  # lokal-id has no holiday data for that year
        while n > 0:
            day += dt.timedelta(days=1)
            n -= day.weekday() < 5
        return day


def _clock_start(case: Case) -> dt.datetime:
    """When the case's clocks start: now for a case reported today, else the start of the
    reporting day in the agency's time zone (a case entered late is not given extra time)."""
    now = timezone.now()
    zone = zoneinfo.ZoneInfo(case.agency.time_zone)
    if case.reported_on >= now.astimezone(zone).date():
        return now
    return dt.datetime.combine(case.reported_on, dt.time.min, tzinfo=zone)


def deadlines_open(
    *,
    case: Case,
    new_case: bool = False,
    sexual: bool | None = None,
    abh: AbhDetail | None = None,
) -> list[Deadline]:
    """Create the clocks that the case's facts start (idempotent: one row per kind).

    The registration passes what it has just written, so nothing is read back: `new_case`
    (the case has no clocks yet, and `abh` is its ABH details if any) and `sexual` (a victim
    suffered sexual violence)."""
    start = _clock_start(case)
    zone = zoneinfo.ZoneInfo(case.agency.time_zone)
    due: dict[str, dt.datetime] = {}
    if sexual is None:
        sexual = Person.violence_forms.through.objects.filter(
            person__case=case, person__role=PersonRole.VICTIM, violenceform_id=SEXUAL_VIOLENCE
        ).exists()
    if sexual:
        due[Deadline.Kind.POLICE_REPORT_TPKS] = start + dt.timedelta(hours=72)
    if case.risk_level == RiskLevel.MEDIUM:
        due[Deadline.Kind.RESPONSE_MEDIUM_RISK] = start + dt.timedelta(hours=6)
    local = start.astimezone(zone)
    follow_up_day = working_days_after(local.date(), 3)
    due[Deadline.Kind.FOLLOW_UP] = dt.datetime.combine(follow_up_day, local.timetz())
    if not new_case:
        abh = AbhDetail.objects.filter(case=case).first()
    if abh is not None and abh.diversion_started_on:
        due[Deadline.Kind.DIVERSION] = dt.datetime.combine(
            abh.diversion_started_on + dt.timedelta(days=30), dt.time.max, tzinfo=zone
        )
    existing = set() if new_case else set(case.deadlines.values_list("kind", flat=True))
    created = []
    for kind, due_at in due.items():
        if kind not in existing:
            created.append(
                Deadline.objects.create(
                    case=case,
                    kind=kind,
                    due_at=due_at,
                    legal_basis=LEGAL_BASIS.get(Deadline.Kind(kind), ""),
                )
            )
    return created


# --- Drafts --------------------------------------------------------------------------------


def draft_save(
    *, actor: User, draft: IntakeDraft | None, step: str, data: dict[str, list[str]]
) -> IntakeDraft:
    """Keep what the officer typed on one step (even when it does not validate yet)."""
    if draft is None:
        draft = IntakeDraft(owner=actor, agency_id=cast(int, actor.agency_id))
    if draft.case_id is not None:
        return draft  # already registered: the data was cleared on purpose
    draft.data = {**draft.data, step: data}
    draft.step = step
    draft.save()
    return draft


def draft_delete(*, actor: User, draft: IntakeDraft) -> None:
    if draft.owner_id != actor.pk:
        raise PermissionError
    draft.delete()


@transaction.atomic
def intake_submit(
    *,
    actor: User,
    draft: IntakeDraft,
    data: CaseData,
    people: list[PersonData],
    links: list[tuple[str, str, str]],
    details: dict,
    related: list[tuple[Case, str]],
) -> tuple[Case, bool]:
    """Register the case of a draft; the draft's token makes a resubmission return the same
    case, and the draft's data is cleared (the case now holds it)."""
    draft = IntakeDraft.objects.select_for_update().get(pk=draft.pk)
    if draft.case is not None:
        return draft.case, False
    case, created = case_register(
        actor=actor,
        data=data,
        people=people,
        links=links,
        intake_token=draft.token,
        details=details,
        related=related,
    )
    draft.case = case
    draft.data = {}
    draft.save(update_fields=["case", "data", "updated_at"])
    return case, created


# --- Case management -----------------------------------------------------------------------


class CaseActionError(Exception):
    """A case-management rule was broken; the message is for the user, in their language."""


class StaleVersion(CaseActionError):
    """Someone saved the case after this form was opened."""

    def __init__(self, case: Case) -> None:
        super().__init__(
            _("Kasus ini sudah diubah orang lain sejak formulir dibuka. Periksa perubahannya.")
        )
        self.case = case


STEP_ORDER = list(Step.values)
RECORD_FOR_STEP = {
    Step.ASSESSMENT: CaseRecord.Kind.ASSESSMENT,
    Step.PLAN: CaseRecord.Kind.PLAN,
    Step.INTERVENTION: CaseRecord.Kind.PROGRESS,
    Step.MONITORING: CaseRecord.Kind.MONITORING,
}
EDITABLE_CASE_FIELDS = (
    "intake_channel",
    "reported_on",
    "incident_date",
    "incident_date_approximate",
    "description",
    "place",
    "incident_address",
    "incident_district",
    "incident_village",
    "case_type",
    "risk_level",
    "within_authority",
    "consent_sharing",
    "consent_statistics",
    "legal_basis",
    "legal_basis_note",
)


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("agency").get(pk=case.pk)


def _save_case(case: Case, actor: User, fields: list[str], reason: str) -> None:
    case.version += 1
    case._change_reason = reason[:100]
    case._history_user = actor
    case.save(update_fields=[*fields, "version", "updated_at"])


def _record(case: Case, actor: User, kind: str, body: str) -> CaseRecord:
    record = CaseRecord(case=case, kind=kind, body=body, author=actor)
    record._history_user = actor
    record.save()
    return record


def next_step(step: str) -> str | None:
    index = STEP_ORDER.index(step)
    following = STEP_ORDER[index + 1] if index + 1 < len(STEP_ORDER) else None
    return None if following == Step.CLOSURE else following


def case_update(*, actor: User, case: Case, version: int, changes: dict, reason: str = "") -> Case:
    """Change the registered facts of a case; refused when `version` is not the current one."""
    with transaction.atomic():
        current = _locked(case)
        if current.version != version:
            raise StaleVersion(current)
        if current.is_closed:
            raise CaseActionError(_("Kasus yang sudah ditutup tidak dapat diubah."))
        changed = []
        for name, value in changes.items():
            if name not in EDITABLE_CASE_FIELDS:
                raise ValueError(name)
            attname = cast(Field, current._meta.get_field(name)).attname
            value = getattr(value, "pk", value)
            if getattr(current, attname) != value:
                setattr(current, attname, value)
                changed.append(name)
        if not changed:
            return current
        _save_case(current, actor, changed, reason or _("Data kasus diperbarui"))
    return current


def case_step_advance(*, actor: User, case: Case, version: int, to_step: str, body: str) -> Case:
    """Move an open case to the next step of the service standard, leaving its typed record."""
    with transaction.atomic():
        current = _locked(case)
        if current.version != version:
            raise StaleVersion(current)
        if current.status != Status.OPEN:
            raise CaseActionError(_("Tahap hanya dapat diubah pada kasus yang sedang ditangani."))
        if to_step != next_step(current.step):
            raise CaseActionError(_("Tahap berikutnya tidak sesuai urutan standar layanan."))
        if not body.strip():
            raise CaseActionError(_("Isi catatan tahap ini wajib diisi."))
        _record(current, actor, RECORD_FOR_STEP[Step(to_step)], body)
        current.step = to_step
        _save_case(current, actor, ["step"], _("Pindah tahap: %s") % Step(to_step).label)
    return current


def case_record_add(*, actor: User, case: Case, kind: str, body: str) -> CaseRecord:
    """A progress note (or another typed record) without changing the step."""
    if kind not in (CaseRecord.Kind.PROGRESS, CaseRecord.Kind.IDENTIFICATION):
        raise CaseActionError(_("Jenis catatan ini dibuat lewat perpindahan tahap."))
    if not body.strip():
        raise CaseActionError(_("Isi catatan wajib diisi."))
    if case.is_closed:
        raise CaseActionError(_("Kasus yang sudah ditutup tidak dapat diubah."))
    return _record(case, actor, kind, body)


def case_closure_request(*, actor: User, case: Case, version: int, report: str) -> Case:
    """The case worker submits the closure report; the supervisor decides."""
    with transaction.atomic():
        current = _locked(case)
        if current.version != version:
            raise StaleVersion(current)
        if current.status != Status.OPEN:
            raise CaseActionError(_("Terminasi hanya dapat diajukan untuk kasus yang ditangani."))
        if not report.strip():
            raise CaseActionError(_("Laporan terminasi wajib diisi."))
        _record(current, actor, CaseRecord.Kind.CLOSURE_REPORT, report)
        current.status, current.step = Status.CLOSURE_REQUESTED, Step.CLOSURE
        _save_case(current, actor, ["status", "step"], _("Terminasi diajukan"))
    return current


def case_closure_decide(
    *, actor: User, case: Case, version: int, approve: bool, reason: str = ""
) -> Case:
    """The supervisor approves the closure (the case is closed) or returns it with a reason."""
    if actor.role != Role.SUPERVISOR:
        raise CaseActionError(_("Hanya supervisor yang dapat memutuskan terminasi."))
    with transaction.atomic():
        current = _locked(case)
        if current.version != version:
            raise StaleVersion(current)
        if current.status != Status.CLOSURE_REQUESTED:
            raise CaseActionError(_("Tidak ada pengajuan terminasi untuk kasus ini."))
        if not approve and not reason.strip():
            raise CaseActionError(_("Tuliskan alasan pengembalian."))
        if approve:
            body = reason.strip() or _("Terminasi disetujui.")
            current.status, current.closed_at = Status.CLOSED, timezone.now()
            fields, why = ["status", "closed_at"], _("Terminasi disetujui")
        else:
            body = _("Dikembalikan: %s") % reason.strip()
            current.status, current.step = Status.OPEN, Step.MONITORING
            fields, why = ["status", "step"], _("Terminasi dikembalikan")
        _record(current, actor, CaseRecord.Kind.CLOSURE_DECISION, body)
        _save_case(current, actor, fields, why)
    return current


def case_reopen(*, actor: User, case: Case, version: int, reason: str) -> Case:
    """A supervisor reopens a closed case; the reason is kept as a record."""
    if actor.role != Role.SUPERVISOR:
        raise CaseActionError(_("Hanya supervisor yang dapat membuka kembali kasus."))
    with transaction.atomic():
        current = _locked(case)
        if current.version != version:
            raise StaleVersion(current)
        if current.status != Status.CLOSED:
            raise CaseActionError(_("Hanya kasus yang sudah ditutup dapat dibuka kembali."))
        if not reason.strip():
            raise CaseActionError(_("Alasan membuka kembali wajib diisi."))
        _record(current, actor, CaseRecord.Kind.REOPEN, reason)
        current.status, current.closed_at, current.step = Status.OPEN, None, Step.ASSESSMENT
        _save_case(current, actor, ["status", "closed_at", "step"], _("Kasus dibuka kembali"))
    return current


def case_assign(*, actor: User, case: Case, version: int, worker: User | None) -> Case:
    """Assign the case worker (a case worker or supervisor of the owning UPTD)."""
    if worker is not None and (
        worker.agency_id != case.agency_id
        or worker.role not in (Role.CASE_WORKER, Role.SUPERVISOR)
        or not worker.is_active
    ):
        raise CaseActionError(_("Manajer kasus harus staf aktif UPTD pemilik kasus."))
    with transaction.atomic():
        current = _locked(case)
        if current.version != version:
            raise StaleVersion(current)
        current.assigned_worker = worker
        _save_case(current, actor, ["assigned_worker"], _("Manajer kasus ditetapkan"))
    return current


class StalePerson(CaseActionError):
    """Someone saved the person's data after this form was opened."""

    def __init__(self, person: Person) -> None:
        super().__init__(
            _("Data orang ini sudah diubah orang lain sejak formulir dibuka. Periksa perubahannya.")
        )
        self.person = person


# PersonData attribute -> Person field, for the values stored as they are.
PERSON_SCALARS = {
    "name": "name",
    "sex": "sex",
    "birth_date": "birth_date",
    "stated_age": "stated_age",
    "education_id": "education",
    "occupation_id": "occupation",
    "marital_status_id": "marital_status",
    "has_disability": "has_disability",
    "address": "address",
    "address_region_id": "address_region",
    "phone": "phone",
    "relation_to_victim": "relation_to_victim",
    "child_legal_role": "child_legal_role",
}
# PersonData attribute -> many-to-many field of Person.
PERSON_LISTS = {
    "disability_type_ids": "disability_types",
    "violence_form_ids": "violence_forms",
    "violence_subtype_ids": "violence_subtypes",
    "ampk_category_ids": "ampk_categories",
}
VICTIM_ONLY = {"child_legal_role", "violence_form_ids", "violence_subtype_ids", "ampk_category_ids"}
EDITABLE_PERSON_FIELDS = frozenset({*PERSON_SCALARS, *PERSON_LISTS, "nik"})


def _person_guard(changes: dict, reason: str) -> None:
    unknown = set(changes) - EDITABLE_PERSON_FIELDS
    if unknown:
        raise ValueError(sorted(unknown))
    if not reason.strip():
        raise CaseActionError(_("Alasan perubahan wajib diisi."))


def _person_scalars(current: Person, changes: dict) -> list[str]:
    """Set the changed scalar fields and the NIK; the names of the fields that changed."""
    changed = []
    for key, name in PERSON_SCALARS.items():
        if key not in changes:
            continue
        attname = cast(Field, current._meta.get_field(name)).attname
        value = changes[key]
        value = value.strip() if isinstance(value, str) else value
        if getattr(current, attname) != value:
            setattr(current, attname, value)
            changed.append(name)
    nik = "".join(str(changes.get("nik") or "").split())
    if nik and nik_hash(nik) != current.nik_hash:
        if nik_errors(nik):
            raise CaseActionError(nik_errors(nik)[0])
        current.nik_hash, current.nik_masked = nik_hash(nik), nik_mask(nik)
        changed += ["nik_hash", "nik_masked"]
    return changed


def _person_age(current: Person, case: Case) -> list[str]:
    """Derive the age at the incident again; the names of the fields that changed."""
    age, group, is_child = derived_age(
        birth_date=current.birth_date,
        stated_age=current.stated_age,
        stated_on=case.reported_on,
        at=case.reference_date,
    )
    changed = []
    for name, value in (("age", age), ("age_group", group), ("is_child", is_child)):
        if getattr(current, name) != value:
            setattr(current, name, value)
            changed.append(name)
    return changed


def _person_lists(current: Person, changes: dict, *, is_victim: bool) -> dict[str, list]:
    """The coded lists to replace (relation name -> new primary keys), only those that differ."""
    lists = {key: list(changes[key]) for key in PERSON_LISTS if key in changes}
    if is_victim and ("violence_form_ids" in lists or "violence_subtype_ids" in lists):
        chosen = PersonData(
            role=current.role,
            name=current.name,
            violence_form_ids=lists.get("violence_form_ids", []),
            violence_subtype_ids=lists.get("violence_subtype_ids", []),
        )
        lists["violence_form_ids"] = victim_forms(
            chosen, subtype_forms(chosen.violence_subtype_ids)
        )
    if is_victim and not current.is_child:
        lists["ampk_category_ids"] = []  # AMPK is for children only (as at intake)
    to_set = {}
    for key, values in lists.items():
        name = PERSON_LISTS[key]
        stored = set(getattr(current, name).values_list("pk", flat=True))
        if stored != set(values):
            to_set[name] = values
    return to_set


def person_update(
    *, actor: User, person: Person, version: int, changes: dict, reason: str
) -> Person:
    """Correct the data of a person of a case; refused when `version` is not the current one.

    `changes` maps `PersonData` attribute names to the new values (`EDITABLE_PERSON_FIELDS`);
    a blank or missing `nik` keeps the stored one. The NIK is hashed and masked as at intake,
    the age at the incident derived again, and the forms of violence rolled up from the
    sub-forms. One history row records the change (lists included), with the actor and the
    reason."""
    _person_guard(changes, reason)
    with transaction.atomic():
        current = (
            Person.objects.select_for_update(of=("self",)).select_related("case").get(pk=person.pk)
        )
        if current.version != version:
            raise StalePerson(current)
        case = current.case
        if case.is_closed:
            raise CaseActionError(_("Kasus yang sudah ditutup tidak dapat diubah."))
        is_victim = current.role == PersonRole.VICTIM
        if not is_victim and set(changes) & VICTIM_ONLY:
            raise ValueError(sorted(set(changes) & VICTIM_ONLY))
        if "name" in changes and not str(changes["name"]).strip():
            raise CaseActionError(_("Nama wajib diisi."))
        changed = _person_scalars(current, changes) + _person_age(current, case)
        to_set = _person_lists(current, changes, is_victim=is_victim)
        if not changed and not to_set:
            return current
        current._history_user = actor
        current._change_reason = reason.strip()[:100]
        # The lists first, without history; the save below writes one history row that holds
        # the new values and the new lists.
        current.skip_history_when_saving = True
        try:
            for name, values in to_set.items():
                getattr(current, name).set(values)
        finally:
            del current.skip_history_when_saving
        current.version += 1
        current.save(update_fields=[*changed, "version"])
    return current


def service_record(
    *,
    actor: User,
    case: Case,
    victim: Person,
    service_type_id: str,
    given_on: dt.date,
    provider: Agency,
    function_id: str | None = None,
    description: str = "",
    shelter_from: dt.date | None = None,
    shelter_to: dt.date | None = None,
) -> ServiceGiven:
    """A service given to one victim of the case."""
    if victim.case_id != case.pk or victim.role != PersonRole.VICTIM:
        raise CaseActionError(_("Layanan dicatat untuk korban dalam kasus ini."))
    if given_on > timezone.localdate():
        raise CaseActionError(_("Tanggal layanan tidak boleh di masa depan."))
    if shelter_to and (shelter_from is None or shelter_to < shelter_from):
        raise CaseActionError(_("Tanggal selesai rumah aman harus sesudah tanggal mulai."))
    service = ServiceGiven(
        victim=victim,
        service_type_id=service_type_id,
        function_id=function_id,
        provider=provider,
        given_on=given_on,
        description=description,
        shelter_from=shelter_from,
        shelter_to=shelter_to,
        recorded_by=actor,
    )
    service._history_user = actor
    service.save()
    return service


def legal_step_record(
    *,
    actor: User,
    case: Case,
    perpetrator: Person,
    stage: str,
    started_on: dt.date,
    outcome: str = "",
    note: str = "",
) -> LegalProcess:
    """A stage of a perpetrator's legal process, with its outcome."""
    if perpetrator.case_id != case.pk or perpetrator.role != PersonRole.PERPETRATOR:
        raise CaseActionError(_("Proses hukum dicatat untuk terlapor dalam kasus ini."))
    if started_on > timezone.localdate():
        raise CaseActionError(_("Tanggal tidak boleh di masa depan."))
    step = LegalProcess(
        perpetrator=perpetrator,
        stage=stage,
        started_on=started_on,
        outcome=outcome,
        note=note,
        recorded_by=actor,
    )
    step._history_user = actor
    step.save()
    return step


# --- Documents -----------------------------------------------------------------------------

DOCUMENT_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def sniff_content_type(head: bytes) -> str | None:
    """The content type named by a file's first bytes (PDF, JPEG or PNG), or None."""
    for signature, content_type in DOCUMENT_SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def document_check(upload: UploadedFile) -> str:
    """Refuse an empty, oversized or disguised file; return its real content type."""
    if not upload.size:
        raise CaseActionError(_("Berkas kosong."))
    if upload.size > settings.DOCUMENT_MAX_BYTES:
        raise CaseActionError(
            _("Berkas terlalu besar (maksimal %(mb)s MB).")
            % {"mb": settings.DOCUMENT_MAX_BYTES // (1024 * 1024)}
        )
    upload.seek(0)
    content_type = sniff_content_type(upload.read(16))
    upload.seek(0)
    if content_type is None:
        raise CaseActionError(_("Jenis berkas tidak diterima. Unggah PDF, JPEG atau PNG."))
    return content_type


def document_upload(*, actor: User, case: Case, kind: str, upload: UploadedFile) -> Document:
    """Store a document in private storage under a random name, with its checksum."""
    content_type = document_check(upload)
    digest = hashlib.sha256()
    chunks = []
    for chunk in upload.chunks():
        digest.update(chunk)
        chunks.append(chunk)
    document = Document(
        case=case,
        kind=kind,
        original_name=(upload.name or "berkas")[-255:],
        content_type=content_type,
        size=upload.size or 0,  # document_check refused an empty file
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    document._history_user = actor
    with transaction.atomic():
        document.file.save("upload", ContentFile(b"".join(chunks)), save=False)
        document.save()
    return document


def deadline_done(*, actor: User, case: Case, deadline: Deadline) -> Deadline:
    """Mark a clock as met (for example: the report to the police was made)."""
    if deadline.case_id != case.pk:
        raise CaseActionError(_("Batas waktu ini bukan milik kasus ini."))
    if deadline.done_at is None:
        deadline.done_at = timezone.now()
        deadline._history_user = actor
        deadline._change_reason = _("Dipenuhi")
        deadline.save(update_fields=["done_at"])
    return deadline
