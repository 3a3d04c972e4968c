"""The tables of the statistics, one small builder each, registered in `TABLES`.

`reports.selectors` runs the GROUP BY queries (the `MEASURES`) once per report and hands their
rows to the builders as `Figures`; each builder turns them into one `Table` (or None when the
table does not apply to this report), in the order of `TABLES`. The dashboard, the exports and
the PDF all render that list, so a new breakdown is one builder and one line in `TABLES` (and,
if it needs a new query, one entry in `MEASURES`; `reports.layout.SECTIONS` places it on the
page). See docs/architecture.md, "Adding a table".

The columns of every table are the report's `columns`: years for the annual report, months for
a periodic one. The rows of a measure carry their column in `y`; a row whose `y` is not a column
(an undated case under the incident basis) is not counted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from cases.models import AgeGroup, Sex
from ppa.models import Agency, Region
from reports.models import Population
from reports.snapshot import CHILD_GROUPS, UNKNOWN, ReportSubject, Row, Table

# Reference codes the tables single out (cases/reference.py; codes are never renumbered).
PLACE_HOUSEHOLD = "rumah_tangga"
FORM_TRAFFICKING = "trafficking"
# Age status of a victim: the population's age bands carry the same codes ("anak", "dewasa").
CHILD = Population.AgeBand.CHILD.value
ADULT = Population.AgeBand.ADULT.value
# Victims with or without a disability.
DISABLED, NOT_DISABLED = "ya", "tidak"
OUTSIDE = "_outside"  # an incident outside the reporting city/regency


@dataclass
class Trend:
    """Cases, victims and perpetrators per month over a window of its own (the monthly trend
    of a periodic report): rows with `y` (month key) and `n`."""

    columns: list[int]
    labels: list[str]
    cases: list[dict]
    victims: list[dict]
    perpetrators: list[dict]


@dataclass
class Figures:
    """The rows of every measure of one report (lists of dicts with `y` and the measure's
    dimensions and counts, see reports.selectors.MEASURES), and what several tables share."""

    region: Region
    subject: ReportSubject  # whom the report is about (its case-type filter)
    columns: list[int]
    labels: dict[str, list[tuple[str, str]]]  # reference list name -> [(code, label)]
    case_rows: list[dict]  # cases by top-level place: n, closed, household
    area_rows: list[dict]  # cases by kecamatan (a province: by city/regency)
    victim_rows: list[dict]
    form_rows: list[dict]
    profile_rows: list[dict]
    perp_rows: list[dict]
    relationship_rows: list[dict]
    service_rows: list[dict]
    ampk_rows: list[dict]
    referral_rows: list[dict] | None  # None: referrals are not counted in this report
    partner_rows: list[dict] | None
    population: dict[tuple[int, str, str], int] = field(default_factory=dict)
    monthly: bool = False  # the columns are months (a periodic report), not years
    trend: Trend | None = None

    def total_by(self, rows: Iterable[dict], value: str = "n") -> list[int]:
        """The sum of `value` per column."""
        return self.total_by_columns(self.columns, rows, value)

    @staticmethod
    def total_by_columns(columns: list[int], rows: Iterable[dict], value: str = "n") -> list[int]:
        index = {c: i for i, c in enumerate(columns)}
        out = [0] * len(columns)
        for r in rows:
            if r["y"] in index:
                out[index[r["y"]]] += r[value]
        return out

    @property
    def n_cases(self) -> list[int]:
        return self.total_by(self.case_rows)

    @property
    def n_victims(self) -> list[int]:
        return self.total_by(self.victim_rows)

    @property
    def n_perps(self) -> list[int]:
        return self.total_by(self.perp_rows)

    def children(self, rows: Iterable[dict] | None = None) -> list[dict]:
        """The victim rows of children (under 18 at the incident)."""
        return [r for r in (self.victim_rows if rows is None else rows) if is_child(r)]


def is_child(row: dict) -> bool:
    return row["age_group"] in CHILD_GROUPS


# --- Helpers -------------------------------------------------------------------------------


def grid(
    rows: Iterable[dict], key: str, columns: list[int], value: str = "n"
) -> dict[str, list[int]]:
    """{category code: [count per column]} from GROUP BY rows with `y`, `key` and `value`."""
    index = {c: i for i, c in enumerate(columns)}
    out: dict[str, list[int]] = {}
    for r in rows:
        if r["y"] not in index:
            continue
        code = r[key] if r[key] not in (None, "") else UNKNOWN
        out.setdefault(code, [0] * len(columns))[index[r["y"]]] += r[value]
    return out


def category_rows(
    counts: dict[str, list[int]],
    categories: list[tuple[str, str]],
    columns: list[int],
    *,
    unknown_label: str | None = None,
    groups: dict[str, list[str]] | None = None,
) -> list[Row]:
    """Rows for every category (zeros included), then "not stated" if it occurs (or any code
    that is no longer in the reference list)."""
    known = {code for code, _label in categories}
    rows = [
        Row(code, label, counts.get(code, [0] * len(columns)), (groups or {}).get(code, []))
        for code, label in categories
    ]
    unknown = [0] * len(columns)
    for code, values in counts.items():
        if code not in known:
            unknown = [a + b for a, b in zip(unknown, values, strict=True)]
    if any(unknown):
        rows.append(Row(UNKNOWN, unknown_label or _("Tidak diketahui"), unknown))
    return rows


def age_status(age_group: str) -> str:
    """ "anak", "dewasa", or UNKNOWN when the age is not known."""
    if not age_group:
        return UNKNOWN
    return CHILD if age_group in CHILD_GROUPS else ADULT


def _victims_table(f: Figures, key: str, title: str, rows: list[Row], **extra: Any) -> Table:
    """A partition of the victims (rows add up to the number of victims)."""
    return Table(
        key,
        title,
        _("korban"),
        rows,
        total=f.n_victims,
        total_label=_("Jumlah korban"),
        **extra,
    )


def _perpetrators_table(f: Figures, key: str, title: str, rows: list[Row]) -> Table:
    return Table(key, title, _("pelaku"), rows, total=f.n_perps, total_label=_("Jumlah pelaku"))


def _sex_labels() -> list[tuple[str, str]]:
    return [(Sex.FEMALE.value, _("Perempuan")), (Sex.MALE.value, _("Laki-laki"))]


def _age_labels() -> list[tuple[str, str]]:
    return [(g.value, str(g.label)) for g in AgeGroup]


def _age_groups() -> dict[str, list[str]]:
    """Linked subtotals of the age groups: each adds up into "anak" or "dewasa"."""
    return {g.value: ["status:" + age_status(g.value)] for g in AgeGroup}


# --- Cases ---------------------------------------------------------------------------------


def trend_months_table(f: Figures) -> Table | None:
    """A periodic report's monthly trend: the months of the period, or the twelve months that
    end with it when it is shorter. Its own columns (the report's are the period's months)."""
    if f.trend is None:
        return None
    trend = f.trend
    months = Figures.total_by_columns
    return Table(
        "trend_months",
        _("Tren bulanan kasus, korban dan pelaku"),
        _("kasus / korban / pelaku"),
        [
            Row("cases", _("Kasus"), months(trend.columns, trend.cases)),
            Row("victims", _("Korban"), months(trend.columns, trend.victims)),
            Row("perpetrators", _("Pelaku"), months(trend.columns, trend.perpetrators)),
        ],
        note=_(
            "Dua belas bulan sampai akhir periode laporan, atau seluruh periode bila lebih panjang."
        ),
        columns=trend.labels,
    )


def headline_table(f: Figures) -> Table:
    return Table(
        "headline",
        _("Jumlah kasus, korban dan pelaku per bulan")
        if f.monthly
        else _("Jumlah kasus, korban dan pelaku per tahun"),
        _("kasus / korban / pelaku"),
        [
            Row("cases", _("Kasus"), f.n_cases),
            Row("victims", _("Korban"), f.n_victims),
            Row("perpetrators", _("Pelaku"), f.n_perps),
        ],
        note=_(
            "Kasus, korban dan pelaku dihitung terpisah: satu kasus dapat memiliki lebih "
            "dari satu korban dan pelaku."
        ),
    )


def cases_status_table(f: Figures) -> Table:
    n_cases, n_closed = f.n_cases, f.total_by(f.case_rows, "closed")
    return Table(
        "cases_status",
        _("Status penanganan kasus"),
        _("kasus"),
        [
            Row(
                "open",
                _("Dalam penanganan"),
                [a - b for a, b in zip(n_cases, n_closed, strict=True)],
            ),
            Row("closed", _("Selesai (terminasi)"), n_closed),
        ],
        total=n_cases,
        total_label=_("Jumlah kasus"),
        note=_("Status pada saat laporan dibuat."),
    )


def cases_place_table(f: Figures) -> Table:
    return Table(
        "cases_place",
        _("Kasus berdasarkan tempat kejadian"),
        _("kasus"),
        category_rows(grid(f.case_rows, "p", f.columns), f.labels["place"], f.columns),
        total=f.n_cases,
        total_label=_("Jumlah kasus"),
        note=_(
            "Sub-tempat lokal (misalnya media sosial/daring) digabung ke enam kategori SIMFONI."
        ),
    )


def cases_area_table(f: Figures) -> Table | None:
    """Cases by kecamatan of the incident (a province: by city/regency); only areas with cases."""
    if not f.area_rows:
        return None
    region, columns = f.region, f.columns
    index = {c: i for i, c in enumerate(columns)}
    names: dict[str, str] = {}
    counts: dict[str, list[int]] = {}
    for r in f.area_rows:
        if r["y"] not in index:
            continue
        if r["a"] is None:
            code, name = UNKNOWN, _("Kecamatan tidak diketahui")
        elif region.level == Region.Level.REGENCY and r.get("a_parent") != region.code:
            code, name = OUTSIDE, _("Luar kota/kabupaten")
        else:
            code, name = r["a"], r["a_name"]
        names[code] = name
        counts.setdefault(code, [0] * len(columns))[index[r["y"]]] += r["n"]
    ordered = sorted((c for c in counts if c not in (UNKNOWN, OUTSIDE)), key=lambda c: names[c])
    ordered += [c for c in (OUTSIDE, UNKNOWN) if c in counts]
    province = region.level == Region.Level.PROVINCE
    return Table(
        "cases_area",
        _("Kasus berdasarkan kabupaten/kota") if province else _("Kasus berdasarkan kecamatan"),
        _("kasus"),
        [Row(code, names[code], counts[code]) for code in ordered],
        total=f.n_cases,
        total_label=_("Jumlah kasus"),
        note=_("Hanya wilayah yang mencatat kasus ditampilkan.")
        if province
        else _("Kecamatan tempat kejadian; hanya kecamatan yang mencatat kasus ditampilkan."),
    )


# --- Victims -------------------------------------------------------------------------------


def victims_sex_table(f: Figures) -> Table:
    rows = category_rows(grid(f.victim_rows, "sex", f.columns), _sex_labels(), f.columns)
    return _victims_table(f, "victims_sex", _("Jumlah korban berdasarkan jenis kelamin"), rows)


def victims_age_table(f: Figures) -> Table:
    rows = category_rows(
        grid(f.victim_rows, "age_group", f.columns), _age_labels(), f.columns, groups=_age_groups()
    )
    for row in rows:
        if row.code == UNKNOWN:
            row.groups = ["status:" + UNKNOWN]
    return _victims_table(
        f,
        "victims_age",
        _("Korban berdasarkan kelompok umur"),
        rows,
        note=_("Umur pada tanggal kejadian."),
    )


def victims_status_table(f: Figures) -> Table:
    status_rows = [dict(r, st=age_status(r["age_group"])) for r in f.victim_rows]
    labels = [(CHILD, _("Anak (di bawah 18 tahun)")), (ADULT, _("Dewasa"))]
    rows = category_rows(grid(status_rows, "st", f.columns), labels, f.columns)
    return _victims_table(
        f,
        "victims_status",
        _("Korban berdasarkan status usia (anak/dewasa)"),
        [r for r in rows if r.code != UNKNOWN or any(r.values)],
    )


def victims_sex_status_table(f: Figures) -> Table:
    cross = [
        dict(r, x=f"{age_status(r['age_group'])}:{r['sex'] or UNKNOWN}") for r in f.victim_rows
    ]
    labels = [
        (f"{CHILD}:{Sex.FEMALE.value}", _("Anak perempuan")),
        (f"{CHILD}:{Sex.MALE.value}", _("Anak laki-laki")),
        (f"{ADULT}:{Sex.FEMALE.value}", _("Perempuan dewasa")),
        (f"{ADULT}:{Sex.MALE.value}", _("Laki-laki dewasa")),
    ]
    groups = {
        code: ["status:" + code.split(":")[0], "sex:" + code.split(":")[1]]
        for code, _label in labels
    }
    rows = category_rows(
        grid(cross, "x", f.columns),
        labels,
        f.columns,
        unknown_label=_("Umur atau jenis kelamin tidak diketahui"),
        groups=groups,
    )
    return _victims_table(
        f, "victims_sex_status", _("Korban berdasarkan jenis kelamin dan status usia"), rows
    )


def victims_form_table(f: Figures) -> Table:
    return Table(
        "victims_form",
        _("Korban berdasarkan bentuk kekerasan"),
        _("korban"),
        category_rows(grid(f.form_rows, "f", f.columns), f.labels["form"], f.columns),
        multi_count=True,
        note=_(
            "Hitungan ganda: satu korban dapat mengalami lebih dari satu bentuk kekerasan, "
            "sehingga jumlah baris dapat melebihi jumlah korban."
        ),
    )


def _profile_table(f: Figures, key: str, title: str, dim: str, column: str) -> Table:
    """One margin of the victims' education x occupation x marital status."""
    margin = [{"y": r["y"], "c": r[column], "n": r["n"]} for r in f.profile_rows]
    rows = category_rows(
        grid(margin, "c", f.columns), f.labels[dim], f.columns, unknown_label=_("Tidak diisi")
    )
    return _victims_table(f, key, title, rows)


