"""The annual PDF: requested on the page, rendered by the (eager) Celery task, stored with its
checksum, downloaded by an access-checked view; its text carries the figures; each page has
content; the public edition hides small cells and names; no resource comes from outside."""

import hashlib
import io
import re
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from ppa.models import AccessLog, Region
from reports import services
from reports.charts import snapshot_charts
from reports.models import ReportRun
from reports.pdf import (
    ASSET_BASE,
    AssetRefused,
    Letterhead,
    LocalAssetFetcher,
    render_pdf,
    report_html,
)
from reports.selectors import ReportParams, annual_statistics
from tests.reports.data import SENTINEL_NAME, SENTINEL_PERPETRATOR

pytestmark = pytest.mark.django_db

FORM = {"year_from": "2021", "year_to": "2023", "region": "13.76", "date_basis": "reported"}


def pdf_text(data: bytes, *, layout: bool = True) -> str:
    """Text of the PDF, with pdftotext -layout when installed (keeps table rows on one line),
    or in drawing order (-raw: a cell's wrapped lines stay together)."""
    if pdftotext := shutil.which("pdftotext"):
        out = subprocess.run(  # noqa: S603 (fixed arguments)
            [pdftotext, "-layout" if layout else "-raw", "-", "-"],
            input=data,
            capture_output=True,
            check=True,
        )
        return out.stdout.decode()
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def row(text: str, label: str, *values: object) -> bool:
    pattern = re.escape(label) + r"\s+" + r"\s+".join(re.escape(str(v)) for v in values) + r"\s*$"
    return re.search(pattern, text, re.MULTILINE) is not None


@pytest.fixture
def letterhead_agency(dataset):
    agency = dataset.agencies["dinas_own"]
    agency.address = "Jl. Veteran No. 70, Payakumbuh"
    agency.head_name = "Dra. Contoh Kepala Dinas, M.Si."
    agency.head_title = "Kepala Dinas PPPA dan KB"
    agency.head_nip = "197001011990032001"
    agency.save()
    return agency


def request_pdf(client, user, django_capture_on_commit_callbacks, **extra) -> ReportRun:
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:run_create"),
            {**FORM, "edition": "internal", "language": "id", **extra},
        )
    assert response.status_code == 302, response.content.decode()[:500]
    run = ReportRun.objects.latest("id")
    assert response["Location"] == reverse("reports:run_detail", kwargs={"code": run.code})
    return run


