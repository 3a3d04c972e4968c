"""The XLSX reader on sheets written the ways spreadsheet programs write them (shared strings
with rich-text runs and phonetic hints, inline strings, prefixed namespaces, cells without a
reference, date styles, formulas, booleans): the import sees the values the officer sees."""

import datetime as dt
import zipfile
from pathlib import Path

import pytest

from imports.xlsx import Workbook, XlsxError

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
WORKBOOK = (
    f'<workbook xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><sheets><sheet name="kasus" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="worksheet"/></Relationships>'
)
STYLES = (
    f'<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" '
    'formatCode="dd/mm/yyyy"/></numFmts><cellXfs count="2"><xf numFmtId="0"/>'
    '<xf numFmtId="164"/></cellXfs></styleSheet>'
)
SHARED = (
    f'<sst xmlns="{MAIN}"><si><t>Rumah &amp; Tangga</t></si>'
    "<si><r><t>Ri</t></r><r><rPr><b/></rPr><t>ta</t></r><rPh><t>ignored</t></rPh></si></sst>"
)
SHEET = (
    '<x:worksheet xmlns:x="' + MAIN + '"><x:sheetData>'
    '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="C1" t="s"><x:v>1</x:v></x:c>'
    "</x:row>"
    '<x:row r="3"><x:c r="A3" t="inlineStr"><x:is><x:t>B-1</x:t></x:is></x:c>'
    '<x:c r="B3" s="1"><x:v>44927</x:v></x:c><x:c r="C3"><x:v>12.5</x:v></x:c>'
    '<x:c r="D3" t="b"><x:v>1</x:v></x:c><x:c r="E3"><x:f>SUM(C3:C3)</x:f><x:v>12.5</x:v></x:c>'
    "<x:c><x:v>7</x:v></x:c></x:row>"
    "</x:sheetData></x:worksheet>"
)


def _book(tmp_path: Path, sheet: str = SHEET) -> Path:
    path = tmp_path / "book.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", RELS)
        archive.writestr("xl/styles.xml", STYLES)
        archive.writestr("xl/sharedStrings.xml", SHARED)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def test_values_as_the_officer_sees_them(tmp_path):
    book = Workbook(_book(tmp_path))
    assert list(book.rows("kasus")) == [
        (1, ("Rumah & Tangga", None, "Rita")),
        (3, ("B-1", dt.datetime(2023, 1, 1), 12.5, True, "=SUM(C3:C3)", 7)),
    ]


def test_a_sheet_that_is_not_xml_is_refused(tmp_path):
    book = Workbook(_book(tmp_path, sheet="<worksheet><sheetData><row>"))
    with pytest.raises(XlsxError):
        list(book.rows("kasus"))