def victims_education_table(f: Figures) -> Table:
    title = _("Korban berdasarkan pendidikan")
    return _profile_table(f, "victims_education", title, "education", "e")


def victims_occupation_table(f: Figures) -> Table:
    title = _("Korban berdasarkan pekerjaan")
    return _profile_table(f, "victims_occupation", title, "occupation", "o")


def victims_marital_table(f: Figures) -> Table:
    title = _("Korban berdasarkan status perkawinan")
    return _profile_table(f, "victims_marital", title, "marital", "m")


def victims_disability_table(f: Figures) -> Table:
    rows = [dict(r, d=DISABLED if r["has_disability"] else NOT_DISABLED) for r in f.victim_rows]
    labels = [
        (DISABLED, _("Penyandang disabilitas")),
        (NOT_DISABLED, _("Bukan penyandang disabilitas")),
    ]
    return _victims_table(
        f,
        "victims_disability",
        _("Korban berdasarkan disabilitas"),
        category_rows(grid(rows, "d", f.columns), labels, f.columns),
    )


# --- Perpetrators --------------------------------------------------------------------------


def perpetrators_sex_table(f: Figures) -> Table:
    rows = category_rows(grid(f.perp_rows, "sex", f.columns), _sex_labels(), f.columns)
    return _perpetrators_table(f, "perpetrators_sex", _("Pelaku berdasarkan jenis kelamin"), rows)