def test_request_render_store_and_download(
    client, letterhead_agency, django_capture_on_commit_callbacks
):
    official = letterhead_agency.staff.get(role="official")
    run = request_pdf(client, official, django_capture_on_commit_callbacks)
    run.refresh_from_db()
    assert (run.status, run.progress) == (ReportRun.Status.DONE, 100)
    assert run.requested_by == official and run.params["year_from"] == 2021
    assert Path(run.file.path).is_relative_to(Path(run.file.storage.location))
    data = Path(run.file.path).read_bytes()
    assert data.startswith(b"%PDF") and run.sha256 == hashlib.sha256(data).hexdigest()
    assert run.pages >= 5 and run.size < 400_000  # aggregated tables and charts only

    page = client.get(reverse("reports:run_detail", kwargs={"code": run.code}))
    html = page.content.decode()
    assert run.sha256 in html and "Laporan selesai dibuat dan siap diunduh." in html
    assert reverse("reports:run_download", kwargs={"code": run.code}) in html

    response = client.get(reverse("reports:run_download", kwargs={"code": run.code}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="laporan-statistik-kota-payakumbuh-2021-2023-internal.pdf"'
    )
    assert b"".join(response.streaming_content) == data
    log = AccessLog.objects.get(action=AccessLog.Action.DOWNLOAD)
    assert (log.user, log.object_type, log.object_id) == (official, "reports.reportrun", run.pk)


def test_pdf_text_carries_the_figures(letterhead_agency):
    snapshot = annual_statistics(ReportParams(2021, 2023, "13.76"))
    data, pages = render_pdf(snapshot, Letterhead.for_agency(letterhead_agency))
    text = pdf_text(data)
    flat = " ".join(text.split())
    assert "Jumlah kasus turun dari 14 kasus pada 2022 menjadi 4 kasus pada 2023." in flat
    assert "Selama 2021–2023 tercatat 30 kasus dengan 31 korban dan 31 pelaku" in flat
    assert row(text, "Kasus", 12, 14, 4)
    assert row(text, "Korban", 12, 14, 5)
    assert row(text, "Pelaku", 12, 14, 5)
    assert row(text, "Fisik", 12, 14, 3)  # multi-count forms
    assert row(text, "Psikis", 0, 0, 2)
    assert row(text, "Pengaduan", 0, 0, 3)  # one victim served twice counts once
    assert row(text, "Guru", 0, 0, 1)
    assert row(text, "Lainnya", 0, 4, 0)  # online sub-place rolled up
    assert row(text, "Anak perempuan", 0, 0, 1)
    assert row(text, "Luar kota/kabupaten", 0, 0, 1)
    assert row(text, "Anak korban kejahatan seksual", 0, 0, 1)
    assert "berdasarkan tanggal pelaporan" in flat
    # Letterhead, methodology and signature block.
    assert "PEMERINTAH KOTA PAYAKUMBUH" in flat and "DP3AP2KB PAYAKUMBUH" in flat
    assert "Jl. Veteran No. 70, Payakumbuh" in flat
    assert "Catatan metodologi" in flat and "hitungan ganda" in flat
    assert "Dra. Contoh Kepala Dinas, M.Si." in flat and "NIP 197001011990032001" in flat
    assert SENTINEL_NAME not in text and SENTINEL_PERPETRATOR not in text


def test_public_edition_hides_small_cells_and_names(
    letterhead_agency, client, django_capture_on_commit_callbacks
):
    official = letterhead_agency.staff.get(role="official")
    run = request_pdf(client, official, django_capture_on_commit_callbacks, edition="public")
    run.refresh_from_db()
    text = pdf_text(Path(run.file.path).read_bytes())
    flat = " ".join(text.split())
    assert row(text, "Kasus", 12, 14, "<5")
    assert row(text, "Korban", 12, 14, 5)
    assert row(text, "Perempuan", 12, 14, "<5")
    assert row(text, "Fisik", 12, 14, "<5")
    assert "turun dari 14 kasus pada 2022 menjadi kurang dari 5 kasus pada 2023" in flat
    assert "30 kasus" not in flat  # a period total would give the hidden year away
    assert "EDISI PUBLIK" in flat
    for name in (SENTINEL_NAME, SENTINEL_PERPETRATOR, "Korban Sintetis", "Terlapor Sintetis"):
        assert name not in text
    assert "13.76/2023/" not in text
    assert run.figures["edition"] == "public"
    assert run.figures["tables"][0]["rows"][0]["values"] == [12, 14, "<5"]


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils (pdftoppm) not installed")
def test_every_page_has_visible_content(letterhead_agency, tmp_path):
    snapshot = annual_statistics(ReportParams(2021, 2023, "13.76"))
    data, pages = render_pdf(snapshot, Letterhead.for_agency(letterhead_agency))
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(data)
    subprocess.run(  # noqa: S603 (fixed arguments)
        [shutil.which("pdftoppm"), "-r", "30", "-gray", "-png", str(pdf), str(tmp_path / "p")],
        check=True,
    )
    images = sorted(tmp_path.glob("p-*.png"))
    assert len(images) == pages >= 5
    for image in images:
        with Image.open(image) as im:
            assert im.size[0] < im.size[1]  # portrait A4
            dark = sum(count for value, count in enumerate(im.histogram()) if value < 200)
            assert dark > 400, f"{image.name} looks blank ({dark} dark pixels)"


def test_no_data_still_renders_and_says_so(world):
    snapshot = annual_statistics(ReportParams(2010, 2012, "13.76"))
    data, pages = render_pdf(snapshot, Letterhead.for_agency(world.agencies["dinas_own"]))
    assert "Tidak ada kasus tercatat di Kota Payakumbuh pada 2010–2012." in " ".join(
        pdf_text(data).split()
    )


def test_english_edition_uses_english_labels(
    letterhead_agency, client, django_capture_on_commit_callbacks
):
    official = letterhead_agency.staff.get(role="official")
    run = request_pdf(client, official, django_capture_on_commit_callbacks, language="en")
    run.refresh_from_db()
    text = pdf_text(Path(run.file.path).read_bytes())
    assert row(text, "Physical", 12, 14, 3)
    assert row(text, "Complaint handling", 0, 0, 3)


def test_same_request_on_same_data_gives_same_figures(
    letterhead_agency, client, django_capture_on_commit_callbacks
):
    official = letterhead_agency.staff.get(role="official")
    first = request_pdf(client, official, django_capture_on_commit_callbacks)
    second = request_pdf(client, official, django_capture_on_commit_callbacks)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.code != second.code
    assert first.figures_sha256 == second.figures_sha256 != ""
    # The stored figures are what gets printed again: a re-render changes nothing.
    assert services.report_run_render(run_id=first.pk) is None  # already done: idempotent


def test_renderer_fetches_only_local_assets_and_never_the_network(letterhead_agency, monkeypatch):
    Region.objects.filter(code="13.76.03").update(name='<img src="file:///etc/passwd">')
    letterhead_agency.name = '<link rel=stylesheet href="http://example.com/x.css">Dinas'
    snapshot = annual_statistics(ReportParams(2021, 2023, "13.76"))

    def no_network(*args, **kwargs):
        raise AssertionError("the PDF renderer opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    fetcher = LocalAssetFetcher()
    data, _pages = render_pdf(
        snapshot, Letterhead.for_agency(letterhead_agency), url_fetcher=fetcher
    )
    assert data.startswith(b"%PDF")
    assert fetcher.fetched, "fonts and logo come through the fetcher"
    assert all(url.startswith(ASSET_BASE) for url in fetcher.fetched)
    assert ASSET_BASE + "fonts/DejaVuSans.ttf" in fetcher.fetched
    assert ASSET_BASE + "static/reports/logo.svg" in fetcher.fetched
    text = pdf_text(data)
    assert '<img src="file:///etc/passwd">' in " ".join(text.split())  # printed as text


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.com/logo.svg",
        ASSET_BASE + "static/../../etc/passwd.svg",
        ASSET_BASE + "static/reports/%2e%2e/x.svg",
        ASSET_BASE + "fonts/../../../etc/passwd.ttf",
        ASSET_BASE + "static/js/reports.js",
        ASSET_BASE + "fonts/nonexistent.ttf",
    ],
)
def test_fetcher_refuses_anything_else(url):
    with pytest.raises(AssetRefused):
        LocalAssetFetcher().fetch(url)


