"""The annual PDF: one template rendered from a snapshot by WeasyPrint, with no database
query while rendering and no network.

Resources (fonts, logo) are named with URLs under `ASSET_BASE`, an address that cannot
resolve (.invalid); `LocalAssetFetcher` serves them from the app's static files and the
DejaVu font directory only, and refuses everything else (http, file://, data from case
fields). WeasyPrint is single-threaded and memory-hungry on long tables (docs/quality.md B3): the
PDF therefore holds aggregated tables and charts only, never a list of cases.

Speed (bench/README.md, "PDF render"): one `FontConfiguration` and one image cache per process
are reused by every render that goes through the default fetcher (fonts are written to
fontconfig once, Pango keeps its shaping caches); the cyclic garbage collector is paused while
WeasyPrint builds its boxes (it allocates hundreds of thousands of short-lived objects, and each
full pass would walk the whole Django heap); the PDF worker runs `warm_up()` when its process
starts, so the first report does not pay the WeasyPrint import and font loading.
"""

from __future__ import annotations

import gc
import mimetypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from ppa.models import Agency
from reports.charts import snapshot_charts
from reports.layout import compact_rows, print_layout, sections
from reports.snapshot import Row, Snapshot, Table
from reports.text import recap_notes, report_title, summary_sentences

ASSET_BASE = "https://assets.sinergi-ppa.invalid/"
ALLOWED_SUFFIXES = {".ttf", ".otf", ".svg", ".png", ".css"}


class AssetRefused(ValueError):
    pass


