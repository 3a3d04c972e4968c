"""Turning one cell of an uploaded sheet into a value, or a message saying how to fix it.

Every parser takes the raw cell value (what openpyxl or the csv module gives: str, int,
float, datetime, None) and returns the value or raises `CellError` with a message in the
user's language. Rules (docs/imports.md): dates are date cells or text DD/MM/YYYY or
YYYY-MM-DD (an Excel serial number such as 44927 is refused: it may be a number typed in the
wrong column); a NIK is text of 16 digits (spaces are dropped, as at intake; a number cell is
refused because Excel keeps only 15 digits, 1.6E+15); codes and labels of the reference lists
are both accepted, in either language, in any letter case.
"""

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.utils.translation import gettext as _

from cases import services as case_services


class CellError(Exception):
    """The cell cannot be read; the message says how to fix it."""


Parser = Callable[[Any], Any]
TEXT_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
EARLIEST = dt.date(1900, 1, 1)


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value: Any) -> str:
    """A cell as text: whole numbers without ".0" (a register number typed as 12)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip()


def text(max_length: int) -> Parser:
    def parse(value: Any) -> str:
        found = as_text(value)
        if len(found) > max_length:
            raise CellError(
                _("Teks terlalu panjang (%(n)s karakter; paling banyak %(limit)s karakter).")
                % {"n": len(found), "limit": max_length}
            )
        return found

    return parse


def _made(year: int, month: int, day: int, raw: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise CellError(
            _("Tanggal %(value)s tidak ada di kalender. Periksa hari dan bulannya.")
            % {"value": raw}
        ) from exc


def date_until(today: dt.date) -> Parser:
    """`date` with today's date given (a file's dates are read against the date its reading
    began: asking for the local date per cell was a tenth of the check's time)."""

    def parse(value: Any) -> dt.date:
        return _date(value, today)

    return parse


def _date(value: Any, today: dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        found = value.date()
    elif isinstance(value, dt.date):
        found = value
    elif isinstance(value, int | float):
        raise CellError(
            _(
                "Sel berisi angka %(value)s, bukan tanggal (Excel menyimpan tanggal sebagai "
                "angka seri bila format selnya Umum). Format kolom ini sebagai Tanggal, atau "
                "tulis tanggalnya sebagai HH/BB/TTTT."
            )
            % {"value": as_text(value)}
        )
    else:
        raw = as_text(value)
        if match := TEXT_DATE.match(raw):
            day, month, year = (int(g) for g in match.groups())
            found = _made(year, month, day, raw)
        elif match := ISO_DATE.match(raw):
            year, month, day = (int(g) for g in match.groups())
            found = _made(year, month, day, raw)
        else:
            raise CellError(
                _(
                    '"%(value)s" bukan tanggal. Tulis tanggal sebagai HH/BB/TTTT, misalnya '
                    "28/02/2022."
                )
                % {"value": raw[:40]}
            )
    if found < EARLIEST:
        raise CellError(_("Tanggal tidak masuk akal. Periksa tahunnya."))
    if found > today:
        raise CellError(_("Tanggal tidak boleh di masa depan."))
    return found


def nik(value: Any) -> str:
    if isinstance(value, int | float):
        raise CellError(
            _(
                "NIK tertulis sebagai angka (%(value)s): Excel hanya menyimpan 15 digit, jadi "
                "digit terakhirnya sudah hilang. Format kolom NIK sebagai Teks lalu ketik ulang "
                "NIK-nya dari dokumen."
            )
            % {"value": f"{float(value):.2E}"}
        )
    found = "".join(as_text(value).split())
    errors = case_services.nik_errors(found)
    if errors:
        raise CellError(" ".join(errors))
    return found


def whole_number(low: int, high: int) -> Parser:
    def parse(value: Any) -> int:
        try:
            found = float(as_text(value).replace(",", "."))
        except ValueError as exc:
            raise CellError(_("Isi dengan angka.")) from exc
        if not found.is_integer() or not low <= found <= high:
            raise CellError(
                _("Isi dengan bilangan bulat dari %(low)s sampai %(high)s.")
                % {"low": low, "high": high}
            )
        return int(found)

    return parse


YES = {"ya", "y", "yes", "1", "true", "benar"}
NO = {"tidak", "t", "no", "n", "0", "false", "salah"}


def yes_no(value: Any) -> bool:
    found = as_text(value).casefold()
    if found in YES:
        return True
    if found in NO:
        return False
    raise CellError(_('Isi dengan "ya" atau "tidak".'))


def key(text_value: str) -> str:
    """How a code or label is compared: letter case and inner spaces ignored."""
    return " ".join(text_value.casefold().split())


def lookup(entries: Iterable[tuple[str, Iterable[str]]]) -> dict[str, str]:
    """{compared form of a code or label: code} for (code, labels) pairs."""
    found: dict[str, str] = {}
    for code, labels in entries:
        found[key(code)] = code
        for label in labels:
            found.setdefault(key(str(label)), code)
    return found


SEEN_LIMIT = 1000


def choice(table: dict[str, str], list_name: str) -> Parser:
    seen: dict[str, str] = {}  # text cells read before (a file repeats a list's few values)

    def parse(value: Any) -> str:
        if type(value) is str and value in seen:
            return seen[value]
        found = table.get(key(as_text(value)))
        if found is None:
            raise CellError(
                _(
                    '"%(value)s" tidak ada dalam daftar %(list)s. Pakai kode atau label dari '
                    "lembar referensi."
                )
                % {"value": as_text(value)[:60], "list": list_name}
            )
        if type(value) is str and len(seen) < SEEN_LIMIT:
            seen[value] = found
        return found

    return parse


def choices(table: dict[str, str], list_name: str) -> Parser:
    """Several codes or labels separated by `;` (labels may hold commas)."""
    one = choice(table, list_name)

    def parse(value: Any) -> list[str]:
        parts = [p for p in as_text(value).split(";") if p.strip()]
        return sorted({one(p) for p in parts})

    return parse
