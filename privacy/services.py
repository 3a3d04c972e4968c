"""Data-protection operations: case-record exports, data-subject files, anonymisation."""

import datetime as dt
import io
import json
import zipfile

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.access import FieldGroup
from cases.models import (
    Case,
    CaseRecord,
    Document,
    LegalProcess,
    Person,
    PersonRole,
    ServiceGiven,
    Status,
    TraffickingDetail,
)
from cases.services import nik_hash
from ppa.models import (
    AccessLog,
    User,
)
from privacy.models import AnonymisedCase, CaseExport


class ExportRefused(Exception):
    """The export cannot be given; the message is for the user, in Indonesian."""


# --- Case-record exports --------------------------------------------------------------------


def case_export_request(
    *, actor: User, case: Case, reason: str, ip_address: str | None, path: str = ""
) -> CaseExport:
    """Record the request (with its reason) and log it; the file is built at download."""
    reason = reason.strip()
    if len(reason) < 10:
        raise ExportRefused(_("Tuliskan alasan ekspor (minimal 10 karakter)."))
    now = timezone.now()
    with transaction.atomic():
        export = CaseExport.objects.create(
            case=case,
            requested_by=actor,
            reason=reason[:500],
            created_at=now,
            expires_at=now + dt.timedelta(minutes=settings.CASE_EXPORT_TTL_MINUTES),
            ip_address=ip_address,
        )
        _log(actor, AccessLog.Action.EXPORT, case, reason, ip_address, path)
    return export


@transaction.atomic
def case_export_take(
    *, actor: User, export: CaseExport, ip_address: str | None, path: str = ""
) -> CaseExport:
    """Mark the export downloaded (once, before it expires) and log the download."""
    export = CaseExport.objects.select_for_update().get(pk=export.pk)
    if export.requested_by_id != actor.pk:
        raise ExportRefused(_("Ekspor ini bukan milik Anda."))
    if export.downloaded_at is not None:
        raise ExportRefused(_("Tautan ekspor ini sudah dipakai. Ajukan ekspor baru bila perlu."))
    if export.is_expired:
        raise ExportRefused(_("Tautan ekspor ini sudah kedaluwarsa. Ajukan ekspor baru."))
    export.downloaded_at = timezone.now()
    export.save(update_fields=["downloaded_at"])
    _log(actor, AccessLog.Action.DOWNLOAD, export.case, export.reason, ip_address, path)
    return export


def _log(
    actor: User,
    action: str,
    case: Model,
    purpose: str,
    ip_address: str | None,
    path: str,
) -> AccessLog:
    return AccessLog.objects.create(
        user=actor,
        agency_id=actor.agency_id,
        role=actor.role,
        action=action,
        object_type=case._meta.label_lower,
        object_id=case.pk,
        purpose=purpose[:255],
        ip_address=ip_address,
        path=path[:255],
    )


def _label(obj: object) -> str:
    return str(obj) if obj is not None else ""


def person_payload(person: Person, *, identity: bool) -> dict:
    data: dict[str, object] = {
        "kode": str(person.code),
        "peran": person.get_role_display(),
        "jenis_kelamin": person.get_sex_display(),
        "usia_saat_kejadian": person.age,
        "kelompok_umur": person.age_group,
        "anak": person.is_child,
        "pendidikan": _label(person.education),
        "pekerjaan": _label(person.occupation),
        "disabilitas": person.has_disability,
        "bentuk_kekerasan": [str(f) for f in person.violence_forms.all()],
    }
    if identity:
        data |= {
            "nama": person.name,
            "nik": person.nik_masked,
            "tanggal_lahir": person.birth_date.isoformat() if person.birth_date else None,
            "alamat": person.address,
            "wilayah_alamat": _label(person.address_region),
            "telepon": person.phone,
        }
    return data


