"""CSV and XLSX of a snapshot: the same tables as the dashboard and the PDF, cell for cell.

The downloads are made in the background (`reports.jobs`, docs/pages.md "Long downloads"):
`statistics_file` is the builder of an `ExportRun` of kind "statistics".

Every cell goes through `ppa.exports.safe_cell` (no spreadsheet formula injection from a
region or category name). Aggregates only: there is no case, person or name in a snapshot.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from ppa.db import reporting_source
from ppa.exports import safe_cell
from reports.models import ExportRun, ReportRun
from reports.replica import statistics_from
from reports.snapshot import NOT_AVAILABLE, ReportParams, Snapshot
from reports.suppression import public_edition
from reports.text import column_headers, fmt, recap_notes, statistics_title

NO_VALUE = "–"


def snapshot_rows(snapshot: Snapshot) -> list[list[object]]:
    """The snapshot as a list of spreadsheet rows (shared by CSV and XLSX)."""
    edition = _("publik") if snapshot.edition == ReportRun.Edition.PUBLIC else _("internal")
    rows: list[list[object]] = [
        [statistics_title(snapshot)],
        [_("Wilayah"), snapshot.region["name"]],
        [_("Periode"), snapshot.period_label],
        [_("Jenis kasus"), snapshot.case_type_label],
        [_("Dasar penghitungan tahun"), snapshot.basis_label],
        [_("Edisi"), edition],
        [_("Catatan"), snapshot.inclusion_note],
    ]
    rows += [[_("Sumber angka rekap tahunan"), note] for note in recap_notes(snapshot)]
    rows.append([])
    headers = column_headers(snapshot)
    for table in snapshot.tables:
        rows.append([table.title])
        counted = _("Satuan: %(unit)s, %(basis)s") % {
            "unit": table.unit,
            "basis": snapshot.basis_label,
        }
        rows.append([counted])
        rows.append(
            [_("Kategori"), *(table.columns or (headers if table.recaps else snapshot.columns))]
        )
        for row in table.rows:
            rows.append([row.label, *row.values])
        if table.total is not None:
            rows.append([table.total_label, *table.total])
        if table.note:
            rows.append([table.note])
        rows.append([])
    # No value (a rate without population, a median without accepted referrals): "–", as on
    # the page and in the PDF.
    # A breakdown a yearly recap does not give: "tidak tersedia", never 0 or empty.
    return [
        [
            NO_VALUE if cell is None else fmt(cell) if cell == NOT_AVAILABLE else safe_cell(cell)
            for cell in row
        ]
        for row in rows
    ]


def snapshot_csv(snapshot: Snapshot) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in snapshot_rows(snapshot):
        writer.writerow(row)
    # UTF-8 with a byte-order mark, so that spreadsheet programs read the accents right.
    return buffer.getvalue().encode("utf-8-sig")


def snapshot_xlsx(snapshot: Snapshot) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Statistik")[:31]
    bold = Font(bold=True)
    titles = {t.title for t in snapshot.tables}
    for row in snapshot_rows(snapshot):
        sheet.append(row)
        if row and row[0] in titles:
            sheet.cell(row=sheet.max_row, column=1).font = bold
    sheet.column_dimensions["A"].width = 48
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def statistics_filename(params: ReportParams, edition: str, fmt: str) -> str:
    """Region code, period and edition: what the user chose, nothing else."""
    name = f"statistik-{params.region_code}-{params.year_from}-{params.year_to}"
    if params.periodic:
        name = f"statistik-{params.region_code}-{params.date_from}-{params.date_to}"
    if edition == ReportRun.Edition.PUBLIC:
        name += "-publik"
    return f"{name}.{fmt}"


def statistics_file(run: ExportRun, step: Callable[[int], None]) -> bytes:
    """The CSV or XLSX of the figures the user asked for (run.params: the filters and the
    edition), computed in the worker from the same source the dashboard reads."""
    # The replica must have replayed at least the request of this download.
    source = reporting_source(wrote_at=run.requested_at.timestamp())
    snapshot = statistics_from(ReportParams.from_dict(run.params["report"]), source)
    if run.params["edition"] == ReportRun.Edition.PUBLIC:
        snapshot = public_edition(snapshot)
    step(70)
    return snapshot_xlsx(snapshot) if run.fmt == "xlsx" else snapshot_csv(snapshot)
