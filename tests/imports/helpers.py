"""Files for the import tests: a valid case workbook built from rows, and ways to break it."""

import csv
import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from imports import services
from imports.casespec import SHEETS, case_sheets, headers, reference_lists
from imports.models import ImportBatch

NIK = "1376014203900001"  # a structurally valid synthetic NIK (Payakumbuh, 2 March 1990)


def case_row(register="R-001", **over):
    row = {
        "No. Register Kantor": register,
        "Tanggal Kejadian": dt.date(2021, 3, 1),
        "Tanggal Pelaporan": dt.date(2021, 3, 4),
        "Deskripsi Kasus": "Kronologi sintetis.",
        "Kategori Lokasi Kasus": "Rumah Tangga",
        "Kecamatan": "13.76.01",
        "Jenis Kasus": "ktp",
        "Cara Pengaduan": "Datang langsung",
    }
    return row | over


def victim_row(register="R-001", no=1, **over):
    row = {
        "No. Register Kantor": register,
        "No. Korban": no,
        "Nama Korban": f"Korban Impor {register} {no}",
        "Jenis Kelamin": "P",
        "Tanggal Lahir": dt.date(1990, 3, 2),
        "Tindak Kekerasan": "Fisik; Psikis",
    }
    return row | over


def perpetrator_row(register="R-001", no=1, victim=1, **over):
    row = {
        "No. Register Kantor": register,
        "No. Pelaku": no,
        "No. Korban": victim,
        "Hubungan dengan Korban": "Suami/Istri",
        "Nama Pelaku": f"Pelaku Impor {register}",
        "Jenis Kelamin": "L",
        "Usia": 35,
    }
    return row | over


def service_row(register="R-001", victim=1, **over):
    row = {
        "No. Register Kantor": register,
        "No. Korban": victim,
        "Tanggal Pelayanan": dt.date(2021, 3, 5),
        "Pelayanan yang Diberikan": "Pengaduan",
    }
    return row | over


def workbook(cases=None, victims=None, perpetrators=None, services_=None, agency=None, edit=None):
    """A case file as the template lays it out; `edit(book)` may break it before saving."""
    specs = case_sheets(agency, reference_lists()) if agency else None
    data = {
        "kasus": cases if cases is not None else [case_row()],
        "korban": victims if victims is not None else [victim_row()],
        "pelaku": perpetrators if perpetrators is not None else [perpetrator_row()],
        "layanan": services_ if services_ is not None else [service_row()],
    }
    book = Workbook()
    book.remove(book.active)
    for name in SHEETS:
        sheet = book.create_sheet(name)
        columns = headers(specs[name]) if specs else list(data[name][0]) if data[name] else []
        sheet.append(columns)
        for row in data[name]:
            sheet.append([row.get(c) for c in columns])
    if edit is not None:
        edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(content: bytes, name: str = "register.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def checked(
    user, content: bytes, *, name="register.xlsx", kind=ImportBatch.Kind.CASES, language="id"
) -> ImportBatch:
    batch = services.batch_create(
        actor=user, kind=kind, upload=upload(content, name), language=language
    )
    return services.batch_check(batch_id=batch.pk)


def imported(user, content: bytes, **kwargs) -> ImportBatch:
    batch = checked(user, content, **kwargs)
    assert batch.status == ImportBatch.Status.CHECKED, batch.problems
    services.batch_confirm(actor=user, batch=batch)
    return services.batch_write(batch_id=batch.pk)


def cell(value):
    return value.strftime("%d/%m/%Y") if isinstance(value, dt.date) else value


def csv_bytes(rows, *, delimiter=",", encoding="utf-8"):
    """One sheet as a CSV file: the first row's keys as headers, dates as DD/MM/YYYY."""
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter)
    writer.writerow(list(rows[0]))
    for row in rows:
        writer.writerow([cell(v) for v in row.values()])
    return text.getvalue().encode(encoding)
