"""The SIMFONI-ready case export: which cases (new, changed, already exported) and their rows
in the order and wording of the SIMFONI case register (Register Penanganan Kasus):

    Data kasus | Data korban | Layanan per korban | Data pelaku (relationship per victim) |
    Data pelapor | Status ekspor

One row per case × victim × service (a victim without a service has one row with the service
columns empty). Reference codes are written as their SIMFONI labels: the reference lists hold
SIMFONI's own wording (docs/simfoni.md), local sub-places roll up to SIMFONI's six places.
Every cell goes through `ppa.exports.safe_cell` (no formula injection)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery
from openpyxl import Workbook
from openpyxl.styles import Font

from cases.models import Case, PerpetratorLink, Person, PersonRole, ServiceGiven
from paperwork.models import SimfoniMark
from ppa.exports import safe_cell

NEW, CHANGED, DONE = "Baru", "Berubah sejak ekspor", "Sudah diinput"

# (block, column) in SIMFONI's register order.
COLUMNS: list[tuple[str, str]] = [
    ("Data kasus", "No. Register"),
    ("Data kasus", "Tanggal Kejadian"),
    ("Data kasus", "Tanggal Pelaporan"),
    ("Data kasus", "Deskripsi Kasus"),
    ("Data kasus", "Kategori Lokasi Kasus"),
    ("Data kasus", "Alamat TKP"),
    ("Data kasus", "Kelurahan/Desa"),
    ("Data kasus", "Kecamatan"),
    ("Data kasus", "Kota/Kabupaten"),
    ("Data kasus", "Provinsi"),
    ("Data korban", "Nama Korban"),
    ("Data korban", "Alamat Korban"),
    ("Data korban", "Jenis Kelamin"),
    ("Data korban", "Usia"),
    ("Data korban", "Tindak Kekerasan"),
    ("Layanan", "Tanggal Pelayanan"),
    ("Layanan", "Instansi"),
    ("Layanan", "Pelayanan yang Diberikan"),
    ("Layanan", "Deskripsi Pelayanan"),
    ("Data pelaku", "Pelaku (Nama; Jenis Kelamin; Usia; Hubungan dengan Korban)"),
    ("Data pelapor", "Nama Pelapor"),
    ("Data pelapor", "Hubungan Pelapor dengan Korban"),
    ("Status", "Status Ekspor SIMFONI"),
]
SEX = {"L": "Laki-laki", "P": "Perempuan"}


def export_cases(
    *, agency_id: int, period_from: dt.date, period_to: dt.date, only_new: bool
) -> dict[int, str]:
    """{case id: export status} for the agency's cases reported in the period, in register
    order; with `only_new`, only cases never marked or changed since their mark (the case, a
    person or a service changed after it). One query."""
    marked_at = OuterRef("_marked_at")
    cases = (
        Case.objects.filter(agency_id=agency_id, reported_on__range=(period_from, period_to))
        .annotate(
            _marked_at=Subquery(
                SimfoniMark.objects.filter(case=OuterRef("pk")).values("marked_at")[:1]
            )
        )
        .annotate(
            _person_changed=Exists(
                Person.history.model.objects.filter(
                    case_id=OuterRef("pk"), history_date__gt=marked_at
                )
            ),
            _service_changed=Exists(
                ServiceGiven.history.model.objects.filter(
                    victim__case_id=OuterRef("pk"), history_date__gt=marked_at
                )
            ),
        )
        .order_by("reported_on", "number")
        .values_list("pk", "updated_at", "_marked_at", "_person_changed", "_service_changed")
    )
    result: dict[int, str] = {}
    for pk, updated_at, marked, person_changed, service_changed in cases:
        if marked is None:
            status = NEW
        elif updated_at > marked or person_changed or service_changed:
            status = CHANGED
        else:
            status = DONE
        if only_new and status == DONE:
            continue
        result[pk] = status
    return result


def _age(person: Person) -> object:
    return person.age if person.age is not None else ""


def _place(case: Case) -> str:
    """SIMFONI's six places: a local sub-place is written as its parent."""
    place = case.place
    if place is None:
        return ""
    return place.parent.label if place.parent is not None else place.label


def _case_cells(case: Case) -> list[object]:
    region = case.region
    return [
        case.number,
        case.incident_date,
        case.reported_on,
        case.description,
        _place(case),
        case.incident_address,
        case.incident_village.name if case.incident_village is not None else "",
        case.incident_district.name if case.incident_district is not None else "",
        region.name,
        region.parent.name if region.parent is not None else "",
    ]


def _perpetrators_of(victim: Person) -> str:
    """Every perpetrator of this victim with the relationship to this victim (per pair)."""
    parts = []
    for link in victim.perpetrator_links.all():
        p = link.perpetrator
        parts.append(f"{p.name}; {SEX.get(p.sex, '')}; {_age(p)}; {link.relationship.label}")
    return " | ".join(parts)


@dataclass
class Reporter:
    name: str
    relation: str


def _reporter(people: list[Person]) -> Reporter:
    reporters = [p for p in people if p.role == PersonRole.REPORTER]
    if not reporters:
        return Reporter("", "Korban sendiri")
    return Reporter(reporters[0].name, reporters[0].relation_to_victim)


def case_rows(case: Case, status: str) -> list[list[object]]:
    people = list(case.people.all())
    head = _case_cells(case)
    reporter = _reporter(people)
    rows = []
    for victim in (p for p in people if p.role == PersonRole.VICTIM):
        victim_cells = [
            victim.name,
            victim.address,
            SEX.get(victim.sex, ""),
            _age(victim),
            ", ".join(f.label for f in victim.violence_forms.all()),
        ]
        tail = [_perpetrators_of(victim), reporter.name, reporter.relation, status]
        services: list[ServiceGiven | None] = list(victim.services.all()) or [None]
        for service in services:
            service_cells = (
                [
                    service.given_on,
                    service.provider.name,
                    service.service_type.label,
                    service.description,
                ]
                if service is not None
                else ["", "", "", ""]
            )
            rows.append(head + victim_cells + service_cells + tail)
    return rows


def export_queryset(case_ids: list[int]) -> QuerySet[Case]:
    """The cases with everything the rows read, in a fixed number of queries."""
    return (
        Case.objects.filter(pk__in=case_ids)
        .select_related("place__parent", "incident_district", "incident_village", "region__parent")
        .prefetch_related(
            Prefetch(
                "people",
                queryset=Person.objects.order_by("pk").prefetch_related(
                    "violence_forms",
                    Prefetch(
                        "services",
                        queryset=ServiceGiven.objects.select_related(
                            "service_type", "provider"
                        ).order_by("given_on", "pk"),
                    ),
                    Prefetch(
                        "perpetrator_links",
                        queryset=PerpetratorLink.objects.select_related(
                            "relationship", "perpetrator"
                        ).order_by("perpetrator_id"),
                    ),
                ),
            )
        )
        .order_by("reported_on", "number")
    )


def workbook_bytes(statuses: dict[int, str]) -> bytes:
    """The XLSX: a block header row, a column header row, then one row per
    case × victim × service."""
    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = "Register Kasus"
    sheet.append([block for block, _column in COLUMNS])
    sheet.append([column for _block, column in COLUMNS])
    for cell in (*sheet[1], *sheet[2]):
        cell.font = Font(bold=True)
    for case in export_queryset(list(statuses)):
        for row in case_rows(case, statuses[case.pk]):
            sheet.append([safe_cell(value) for value in row])
    sheet.freeze_panes = "A3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