def case_payload(case: Case, groups: frozenset[str]) -> dict:
    """The case's records as a dictionary, limited to the field groups the reader may see."""
    data: dict[str, object] = {
        "nomor_register": case.number,
        "lembaga": case.agency.name,
        "tanggal_pelaporan": case.reported_on.isoformat(),
        "status": case.get_status_display(),
        "tahap": case.get_step_display(),
    }
    if FieldGroup.INCIDENT in groups:
        data |= {
            "tanggal_kejadian": case.incident_date.isoformat() if case.incident_date else None,
            "jenis_kasus": case.get_case_type_display(),
            "tempat_kejadian": _label(case.place),
            "kecamatan": _label(case.incident_district),
        }
    if FieldGroup.NARRATIVE in groups:
        data["kronologi"] = case.description
        data["catatan"] = [
            {"jenis": r.get_kind_display(), "waktu": r.created_at.isoformat(), "isi": r.body}
            for r in case.records.all()
        ]
    people = []
    for person in case.people.all().order_by("pk"):
        if person.role == PersonRole.VICTIM:
            shown, identity = (
                FieldGroup.VICTIM_NEEDS in groups,
                FieldGroup.VICTIM_IDENTITY in groups,
            )
        elif person.role == PersonRole.PERPETRATOR:
            shown = identity = FieldGroup.PERPETRATORS in groups
        else:  # reporters and guardians identify the victim
            shown = identity = FieldGroup.VICTIM_IDENTITY in groups
        if shown:
            people.append(person_payload(person, identity=identity))
    data["orang"] = people
    return data


# --- Data-subject requests (UU 27/2022 Pasal 32-33) ----------------------------------------


class SubjectRefused(Exception):
    """Pasal 33: the file may not be given (it would endanger someone or reveal others)."""


def subject_people(*, case_number: str = "", person_code: str = "", nik: str = "") -> list[Person]:
    if nik:
        nik = "".join(ch for ch in nik if ch.isdigit())
        return list(Person.objects.filter(nik_hash=nik_hash(nik)).select_related("case"))
    return list(
        Person.objects.filter(case__number=case_number, code=person_code).select_related("case")
    )


def _subject_entry(person: Person) -> dict[str, object]:
    """One person's part of the data-subject file: own data, case facts, services, trails."""
    case = person.case
    trail = AccessLog.objects.filter(
        object_type__in=["cases.case", "cases.person"],
        object_id__in=[case.pk, person.pk],
    ).select_related("agency")
    return {
        "kasus": case_payload(case, frozenset({FieldGroup.INCIDENT})),
        "data_diri": person_payload(person, identity=True),
        "layanan": [
            {
                "jenis": str(s.service_type),
                "tanggal": s.given_on.isoformat(),
                "lembaga": s.provider.name,
            }
            for s in person.services.select_related("service_type", "provider")
        ],
        "riwayat_pemrosesan": [
            {
                "waktu": row.at.isoformat(),
                "lembaga": row.agency.name if row.agency else "",
                "peran": row.role,
                "tindakan": row.get_action_display(),
                "tujuan": row.purpose,
            }
            for row in trail.order_by("at")
        ],
        "riwayat_perubahan": [
            {"waktu": h.history_date.isoformat(), "jenis": h.get_history_type_display()}
            for h in person.history.all().order_by("history_date")
        ],
        "tidak_diberikan": (
            "Data korban lain, terlapor, pelapor, kronologi dan catatan kasus tidak "
            "disertakan karena memuat data pribadi orang lain (UU 27/2022 Pasal 33)."
        ),
    }


def subject_file(*, actor: User, people: list[Person], reason: str) -> bytes:
    """Everything held about one person, as a ZIP (data.json, LIHAT-SAYA.txt).

    Includes the person's own fields in every case they appear in, the case facts they are
    part of, the services they received, and the processing trail (who, from which agency,
    did what, when). Withholds other people (co-victims, perpetrators, reporters), the
    chronology and the case notes, which describe others too (Pasal 33)."""
    if not people:
        raise SubjectRefused(_("Tidak ada data untuk orang ini."))
    if any(p.role == PersonRole.PERPETRATOR for p in people):
        for p in people:
            _log(actor, AccessLog.Action.DENIED, p, f"subjek data ditolak: {reason}", None, "")
        raise SubjectRefused(
            _(
                "Permintaan ditolak (UU 27/2022 Pasal 33): pemohon tercatat sebagai terlapor; "
                "memberi berkas dapat membahayakan korban."
            )
        )

    entries = []
    for person in people:
        entries.append(_subject_entry(person))
        _log(actor, AccessLog.Action.EXPORT, person, f"subjek data: {reason}", None, "")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "data.json",
            json.dumps(
                {"dibuat": timezone.now().isoformat(), "data": entries},
                ensure_ascii=False,
                indent=2,
            ),
        )
        archive.writestr(
            "LIHAT-SAYA.txt",
            "Berkas ini berisi data pribadi Anda yang disimpan Sinergi PPA dan riwayat "
            "pemrosesannya (UU 27/2022 Pasal 32). Simpan dengan aman.\n",
        )
    return buffer.getvalue()