def perpetrators_age_table(f: Figures) -> Table:
    rows = category_rows(
        grid(f.perp_rows, "age_group", f.columns), _age_labels(), f.columns, groups=_age_groups()
    )
    return _perpetrators_table(f, "perpetrators_age", _("Pelaku berdasarkan kelompok umur"), rows)


def perpetrators_relationship_table(f: Figures) -> Table:
    return Table(
        "perpetrators_relationship",
        _("Pelaku berdasarkan hubungan dengan korban"),
        _("pelaku"),
        category_rows(
            grid(f.relationship_rows, "r", f.columns),
            f.labels["relationship"],
            f.columns,
            unknown_label=_("Hubungan belum dicatat"),
        ),
        multi_count=True,
        note=_(
            "Hubungan dicatat per pasangan pelaku-korban: pelaku dengan hubungan berbeda "
            "terhadap beberapa korban dihitung di setiap baris yang sesuai."
        ),
    )


# --- Services and referrals ----------------------------------------------------------------


def victims_service_table(f: Figures) -> Table:
    services = category_rows(grid(f.service_rows, "s", f.columns), f.labels["service"], f.columns)
    served = f.total_by(r for r in f.victim_rows if r["served"])
    return Table(
        "victims_service",
        _("Layanan yang diberikan kepada korban"),
        _("korban"),
        [*services, Row("any", _("Korban yang menerima sedikitnya satu layanan"), served)],
        multi_count=True,
        note=_(
            "Hitungan ganda: satu korban dapat menerima beberapa jenis layanan; setiap "
            "korban dihitung sekali per jenis layanan."
        ),
    )


