"""A lean streaming reader of XLSX sheets: rows of cell values, one at a time.

openpyxl's read-only mode spends most of an import's time on per-cell bookkeeping (styles,
coordinates, descriptors) and, for a file without a `<dimension>` element, parses every
sheet once more just to size it. This reader feeds the sheet XML in chunks to the standard
library's expat parser and builds each row from expat's calls (no element tree, no event
queue: that halved the reading time of the pull parser used before; the small parts,
workbook, relationships and styles, still go through the pull parser). A document type
declaration, the way in for entity expansion, is refused. It gives what the import needs:
text from the shared-string table or inline, numbers as int or float, dates as `datetime`
when the cell's style is a date format (openpyxl's own format test and serial conversion),
booleans, and a formula as its text starting with "=" (so the import can refuse it). Rows
are handed on as soon as they are read: memory does not grow with the sheet.
"""

import datetime as dt
import posixpath
import re
import zipfile
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element, XMLPullParser
from xml.parsers import expat

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


NS = MAIN[1:-1] + " "  # element names as expat gives them (namespace, space, name)
C, V, F, IS, T, R, RPH, ROW, SI = (
    NS + name for name in ("c", "v", "f", "is", "t", "r", "rPh", "row", "si")
)
DIGITS = "0123456789"
SEEN_DATES = 20000  # serial numbers whose date is kept (a file repeats its dates)


def _refuse_doctype(*_args: Any) -> None:
    raise XlsxError("document type declaration")


def _expat(stream: Any, handler: Any) -> Iterator[Any]:
    """Feed an XML member to expat in chunks, calling the handler's `start`, `end` and `text`
    (element names with their namespace: `NS + "c"`); after each chunk, yield the handler's
    `done` list (the caller empties it). A document type declaration is refused, as in
    `_events`. Python calls per element and no element objects: the pull parser's tree and
    event queue were most of an import's reading time."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.buffer_size = CHUNK
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.text
    tail = b""
    try:
        while chunk := stream.read(CHUNK):
            window = tail + chunk
            if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                raise XlsxError("document type declaration")
            tail = chunk[-16:]
            parser.Parse(chunk, False)
            yield handler.done
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise XlsxError(str(exc)) from exc
    yield handler.done


class _Strings:
    """Text of string items (`<si>`, `<is>`): the text of its `<t>` elements (its own or its
    runs'), phonetic hints (`<rPh>`) left out."""

    def __init__(self) -> None:
        self.parts: list[str] | None = None  # inside a string item
        self.collect = False  # inside a <t> of it
        self.phonetic = False

    def start_text(self, name: str) -> bool:
        """Track the string item's inner elements; True when `name` was one of them."""
        if name == T:
            self.collect = not self.phonetic
        elif name == RPH:
            self.phonetic = True
        elif name != R:
            return False
        return True

    def end_text(self, name: str) -> None:
        if name == T:
            self.collect = False
        elif name == RPH:
            self.phonetic = False

    def text(self, data: str) -> None:
        if self.collect and self.parts is not None:
            self.parts.append(data)


class _SharedStrings(_Strings):
    def __init__(self, into: list[str]) -> None:
        super().__init__()
        self.into = into
        self.done: list[str] = []

    def start(self, name: str, _attrs: dict[str, str]) -> None:
        if name == SI:
            self.parts = []
        elif self.parts is not None:
            self.start_text(name)

    def end(self, name: str) -> None:
        if name == SI and self.parts is not None:
            self.into.append("".join(self.parts))
            self.parts = None
        elif self.parts is not None:
            self.end_text(name)


class _SheetRows(_Strings):
    """The rows of a sheet, built from expat's calls: each `<c>` becomes a value (text from
    the shared-string table or inline, int or float, a date for a date style, a boolean, a
    formula as "=" and its text) at its column; each ended `<row>` is added to `done`."""

    def __init__(self, book: "Workbook") -> None:
        super().__init__()
        self.book = book
        self.date_styles = {str(s) for s in book.date_styles}
        self.done: list[tuple[int, tuple[Any, ...]]] = []
        self.columns: dict[str, int] = {}  # column letters -> index
        self.dates: dict[float, Any] = {}  # serial -> datetime (a file repeats its dates)
        self.number = 0
        self.values: list[Any] = []
        self.cell: dict[str, str] = {}
        self.raw: list[str] | None = None  # text of <v>
        self.formula: list[str] | None = None  # text of <f>
        self.target: list[str] | None = None  # where text goes

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == C:
            self.cell = attrs
            self.raw = self.formula = self.parts = None
        elif name == V:
            self.raw = self.target = []
        elif name == F:
            self.formula = self.target = []
        elif name == IS:
            self.parts = []
        elif name == ROW:
            self.number = int(attrs.get("r") or self.number + 1)
            self.values = []
        elif self.parts is not None:
            self.start_text(name)

    def text(self, data: str) -> None:
        if self.target is not None:
            self.target.append(data)
        elif self.collect and self.parts is not None:
            self.parts.append(data)

    def end(self, name: str) -> None:
        if name == C:
            ref = self.cell.get("r")
            if ref:
                letters = ref.rstrip(DIGITS)
                index = self.columns.get(letters)
                if index is None:
                    index = self.columns[letters] = _column_index(letters)
            else:
                index = len(self.values)
            values = self.values
            if index >= len(values):
                values.extend([None] * (index + 1 - len(values)))
            values[index] = self._value()
        elif name in (V, F):
            self.target = None
        elif name == ROW:
            self.done.append((self.number, tuple(self.values)))
        elif self.parts is not None:
            self.end_text(name)

    def _value(self) -> Any:
        kind = self.cell.get("t", "n")
        if self.formula is not None:
            return "=" + "".join(self.formula)
        if kind == "inlineStr":
            return "".join(self.parts) if self.parts is not None else ""
        if self.raw is None:
            return None
        raw = "".join(self.raw)
        if kind == "s":
            return self.book.shared[int(raw)]
        if kind in ("str", "e"):
            return raw
        if kind == "b":
            return raw == "1"
        if kind == "d":
            return dt.datetime.fromisoformat(raw)
        number: int | float = float(raw) if "." in raw or "e" in raw or "E" in raw else int(raw)
        if self.cell.get("s", "0") in self.date_styles:
            found = self.dates.get(number)
            if found is None:
                found = from_excel(number)
                if len(self.dates) < SEEN_DATES:
                    self.dates[number] = found
            return found
        return number


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
                    strings = _SharedStrings(self._shared)
                    for _done in _expat(xml, strings):
                        pass
        return self._shared

    def rows(self, name: str) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """(row number, values) of every row of the sheet that has a cell."""
        with self.archive.open(self.sheets[name]) as xml:
            sheet = _SheetRows(self)
            for rows in _expat(xml, sheet):
                yield from rows
                rows.clear()

    def member(self, name: str) -> str:
        return self.sheets[name]

    def close(self) -> None:
        self.archive.close()
