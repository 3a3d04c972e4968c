"""The population import: figures per region, year, sex and age group (the shape BPS
publishes) into `reports.models.Population`, through the same reader, sheet columns and
problems as the case import.

Age groups are added up into what the rate tables use: all ages, children (0-17) and adults
(18+). A group written as "0-4", "15-17", "12" or "75+" falls in one of them; one that spans
18 (BPS's "15-19") cannot be split and is refused with a message saying so. Sex "Jumlah",
"Total", "Semua" or empty is the total of both sexes. The same region, year, sex and age group
twice in a file is refused (it would be counted twice).
"""

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from imports import cells
from imports.cells import CellError
from imports.reader import Source
from imports.sheets import Column, HeaderError, Problems, SheetSpec, read_rows
from ppa.models import Region
from reports.models import Population

SHEET = "penduduk"
ALL_WORDS = {"", "jumlah", "total", "semua", "all", "semua umur", "semua jenis kelamin"}
SEX = {"l": "L", "laki-laki": "L", "male": "L", "p": "P", "perempuan": "P", "female": "P"}
AGE = re.compile(r"^(\d{1,3})\s*(?:(-|–)\s*(\d{1,3})|(\+|\s*tahun ke atas))?$")
ADULT = 18


def sex(value: Any) -> str:
    found = cells.key(cells.as_text(value))
    if found in ALL_WORDS:
        return Population.Sex.ALL
    if found in SEX:
        return SEX[found]
    raise CellError(_("Isi jenis kelamin dengan L, P, atau Jumlah."))


def age_band(value: Any) -> str:
    found = cells.key(cells.as_text(value))
    if found in ALL_WORDS:
        return Population.AgeBand.ALL
    if found in ("anak", "0-17"):
        return Population.AgeBand.CHILD
    if found in ("dewasa", "18+"):
        return Population.AgeBand.ADULT
    match = AGE.match(found)
    if match is None:
        raise CellError(
            _(
                "Kelompok umur tidak dikenal. Tulis misalnya 0-4, 5-9, 75+, anak, dewasa, atau "
                "Jumlah."
            )
        )
    low = int(match.group(1))
    high = int(match.group(3)) if match.group(3) else (200 if match.group(4) else low)
    if high < ADULT:
        return Population.AgeBand.CHILD
    if low >= ADULT:
        return Population.AgeBand.ADULT
    raise CellError(
        _(
            "Kelompok umur %(group)s melewati usia 18 tahun, sehingga tidak dapat dibagi menjadi "
            "anak (0-17) dan dewasa (18+). Pakai umur tunggal atau kelompok 15-17 dan 18-19."
        )
        % {"group": found}
    )


@dataclass
class RegionKnown:
    known: dict[str, bool] = field(default_factory=dict)

    def __call__(self, value: Any) -> str:
        code = cells.as_text(value)
        if code not in self.known:
            self.known[code] = Region.objects.filter(code=code).exists()
        if not self.known[code]:
            raise CellError(
                _(
                    "Wilayah dengan kode %(code)s belum dimuat di Sinergi. Muat dengan perintah "
                    '"manage.py load_regions %(province)s" atau di halaman admin Wilayah, lalu '
                    "unggah berkas ini lagi."
                )
                % {"code": code[:13], "province": code.split(".")[0][:2]}
            )
        return code


def population_sheet() -> SheetSpec:
    return SheetSpec(
        SHEET,
        (
            Column("Kode Wilayah", "region", RegionKnown(), required=True),
            Column("Tahun", "year", cells.whole_number(1990, 2100), required=True),
            Column("Jenis Kelamin", "sex", sex),
            Column("Kelompok Umur", "group", cells.text(40)),
            Column("Jumlah", "count", cells.whole_number(0, 2_000_000_000), required=True),
        ),
    )


@dataclass
class PopulationFile:
    """One pass over a population file: the figures added up per (region, year, sex, band)."""

    source: Source
    problems: Problems = field(default_factory=Problems)
    figures: dict[tuple[str, int, str, str], int] = field(default_factory=dict)
    rows: int = 0

    def run(self) -> None:
        spec = population_sheet()
        names = self.source.sheet_names
        if len(names) > 1:
            for extra in names[1:]:
                self.problems.add(
                    extra, "", "", _("Berkas jumlah penduduk hanya boleh berisi satu lembar.")
                )
            return
        spec = SheetSpec(names[0], spec.columns)
        seen: dict[tuple[str, int, str, str], int] = {}
        try:
            for number, row, fine in read_rows(self.source, spec, self.problems):
                self.rows += 1
                if fine:
                    self._row(spec.name, number, row, seen)
        except HeaderError:
            return

    def _row(
        self,
        sheet: str,
        number: int,
        row: dict[str, Any],
        seen: dict[tuple[str, int, str, str], int],
    ) -> None:
        written = (row["region"], row["year"], row["sex"] or "", cells.key(row["group"] or ""))
        if written in seen:
            self.problems.add(
                sheet,
                number,
                "Kelompok Umur",
                _("Baris ini mengulang baris %(row)s (wilayah, tahun, jenis kelamin, umur sama).")
                % {"row": seen[written]},
            )
            return
        seen[written] = number
        try:
            band = age_band(row["group"] or "")
        except CellError as exc:
            self.problems.add(sheet, number, "Kelompok Umur", str(exc))
            return
        key = (row["region"], row["year"], row["sex"] or "", band)
        self.figures[key] = self.figures.get(key, 0) + row["count"]
