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

from cases import refcache, uploads
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
from cases.rules import VictimFacts, case_type_problem
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


def facts_at(
    sex: str,
    birth_date: dt.date | None,
    stated_age: int | None,
    reported_on: dt.date,
    incident_date: dt.date | None,
) -> VictimFacts:
    """A victim as the case-type rule sees it, aged on the case's reference date."""
    age, _group, _child = derived_age(
        birth_date=birth_date,
        stated_age=stated_age,
        stated_on=reported_on,
        at=incident_date or reported_on,
    )
    return VictimFacts(sex=sex, age=age)


def victim_facts(case: Case, replace: Person | None = None) -> list[VictimFacts]:
    """The victims of a case as the case-type rule sees them, aged on the case's (possibly
    just changed, unsaved) dates; `replace` stands for its stored row (a person being edited)."""
    victims = case.people.filter(role=PersonRole.VICTIM).only(
        "pk", "sex", "birth_date", "stated_age"
    )
    return [
        facts_at(p.sex, p.birth_date, p.stated_age, case.reported_on, case.incident_date)
        for p in (replace if replace is not None and p.pk == replace.pk else p for p in victims)
    ]


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
    return case_numbers_allocate(region_code, year, 1)[0]


def case_numbers_allocate(region_code: str, year: int, count: int) -> list[str]:
    """Issue `count` consecutive numbers for a region and year with one atomic upsert (the
    import allocates a year's numbers in one step)."""
    table = CaseSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (region_code, year, last) VALUES (%s, %s, %s) "  # noqa: S608 (table name from the model, values bound)
            f"ON CONFLICT (region_code, year) DO UPDATE SET last = {table}.last + %s "
            "RETURNING last",
            [region_code, year, count, count],
        )
        (last,) = cursor.fetchone()
    return [f"{region_code}/{year}/{n:04d}" for n in range(last - count + 1, last + 1)]


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
    problem = case_type_problem(
        case_type=data.case_type,
        victims=[
            facts_at(p.sex, p.birth_date, p.stated_age, data.reported_on, data.incident_date)
            for p in people
            if p.role == PersonRole.VICTIM
        ],
    )
    if problem:
        raise IntakeError(problem)


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

# Hours each statutory clock runs from its start (the legal basis of each kind, shown on the
# case page, is `cases.models.DEADLINE_LEGAL_BASIS`). The follow-up of a complaint counts
# working days instead (`_due`).
CLOCK_HOURS: dict[str, int] = {
    Deadline.Kind.POLICE_REPORT_TPKS: 72,
    Deadline.Kind.RESPONSE_MEDIUM_RISK: 6,
    Deadline.Kind.DIVERSION: 30 * 24,
    Deadline.Kind.PROTECTION_KDRT: 24,
    Deadline.Kind.PROTECTION_KDRT_END: 7 * 24,
    Deadline.Kind.COURT_ORDER_KDRT: 24,
    Deadline.Kind.PROTECTION_TPKS: 24,
    Deadline.Kind.PROTECTION_TPKS_END: 14 * 24,
    Deadline.Kind.LPSK_REQUEST: 24,
    Deadline.Kind.BAPAS_REQUEST: 24,
    Deadline.Kind.SOCIAL_REPORT: 72,
    Deadline.Kind.DIVERSION_OFFER: 7 * 24,
}
FOLLOW_UP_WORKING_DAYS = 3
# A clock met at this moment starts the next ones (e.g. protection given -> its 7-day limit).
FOLLOWING_CLOCKS: dict[str, tuple[str, ...]] = {
    Deadline.Kind.PROTECTION_KDRT: (
        Deadline.Kind.PROTECTION_KDRT_END,
        Deadline.Kind.COURT_ORDER_KDRT,
    ),
    Deadline.Kind.PROTECTION_TPKS: (Deadline.Kind.PROTECTION_TPKS_END, Deadline.Kind.LPSK_REQUEST),
}
# The victim's sub-forms of violence under UU 23/2004 (PKDRT) start with this prefix.
KDRT_SUBTYPE_PREFIX = "pkdrt_"


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


def _day_start(case: Case, day: dt.date) -> dt.datetime:
    """When a clock started by something that happened on `day` starts: now for today, else
    the start of that day in the agency's time zone (an event entered late gets no extra time)."""
    now = timezone.now()
    zone = zoneinfo.ZoneInfo(case.agency.time_zone)
    if day >= now.astimezone(zone).date():
        return now
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone)


def _clock_start(case: Case) -> dt.datetime:
    """When the case's clocks start: the reporting day (see `_day_start`)."""
    return _day_start(case, case.reported_on)


def _due(case: Case, kind: str, start: dt.datetime) -> dt.datetime:
    """When a clock of `kind` started at `start` runs out (working days in the agency's zone)."""
    if kind == Deadline.Kind.FOLLOW_UP:
        local = start.astimezone(zoneinfo.ZoneInfo(case.agency.time_zone))
        day = working_days_after(local.date(), FOLLOW_UP_WORKING_DAYS)
        return dt.datetime.combine(day, local.timetz())
    return start + dt.timedelta(hours=CLOCK_HOURS[kind])


