"""Reading tables back out of the dashboard HTML, the CSV and the XLSX, to compare them."""

import csv
import io
from html.parser import HTMLParser

from openpyxl import load_workbook


class _Tables(HTMLParser):
    """{table key: [[cell text, ...], ...]} from <figure class="stat-table" id="t-KEY">."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.key = None
        self.row = None
        self.cell = None
        self.in_caption = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "figure" and attrs.get("id", "").startswith("t-"):
            self.key = attrs["id"][2:]
            self.tables[self.key] = []
        elif self.key and tag == "caption":
            self.in_caption = True
        elif self.key and tag == "tr":
            self.row = []
        elif self.row is not None and tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "caption":
            self.in_caption = False
        elif tag in ("td", "th") and self.cell is not None:
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[self.key].append(self.row)
            self.row = None
        elif tag == "figure":
            self.key = None

    def handle_data(self, data):
        if self.cell is not None and not self.in_caption:
            self.cell += data


def html_tables(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def _sections(rows: list[list[str]], titles: dict[str, str]) -> dict[str, list[list[str]]]:
    """Split export rows into tables by title: the rows after the "Kategori" header."""
    by_title = {title: key for key, title in titles.items()}
    out: dict[str, list[list[str]]] = {}
    key = None
    for row in rows:
        if row and row[0] in by_title:
            key = by_title[row[0]]
            out[key] = []
        elif key and row and (row[0] == "Kategori" or out[key] and len(row) > 1):
            out[key].append(row)
        elif key and out[key]:
            key = None
    return out


def csv_tables(body: bytes, titles: dict[str, str]) -> dict[str, list[list[str]]]:
    text = body.decode("utf-8-sig")
    return _sections([list(r) for r in csv.reader(io.StringIO(text))], titles)


def xlsx_tables(body: bytes, titles: dict[str, str]) -> dict[str, list[list[str]]]:
    sheet = load_workbook(io.BytesIO(body)).active
    rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    rows = [r[: max((i + 1 for i, v in enumerate(r) if v), default=0)] for r in rows]
    return _sections(rows, titles)
