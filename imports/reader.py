"""Reading an uploaded file as sheets of rows, in streaming mode, whatever the import.

One reader serves the case import (XLSX) and the population import (CSV or XLSX): it decides
what the file is from its first bytes (never from its name), refuses what it cannot read
safely with a message telling the officer how to fix the file, and yields rows one at a time
(`imports.xlsx`, a streaming sheet parser in the manner of openpyxl's read-only mode; the csv
module), so memory does not grow with the file.

Refused before anything is parsed: a file over `IMPORTS_MAX_BYTES`; anything that is neither
an XLSX (a zip with `xl/workbook.xml`) nor text (an old .xls, a PDF, an image); an XLSX whose
members declare more than `IMPORTS_MAX_UNCOMPRESSED` bytes in total or expand more than
`IMPORTS_MAX_RATIO` times (a zip bomb; a member that lies about its size fails its length and
CRC check when read). Accepted with a note: a CSV in Windows-1252 and a CSV separated by `;`
(both unambiguous). docs/imports.md lists every case.
"""

import codecs
import csv
import io
import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from django.conf import settings
from django.utils.translation import gettext as _

from imports.xlsx import Workbook, XlsxError

CHUNK = 1024 * 1024
MERGE = re.compile(rb'<mergeCell\s+ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')


class FileRefused(Exception):
    """The file cannot be read; the message (in the user's language) says how to fix it."""


@dataclass
class Source:
    """An opened file: its sheets by name, in file order, and notes on how it was read."""

    kind: str  # "xlsx", "csv" (one CSV) or "csvs" (CSV files, one per sheet, in a zip)
    path: Path
    sheet_names: list[str]
    notes: list[str] = field(default_factory=list)
    csv_files: dict[str, "CsvFile"] = field(default_factory=dict)
    _book: Any = None
    _tmpdir: Path | None = None

    def rows(self, sheet: str) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """(row number as the officer sees it, cell values) for every non-empty row."""
        if self.kind != "xlsx":
            yield from self.csv_files[sheet].rows()
            return
        try:
            for number, values in self._book.rows(sheet):
                if any(v is not None and v != "" for v in values):
                    yield number, values
        except (
            KeyError,
            ValueError,
            OverflowError,
            XlsxError,
            ParseError,
            zipfile.BadZipFile,
            zlib.error,
        ) as exc:
            raise _unreadable_xlsx() from exc

    def merged_ranges(self, sheet: str) -> list[str]:
        """Merged cell ranges of an XLSX sheet (read-only mode does not report them): the
        sheet's XML scanned in chunks for `<mergeCell ref=...>`."""
        if self.kind != "xlsx":
            return []
        member = self._book.member(sheet)
        found: list[str] = []
        tail = b""
        with zipfile.ZipFile(self.path) as archive, archive.open(member.lstrip("/")) as xml:
            while chunk := xml.read(CHUNK):
                data = tail + chunk
                found += [m.decode() for m in MERGE.findall(data)]
                tail = data[-200:]
                if found:
                    break
        return sorted(set(found))

    def close(self) -> None:
        if self._book is not None:
            self._book.close()
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)


@dataclass
class CsvFile:
    """One CSV file of a source: where it is and how it is read (encoding, separator)."""

    path: Path
    encoding: str = "utf-8-sig"
    delimiter: str = ","

    def rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        with open(self.path, "rb") as raw:
            text = io.TextIOWrapper(raw, encoding=self.encoding, newline="")
            reader = csv.reader(text, delimiter=self.delimiter, strict=True)
            try:
                for values in reader:
                    if any(v.strip() for v in values):
                        yield reader.line_num, tuple(values)
            except csv.Error as exc:
                raise FileRefused(
                    _(
                        "Baris %(line)s berkas CSV tidak dapat dibaca (%(error)s). Buka berkas "
                        "di Excel atau LibreOffice lalu simpan lagi sebagai CSV UTF-8."
                    )
                    % {"line": reader.line_num, "error": exc}
                ) from exc


def _unreadable_xlsx() -> FileRefused:
    return FileRefused(
        _("Berkas XLSX ini tidak dapat dibuka. Simpan lagi dari Excel lalu unggah ulang.")
    )


def _refuse_not_tabular() -> FileRefused:
    return FileRefused(
        _(
            "Berkas ini bukan XLSX atau CSV. Unduh templat, isi datanya di Excel atau "
            "LibreOffice, lalu simpan sebagai .xlsx atau .csv."
        )
    )