def _clocks_create(
    case: Case, due: dict[str, dt.datetime], *, skip: set[str], actor: User | None = None
) -> list[Deadline]:
    """One new clock per kind not in `skip`. A clock that has already run out is recorded as
    entered late: it is shown, never reminded or escalated (nobody could have met it)."""
    now = timezone.now()
    created = []
    for kind, due_at in due.items():
        if kind in skip:
            continue
        deadline = Deadline(case=case, kind=kind, due_at=due_at, late_entry=due_at <= now)
        if actor is not None:  # else simple-history names the request's user, if any
            deadline._history_user = actor
        deadline.save()
        created.append(deadline)
    return created


def _open_kinds(case: Case) -> set[str]:
    return set(case.deadlines.filter(done_at__isnull=True).values_list("kind", flat=True))


def deadlines_open(
    *,
    case: Case,
    new_case: bool = False,
    sexual: bool | None = None,
    abh: AbhDetail | None = None,
) -> list[Deadline]:
    """Create the clocks that the case's facts start (idempotent: one running row per kind).

    The registration passes what it has just written, so nothing is read back: `new_case`
    (the case has no clocks yet, and `abh` is its ABH details if any) and `sexual` (a victim
    suffered sexual violence)."""
    start = _clock_start(case)
    zone = zoneinfo.ZoneInfo(case.agency.time_zone)
    kinds: list[str] = [Deadline.Kind.FOLLOW_UP]
    if sexual is None:
        sexual = Person.violence_forms.through.objects.filter(
            person__case=case, person__role=PersonRole.VICTIM, violenceform_id=SEXUAL_VIOLENCE
        ).exists()
    if sexual:
        kinds.append(Deadline.Kind.POLICE_REPORT_TPKS)
    if case.risk_level == RiskLevel.MEDIUM:
        kinds.append(Deadline.Kind.RESPONSE_MEDIUM_RISK)
    due: dict[str, dt.datetime] = {kind: _due(case, kind, start) for kind in kinds}
    if not new_case:
        abh = AbhDetail.objects.filter(case=case).first()
    if abh is not None and abh.diversion_started_on:
        due[Deadline.Kind.DIVERSION] = dt.datetime.combine(
            abh.diversion_started_on + dt.timedelta(days=30), dt.time.max, tzinfo=zone
        )
    # Facts start a duty once: a kind the case already has (running, met or ended) is kept.
    known = set() if new_case else set(case.deadlines.values_list("kind", flat=True))
    return _clocks_create(case, due, skip=known)


def deadlines_end_by_closure(*, actor: User, case: Case) -> list[Deadline]:
    """Closing a case ends its running clocks (kept, marked as ended by the closure)."""
    now = timezone.now()
    ended = list(case.deadlines.select_for_update().filter(done_at__isnull=True))
    for deadline in ended:
        deadline.done_at, deadline.ended_by = now, Deadline.Ending.CASE_CLOSED
        deadline._history_user = actor
        deadline._change_reason = str(Deadline.Ending.CASE_CLOSED.label)
        deadline.save(update_fields=["done_at", "ended_by"])
    return ended


def deadlines_restart(*, actor: User, case: Case) -> list[Deadline]:
    """Reopening a case starts again, from now, each duty its closure ended and nobody met:
    the kinds whose latest clock was ended by the closure (a met duty stays met)."""
    latest: dict[str, Deadline] = {}
    for deadline in case.deadlines.order_by("kind", "-due_at", "-id"):
        latest.setdefault(deadline.kind, deadline)
    now = timezone.now()
    due = {
        kind: _due(case, kind, now)
        for kind, deadline in latest.items()
        if deadline.ended_by == Deadline.Ending.CASE_CLOSED
    }
    return _clocks_create(case, due, skip=_open_kinds(case), actor=actor)


def _is_kdrt(case: Case) -> bool:
    """A victim was recorded with a PKDRT sub-form of violence (UU 23/2004 Pasal 5)."""
    return Person.violence_subtypes.through.objects.filter(
        person__case=case,
        person__role=PersonRole.VICTIM,
        violencesubtype__code__startswith=KDRT_SUBTYPE_PREFIX,
    ).exists()


def _is_sexual(case: Case) -> bool:
    return Person.violence_forms.through.objects.filter(
        person__case=case, person__role=PersonRole.VICTIM, violenceform_id="seksual"
    ).exists()


