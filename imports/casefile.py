"""The case import: every rule the intake enforces, checked row by row on a streamed file,
and the write of a checked file in batches.

One pass over the four sheets (kasus, korban, pelaku, layanan) reads each row through the
sheet's columns (`imports.casespec`), checks it against what the earlier sheets held (kept as
small facts per case, never the rows themselves) and, when writing, hands it to a `Writer`
that copies cases, people, links and services 2,000 at a time with their history rows.
The checks at the end need a case's victims: at least one victim, and the case type fitting
them (`cases.rules.case_type_problem`, the intake's own rule).
"""

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from cases import services as case_services
from cases.models import PersonRole
from cases.reference import SEXUAL_VIOLENCE
from cases.rules import VictimFacts, case_type_problem
from imports import casespec
from imports.casespec import CASES, PERPETRATORS, REFERENCE, SERVICES, SHEETS, VICTIMS
from imports.reader import Source
from imports.sheets import HeaderError, Problems, SheetSpec, read_rows
from imports.spool import Line, SpoolWriter
from ppa.models import Agency

Progress = Callable[[int], None]


@dataclass
class CaseFacts:
    """What later sheets and the closing checks need of one case row."""

    row: int
    reported_on: dt.date
    incident_date: dt.date | None
    case_type: str
    skip: bool  # imported before: its rows are passed over
    closed: bool = False
    victims: dict[int, VictimFacts] = field(default_factory=dict)
    perpetrators: set[int] = field(default_factory=set)
    links: set[tuple[int, int]] = field(default_factory=set)
    sexual: bool = False
    bad_rows: bool = False  # a row of this case could not be read: skip the closing checks
    # Written rows (write only): the case, its victims and perpetrators by their numbers.
    case_id: int | None = None
    victim_ids: dict[int, int] = field(default_factory=dict)
    perpetrator_ids: dict[int, int] = field(default_factory=dict)

    @property
    def reference_date(self) -> dt.date:
        return self.incident_date or self.reported_on


@dataclass
class Counts:
    cases: int = 0
    victims: int = 0
    perpetrators: int = 0
    links: int = 0
    services: int = 0
    skipped_cases: int = 0
    skipped_rows: int = 0
    years: dict[str, int] = field(default_factory=dict)


