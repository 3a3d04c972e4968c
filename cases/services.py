"""State changes of cases. Views, tasks, commands and tests all call these functions."""

import datetime as dt
import hashlib
import hmac
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from lokal import parse_nik

from cases.models import (
    AgeGroup,
    Case,
    CaseSequence,
    Person,
    PersonRole,
)
from ppa.models import User

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
            f"INSERT INTO {table} (region_code, year, last) VALUES (%s, %s, 1) "  # noqa: S608
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
    legal_basis: str = "consent"
    legal_basis_note: str = ""


class IntakeError(Exception):
    """A rule of intake was broken; the message is for the officer, in Indonesian."""


def person_create(*, case: Case, data: PersonData) -> Person:
    from cases.models import ViolenceSubtype  # noqa: PLC0415

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
    if data.disability_type_ids:
        person.disability_types.set(data.disability_type_ids)
    if data.role == PersonRole.VICTIM:
        # Sub-forms (TPKS, PKDRT, trafficking) roll up to their SIMFONI form.
        forms = set(data.violence_form_ids)
        forms |= set(
            ViolenceSubtype.objects.filter(code__in=data.violence_subtype_ids).values_list(
                "form_id", flat=True
            )
        )
        person.violence_forms.set(sorted(forms))
        person.violence_subtypes.set(data.violence_subtype_ids)
        if is_child:
            person.ampk_categories.set(data.ampk_category_ids)
    return person


def case_register(
    *,
    actor: User,
    data: CaseData,
    people: list[PersonData],
    links: list[tuple[str, str, str]] = (),
    intake_token: uuid.UUID | None = None,
) -> tuple[Case, bool]:
    """Open a case with its people in one transaction; return (case, created).

    `links` are (perpetrator key, victim key, relationship code). A second submission with
    the same `intake_token` returns the case the first one created instead of a second case.
    """
    from cases.models import PerpetratorLink  # noqa: PLC0415

    token = intake_token or uuid.uuid4()
    existing = Case.objects.filter(intake_token=token).first()
    if existing is not None:
        return existing, False
    if actor.agency_id is None:
        raise IntakeError("Akun Anda tidak terhubung dengan lembaga.")
    if not any(p.role == PersonRole.VICTIM for p in people):
        raise IntakeError("Kasus harus memiliki sedikitnya satu korban.")
    if data.incident_date and data.incident_date > data.reported_on:
        raise IntakeError("Tanggal kejadian tidak boleh setelah tanggal pelaporan.")
    if data.reported_on > timezone.localdate():
        raise IntakeError("Tanggal pelaporan tidak boleh di masa depan.")
    agency = actor.agency
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
            by_key = {}
            for person_data in people:
                by_key[person_data.key or str(id(person_data))] = person_create(
                    case=case, data=person_data
                )
            for perpetrator_key, victim_key, relationship in links:
                PerpetratorLink.objects.create(
                    perpetrator=by_key[perpetrator_key],
                    victim=by_key[victim_key],
                    relationship_id=relationship,
                )
    except IntegrityError:
        # Two submissions of the same form raced: the other one created the case.
        existing = Case.objects.filter(intake_token=token).first()
        if existing is None:
            raise
        return existing, False
    return case, True
