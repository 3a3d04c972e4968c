"""Hostile and broken files: each gets a message telling the officer what to fix, and
nothing is written; where the reading is unambiguous the file is read, with a note."""

import datetime as dt
import io
import zipfile

import pytest
from django.test import override_settings

from cases.models import Case, Person
from imports.models import ImportBatch
from reports.models import Population
from tests.imports.helpers import (
    case_row,
    checked,
    imported,
    victim_row,
    workbook,
)

pytestmark = pytest.mark.django_db


def refused(world, content, *, name="register.xlsx", kind=ImportBatch.Kind.CASES):
    user = world.users["admin" if kind == ImportBatch.Kind.POPULATION else "intake_own"]
    batch = checked(user, content, name=name, kind=kind)
    assert batch.status == ImportBatch.Status.REFUSED
    assert not Case.objects.exists() and not Population.objects.exists()
    return [p[3] for p in batch.problems], batch


def test_wrong_header(world):
    def edit(book):
        book["kasus"]["B1"] = "Tgl Kejadian"

    messages, batch = refused(world, workbook(agency=world.uptd, edit=edit))
    assert any("Judul kolom tidak dikenal" in m for m in messages)
    assert batch.problems[0][:3] == ["kasus", 1, "Tgl Kejadian"]


def test_missing_required_header(world):
    def edit(book):
        book["kasus"].delete_cols(3)  # Tanggal Pelaporan

    messages, batch = refused(world, workbook(agency=world.uptd, edit=edit))
    assert batch.problems[0][:3] == ["kasus", 1, "Tanggal Pelaporan"]
    assert "Kolom wajib ini tidak ada" in messages[0]


def test_extra_sheet(world):
    def edit(book):
        book.create_sheet("Sheet1")

    messages, _batch = refused(world, workbook(agency=world.uptd, edit=edit))
    assert any("Lembar ini tidak dikenal" in m for m in messages)


def test_missing_sheet(world):
    def edit(book):
        book.remove(book["korban"])

    messages, _batch = refused(world, workbook(agency=world.uptd, edit=edit))
    assert any("Lembar ini tidak ada" in m for m in messages)


def test_merged_cells(world):
    def edit(book):
        book["kasus"].merge_cells("A2:A3")

    messages, batch = refused(world, workbook(agency=world.uptd, edit=edit))
    assert "digabung" in messages[0] and batch.problems[0][1] == "A2:A3"


def test_formula(world):
    def edit(book):
        book["kasus"]["D2"] = '=CONCAT("a","b")'

    messages, batch = refused(world, workbook(agency=world.uptd, edit=edit))
    assert batch.problems[0][:3] == ["kasus", 2, "Deskripsi Kasus"]
    assert "rumus" in messages[0]


def test_date_as_text_is_read(world):
    batch = imported(
        world.users["intake_own"],
        workbook(cases=[case_row(**{"Tanggal Pelaporan": "04/03/2021"})], agency=world.uptd),
    )
    assert batch.status == ImportBatch.Status.DONE
    assert Case.objects.get().reported_on == dt.date(2021, 3, 4)


def test_date_as_serial_number(world):
    messages, batch = refused(
        world, workbook(cases=[case_row(**{"Tanggal Pelaporan": 44259})], agency=world.uptd)
    )
    assert batch.problems[0][:3] == ["kasus", 2, "Tanggal Pelaporan"]
    assert "angka seri" in messages[0]


def test_impossible_date(world):
    messages, _batch = refused(
        world, workbook(cases=[case_row(**{"Tanggal Pelaporan": "31/02/2022"})], agency=world.uptd)
    )
    assert "31/02/2022 tidak ada di kalender" in messages[0]


def test_text_that_is_no_date(world):
    messages, _batch = refused(
        world, workbook(cases=[case_row(**{"Tanggal Pelaporan": "Maret 2021"})], agency=world.uptd)
    )
    assert "bukan tanggal" in messages[0]


def test_nik_with_letters(world):
    messages, batch = refused(
        world, workbook(victims=[victim_row(NIK="13760142O3900001")], agency=world.uptd)
    )
    assert batch.problems[0][:3] == ["korban", 2, "NIK"]
    assert "16 angka" in messages[0]