class CaseFile:
    """One pass over a case file. `writer` None: check only."""

    def __init__(
        self,
        *,
        source: Source | None,
        agency: Agency,
        imported: set[str],
        writer: Any = None,
        progress: Progress | None = None,
        spool: SpoolWriter | None = None,
        replay: Iterable[Line] | None = None,
    ) -> None:
        """Check a `source` (keeping its rows in `spool`), or replay the rows a check kept
        (`replay`, with a `writer`)."""
        self.source = source
        self.spool = spool
        self.replay = replay
        self.agency = agency
        self.imported = imported  # register numbers of the agency imported before
        self.writer = writer
        self.progress = progress
        self.problems = Problems()
        self.counts = Counts()
        self.cases: dict[str, CaseFacts] = {}
        self.rows_seen = 0
        self.people: list[tuple[str, int, str, dt.date | None, str]] = []  # duplicate look-up
        self.rollup: dict[str, str] = {}

    # --- the pass -----------------------------------------------------------------------

    def run(self) -> None:
        lists = casespec.reference_lists()
        specs = casespec.case_sheets(self.agency, lists)
        self.rollup = case_services.subtype_forms(code for code, _l, _e in lists["subtype"].entries)
        handlers = {
            CASES: self._case,
            VICTIMS: self._victim,
            PERPETRATORS: self._perpetrator,
            SERVICES: self._service,
        }
        if self.replay is not None:
            self._replay(handlers)
        elif self.source is not None and self._sheets_fit(self.source, specs):
            for name in SHEETS:
                if name in self.source.sheet_names:
                    self._sheet(self.source, specs[name], handlers[name])
        else:
            return
        self._closing_checks()

    def _replay(self, handlers: Mapping[str, Callable[[int, dict[str, Any], bool], None]]) -> None:
        """The rows a check kept, in sheet order; the writer's batches end with each sheet."""
        current = ""
        for sheet, number, fine, row in self.replay or ():
            if sheet != current and self.writer is not None:
                self.writer.flush()
                current = sheet
            handlers[sheet](number, row, fine)
        if self.writer is not None:
            self.writer.flush()

    def _sheets_fit(self, source: Source, specs: dict[str, SheetSpec]) -> bool:
        names = source.sheet_names
        for name in names:
            if name not in specs and name != REFERENCE:
                self.problems.add(
                    name,
                    "",
                    "",
                    _(
                        "Lembar ini tidak dikenal. Berkas impor kasus hanya boleh berisi lembar "
                        "kasus, korban, pelaku, layanan (dan referensi): hapus lembar ini atau "
                        "pindahkan datanya."
                    ),
                )
        for name, spec in specs.items():
            if spec.required and name not in names:
                self.problems.add(
                    name,
                    "",
                    "",
                    _(
                        "Berkas CSV lembar ini tidak diunggah (%(file)s.csv wajib). Unggah "
                        "berkas-berkas CSV kasus ini bersama-sama dalam satu kiriman."
                    )
                    % {"file": name}
                    if source.kind == "csvs"
                    else _("Lembar ini tidak ada. Pakai templat dari halaman impor."),
                )
            if name in names and (merged := source.merged_ranges(name)):
                self.problems.add(
                    name,
                    merged[0],
                    "",
                    _(
                        "Lembar ini berisi sel yang digabung (merge). Batalkan penggabungan "
                        "(Merge & Center > Unmerge) dan isi setiap baris sendiri."
                    ),
                )
        return not self.problems.count

    def _sheet(
        self,
        source: Source,
        spec: SheetSpec,
        handle: Callable[[int, dict[str, Any], bool], None],
    ) -> None:
        try:
            for number, row, fine in read_rows(source, spec, self.problems):
                handle(number, row, fine)
                if self.spool is not None:
                    self.spool.write(spec.name, number, fine, row)
                self.rows_seen += 1
                if self.progress is not None and self.rows_seen % 1000 == 0:
                    self.progress(self.rows_seen)
        except HeaderError:
            return

    def problem(self, sheet: str, row: int, column: str, message: str) -> None:
        self.problems.add(sheet, row, column, message)

    # --- kasus --------------------------------------------------------------------------

    def _case(self, number: int, row: dict[str, Any], fine: bool) -> None:
        register = row.get("register")
        if not register:
            return
        if register in self.cases:
            self.problem(
                CASES,
                number,
                casespec.REGISTER,
                _("No. Register ini sudah dipakai di baris %(row)s.")
                % {"row": self.cases[register].row},
            )
            return
        if not fine:
            self.cases[register] = CaseFacts(
                number, dt.date.min, None, "", skip=True, bad_rows=True
            )
            return
        skip = register in self.imported
        facts = CaseFacts(
            number, row["reported_on"], row["incident_date"], row["case_type"], skip=skip
        )
        self.cases[register] = facts
        if skip:
            self.counts.skipped_cases += 1
            return
        if not self._case_dates_fit(number, row):
            facts.bad_rows = facts.skip = True
            return
        district, village = row["incident_district_id"], row["incident_village_id"]
        if village and district and not village.startswith(district + "."):
            self.problem(
                CASES, number, "Kelurahan/Desa", _("Kelurahan ini tidak berada di kecamatan ini.")
            )
            facts.bad_rows = facts.skip = True
            return
        facts.closed = row["closed_on"] is not None
        self.counts.cases += 1
        year = str(facts.reported_on.year)
        self.counts.years[year] = self.counts.years.get(year, 0) + 1
        if self.writer is not None:
            self.writer.case(register, row, facts)

    def _case_dates_fit(self, number: int, row: dict[str, Any]) -> bool:
        reported, incident, closed = row["reported_on"], row["incident_date"], row["closed_on"]
        if reported < dt.date(1990, 1, 1):
            self.problem(
                CASES,
                number,
                "Tanggal Pelaporan",
                _("Tanggal pelaporan terlalu lama. Periksa tahunnya."),
            )
            return False
        if incident and incident > reported:
            self.problem(
                CASES,
                number,
                "Tanggal Kejadian",
                _("Tanggal kejadian tidak boleh setelah tanggal pelaporan."),
            )
            return False
        if closed and closed < reported:
            self.problem(
                CASES,
                number,
                "Tanggal Terminasi",
                _("Tanggal terminasi tidak boleh sebelum tanggal pelaporan."),
            )
            return False
        return True

    def _case_of(self, sheet: str, number: int, row: dict[str, Any]) -> CaseFacts | None:
        """The case a row of a later sheet belongs to; None when the row is to be passed
        over (the case was imported before, or its own row had a problem)."""
        register = row.get("register")
        facts = self.cases.get(register) if register else None
        if facts is None:
            if register:
                self.problem(
                    sheet,
                    number,
                    casespec.REGISTER,
                    _("No. Register ini tidak ada di lembar kasus."),
                )
            return None
        if facts.skip:
            if not facts.bad_rows:
                self.counts.skipped_rows += 1
            return None
        return facts

    # --- korban, pelaku, layanan ----------------------------------------------------------

    def _person_fits(self, sheet: str, number: int, row: dict[str, Any], case: CaseFacts) -> bool:
        birth = row.get("birth_date")
        if birth and birth > case.reference_date:
            self.problem(
                sheet,
                number,
                "Tanggal Lahir",
                _("Tanggal lahir tidak boleh setelah tanggal kejadian."),
            )
            return False
        return True

    def _victim(self, number: int, row: dict[str, Any], fine: bool) -> None:
        case = self._case_of(VICTIMS, number, row)
        if case is None:
            return
        if not fine or not self._person_fits(VICTIMS, number, row, case):
            case.bad_rows = True
            return
        no = row["victim_no"]
        if no in case.victims:
            self.problem(
                VICTIMS, number, "No. Korban", _("No. Korban ini sudah ada dalam kasus yang sama.")
            )
            case.bad_rows = True
            return
        facts = case_services.facts_at(
            row["sex"] or "",
            row["birth_date"],
            row["stated_age"],
            case.reported_on,
            case.incident_date,
        )
        if row["ampk_category_ids"] and not (facts.age is not None and facts.age < 18):
            self.problem(
                VICTIMS,
                number,
                "Kategori AMPK",
                _(
                    "Kategori AMPK hanya untuk korban anak (di bawah 18 tahun pada tanggal "
                    "kejadian)."
                ),
            )
            case.bad_rows = True
            return
        case.victims[no] = facts
        forms = case_services.victim_forms(self._person_data(row, PersonRole.VICTIM), self.rollup)
        case.sexual = case.sexual or SEXUAL_VIOLENCE in forms
        self.counts.victims += 1
        self._remember(VICTIMS, number, row)
        if self.writer is not None:
            self.writer.victim(row, case, forms)

    def _perpetrator(self, number: int, row: dict[str, Any], fine: bool) -> None:
        case = self._case_of(PERPETRATORS, number, row)
        if case is None:
            return
        if not fine or not self._person_fits(PERPETRATORS, number, row, case):
            case.bad_rows = True
            return
        pair = (row["perpetrator_no"], row["victim_no"])
        if row["victim_no"] not in case.victims:
            self.problem(
                PERPETRATORS,
                number,
                "No. Korban",
                _("Korban dengan nomor ini tidak ada di lembar korban untuk kasus ini."),
            )
            case.bad_rows = True
            return
        if pair in case.links:
            self.problem(
                PERPETRATORS,
                number,
                "No. Pelaku",
                _("Pasangan pelaku dan korban ini sudah ada di baris lain."),
            )
            return
        case.links.add(pair)
        self.counts.links += 1
        first = pair[0] not in case.perpetrators
        if first:
            case.perpetrators.add(pair[0])
            self.counts.perpetrators += 1
            self._remember(PERPETRATORS, number, row)
        if self.writer is not None:
            self.writer.perpetrator(row, case, first)

    def _service(self, number: int, row: dict[str, Any], fine: bool) -> None:
        case = self._case_of(SERVICES, number, row)
        if case is None:
            return
        if not fine:
            case.bad_rows = True
            return
        if row["victim_no"] not in case.victims:
            self.problem(
                SERVICES,
                number,
                "No. Korban",
                _("Korban dengan nomor ini tidak ada di lembar korban untuk kasus ini."),
            )
            case.bad_rows = True
            return
        self.counts.services += 1
        if self.writer is not None:
            self.writer.service(row, case)

    # --- people ---------------------------------------------------------------------------

    @staticmethod
    def _person_data(row: dict[str, Any], role: str) -> case_services.PersonData:
        return case_services.PersonData(
            role=role,
            name=row.get("name") or "",
            violence_form_ids=row.get("violence_form_ids") or [],
            violence_subtype_ids=row.get("violence_subtype_ids") or [],
        )

    def _remember(self, sheet: str, number: int, row: dict[str, Any]) -> None:
        """Keep what the duplicate look-up needs (check only; NIK hashed at once)."""
        if self.writer is None:
            nik = row.get("nik") or ""
            hashed = case_services.nik_hash(nik) if nik else ""
            self.people.append((sheet, number, row.get("name") or "", row["birth_date"], hashed))

    def _closing_checks(self) -> None:
        for register, case in self.cases.items():
            if case.skip or case.bad_rows:
                continue
            if not case.victims:
                self.problem(
                    CASES,
                    case.row,
                    casespec.REGISTER,
                    _("Kasus %(register)s tidak memiliki korban di lembar korban.")
                    % {"register": register},
                )
                continue
            problem = case_type_problem(
                case_type=case.case_type, victims=list(case.victims.values())
            )
            if problem:
                self.problem(CASES, case.row, "Jenis Kasus", problem)
