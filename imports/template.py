"""The case import template: an XLSX with the four sheets' headers in SIMFONI register order
and a sheet "referensi" listing every code and label the columns accept."""

import csv
import io
import zipfile

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from imports.casespec import REFERENCE, SHEETS, case_sheets, headers, reference_lists
from ppa.exports import safe_cell
from ppa.models import Agency


def case_template(agency: Agency) -> bytes:
    lists = reference_lists()
    specs = case_sheets(agency, lists)
    book = Workbook()
    bold = Font(bold=True)
    first = True
    for name in SHEETS:
        sheet = book.active if first else book.create_sheet()
        assert sheet is not None
        first = False
        sheet.title = name
        sheet.append(headers(specs[name]))
        for index, column in enumerate(specs[name].columns, start=1):
            cell = sheet.cell(row=1, column=index)
            cell.font = bold
            letter = cell.column_letter
            sheet.column_dimensions[letter].width = max(14, len(column.header) + 2)
            if column.name in ("nik", "register"):
                # Text columns: Excel would turn a 16-digit NIK into 1.6E+15.
                for row in range(2, 2002):
                    sheet.cell(row=row, column=index).number_format = "@"
    sheet = book.create_sheet(REFERENCE)
    for line in (
        _(
            "Petunjuk: isi satu baris per kasus (kasus), per korban (korban), per pasangan pelaku "
            "dan korban (pelaku) dan per layanan (layanan); hubungkan dengan No. Register Kantor."
        ),
        _(
            "Tanggal: sel bertipe Tanggal atau teks HH/BB/TTTT. NIK: 16 angka sebagai Teks. "
            "Beberapa nilai dalam satu sel dipisah titik koma (;). Kode atau label boleh dipakai."
        ),
        _("Jangan menggabung sel, jangan memakai rumus, jangan menambah lembar lain."),
    ):
        sheet.append([line])
    sheet.append([])
    sheet.append([_("Daftar"), _("Kode"), _("Label (SIMFONI)"), _("Label (Inggris)")])
    for ref in lists.values():
        for code, label, english in ref.entries:
            sheet.append(
                [safe_cell(ref.title), safe_cell(code), safe_cell(label), safe_cell(english)]
            )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def case_csv_templates(agency: Agency) -> bytes:
    """The four sheets as CSV files (header row only, UTF-8 with BOM so Excel reads the
    letters right) in one ZIP: the same headers as the XLSX template. The ZIP itself, once
    filled, may be uploaded too (the reader reads a zip of CSV files as one file per sheet)."""
    specs = case_sheets(agency, reference_lists())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in SHEETS:
            text = io.StringIO()
            csv.writer(text).writerow(headers(specs[name]))
            archive.writestr(f"{name}.csv", "\ufeff" + text.getvalue())
    return out.getvalue()