def _series(f: Figures, rows: list[dict], column: str, default: object = 0) -> list:
    index = {c: i for i, c in enumerate(f.columns)}
    out: list = [default] * len(f.columns)
    for r in rows:
        if r["y"] in index:
            out[index[r["y"]]] = r[column]
    return out


def referrals_table(f: Figures) -> Table | None:
    if f.referral_rows is None:
        return None
    rows = f.referral_rows
    medians = [None if v is None else round(v, 1) for v in _series(f, rows, "median_days", None)]
    return Table(
        "referrals",
        _("Rujukan ke lembaga mitra"),
        _("rujukan"),
        [
            Row("sent", _("Rujukan dikirim (disetujui)"), _series(f, rows, "n")),
            Row("accepted", _("Diterima lembaga tujuan"), _series(f, rows, "accepted")),
            Row("declined", _("Ditolak lembaga tujuan"), _series(f, rows, "declined")),
            Row("completed", _("Selesai ditangani"), _series(f, rows, "completed")),
            Row("median_days", _("Median hari sampai diterima"), medians),
        ],
        note=_(
            "Rujukan dihitung menurut tahun kasusnya. Median hari: dari rujukan terkirim ke "
            "lembaga tujuan sampai diterima, hanya rujukan yang sudah diterima."
        ),
    )