class LocalAssetFetcher(URLFetcher):
    """Serves `ASSET_BASE + "static/<path>"` from the static files and
    `ASSET_BASE + "fonts/<file>"` from REPORTS_FONT_DIR; refuses any other URL."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=["https"], timeout=1)
        self.fetched: list[str] = []

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        path = self.resolve(url)
        self.fetched.append(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".ttf":
            content_type = "font/ttf"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    @staticmethod
    def resolve(url: str) -> Path:
        if not url.startswith(ASSET_BASE):
            raise AssetRefused(f"refused non-local resource: {url[:80]}")
        rest = url[len(ASSET_BASE) :].split("?")[0].split("#")[0]
        if ".." in rest or "\\" in rest or "%" in rest:
            raise AssetRefused("refused path")
        suffix = Path(rest).suffix.lower()
        if suffix not in ALLOWED_SUFFIXES:
            raise AssetRefused("refused file type")
        if rest.startswith("static/"):
            found = finders.find(rest.removeprefix("static/"))
            if not found:
                raise AssetRefused("no such static file")
            return Path(found)
        if rest.startswith("fonts/") and "/" not in rest.removeprefix("fonts/"):
            font = Path(settings.REPORTS_FONT_DIR) / rest.removeprefix("fonts/")
            if font.is_file():
                return font
        raise AssetRefused("no such asset")


@dataclass
class Letterhead:
    """What the kop surat and the signature block print (the agency's public details)."""

    agency_name: str
    address: str
    phone: str
    email: str
    region_name: str
    head_name: str
    head_title: str
    head_nip: str

    @property
    def has_signatory(self) -> bool:
        """A signature block is printed only with a name under it (never "(......)")."""
        return bool(self.head_name.strip())

    @classmethod
    def for_agency(cls, agency: Agency) -> Letterhead:
        return cls(
            agency_name=agency.name,
            address=agency.address,
            phone=agency.phone,
            email=agency.email,
            region_name=(
                f"Provinsi {agency.region.name}"
                if agency.region.kind == "provinsi" and not agency.region.name.startswith("Prov")
                else agency.region.name
            ),
            head_name=agency.head_name,
            head_title=agency.head_title,
            head_nip=agency.head_nip,
        )


def report_html(snapshot: Snapshot, letterhead: Letterhead, *, figures_code: str = "") -> str:
    """The HTML of the report (rendered in the active language)."""
    layout = print_layout(snapshot)
    charts = snapshot_charts(snapshot, titled=False, narrow=layout.compact)
    parts = sections(snapshot, charts)
    if layout.compact:
        for section in parts:
            section.rows = compact_rows(section.blocks)
    return render_to_string(
        "reports/pdf/report.html",
        {
            "s": snapshot,
            "title": report_title(snapshot),
            "letterhead": letterhead,
            "charts": charts,
            "sections": parts,
            "layout": layout,
            "summary": summary_sentences(snapshot),
            "recap_notes": recap_notes(snapshot),
            "asset_base": ASSET_BASE,
            "printed_on": timezone.localdate(),
            "figures_code": figures_code[:12],
        },
    )


class _Shared:
    """WeasyPrint objects reused across renders in one process (see the module docstring).
    Only the fonts and the logo go in: both are fixed files served by `LocalAssetFetcher`."""

    lock = threading.Lock()  # Pango font maps are not thread-safe; a busy lock means "fresh"
    font_config: FontConfiguration | None = None
    image_cache: dict = {}

    @classmethod
    def get(cls) -> tuple[FontConfiguration, dict]:
        if cls.font_config is None:
            cls.font_config = FontConfiguration()
        return cls.font_config, cls.image_cache


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic collection during a render; the young garbage is collected once after."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(0)


def render_pdf(
    snapshot: Snapshot,
    letterhead: Letterhead,
    *,
    figures_code: str = "",
    url_fetcher: URLFetcher | None = None,
) -> tuple[bytes, int]:
    """(PDF bytes, number of pages). A caller's own `url_fetcher` gets a fresh font
    configuration, so it sees every resource the document loads."""
    html = report_html(snapshot, letterhead, figures_code=figures_code)
    shared = url_fetcher is None and _Shared.lock.acquire(blocking=False)
    try:
        font_config, cache = _Shared.get() if shared else (FontConfiguration(), None)
        with _collector_paused():
            document = HTML(
                string=html, base_url=ASSET_BASE, url_fetcher=url_fetcher or LocalAssetFetcher()
            ).render(font_config=font_config, cache=cache)
            title = snapshot.region["name"]
            document.metadata.title = f"Statistik {title} {snapshot.period_label}"
            document.metadata.authors = [letterhead.agency_name]
            return document.write_pdf(), len(document.pages)
    finally:
        if shared:
            _Shared.lock.release()


def render_html_pdf(
    html: str, *, title: str, author: str, url_fetcher: URLFetcher | None = None
) -> tuple[bytes, int]:
    """(PDF bytes, number of pages) of any printed document of the app (letters, summaries):
    the same local-only fetcher, shared fonts and paused collector as the annual report."""
    shared = url_fetcher is None and _Shared.lock.acquire(blocking=False)
    try:
        font_config, cache = _Shared.get() if shared else (FontConfiguration(), None)
        with _collector_paused():
            document = HTML(
                string=html, base_url=ASSET_BASE, url_fetcher=url_fetcher or LocalAssetFetcher()
            ).render(font_config=font_config, cache=cache)
            document.metadata.title = title
            document.metadata.authors = [author]
            return document.write_pdf(), len(document.pages)
    finally:
        if shared:
            _Shared.lock.release()


def warm_up() -> None:
    """Load what every render needs (WeasyPrint, the template, the fonts in the shared font
    configuration, Pango's caches) by rendering a one-table sample, then move the long-lived
    objects out of the collector's way (`gc.freeze`). Called by the PDF worker when its process
    starts (`reports.tasks.warm_up_pdf_worker`); no database query."""
    sample = Snapshot(
        params={},
        years=[2024, 2025],
        region={"code": "00", "name": "Contoh", "kind": "kota", "level": 2},
        case_type_label="Semua jenis kasus",
        basis_label="berdasarkan tanggal pelaporan",
        inclusion_note="",
        language="id",
        computed_at="",
        tables=[
            Table(
                key="headline",
                title="Jumlah kasus, korban dan pelaku per tahun",
                unit="kasus",
                rows=[
                    Row(code, code.title(), [12, 3])
                    for code in ("cases", "victims", "perpetrators")
                ],
            )
        ],
    )
    letterhead = Letterhead("Contoh", "Jl. Contoh 1", "0751", "a@b.c", "Kota Contoh", "", "", "")
    render_pdf(sample, letterhead, figures_code="0" * 12)
    gc.collect()
    gc.freeze()