# --- Anonymisation after the retention period -----------------------------------------------

# Personal fields blanked per model (app_label.model -> field -> value). Everything else,
# including the statistical fields (sex, age, age group, forms, place, kecamatan, services),
# is kept. History rows of the same objects are blanked too.
ANONYMISE_FIELDS: dict[str, dict[str, object]] = {
    "cases.case": {
        "description": "",
        "incident_address": "",
        "legal_basis_note": "",
        "incident_village": None,
    },
    "cases.person": {
        "name": "Anonim",
        "birth_date": None,
        "nik_hash": "",
        "nik_masked": "",
        "address": "",
        "address_region": None,
        "phone": "",
        "relation_to_victim": "",
    },
    "cases.caserecord": {"body": "[dianonimkan]"},
    "cases.servicegiven": {"description": ""},
    "cases.legalprocess": {"note": ""},
    "cases.traffickingdetail": {"recruitment": "", "destination": ""},
    "cases.document": {"original_name": "[dianonimkan]"},
}


def anonymisable_cases(*, years: int | None = None, now: dt.datetime | None = None) -> QuerySet:
    years = settings.RETENTION_YEARS if years is None else years
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=round(365.25 * years))
    done = AnonymisedCase.objects.values("case_id")
    return Case.objects.filter(status=Status.CLOSED, closed_at__lt=cutoff).exclude(pk__in=done)


def _objects_of(case: Case) -> dict[str, list]:
    return {
        "cases.case": [case],
        "cases.person": list(Person.objects.filter(case=case)),
        "cases.caserecord": list(CaseRecord.objects.filter(case=case)),
        "cases.servicegiven": list(ServiceGiven.objects.filter(victim__case=case)),
        "cases.legalprocess": list(LegalProcess.objects.filter(perpetrator__case=case)),
        "cases.traffickingdetail": list(TraffickingDetail.objects.filter(case=case)),
        "cases.document": list(Document.objects.filter(case=case)),
    }


def _blank(obj: Model, fields: dict[str, object]) -> dict[str, object]:
    """The subset of `fields` the model has, as attribute names (foreign keys as *_id)."""
    present = {}
    for name, value in fields.items():
        field = next((f for f in obj._meta.concrete_fields if f.name == name), None)
        if field is not None:  # a field removed later: nothing to blank
            present[field.attname] = value
    return present


@transaction.atomic
def case_anonymise(*, case: Case, years: int | None = None) -> AnonymisedCase:
    """Remove the personal data of a closed case, its people, notes, services and documents
    (files deleted), and of their history rows; keep the statistical fields."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != Status.CLOSED:
        raise ValueError("only closed cases are anonymised")
    with connection.cursor() as cursor:
        # The append-only trigger lets this transaction (only) rewrite history rows.
        cursor.execute("SET LOCAL ppa.allow_history_rewrite = 'on'")
    for label, objects in _objects_of(case).items():
        fields = ANONYMISE_FIELDS[label]
        for obj in objects:
            values = _blank(obj, fields)
            if label == "cases.document" and obj.file:
                obj.file.delete(save=False)
                values["file"] = ""
            for attname, value in values.items():
                setattr(obj, attname, value)
            obj.save(update_fields=[a.removesuffix("_id") for a in values] if values else None)
            history = getattr(obj, "history", None)
            if history is not None and values:
                history.model.objects.filter(id=obj.pk).update(**values)
    return AnonymisedCase.objects.create(
        case=case, retention_years=settings.RETENTION_YEARS if years is None else years
    )
