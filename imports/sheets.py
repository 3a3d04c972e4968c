"""Sheets of an import as declared columns, and the reading of their rows into values.

A `SheetSpec` names its columns (Indonesian headers, in register order) and how each cell is
read (`imports.cells`). `read_rows` checks the header row once, then yields each data row as
{column name: value}; a row with a cell that cannot be read is reported (sheet, row, column,
message) and yielded as unreadable. Problems are kept up to `PROBLEM_LIMIT` (the count goes
on), so a file where every row is wrong does not fill the memory or the page.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from imports.cells import CellError, Parser, as_text, is_blank, key
from imports.reader import Source

PROBLEM_LIMIT = 500


@dataclass(frozen=True)
class Column:
    header: str  # as written in the template (Indonesian, SIMFONI wording)
    name: str  # the value's key
    parse: Parser
    required: bool = False


@dataclass(frozen=True)
class SheetSpec:
    name: str
    columns: tuple[Column, ...]
    required: bool = True


@dataclass
class Problems:
    items: list[list[Any]] = field(default_factory=list)
    count: int = 0

    def add(self, sheet: str, row: int | str, column: str, message: str) -> None:
        self.count += 1
        if len(self.items) < PROBLEM_LIMIT:
            self.items.append([sheet, row, column, message])


class HeaderError(Exception):
    """The header row is wrong: nothing of the sheet can be read."""


def _positions(spec: SheetSpec, header: tuple[Any, ...], problems: Problems) -> dict[str, int]:
    """Column name -> index in the row; problems for unknown and missing headers."""
    by_key = {key(c.header): c for c in spec.columns}
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        if is_blank(cell):
            continue
        column = by_key.get(key(as_text(cell)))
        if column is None:
            problems.add(
                spec.name,
                1,
                as_text(cell)[:60],
                _(
                    "Judul kolom tidak dikenal. Pakai judul kolom persis seperti di templat "
                    "(lembar %(sheet)s), atau hapus kolom ini."
                )
                % {"sheet": spec.name},
            )
        elif column.name in positions:
            problems.add(spec.name, 1, column.header, _("Judul kolom ini muncul dua kali."))
        else:
            positions[column.name] = index
    for column in spec.columns:
        if column.required and column.name not in positions:
            problems.add(
                spec.name,
                1,
                column.header,
                _("Kolom wajib ini tidak ada. Salin baris judul dari templat."),
            )
    return positions


def read_rows(
    source: Source, spec: SheetSpec, problems: Problems
) -> Iterator[tuple[int, dict[str, Any], bool]]:
    """(row number, values, readable) of each data row of the sheet: a row with a cell that
    cannot be read comes with its problems reported and `readable` false (its other values
    still tell which case it belongs to)."""
    rows = source.rows(spec.name)
    first = next(rows, None)
    if first is None:
        if spec.required:
            problems.add(spec.name, 1, "", _("Lembar ini kosong: baris judul tidak ada."))
        return
    before = problems.count
    positions = _positions(spec, first[1], problems)
    if problems.count > before:
        raise HeaderError
    plan = [(c, positions.get(c.name)) for c in spec.columns]
    formula = _(
        "Sel berisi rumus Excel, bukan nilai. Salin kolomnya lalu tempel "
        "sebagai nilai (Tempel Spesial > Nilai)."
    )
    for number, values in rows:
        row: dict[str, Any] = {}
        fine = True
        width = len(values)
        for column, index in plan:
            raw = values[index] if index is not None and index < width else None
            if isinstance(raw, str) and (raw.startswith("=") or not raw.strip()):
                if raw.startswith("="):
                    problems.add(spec.name, number, column.header, formula)
                    fine = False
                    continue
                raw = None
            if raw is None:
                if column.required:
                    problems.add(spec.name, number, column.header, _("Wajib diisi."))
                    fine = False
                row[column.name] = None
                continue
            try:
                row[column.name] = column.parse(raw)
            except CellError as exc:
                problems.add(spec.name, number, column.header, str(exc))
                fine = False
        yield number, row, fine