def deadlines_police_report(
    *, case: Case, at: dt.datetime, actor: User | None = None
) -> list[Deadline]:
    """The case reached the police (a referral delivered to a police unit, or the report
    stage of the legal process): the UPTD's 3×24 h reporting duty (TPKS) is met, and the
    police's own clocks start: temporary protection within 1×24 h for domestic violence
    (UU PKDRT Pasal 16) and for sexual violence (UU TPKS Pasal 42)."""
    if case.is_closed:
        return []
    for deadline in case.deadlines.select_for_update().filter(
        kind=Deadline.Kind.POLICE_REPORT_TPKS, done_at__isnull=True
    ):
        deadline.done_at, deadline.ended_by = at, Deadline.Ending.MET
        if actor is not None:
            deadline._history_user = actor
        deadline.save(update_fields=["done_at", "ended_by"])
    kinds: list[str] = []
    if _is_kdrt(case):
        kinds.append(Deadline.Kind.PROTECTION_KDRT)
    if _is_sexual(case):
        kinds.append(Deadline.Kind.PROTECTION_TPKS)
    done = set(case.deadlines.filter(kind__in=kinds).values_list("kind", flat=True))
    due = {kind: _due(case, kind, at) for kind in kinds}
    return _clocks_create(case, due, skip=done, actor=actor)


def deadlines_child_investigation(
    *, case: Case, started_on: dt.date, actor: User | None = None
) -> list[Deadline]:
    """The investigation of a child in conflict with the law started (PP 65/2015): the
    investigator asks Bapas and a social worker within 1×24 h, their reports are due within
    3×24 h and diversion is to be offered within 7×24 h."""
    if case.is_closed:
        return []
    start = _day_start(case, started_on)
    kinds = (
        Deadline.Kind.BAPAS_REQUEST,
        Deadline.Kind.SOCIAL_REPORT,
        Deadline.Kind.DIVERSION_OFFER,
    )
    done = set(case.deadlines.filter(kind__in=kinds).values_list("kind", flat=True))
    return _clocks_create(
        case, {kind: _due(case, kind, start) for kind in kinds}, skip=done, actor=actor
    )


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


class CaseTypeMismatch(CaseActionError):
    """The case type does not fit the victims (`cases.rules.case_type_problem`); `field` is
    the form field the message belongs next to."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


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
        if {"case_type", "incident_date", "reported_on"} & set(changed):
            problem = case_type_problem(case_type=current.case_type, victims=victim_facts(current))
            if problem:
                raise CaseTypeMismatch(problem, field="case_type")
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
            deadlines_end_by_closure(actor=actor, case=current)
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
        deadlines_restart(actor=actor, case=current)
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


def _check_victim_change(person: Person, case: Case, changed: list[str]) -> None:
    """A victim's corrected sex or age must still fit the case type (refused otherwise)."""
    touched = {"sex", "birth_date", "stated_age"} & set(changed)
    if person.role != PersonRole.VICTIM or not touched:
        return
    problem = case_type_problem(case_type=case.case_type, victims=victim_facts(case, person))
    if problem:
        field = "sex" if touched == {"sex"} else "birth_date"
        raise CaseTypeMismatch(problem, field=field)


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
        _check_victim_change(current, case, changed)
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
    with transaction.atomic():
        step.save()
        if stage == LegalProcess.Stage.REPORT:
            deadlines_police_report(case=case, at=_day_start(case, started_on), actor=actor)
        elif stage == LegalProcess.Stage.INVESTIGATION and perpetrator.is_child:
            deadlines_child_investigation(case=case, started_on=started_on, actor=actor)
    return step


# --- Documents -----------------------------------------------------------------------------

DOCUMENT_KINDS = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}


def document_check(upload: UploadedFile) -> str:
    """Refuse an empty, oversized, disguised or damaged file; return its real content type.
    The file must parse fully as the type its first bytes name (cases.uploads)."""
    if not upload.size:
        raise CaseActionError(_("Berkas kosong."))
    if upload.size > settings.DOCUMENT_MAX_BYTES:
        raise CaseActionError(
            _("Berkas terlalu besar (maksimal %(mb)s MB).")
            % {"mb": settings.DOCUMENT_MAX_BYTES // (1024 * 1024)}
        )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    content_type = uploads.sniff_content_type(data[:16])
    if content_type is None:
        raise CaseActionError(_("Jenis berkas tidak diterima. Unggah PDF, JPEG atau PNG."))
    try:
        uploads.check_parses(data, content_type)
    except uploads.TooManyPixels as exc:
        raise CaseActionError(
            _("Gambar terlalu besar (maksimal %(mp)s megapiksel).")
            % {"mp": settings.DOCUMENT_MAX_PIXELS // 1_000_000}
        ) from exc
    except uploads.NotParsable as exc:
        raise CaseActionError(
            _(
                "Berkas tidak dapat dibaca sebagai %(kind)s yang utuh. Unggah berkas aslinya, "
                "bukan salinan yang rusak atau diubah."
            )
            % {"kind": DOCUMENT_KINDS[content_type]}
        ) from exc
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
    if deadline.done_at is not None:
        return deadline
    with transaction.atomic():
        deadline.done_at, deadline.ended_by = timezone.now(), Deadline.Ending.MET
        deadline._history_user = actor
        deadline._change_reason = _("Dipenuhi")
        deadline.save(update_fields=["done_at", "ended_by"])
        following = FOLLOWING_CLOCKS.get(deadline.kind, ())
        if following:
            # e.g. temporary protection given now: its limit and the next request start now.
            due = {kind: _due(case, kind, deadline.done_at) for kind in following}
            _clocks_create(case, due, skip=_open_kinds(case), actor=actor)
    return deadline