def test_pdf_markup_escapes_names(letterhead_agency):
    Region.objects.filter(code="13.76").update(name="<script>x()</script>Kota")
    letterhead_agency.name = "<b>Dinas</b>"
    snapshot = annual_statistics(ReportParams(2021, 2023, "13.76"))
    html = report_html(snapshot, Letterhead.for_agency(letterhead_agency))
    assert "<script>x()" not in html and "&lt;script&gt;x()" in html
    assert "<b>Dinas" not in html


def cells(text: str, label: str, value: object) -> bool:
    """`label` followed by `value` on one line, with another table possibly beside it."""
    return (
        re.search(re.escape(label) + r"\s+" + re.escape(str(value)) + r"(\s|$)", text) is not None
    )


def test_single_year_edition_is_compact_and_keeps_every_table(letterhead_agency):
    three_years = annual_statistics(ReportParams(2021, 2023, "13.76"))
    snapshot = annual_statistics(ReportParams(2022, 2022, "13.76"))
    data, pages = render_pdf(snapshot, Letterhead.for_agency(letterhead_agency))
    _data, pages_three_years = render_pdf(three_years, Letterhead.for_agency(letterhead_agency))
    assert pages <= 6 < pages_three_years  # tables two to a row, no page break per section
    text = pdf_text(data)
    flat = " ".join(text.split())
    in_reading_order = " ".join(pdf_text(data, layout=False).split())
    for table in snapshot.tables:
        assert table.title in in_reading_order
    for label in ("Kasus", "Korban", "Pelaku", "Fisik"):
        assert cells(text, label, 14)
    assert cells(text, "Lainnya", 4)
    assert "Jumlah kasus per tahun, 2022" in flat  # chart titles are printed as captions
    assert "Catatan metodologi" in flat and "NIP 197001011990032001" in flat


def test_a_single_year_shows_its_headline_as_bars_not_a_one_point_line(dataset):
    one_year = snapshot_charts(annual_statistics(ReportParams(2022, 2022, "13.76")))
    three_years = snapshot_charts(annual_statistics(ReportParams(2021, 2023, "13.76")))
    assert "<polyline" in str(three_years["trend_line"])
    single = str(one_year["trend_line"])
    assert "<polyline" not in single and "<rect" in single
    assert one_year["trend_line"].title == "Kasus, korban dan pelaku, 2022"
