"""The case import's sheets and columns, in the order of the SIMFONI case register.

Headers are SIMFONI's wording where the register has the column (docs/simfoni.md); codes and
labels come from the reference tables and choices of the cases app (the labels there are
SIMFONI's own, the same mapping the SIMFONI export writes), so the template, the reader and
the export never disagree. The sheet "referensi" of the template lists them.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Choices
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases import refcache
from cases.models import (
    AmpkCategory,
    CaseType,
    ChildLegalRole,
    DisabilityType,
    Education,
    IntakeChannel,
    MaritalStatus,
    Occupation,
    Place,
    ReferenceItem,
    Relationship,
    RiskLevel,
    ServiceType,
    Sex,
    UptdFunction,
    ViolenceForm,
    ViolenceSubtype,
)
from imports import cells
from imports.cells import CellError
from imports.sheets import Column, SheetSpec
from ppa.models import Agency, Region

CASES, VICTIMS, PERPETRATORS, SERVICES, REFERENCE = (
    "kasus",
    "korban",
    "pelaku",
    "layanan",
    "referensi",
)
SHEETS = (CASES, VICTIMS, PERPETRATORS, SERVICES)
REGISTER = "No. Register Kantor"


@dataclass(frozen=True)
class RefList:
    """A list the file may name by code or label: its title and (code, label, English)."""

    title: str
    entries: tuple[tuple[str, str, str], ...]

    def table(self) -> dict[str, str]:
        return cells.lookup((code, (label, english)) for code, label, english in self.entries)


def _from_model(title: str, model: type[ReferenceItem]) -> RefList:
    rows = refcache.all_rows(model).values()
    return RefList(title, tuple((r.code, r.label, r.label_en) for r in rows if r.is_active))


def _from_choices(title: str, choices: type[Choices]) -> RefList:
    """A fixed list with its Indonesian (SIMFONI) and English labels, whatever the language."""
    with translation.override("id"):
        labels = [(str(c.value), str(c.label)) for c in choices]
    with translation.override("en"):
        english = [str(c.label) for c in choices]
    return RefList(title, tuple((c, i, e) for (c, i), e in zip(labels, english, strict=True)))


def reference_lists() -> dict[str, RefList]:
    """Every list a column reads, by key (reference tables read once per request/task)."""
    with refcache.per_request():
        lists = {
            "place": _from_model(_("Kategori Lokasi Kasus"), Place),
            "form": _from_model(_("Tindak Kekerasan"), ViolenceForm),
            "subtype": _from_model(_("Sub-bentuk Kekerasan"), ViolenceSubtype),
            "ampk": _from_model(_("Kategori AMPK"), AmpkCategory),
            "service": _from_model(_("Pelayanan yang Diberikan"), ServiceType),
            "function": _from_model(_("Fungsi Layanan UPTD"), UptdFunction),
            "relationship": _from_model(_("Hubungan dengan Korban"), Relationship),
            "education": _from_model(_("Pendidikan"), Education),
            "occupation": _from_model(_("Pekerjaan"), Occupation),
            "marital": _from_model(_("Status Perkawinan"), MaritalStatus),
            "disability": _from_model(_("Jenis Disabilitas"), DisabilityType),
        }
    lists["sex"] = _from_choices(_("Jenis Kelamin"), Sex)
    lists["case_type"] = _from_choices(_("Jenis Kasus"), CaseType)
    lists["channel"] = _from_choices(_("Cara Pengaduan"), IntakeChannel)
    lists["risk"] = _from_choices(_("Tingkat Risiko"), RiskLevel)
    lists["child_role"] = _from_choices(_("Status Anak dalam Proses Hukum"), ChildLegalRole)
    return lists


@dataclass
class RegionCheck:
    """A kecamatan or kelurahan code of the agency's city, known to Sinergi; each code is
    looked up once per file."""

    agency: Agency
    known: dict[str, int | None] = field(default_factory=dict)  # code -> level (None: absent)

    def __call__(self, value: Any) -> str:
        code = cells.as_text(value)
        if code not in self.known:
            region = Region.objects.filter(code=code).only("level").first()
            self.known[code] = region.level if region is not None else None
        level = self.known[code]
        if level is None:
            raise CellError(
                _(
                    "Wilayah dengan kode %(code)s belum dimuat di Sinergi. Administrator dapat "
                    'memuatnya dengan perintah "manage.py load_regions %(province)s" atau di '
                    "halaman admin Wilayah; lalu unggah berkas ini lagi."
                )
                % {"code": code[:13], "province": code.split(".")[0][:2]}
            )
        if level not in (Region.Level.DISTRICT, Region.Level.VILLAGE) or not code.startswith(
            f"{self.agency.region_id}."
        ):
            raise CellError(
                _("Kode %(code)s bukan kecamatan atau kelurahan di wilayah lembaga Anda.")
                % {"code": code[:13]}
            )
        return code


def _ref(lists: dict[str, RefList], name: str, *, many: bool = False) -> cells.Parser:
    ref = lists[name]
    return (cells.choices if many else cells.choice)(ref.table(), ref.title)


def _person_columns(
    lists: dict[str, RefList], regions: RegionCheck, date: cells.Parser
) -> tuple[Column, ...]:
    return (
        Column("Jenis Kelamin", "sex", _ref(lists, "sex")),
        Column("Tanggal Lahir", "birth_date", date),
        Column("Usia", "stated_age", cells.whole_number(0, 120)),
        Column("NIK", "nik", cells.nik),
        Column("Pendidikan", "education_id", _ref(lists, "education")),
        Column("Pekerjaan", "occupation_id", _ref(lists, "occupation")),
        Column("Status Perkawinan", "marital_status_id", _ref(lists, "marital")),
        Column("Disabilitas", "has_disability", cells.yes_no),
        Column("Jenis Disabilitas", "disability_type_ids", _ref(lists, "disability", many=True)),
        Column("Alamat", "address", cells.text(255)),
        Column("Kode Wilayah Alamat", "address_region_id", regions),
        Column("Telepon", "phone", cells.text(40)),
    )


def case_sheets(agency: Agency, lists: dict[str, RefList]) -> dict[str, SheetSpec]:
    """The four sheets of a case file, in SIMFONI register order."""
    regions = RegionCheck(agency)
    register = Column(REGISTER, "register", cells.text(40), required=True)
    victim_no = Column("No. Korban", "victim_no", cells.whole_number(1, 999), required=True)
    date = cells.date_until(timezone.localdate())
    people = _person_columns(lists, regions, date)
    return {
        CASES: SheetSpec(
            CASES,
            (
                register,
                Column("Tanggal Kejadian", "incident_date", date),
                Column("Tanggal Pelaporan", "reported_on", date, required=True),
                Column("Deskripsi Kasus", "description", cells.text(10000), required=True),
                Column("Kategori Lokasi Kasus", "place_id", _ref(lists, "place"), required=True),
                Column("Alamat TKP", "incident_address", cells.text(255)),
                Column("Kelurahan/Desa", "incident_village_id", regions),
                Column("Kecamatan", "incident_district_id", regions),
                Column("Jenis Kasus", "case_type", _ref(lists, "case_type"), required=True),
                Column("Cara Pengaduan", "intake_channel", _ref(lists, "channel"), required=True),
                Column("Tingkat Risiko", "risk_level", _ref(lists, "risk")),
                Column("Tanggal Terminasi", "closed_on", date),
            ),
        ),
        VICTIMS: SheetSpec(
            VICTIMS,
            (
                register,
                victim_no,
                Column("Nama Korban", "name", cells.text(120), required=True),
                *people,
                Column("Tindak Kekerasan", "violence_form_ids", _ref(lists, "form", many=True)),
                Column(
                    "Sub-bentuk Kekerasan",
                    "violence_subtype_ids",
                    _ref(lists, "subtype", many=True),
                ),
                Column("Kategori AMPK", "ampk_category_ids", _ref(lists, "ampk", many=True)),
                Column(
                    "Status Anak dalam Proses Hukum", "child_legal_role", _ref(lists, "child_role")
                ),
            ),
        ),
        PERPETRATORS: SheetSpec(
            PERPETRATORS,
            (
                register,
                Column("No. Pelaku", "perpetrator_no", cells.whole_number(1, 999), required=True),
                victim_no,
                Column(
                    "Hubungan dengan Korban",
                    "relationship_id",
                    _ref(lists, "relationship"),
                    required=True,
                ),
                Column("Nama Pelaku", "name", cells.text(120)),
                *people,
            ),
            required=False,
        ),
        SERVICES: SheetSpec(
            SERVICES,
            (
                register,
                victim_no,
                Column("Tanggal Pelayanan", "given_on", date, required=True),
                Column(
                    "Pelayanan yang Diberikan",
                    "service_type_id",
                    _ref(lists, "service"),
                    required=True,
                ),
                Column("Fungsi Layanan UPTD", "function_id", _ref(lists, "function")),
                Column("Deskripsi Pelayanan", "description", cells.text(2000)),
            ),
            required=False,
        ),
    }


def headers(spec: SheetSpec) -> list[str]:
    return [c.header for c in spec.columns]


def required_headers(spec: SheetSpec) -> Iterable[str]:
    return (c.header for c in spec.columns if c.required)