def _check_zip(path: Path) -> list[str]:
    """The zip's member names, once its declared sizes are safe to expand."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise FileRefused(
            _("Berkas XLSX ini rusak atau tidak lengkap. Simpan lagi dari Excel lalu unggah ulang.")
        ) from exc
    with archive:
        members = archive.infolist()
        total = sum(m.file_size for m in members)
        ratio = max(
            (m.file_size / max(m.compress_size, 1) for m in members if m.file_size > CHUNK),
            default=0,
        )
    if total > settings.IMPORTS_MAX_UNCOMPRESSED or ratio > settings.IMPORTS_MAX_RATIO:
        raise FileRefused(
            _(
                "Isi berkas XLSX ini mengembang menjadi %(size)s MB saat dibuka (rasio "
                "%(ratio)s kali), jauh di atas batas %(limit)s MB: berkas seperti ini bisa "
                "melumpuhkan server. Salin datanya ke templat kosong lalu unggah templat itu."
            )
            % {
                "size": total // (1024 * 1024),
                "ratio": int(ratio),
                "limit": settings.IMPORTS_MAX_UNCOMPRESSED // (1024 * 1024),
            }
        )
    return [m.filename for m in members]


def _is_csv_bundle(names: list[str]) -> bool:
    """A zip of CSV files, one per sheet (`kasus.csv`, `korban.csv`, ...), at its top level."""
    return bool(names) and all(
        n.lower().endswith(".csv") and "/" not in n and n[:-4] for n in names
    )


def _encoding(path: Path) -> tuple[str, list[str]]:
    """UTF-8 (with or without BOM) when the whole file decodes so; else Windows-1252 with a
    note; a file that is neither (or holds NUL bytes) is refused."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as raw:
            while chunk := raw.read(CHUNK):
                if b"\x00" in chunk:
                    raise _refuse_not_tabular()
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        return "utf-8-sig", []
    except UnicodeDecodeError:
        pass
    try:
        with open(path, "rb") as raw:
            cp = codecs.getincrementaldecoder("cp1252")()
            while chunk := raw.read(CHUNK):
                cp.decode(chunk)
    except UnicodeDecodeError as exc:
        raise FileRefused(
            _(
                "Huruf dalam berkas CSV ini tidak dapat dibaca (bukan UTF-8 atau Windows-1252). "
                'Simpan lagi dengan pilihan "CSV UTF-8".'
            )
        ) from exc
    return "cp1252", [
        _(
            "Berkas CSV ini tersimpan dalam pengodean Windows-1252, bukan UTF-8; dibaca sebagai "
            "Windows-1252. Periksa huruf beraksen (misalnya é) di pratinjau."
        )
    ]


def _delimiter(path: Path, encoding: str) -> tuple[str, list[str]]:
    """`,` as written by the template; `;` (Excel in Indonesian or European settings) when the
    header line has semicolons and no commas outside quotes, with a note."""
    with open(path, encoding=encoding, newline="") as text:
        header = text.readline()
    unquoted = re.sub(r'"[^"]*"', "", header)
    if ";" in unquoted and "," not in unquoted:
        return ";", [
            _("Berkas CSV ini memakai titik koma (;) sebagai pemisah kolom; dibaca begitu.")
        ]
    return ",", []


def open_source(path: Path, *, size: int, csv_sheet: str) -> Source:
    """Open an uploaded file for reading (`csv_sheet`: the sheet name a CSV stands for)."""
    if size > settings.IMPORTS_MAX_BYTES:
        raise FileRefused(
            _(
                "Berkas terlalu besar (%(size)s MB; paling besar %(limit)s MB). Bagi datanya "
                "menjadi beberapa berkas, misalnya satu berkas per tahun."
            )
            % {"size": size // (1024 * 1024), "limit": settings.IMPORTS_MAX_BYTES // (1024 * 1024)}
        )
    with open(path, "rb") as raw:
        head = raw.read(8)
    if head.startswith(b"PK\x03\x04"):
        names = _check_zip(path)
        if _is_csv_bundle(names):
            return _open_bundle(path, names)
        if "xl/workbook.xml" not in names:
            raise _refuse_not_tabular()
        try:
            book = Workbook(path)
        except (KeyError, ValueError, XlsxError, zipfile.BadZipFile, ParseError, zlib.error) as exc:
            raise _unreadable_xlsx() from exc
        return Source("xlsx", path, book.sheet_names, _book=book)
    _refuse_binary(head, size)
    found, notes = _csv_file(path)
    return Source("csv", path, [csv_sheet], notes, {csv_sheet: found})


def _refuse_binary(head: bytes, size: int) -> None:
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(
            _(
                'Ini berkas Excel lama (.xls). Buka di Excel lalu simpan sebagai "Excel '
                'Workbook (.xlsx)", kemudian unggah berkas .xlsx itu.'
            )
        )
    if head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8", b"GIF8", b"PK")) or not size:
        raise _refuse_not_tabular()


def _csv_file(path: Path) -> tuple[CsvFile, list[str]]:
    encoding, notes = _encoding(path)
    delimiter, more = _delimiter(path, encoding)
    return CsvFile(path, encoding, delimiter), notes + more


def _open_bundle(path: Path, names: list[str]) -> Source:
    """CSV files of one import, one per sheet, kept in a zip (the case import's CSV form packs
    the files the officer chose): each member is read as a CSV file of its own, and a refusal
    or a note names the file."""
    tmpdir = Path(tempfile.mkdtemp(prefix="import-csv-"))
    source = Source("csvs", path, [], _tmpdir=tmpdir)
    try:
        with zipfile.ZipFile(path) as archive:
            for index, name in enumerate(names):
                target = tmpdir / f"{index}.csv"
                with archive.open(name) as member, open(target, "wb") as out:
                    shutil.copyfileobj(member, out, CHUNK)
                sheet = name[:-4]
                try:
                    with open(target, "rb") as raw:
                        _refuse_binary(raw.read(8), target.stat().st_size)
                    found, notes = _csv_file(target)
                except FileRefused as exc:
                    raise FileRefused(f"{name}: {exc}") from exc
                source.sheet_names.append(sheet)
                source.csv_files[sheet] = found
                source.notes += [f"{name}: {note}" for note in notes]
    except (zipfile.BadZipFile, zlib.error, OSError) as exc:
        source.close()
        raise _unreadable_xlsx() from exc
    except FileRefused:
        source.close()
        raise
    return source
