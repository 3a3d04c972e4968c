"""The case import from four CSV files (one per sheet, the XLSX sheets' headers), sent in one
form submission: the same check, preview and write as an XLSX, and hostile CSV files refused
with a message naming the file, nothing written."""

import csv
import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Case, Person
from imports.models import ImportBatch
from tests.imports.helpers import (
    case_row,
    csv_bytes,
    perpetrator_row,
    service_row,
    victim_row,
    workbook,
)

pytestmark = pytest.mark.django_db

ROWS = {
    "kasus": [case_row()],
    "korban": [victim_row()],
    "pelaku": [perpetrator_row()],
    "layanan": [service_row()],
}


def csv_files(**over):
    """The four CSV files of a valid case; `over` replaces a file's bytes (None: left out)."""
    files = {name: csv_bytes(rows) for name, rows in ROWS.items()} | over
    return {
        name: SimpleUploadedFile(f"{name}-2021.csv", content)
        for name, content in files.items()
        if content is not None
    }


def post(client, world, files, capture):
    client.force_login(world.users["intake_own"])
    with capture(execute=True):
        return client.post(reverse("imports:index"), files, secure=True)


def refused_batch(client, world, files, capture):
    response = post(client, world, files, capture)
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.REFUSED
    assert not Case.objects.exists() and not Person.objects.exists()
    page = client.get(response.url, secure=True).content.decode()
    return batch, page


def test_four_csv_files_are_previewed_confirmed_and_written(
    client, world, django_capture_on_commit_callbacks
):
    response = post(client, world, csv_files(), django_capture_on_commit_callbacks)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.CHECKED, batch.problems
    assert batch.counts["cases"] == 1 and batch.counts["services"] == 1
    assert "kasus-2021.csv" in batch.file_name and "layanan-2021.csv" in batch.file_name
    page = client.get(response.url, secure=True).content.decode()
    assert 'data-count="cases">1<' in page and "Konfirmasi dan simpan" in page
    assert not Case.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:confirm", kwargs={"code": batch.code}), secure=True)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE, batch.problems
    case = Case.objects.get()
    assert case.reported_on == dt.date(2021, 3, 4)
    assert case.people.count() == 2


def test_the_same_csv_files_twice_create_no_duplicates(
    client, world, django_capture_on_commit_callbacks
):
    post(client, world, csv_files(), django_capture_on_commit_callbacks)
    first = ImportBatch.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:confirm", kwargs={"code": first.code}), secure=True)
    post(client, world, csv_files(), django_capture_on_commit_callbacks)
    again = ImportBatch.objects.exclude(pk=first.pk).get()
    assert again.sha256 == first.sha256
    assert again.counts["cases"] == 0 and again.counts["skipped_cases"] == 1
    assert Case.objects.count() == 1


def test_a_missing_file_is_named(client, world, django_capture_on_commit_callbacks):
    batch, page = refused_batch(
        client, world, csv_files(korban=None), django_capture_on_commit_callbacks
    )
    assert batch.problems[0][0] == "korban"
    assert "korban.csv wajib" in batch.problems[0][3]
    assert "korban.csv wajib" in page


def test_a_file_with_the_wrong_headers_names_file_row_and_column(
    client, world, django_capture_on_commit_callbacks
):
    wrong = csv_bytes([{"No. Register Kantor": "R-001", "Nama": "X", "No. Korban": 1}])
    batch, page = refused_batch(
        client, world, csv_files(korban=wrong), django_capture_on_commit_callbacks
    )
    assert ["korban", 1, "Nama"] in [p[:3] for p in batch.problems]
    assert ["korban", 1, "Nama Korban"] in [p[:3] for p in batch.problems]
    assert "<td>korban</td><td>1</td><td>Nama</td>" in page


def test_a_bad_cell_names_file_row_and_column(client, world, django_capture_on_commit_callbacks):
    bad = csv_bytes([case_row(**{"Tanggal Pelaporan": "31/02/2021"})])
    batch, page = refused_batch(
        client, world, csv_files(kasus=bad), django_capture_on_commit_callbacks
    )
    assert batch.problems[0][:3] == ["kasus", 2, "Tanggal Pelaporan"]
    assert "<td>kasus</td><td>2</td><td>Tanggal Pelaporan</td>" in page


def test_windows_1252_and_semicolons_are_read_with_notes(
    client, world, django_capture_on_commit_callbacks
):
    victims = csv_bytes(
        [victim_row(**{"Nama Korban": "Renée Sintetis"})], delimiter=";", encoding="cp1252"
    )
    post(client, world, csv_files(korban=victims), django_capture_on_commit_callbacks)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.CHECKED, batch.problems
    assert any(n.startswith("korban.csv:") and "Windows-1252" in n for n in batch.notes)
    assert any(n.startswith("korban.csv:") and "titik koma" in n for n in batch.notes)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:confirm", kwargs={"code": batch.code}), secure=True)
    assert Person.objects.filter(name="Renée Sintetis").exists()


def test_a_file_that_is_not_csv_is_refused_naming_it(
    client, world, django_capture_on_commit_callbacks
):
    batch, page = refused_batch(
        client, world, csv_files(pelaku=b"%PDF-1.7\n\x00\x01"), django_capture_on_commit_callbacks
    )
    message = batch.problems[0][3]
    assert message.startswith("pelaku.csv:") and "bukan XLSX atau CSV" in message
    assert "pelaku.csv:" in page


def test_an_xlsx_in_a_csv_field_is_refused(client, world, django_capture_on_commit_callbacks):
    batch, _page = refused_batch(
        client,
        world,
        csv_files(kasus=workbook(agency=world.uptd)),
        django_capture_on_commit_callbacks,
    )
    assert batch.problems[0][3].startswith("kasus.csv:")


def test_xlsx_and_csv_together_are_refused_on_the_form(client, world):
    client.force_login(world.users["intake_own"])
    files = csv_files() | {"file": SimpleUploadedFile("r.xlsx", b"PK\x03\x04")}
    response = client.post(reverse("imports:index"), files, secure=True)
    assert response.status_code == 400
    assert "tidak keduanya" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_csv_templates_have_the_xlsx_headers_and_read_back(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.users["intake_own"])
    response = client.get(reverse("imports:csv_template"), secure=True)
    assert response.status_code == 200
    members = _members(response.content)
    assert list(members) == ["kasus", "korban", "pelaku", "layanan"]
    header = members["kasus"].decode("utf-8-sig").splitlines()[0]
    assert header.startswith("No. Register Kantor,Tanggal Kejadian,Tanggal Pelaporan")
    # The templates with one case added to each file (in the template's column order) go
    # through the check without problems: the headers are the ones the check expects.
    files = {}
    for name, content in members.items():
        headers = next(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        filled = [dict.fromkeys(headers, "") | ROWS[name][0]]
        assert list(filled[0]) == headers
        files[name] = SimpleUploadedFile(f"{name}.csv", csv_bytes(filled))
    post(client, world, files, django_capture_on_commit_callbacks)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.CHECKED, batch.problems
    assert batch.counts["cases"] == 1


def _members(content):
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {n[:-4]: archive.read(n) for n in archive.namelist()}
