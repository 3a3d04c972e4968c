"""Order of the tables and charts, shared by the dashboard and the PDF (same headings,
same order, so a reader can hold the printout next to the screen)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from reports.charts import WIDTH
from reports.snapshot import NOT_AVAILABLE, Snapshot, Table
from reports.text import column_header, fmt

# (section heading, [(table key, chart key or "")])
SECTIONS = [
    (
        "trend",
        [("trend_months", "trend_months"), ("headline", "trend_line"), ("cases_status", "")],
    ),
    (
        "victims",
        [
            ("victims_sex", ""),
            ("victims_age", ""),
            ("victims_status", ""),
            ("victims_sex_status", "victims_stacked"),
            ("victims_form", "victims_form"),
            ("victims_education", ""),
            ("victims_occupation", ""),
            ("victims_marital", ""),
            ("victims_disability", ""),
        ],
    ),
    ("cases", [("cases_place", "cases_place"), ("cases_area", "")]),
    (
        "perpetrators",
        [
            ("perpetrators_sex", ""),
            ("perpetrators_age", ""),
            ("perpetrators_relationship", "perpetrators_relationship"),
        ],
    ),
    ("services", [("victims_service", ""), ("referrals", ""), ("referrals_partner", "")]),
    ("kla", [("kla_ampk", ""), ("kla_served", "")]),
    (
        "community",
        [
            ("community_reports", ""),
            ("prevention_kind", ""),
            ("prevention_participants", ""),
            ("prevention_participants_kind", ""),
            ("prevention_month", ""),
            ("prevention_area", ""),
            ("prevention_topic", ""),
            ("kla_prevention", ""),
        ],
    ),
    ("rates", [("rates", "")]),
]


def _headings() -> dict[str, str]:
    return {
        "trend": _("Tren kasus per tahun"),
        "victims": _("Korban"),
        "cases": _("Tempat dan wilayah kejadian"),
        "perpetrators": _("Pelaku"),
        "services": _("Layanan dan rujukan"),
        "kla": _("Perlindungan khusus anak (Klaster V KLA)"),
        "community": _("Laporan masyarakat dan pencegahan"),
        "rates": _("Rasio kekerasan per 100.000 penduduk"),
    }


@dataclass
class Block:
    table: Table | None  # None: a narrow chart on its own (compact PDF)
    chart: SafeString | None = None


@dataclass
class PrintRow:
    """One row of the compact edition: a wide chart, or two cells side by side (a table, or
    a narrow chart)."""

    chart: SafeString | None = None
    cells: list[Block] = field(default_factory=list)
    wide: Table | None = None  # a table with columns of its own (the monthly trend), full width


@dataclass
class Section:
    key: str
    heading: str
    blocks: list[Block] = field(default_factory=list)
    rows: list[PrintRow] = field(default_factory=list)  # the compact PDF only


def sections(snapshot: Snapshot, charts: Mapping[str, SafeString]) -> list[Section]:
    headings = _headings()
    if snapshot.periodic:
        headings["trend"] = _("Tren kasus per bulan")
    out = []
    for key, items in SECTIONS:
        blocks = [
            Block(snapshot.table(table_key), charts.get(chart_key) if chart_key else None)
            for table_key, chart_key in items
            if snapshot.table(table_key) is not None
        ]
        if blocks:
            out.append(Section(key, headings[key], blocks))
    return out


# --- Print layout (the PDF) --------------------------------------------------------------------

# Advance widths of DejaVu Sans Bold (the widest face a cell uses: totals are bold), in em.
_BOLD_EM = {".": 0.38, ",": 0.38, "<": 0.838, "*": 0.523, "–": 0.5, "-": 0.415, " ": 0.348}
_BOLD_DIGIT_EM = 0.696
PT_MM = 25.4 / 72
FRAME_MM = 176.0  # A4 width minus the 17 mm margins
GAP_MM = 6.0  # between the two columns of the compact edition
CELL_PAD_MM = 1.5  # left and right padding of a cell (the template's .stat-table th/td)
COMPACT_MAX_YEARS = 2  # up to this many year columns, tables go two to a row


def _text_em(text: str) -> float:
    return sum(_BOLD_EM.get(ch, _BOLD_DIGIT_EM) for ch in text)


@dataclass
class PrintLayout:
    """What the PDF's fixed table layout needs: one width for every year column (the widest
    cell, so no number overflows), the table font size, and whether tables go two to a row."""

    compact: bool
    font_pt: float
    number_mm: float
    label_mm: float
    gap_mm: float = GAP_MM
    half_mm: float = (FRAME_MM - GAP_MM) / 2

    @property
    def number_content_mm(self) -> float:
        """The CSS width of a year cell (content box: without its padding)."""
        return round(self.number_mm - 2 * CELL_PAD_MM, 1)


def print_layout(snapshot: Snapshot) -> PrintLayout:
    """One width for every number column. A month header ("Mar 2024") wraps at its space, so
    its words count, not the whole header; the monthly trend's twelve columns count too."""
    compact = len(snapshot.columns) <= COMPACT_MAX_YEARS
    headers = [*snapshot.columns]
    columns = len(snapshot.columns)
    for table in snapshot.tables:
        headers += table.columns or []
        columns = max(columns, len(table.columns or []))
    years = range(columns)
    texts = [word for header in headers for word in str(header).split()]
    # A yearly recap's header ("2021 (rekap)") and a "tidak tersedia" cell wrap at their spaces.
    texts += [word for c in snapshot.recap_years for word in column_header(snapshot, c).split()]
    for table in snapshot.tables:
        cells = [*(v for row in table.rows for v in row.values), *(table.total or [])]
        texts += [
            word for v in cells for word in (fmt(v).split() if v == NOT_AVAILABLE else [fmt(v)])
        ]
    widest_em = max(map(_text_em, texts), default=3.0)
    frame = (FRAME_MM - GAP_MM) / 2 if compact else FRAME_MM
    for font_pt in (8.5, 8.0, 7.5, 7.0):
        number_mm = round(widest_em * font_pt * PT_MM + 2 * CELL_PAD_MM + 0.8, 1)
        label_mm = frame - number_mm * len(years)
        if label_mm >= frame * (0.5 if compact else 0.25):
            break
    return PrintLayout(compact, font_pt, number_mm, round(label_mm, 1))


def compact_rows(blocks: list[Block]) -> list[PrintRow]:
    """Two cells to a row, in order. A block with a chart is a row of its own: the chart
    (a narrow one beside its table, a wide one above it); a table left alone before it keeps
    a row to itself."""
    rows: list[PrintRow] = []
    pending: list[Block] = []
    for block in blocks:
        chart = block.chart
        if block.table is not None and block.table.columns:
            if pending:
                rows.append(PrintRow(cells=pending))
                pending = []
            if chart is not None:
                rows.append(PrintRow(chart=chart))
            rows.append(PrintRow(wide=block.table))
            continue
        if chart is None:
            pending.append(Block(block.table))
            if len(pending) == 2:
                rows.append(PrintRow(cells=pending))
                pending = []
            continue
        if pending:
            rows.append(PrintRow(cells=pending))
            pending = []
        if getattr(chart, "width", WIDTH) >= WIDTH:
            rows.append(PrintRow(chart=chart))
            pending.append(Block(block.table))
        else:
            rows.append(PrintRow(cells=[Block(None, chart), Block(block.table)]))
    if pending:
        rows.append(PrintRow(cells=pending))
    return rows