def test_nik_with_spaces_is_read_as_at_intake(world):
    batch = imported(
        world.users["intake_own"],
        workbook(victims=[victim_row(NIK="1376 0142 0390 0001")], agency=world.uptd),
    )
    assert batch.status == ImportBatch.Status.DONE, batch.problems
    assert Person.objects.get(role="victim").nik_masked == "1376********0001"


def test_nik_turned_into_a_number_by_excel(world):
    messages, _batch = refused(
        world, workbook(victims=[victim_row(NIK=1.376014203900001e15)], agency=world.uptd)
    )
    assert "1.38E+15" in messages[0] and "Teks" in messages[0]


def test_not_xlsx_or_csv(world):
    messages, _batch = refused(world, b"%PDF-1.7\n...", name="register.xlsx")
    assert "bukan XLSX atau CSV" in messages[0]


def test_old_xls(world):
    messages, _batch = refused(world, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert ".xls" in messages[0]


def test_zip_that_is_not_xlsx(world):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.txt", "halo")
    messages, _batch = refused(world, out.getvalue())
    assert "bukan XLSX atau CSV" in messages[0]


@override_settings(IMPORTS_MAX_BYTES=1024 * 1024)
def test_too_large(world):
    messages, _batch = refused(world, b"x" * (1024 * 1024 + 1), name="besar.csv")
    assert "terlalu besar" in messages[0]


def test_zip_bomb(world):
    """Declared sizes are checked before anything is decompressed."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * (200 * 1024 * 1024) + b"/>")
    assert len(out.getvalue()) < 1024 * 1024
    messages, _batch = refused(world, out.getvalue())
    assert "mengembang" in messages[0]


POPULATION_CSV = "Kode Wilayah,Tahun,Jenis Kelamin,Kelompok Umur,Jumlah\n13.76,2023,P,0-4,5000\n"


def test_csv_in_windows_1252_is_read_with_a_note(world):
    content = (
        "Kode Wilayah,Tahun,Jenis Kelamin,Kelompok Umur,Jumlah\n13.76,2023,Perempuan,0-4,5000\n"
    ).encode("cp1252") + "# café\n".encode("cp1252")
    batch = checked(
        world.users["admin"], content, name="penduduk.csv", kind=ImportBatch.Kind.POPULATION
    )
    assert any("Windows-1252" in n for n in batch.notes)


def test_csv_with_semicolons_is_read_with_a_note(world):
    content = POPULATION_CSV.replace(",", ";").encode()
    batch = imported(
        world.users["admin"], content, name="penduduk.csv", kind=ImportBatch.Kind.POPULATION
    )
    assert batch.status == ImportBatch.Status.DONE, batch.problems
    assert any("titik koma" in n for n in batch.notes)
    assert (
        Population.objects.get(region_id="13.76", year=2023, sex="P", age_band="anak").count == 5000
    )


def test_csv_in_an_unknown_encoding(world):
    content = POPULATION_CSV.encode() + b"\x81\x8d\x8f\x90 \xe9\n"
    messages, _batch = refused(world, content, name="p.csv", kind=ImportBatch.Kind.POPULATION)
    assert "UTF-8" in messages[0]


def test_region_not_loaded(world):
    content = POPULATION_CSV.replace("13.76", "31.71").encode()
    messages, _batch = refused(world, content, name="p.csv", kind=ImportBatch.Kind.POPULATION)
    assert "manage.py load_regions 31" in messages[0]


def test_case_region_not_loaded(world):
    messages, _batch = refused(
        world, workbook(cases=[case_row(Kecamatan="13.76.99")], agency=world.uptd)
    )
    assert "belum dimuat" in messages[0] and "load_regions 13" in messages[0]


def test_csv_for_the_case_import_is_refused_with_what_to_do(world):
    messages, _batch = refused(world, b"a,b\n1,2\n", name="kasus.csv")
    assert messages == [messages[0]] and "perlu empat berkas CSV" in messages[0]


def test_xml_with_a_document_type_declaration(world):
    """Entity expansion ("billion laughs") needs a DTD: a workbook part with one is refused."""
    good = workbook(agency=world.uptd)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b"<worksheet",
                    b'<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><worksheet',
                    1,
                )
            dst.writestr(item, data)
    messages, _batch = refused(world, out.getvalue())
    assert "tidak dapat dibuka" in messages[0]