def referrals_partner_table(f: Figures) -> Table | None:
    if f.referral_rows is None or f.partner_rows is None:
        return None
    kinds = [(k.value, str(k.label)) for k in Agency.Kind if k != Agency.Kind.UPTD_PPA]
    return Table(
        "referrals_partner",
        _("Rujukan dikirim menurut jenis lembaga tujuan"),
        _("rujukan"),
        category_rows(grid(f.partner_rows, "k", f.columns), kinds, f.columns),
        total=_series(f, f.referral_rows, "n"),
        total_label=_("Jumlah rujukan dikirim"),
    )


# --- KLA cluster V (special protection) ----------------------------------------------------


def kla_ampk_table(f: Figures) -> Table:
    return Table(
        "kla_ampk",
        _("Anak memerlukan perlindungan khusus (AMPK) menurut kategori - Klaster V KLA"),
        _("anak korban"),
        category_rows(grid(f.ampk_rows, "c", f.columns), f.labels["ampk"], f.columns),
        multi_count=True,
        note=_(
            "Hitungan ganda: satu anak dapat masuk lebih dari satu kategori (UU 35/2014 "
            "Pasal 59 ayat 2)."
        ),
    )


def kla_served_table(f: Figures) -> Table:
    children = f.children()
    trafficked = [r for r in children if r["trafficked"]]
    return Table(
        "kla_served",
        _("Indikator Klaster V KLA: anak korban yang terlayani"),
        _("anak korban"),
        [
            Row("children", _("Anak korban kekerasan"), f.total_by(children)),
            Row(
                "children_served",
                _("Anak korban yang terlayani"),
                f.total_by(r for r in children if r["served"]),
            ),
            Row("trafficked", _("Anak korban perdagangan orang"), f.total_by(trafficked)),
            Row(
                "trafficked_served",
                _("Anak korban perdagangan orang yang terlayani"),
                f.total_by(r for r in trafficked if r["served"]),
            ),
            Row(
                "disabled_children_served",
                _("Anak penyandang disabilitas yang terlayani"),
                f.total_by(r for r in children if r["served"] and r["has_disability"]),
            ),
        ],
        note=_("Terlayani: menerima sedikitnya satu layanan yang tercatat."),
    )


# --- Rates ---------------------------------------------------------------------------------


def _population(f: Figures, year: int, sex: str, band: str) -> int | None:
    population = f.population
    if (year, sex, band) in population:
        return population[(year, sex, band)]
    male, female = Population.Sex.MALE.value, Population.Sex.FEMALE.value
    everyone = Population.Sex.ALL.value, Population.AgeBand.ALL.value
    if (
        (sex, band) == everyone
        and (year, male, "") in population
        and (year, female, "") in (population)
    ):
        return population[(year, male, "")] + population[(year, female, "")]
    return None


