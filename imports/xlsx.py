"""A lean streaming reader of XLSX sheets: rows of cell values, one at a time.

openpyxl's read-only mode spends most of an import's time on per-cell bookkeeping (styles,
coordinates, descriptors) and, for a file without a `<dimension>` element, parses every
sheet once more just to size it. This reader parses the sheet XML with the standard
library's pull parser, fed in chunks (expat; a document type declaration, the way in for
entity expansion, is refused) and gives what
the import needs: text from the shared-string table or inline, numbers as int or float,
dates as `datetime` when the cell's style is a date format (openpyxl's own format test and
serial conversion), booleans, and a formula as its text starting with "=" (so the import can
refuse it). Rows are cleared as soon as they are read: memory does not grow with the sheet.
"""

import datetime as dt
import posixpath
import re
import zipfile
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element, XMLPullParser

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import from_excel

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
COLUMN = re.compile(r"[A-Z]+")


CHUNK = 256 * 1024


class XlsxError(Exception):
    """The workbook's structure cannot be read."""


def _events(stream: Any, events: tuple[str, ...]) -> Iterator[tuple[str, Element]]:
    """Parse events of an XML member, fed in chunks. A document type declaration (the way in
    for entity expansion and external entities) is refused: no part of a workbook has one."""
    parser = XMLPullParser(events=events)
    tail = b""
    while chunk := stream.read(CHUNK):
        window = tail + chunk
        if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
            raise XlsxError("document type declaration")
        tail = chunk[-16:]
        parser.feed(chunk)
        yield from _elements(parser)
    parser.close()
    yield from _elements(parser)


def _elements(parser: XMLPullParser) -> Iterator[tuple[str, Element]]:
    """Start and end events (the only ones asked for) with their element."""
    for item in parser.read_events():
        event, element = item[0], item[-1]
        if isinstance(element, Element):
            yield event, element


def _column_index(ref: str) -> int:
    letters = COLUMN.match(ref)
    if letters is None:
        raise XlsxError(ref)
    index = 0
    for char in letters.group(0):
        index = index * 26 + ord(char) - 64
    return index - 1


def _text(element: Element) -> str:
    """The text of a string item (`<si>` or `<is>`): its text, or its runs' text (phonetic
    hints, `<rPh>`, left out)."""
    direct = element.find(f"{MAIN}t")
    if direct is not None:
        return direct.text or ""
    return "".join(run.findtext(f"{MAIN}t") or "" for run in element.iter(f"{MAIN}r"))


class Workbook:
    def __init__(self, path: Any) -> None:
        self.archive = zipfile.ZipFile(path)
        self.sheets = self._sheet_paths()
        self._shared: list[str] | None = None
        self.date_styles = self._date_styles()

    @property
    def sheet_names(self) -> list[str]:
        return list(self.sheets)

    def _parse(self, member: str) -> Element:
        with self.archive.open(member) as xml:
            root = None
            for _event, element in _events(xml, ("end",)):
                root = element
            if root is None:
                raise XlsxError(member)
            return root

    def _sheet_paths(self) -> dict[str, str]:
        book = self._parse("xl/workbook.xml")
        rels = self._parse("xl/_rels/workbook.xml.rels")
        targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{PKG_REL}Relationship")}
        paths: dict[str, str] = {}
        for sheet in book.iter(f"{MAIN}sheet"):
            target = targets.get(sheet.get(f"{REL}id"), "")
            if not target:
                raise XlsxError("sheet without a target")
            member = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            paths[sheet.get("name", "")] = posixpath.normpath(member)
        return paths

    def _date_styles(self) -> set[int]:
        if "xl/styles.xml" not in self.archive.namelist():
            return set()
        styles = self._parse("xl/styles.xml")
        custom = {
            int(f.get("numFmtId", "0")): f.get("formatCode", "")
            for f in styles.iter(f"{MAIN}numFmt")
        }
        cell_xfs = styles.find(f"{MAIN}cellXfs")
        found = set()
        for index, xf in enumerate(cell_xfs if cell_xfs is not None else []):
            fmt_id = int(xf.get("numFmtId", "0"))
            code = custom.get(fmt_id) or BUILTIN_FORMATS.get(fmt_id, "")
            if code and is_date_format(code):
                found.add(index)
        return found

    @property
    def shared(self) -> list[str]:
        if self._shared is None:
            self._shared = []
            if "xl/sharedStrings.xml" in self.archive.namelist():
                with self.archive.open("xl/sharedStrings.xml") as xml:
                    for _event, element in _events(xml, ("end",)):
                        if element.tag == f"{MAIN}si":
                            self._shared.append(_text(element))
                            element.clear()
        return self._shared

    def _value(self, cell: Element) -> Any:
        kind = cell.get("t", "n")
        formula = cell.find(f"{MAIN}f")
        if formula is not None:
            return "=" + (formula.text or "")
        if kind == "inlineStr":
            inline = cell.find(f"{MAIN}is")
            return _text(inline) if inline is not None else ""
        raw = cell.findtext(f"{MAIN}v")
        if raw is None:
            return None
        if kind == "s":
            return self.shared[int(raw)]
        if kind in ("str", "e"):
            return raw
        if kind == "b":
            return raw == "1"
        if kind == "d":
            return dt.datetime.fromisoformat(raw)
        number: int | float = float(raw) if any(c in raw for c in ".eE") else int(raw)
        if int(cell.get("s", "0")) in self.date_styles:
            return from_excel(number)
        return number

    def rows(self, name: str) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """(row number, values) of every row of the sheet that has a cell."""
        with self.archive.open(self.sheets[name]) as xml:
            data: Element | None = None
            number = 0
            for event, element in _events(xml, ("start", "end")):
                if event == "start":
                    if element.tag == f"{MAIN}sheetData":
                        data = element
                    continue
                if element.tag != f"{MAIN}row":
                    continue
                number = int(element.get("r") or number + 1)
                values: list[Any] = []
                for position, cell in enumerate(element.iter(f"{MAIN}c")):
                    ref = cell.get("r")
                    index = _column_index(ref) if ref else position
                    if index >= len(values):
                        values.extend([None] * (index + 1 - len(values)))
                    values[index] = self._value(cell)
                yield number, tuple(values)
                if data is not None:
                    data.clear()

    def member(self, name: str) -> str:
        return self.sheets[name]

    def close(self) -> None:
        self.archive.close()
