"""An official of the DP3AP2KB looks at the region's figures, asks for the annual PDF, watches it
being made by the worker and downloads it."""

import datetime as dt

import pytest
from django.utils import timezone
from pypdf import PdfReader

from reports import services
from tests.factories import make_case
from tests.paperwork.helpers import pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_official_generates_and_downloads_the_annual_pdf(journey, e2e_world, real_worker):
    year = timezone.localdate().year - 1
    for n in range(3):
        make_case(
            e2e_world.user("intake_own"),
            reported_on=dt.date(year, 3 + n, 8),
            incident_date=dt.date(year, 3 + n, 1),
            case_type="ampk",
            victims=[
                {
                    "name": f"Anak Sintetis {n}",
                    "sex": "P",
                    "birth_date": dt.date(year - 11, 1, 1),
                    "violence_form_ids": ["seksual"],
                }
            ],
        )
    page = journey.page

    journey.login("official_own")
    page.get_by_role("link", name="Statistik").first.click()
    page.wait_for_load_state()
    # The dashboard opens with the answer; its filters are folded under the line saying what
    # is shown ("Ubah").
    page.locator("details.report-filters-box > summary").click()
    page.get_by_label("Dari tahun").fill(str(year))
    page.get_by_label("Sampai tahun").fill(str(year))
    page.get_by_role("button", name="Tampilkan").click()
    page.wait_for_load_state()
    assert f"year_from={year}" in page.url, "the filters stay in the address (bookmarkable)"
    assert "Sintetis" not in page.content(), "an official never sees names"
    journey.shot("dashboard")

    page.get_by_role("button", name="Buat laporan PDF").click()
    page.wait_for_load_state()
    journey.shot("report-requested", axe=False)  # the progress changes while axe reads it
    download_link = page.get_by_role("link", name="Unduh PDF")
    download_link.wait_for(state="visible", timeout=90_000)  # the page follows the worker
    journey.shot("report-ready")

    with page.expect_download() as info:
        download_link.click()
    download = info.value
    target = journey.dir / "laporan.pdf"
    download.save_as(target)
    data = target.read_bytes()
    assert data.startswith(b"%PDF-"), "the download is a PDF"
    assert download.suggested_filename.endswith(".pdf")

    text = "".join(p.extract_text() or "" for p in PdfReader(target).pages)
    assert str(year) in text
    assert "Sintetis" not in text, "the PDF carries no names"


def test_official_finds_the_monthly_report_in_the_notifications_and_downloads_it(
    journey, e2e_world
):
    """The schedule makes February's report on 2 March (the first working day); the official
    finds it under "Notifikasi" in the menu, opens it and downloads the PDF."""
    make_case(
        e2e_world.user("intake_own"),
        reported_on=dt.date(2026, 2, 10),
        victims=[{"name": "Anak Sintetis Bulanan", "sex": "P", "violence_form_ids": ["fisik"]}],
    )
    # Tasks run eagerly here: the PDFs are rendered before the official looks.
    assert services.monthly_reports_produce(today=dt.date(2026, 3, 2)) == 2
    page = journey.page
    page.set_default_navigation_timeout(120_000)
    journey.login("official_own")
    page.get_by_role("link", name="Notifikasi").first.click()
    page.wait_for_load_state()
    journey.shot("notifications")
    page.get_by_role("link", name="Laporan statistik bulanan dibuat").click()
    page.wait_for_load_state()
    assert "Februari 2026" in page.locator("main").inner_text()
    journey.shot("monthly-report")
    with page.expect_download() as info:
        page.get_by_role("link", name="Unduh PDF").click()
    download = info.value
    assert "2026-02-01-2026-02-28" in download.suggested_filename
    target = journey.dir / "laporan-bulanan.pdf"
    download.save_as(target)
    text = pdf_text(target.read_bytes())
    assert "Februari 2026" in text and "Payakumbuh" in text
    assert "Sintetis" not in text, "the PDF carries no names"


def test_official_downloads_the_statistics_csv_through_its_progress_page(
    journey, e2e_world, real_worker
):
    """The CSV is made by the worker: the button leads to the progress page, which follows the
    worker (static/js/reports.js) and then offers the file."""
    year = timezone.localdate().year - 1
    make_case(
        e2e_world.user("intake_own"),
        reported_on=dt.date(year, 4, 8),
        incident_date=dt.date(year, 4, 1),
        victims=[{"name": "Korban Sintetis Unduhan", "sex": "P", "violence_form_ids": ["fisik"]}],
    )
    page = journey.page
    journey.login("official_own")
    journey.goto(f"/statistik/?year_from={year}&year_to={year}")
    page.get_by_role("button", name="Unduh CSV").first.click()
    page.wait_for_load_state()
    assert "/statistik/unduhan/" in page.url, "the request leads to its progress page"
    assert "Sintetis" not in page.url
    download_link = page.get_by_role("link", name="Unduh CSV")
    download_link.wait_for(state="visible", timeout=60_000)  # the page follows the worker
    journey.shot("statistics-csv-ready")
    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert download.suggested_filename == f"statistik-13.76-{year}-{year}.csv"
    target = journey.dir / "statistik.csv"
    download.save_as(target)
    text = target.read_bytes().decode("utf-8-sig")
    assert text.startswith("Statistik kekerasan") and "Sintetis" not in text