def rates_table(f: Figures) -> Table | None:
    """Rates per 100,000 where the population of the region and year has been entered."""
    if not f.population:
        return None
    all_sexes, women = Population.Sex.ALL.value, Population.Sex.FEMALE.value
    all_ages, child = Population.AgeBand.ALL.value, Population.AgeBand.CHILD.value
    n_women = f.total_by(r for r in f.victim_rows if r["sex"] == Sex.FEMALE)
    n_children = f.total_by(f.children())

    def pops(sex: str, band: str) -> list:
        return [_population(f, y, sex, band) for y in f.columns]

    def rate(counts: list[int], sex: str, band: str) -> list:
        return [
            None if not p else round(n * 100_000 / p, 1)
            for n, p in zip(counts, pops(sex, band), strict=True)
        ]

    rows = [
        Row("pop_all", _("Jumlah penduduk"), pops(all_sexes, all_ages)),
        Row("cases_rate", _("Kasus per 100.000 penduduk"), rate(f.n_cases, all_sexes, all_ages)),
    ]
    if f.subject != ReportSubject.CHILDREN:
        rows += [
            Row("pop_women", _("Jumlah penduduk perempuan"), pops(women, all_ages)),
            Row(
                "women_rate",
                _("Korban perempuan per 100.000 penduduk perempuan"),
                rate(n_women, women, all_ages),
            ),
        ]
    if f.subject != ReportSubject.WOMEN:
        rows += [
            Row("pop_children", _("Jumlah penduduk anak"), pops(all_sexes, child)),
            Row(
                "children_rate",
                _("Korban anak per 100.000 penduduk anak"),
                rate(n_children, all_sexes, child),
            ),
        ]
    return Table(
        "rates",
        _("Rasio kekerasan per 100.000 penduduk"),
        _("per 100.000 penduduk"),
        rows,
        kind="rate",
        note=_(
            "Setiap rasio memakai jumlah penduduk tahun yang sama (baris jumlah penduduk di "
            "kolom tahun itu). Kosong (–) bila jumlah penduduk tahun itu belum diisi."
        ),
    )


# --- The list ------------------------------------------------------------------------------

TableBuilder = Callable[[Figures], Table | None]


EVERYONE = tuple(ReportSubject)
ABOUT_CHILDREN = (ReportSubject.CHILDREN, ReportSubject.WOMEN_AND_CHILDREN)


@dataclass(frozen=True)
class TableSpec:
    """A registered table: its key (the `Table.key` it builds), its builder, and the reports
    it belongs in (by whom they are about: a report on women only has no KLA tables)."""

    key: str
    build: TableBuilder
    subjects: tuple[ReportSubject, ...] = EVERYONE


# Every table of the statistics, in the order of the exports (the dashboard and the PDF group
# them into sections by `reports.layout.SECTIONS`).
TABLES: tuple[TableSpec, ...] = (
    TableSpec("trend_months", trend_months_table),
    TableSpec("headline", headline_table),
    TableSpec("cases_status", cases_status_table),
    TableSpec("victims_sex", victims_sex_table),
    TableSpec("victims_age", victims_age_table),
    TableSpec("victims_status", victims_status_table),
    TableSpec("victims_sex_status", victims_sex_status_table),
    TableSpec("victims_form", victims_form_table),
    TableSpec("victims_education", victims_education_table),
    TableSpec("victims_occupation", victims_occupation_table),
    TableSpec("victims_marital", victims_marital_table),
    TableSpec("victims_disability", victims_disability_table),
    TableSpec("cases_place", cases_place_table),
    TableSpec("cases_area", cases_area_table),
    TableSpec("perpetrators_sex", perpetrators_sex_table),
    TableSpec("perpetrators_age", perpetrators_age_table),
    TableSpec("perpetrators_relationship", perpetrators_relationship_table),
    TableSpec("victims_service", victims_service_table),
    TableSpec("kla_ampk", kla_ampk_table, ABOUT_CHILDREN),
    TableSpec("kla_served", kla_served_table, ABOUT_CHILDREN),
    TableSpec("referrals", referrals_table),
    TableSpec("referrals_partner", referrals_partner_table),
    TableSpec("rates", rates_table),
)


def build_tables(figures: Figures, specs: Iterable[TableSpec] = TABLES) -> list[Table]:
    """Every registered table that applies to the report, in registry order."""
    return [
        table
        for spec in specs
        if figures.subject in spec.subjects and (table := spec.build(figures)) is not None
    ]
