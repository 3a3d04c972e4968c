"""End to end through the pages: an office brings five earlier years of its city into Sinergi,
two as case rows (the four CSV files of the case import) and three as yearly recaps, and the
official's annual PDF then shows the whole series with each figure's source."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Case
from imports.models import ImportBatch
from reports.models import ReportRun
from tests.imports.helpers import case_row, csv_bytes, perpetrator_row, service_row, victim_row
from tests.reports import test_pdf
from tests.reports.recaps import recap_post
from tests.reports.test_pdf import pdf_text, request_pdf

pytestmark = pytest.mark.django_db

IMPORTED = {2021: 3, 2022: 2}  # case rows per reporting year
RECAPS = {2018: 9, 2019: 7, 2020: 5}  # cases per recap year


def year_files(year: int, count: int) -> dict:
    """The four CSV files of one year's register: `count` cases, one victim each."""
    registers = [f"{year}-{n:03d}" for n in range(1, count + 1)]
    day = {"Tanggal Kejadian": dt.date(year, 3, 1), "Tanggal Pelaporan": dt.date(year, 3, 4)}
    sheets = {
        "kasus": [case_row(r, **day) for r in registers],
        "korban": [victim_row(r) for r in registers],
        "pelaku": [perpetrator_row(r) for r in registers],
        "layanan": [
            service_row(r, **{"Tanggal Pelayanan": dt.date(year, 3, 5)}) for r in registers
        ],
    }
    return {
        name: SimpleUploadedFile(f"{name}-{year}.csv", csv_bytes(rows))
        for name, rows in sheets.items()
    }


def import_year(client, year, count, capture):
    with capture(execute=True):
        response = client.post(reverse("imports:index"), year_files(year, count), secure=True)
    assert response.status_code == 302
    batch = ImportBatch.objects.latest("id")
    assert batch.status == ImportBatch.Status.CHECKED, batch.problems
    assert batch.counts["years"] == {str(year): count}
    with capture(execute=True):
        client.post(reverse("imports:confirm", kwargs={"code": batch.code}), secure=True)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE, batch.problems


@pytest.fixture
def letterhead(world):
    agency = world.agencies["dinas_own"]
    agency.address = "Jl. Veteran No. 70, Payakumbuh"
    agency.head_name = "Dra. Contoh Kepala Dinas, M.Si."
    agency.head_title = "Kepala Dinas PPPA dan KB"
    agency.head_nip = "197001011990032001"
    agency.save()
    return agency


def test_two_imported_years_and_three_recaps_make_one_series_in_the_annual_pdf(
    client, world, letterhead, django_capture_on_commit_callbacks
):
    before = {y: Case.objects.filter(reported_on__year=y).count() for y in range(2018, 2023)}
    assert not any(before.values())  # the series below is only what the office brought in
    client.force_login(world.users["intake_own"])
    for year, count in IMPORTED.items():
        import_year(client, year, count, django_capture_on_commit_callbacks)
    assert Case.objects.count() == sum(IMPORTED.values())

    client.force_login(world.users["supervisor_own"])
    for year, cases in RECAPS.items():
        response = client.post(reverse("reports:recap_create"), recap_post(year, cases))
        assert response.status_code == 302, response.content.decode()[-2000:]

    run = request_pdf(
        client,
        world.users["official_own"],
        django_capture_on_commit_callbacks,
        year_from="2018",
        year_to="2022",
    )
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE, run.error
    text = pdf_text(Path(run.file.path).read_bytes())
    flat = " ".join(text.split())
    assert test_pdf.row(text, "Kasus", 9, 7, 5, 3, 2)
    assert re.search(r"^\s*Korban(\s+tidak){3}\s+3\s+2\s*$", text, re.M)
    assert text.count("(rekap)") >= 3
    assert "Angka tahun 2018, 2019, 2020 berasal dari rekap tahunan" in flat
    for year, cases in RECAPS.items():
        assert (
            f"{year}: rekap tahunan (KtP dan KtA digabung), {cases} kasus. Sumber: "
            f"Laporan Tahunan P2TP2A {year}, Rakor PPA Januari {year + 1}, 15 Januari "
            f"{year + 1}." in flat
        )
    assert "Selama 2018–2022 tercatat 26 kasus di Kota Payakumbuh." in flat
