"""Cases: one complaint, the people in it, what happened, and the work done on it.

Category lists that KemenPPPA revises are reference tables with stable codes (seeded by a
data migration from `cases/reference.py`, extendable in the admin). States and categories that
the law fixes are TextChoices. Derived statistical fields (age and age group at the incident)
are written by `cases.services` and guarded by check constraints.
"""

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, GistIndex
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ppa.models import Agency, Region, User

if TYPE_CHECKING:  # annotations only: cases.access imports this module
    from cases.access import CaseAccess

# --- Reference tables ----------------------------------------------------------------------


class ReferenceItem(models.Model):
    """A coded, ordered, translatable entry of an official list."""

    code = models.CharField(_("kode"), max_length=40, primary_key=True)
    label = models.CharField(_("label"), max_length=160)
    label_en = models.CharField(_("label (Inggris)"), max_length=160)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    is_active = models.BooleanField(_("aktif"), default=True)
    hint = models.CharField(_("petunjuk"), max_length=255, blank=True)

    class Meta:
        abstract = True
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.label_en if get_language() == "en" else self.label


class ViolenceForm(ReferenceItem):
    """The seven SIMFONI forms of violence (multi-select per victim)."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("bentuk kekerasan")
        verbose_name_plural = _("bentuk kekerasan")


class ViolenceSubtype(ReferenceItem):
    """TPKS, PKDRT and trafficking sub-forms; each rolls up to one SIMFONI form."""

    form = models.ForeignKey(ViolenceForm, on_delete=models.PROTECT, related_name="subtypes")
    law = models.CharField(_("dasar hukum"), max_length=60, blank=True)

    class Meta(ReferenceItem.Meta):
        verbose_name = _("sub-bentuk kekerasan")
        verbose_name_plural = _("sub-bentuk kekerasan")


class Place(ReferenceItem):
    """SIMFONI's six places of occurrence; local sub-places roll up through `parent`."""

    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="subplaces"
    )

    class Meta(ReferenceItem.Meta):
        verbose_name = _("tempat kejadian")
        verbose_name_plural = _("tempat kejadian")


class ServiceType(ReferenceItem):
    """The eight SIMFONI service types (statistics dimension)."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("jenis layanan")
        verbose_name_plural = _("jenis layanan")


class UptdFunction(ReferenceItem):
    """The six UPTD PPA functions (Permen PPPA 4/2018): workflow and workload dimension."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("fungsi layanan UPTD")
        verbose_name_plural = _("fungsi layanan UPTD")


class Relationship(ReferenceItem):
    """Perpetrator's relationship to a victim (nine SIMFONI values plus not stated)."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("hubungan pelaku dengan korban")
        verbose_name_plural = _("hubungan pelaku dengan korban")


class Education(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = _("pendidikan")
        verbose_name_plural = _("pendidikan")


class Occupation(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = _("pekerjaan")
        verbose_name_plural = _("pekerjaan")


class MaritalStatus(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = _("status perkawinan")
        verbose_name_plural = _("status perkawinan")


class DisabilityType(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = _("jenis disabilitas")
        verbose_name_plural = _("jenis disabilitas")


class AmpkCategory(ReferenceItem):
    """The 15 categories of children needing special protection (UU 35/2014 Pasal 59(2))."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("kategori AMPK")
        verbose_name_plural = _("kategori AMPK")


# --- Fixed choices ---------------------------------------------------------------------------


class Sex(models.TextChoices):
    MALE = "L", _("Laki-laki")
    FEMALE = "P", _("Perempuan")


class AgeGroup(models.TextChoices):
    """SIMFONI's seven age bands, computed at the incident date."""

    G0_5 = "0-5", "0-5"
    G6_12 = "6-12", "6-12"
    G13_17 = "13-17", "13-17"
    G18_24 = "18-24", "18-24"
    G25_44 = "25-44", "25-44"
    G45_59 = "45-59", "45-59"
    G60 = "60+", "60+"

    @classmethod
    def for_age(cls, age: int) -> "AgeGroup":
        for upper, group in ((5, cls.G0_5), (12, cls.G6_12), (17, cls.G13_17), (24, cls.G18_24)):
            if age <= upper:
                return group
        return cls.G25_44 if age <= 44 else cls.G45_59 if age <= 59 else cls.G60


class CaseType(models.TextChoices):
    KTP = "ktp", _("Kekerasan terhadap perempuan (KtP)")
    AMPK = "ampk", _("Anak memerlukan perlindungan khusus (AMPK)")
    TPPO = "tppo", _("Perdagangan orang (TPPO)")
    ABH = "abh", _("Anak berhadapan dengan hukum (ABH)")
    CHILD_MARRIAGE = "child_marriage", _("Perkawinan anak")
    OTHER = "other", _("Lainnya (hak asuh, konsultasi, ...)")


class IntakeChannel(models.TextChoices):
    WALK_IN = "walk_in", _("Datang langsung")
    PHONE = "phone", _("Telepon / hotline")
    WHATSAPP = "whatsapp", _("WhatsApp")
    LETTER = "letter", _("Surat / e-mail")
    THIRD_PARTY = "third_party", _("Laporan pihak lain")
    OUTREACH = "outreach", _("Penjangkauan")
    REFERRAL = "referral", _("Rujukan dari penyedia layanan lain")
    HANDOVER = "handover", _("Pelimpahan dari penyedia layanan lain")
    SAPA129 = "sapa129", _("SAPA 129")
    COMMUNITY = "community", _("Laporan masyarakat/Satgas")


class RiskLevel(models.TextChoices):
    HIGH = "high", _("Tinggi")
    MEDIUM = "medium", _("Sedang")
    LOW = "low", _("Rendah")


class Step(models.TextChoices):
    """Case-management steps of the national service standard (Permen PPPA 2/2022)."""

    IDENTIFICATION = "identification", _("Identifikasi")
    ASSESSMENT = "assessment", _("Asesmen")
    PLAN = "plan", _("Rencana intervensi")
    INTERVENTION = "intervention", _("Pelaksanaan intervensi")
    MONITORING = "monitoring", _("Pemantauan dan evaluasi")
    CLOSURE = "closure", _("Terminasi")


class Status(models.TextChoices):
    OPEN = "open", _("Dalam penanganan")
    CLOSURE_REQUESTED = "closure_requested", _("Menunggu persetujuan terminasi")
    CLOSED = "closed", _("Selesai (terminasi)")


class LegalBasis(models.TextChoices):
    """Why the unit may process and share the data (UU 27/2022)."""

    CONSENT = "consent", _("Persetujuan korban / wali")
    LEGAL_OBLIGATION = "legal_obligation", _("Kewajiban hukum (UU TPKS, UU PA, UU PKDRT)")
    VITAL_INTEREST = "vital_interest", _("Kepentingan vital (keselamatan korban)")
    PUBLIC_TASK = "public_task", _("Pelaksanaan tugas pelayanan publik")


class PersonRole(models.TextChoices):
    VICTIM = "victim", _("Korban")
    PERPETRATOR = "perpetrator", _("Terlapor / pelaku")
    REPORTER = "reporter", _("Pelapor")
    GUARDIAN = "guardian", _("Wali / orang tua")


class ChildLegalRole(models.TextChoices):
    """ABH sub-types (UU 11/2012 SPPA)."""

    IN_CONFLICT = "in_conflict", _("Anak berkonflik dengan hukum (AKH)")
    VICTIM = "victim", _("Anak korban")
    WITNESS = "witness", _("Anak saksi")


# --- Case ------------------------------------------------------------------------------------


class IndexedHistory(HistoricalRecords):
    """simple-history's HistoricalRecords with indexes of our own on the history table (the
    package has no option for them), e.g. (case, history_date) for "changed since"."""

    def __init__(self, *args: Any, indexes: Sequence[models.Index] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.extra_indexes = list(indexes)

    def get_meta_options(self, model: type[models.Model]) -> dict[str, Any]:
        meta: dict[str, Any] = super().get_meta_options(model)
        meta["indexes"] = [*meta.get("indexes", ()), *self.extra_indexes]
        return meta


class Tracked(models.Model):
    """A model with a change history (simple-history). The attributes below are read by
    simple-history when a save writes the history row; services set them before saving."""

    _history_user: "User | None"  # who made the change
    _change_reason: str  # why (shown in the case history)
    skip_history_when_saving: bool  # set around writes that must not add a history row

    class Meta:
        abstract = True


class CaseQuerySet(models.QuerySet):
    def open(self) -> "CaseQuerySet":
        return self.exclude(status=Status.CLOSED)


class Case(Tracked):
    """One complaint (pengaduan) registered by an UPTD PPA."""

    # Set by cases.access.get_case_for_user: what the requesting user may do with the case.
    access: "CaseAccess"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("nomor register"), max_length=32, unique=True, editable=False)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="cases", verbose_name=_("lembaga")
    )
    # The city/regency the case is recorded under (the agency's region when registered).
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("kabupaten/kota")
    )
    # A resubmitted intake form carries the same token: the unique constraint stops a 2nd case.
    intake_token = models.UUIDField(unique=True, editable=False)

    intake_channel = models.CharField(
        _("cara pengaduan"), max_length=20, choices=IntakeChannel.choices
    )
    reported_on = models.DateField(_("tanggal pelaporan"))
    incident_date = models.DateField(_("tanggal kejadian"), null=True, blank=True)
    incident_date_approximate = models.BooleanField(_("tanggal kejadian perkiraan"), default=False)
    description = models.TextField(_("kronologi / deskripsi kasus"))
    place = models.ForeignKey(
        Place, on_delete=models.PROTECT, related_name="+", verbose_name=_("tempat kejadian")
    )
    incident_address = models.CharField(_("alamat TKP"), max_length=255, blank=True)
    incident_district = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kecamatan TKP"),
    )
    incident_village = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kelurahan/desa TKP"),
    )
    case_type = models.CharField(_("jenis kasus"), max_length=20, choices=CaseType.choices)
    risk_level = models.CharField(_("tingkat risiko"), max_length=10, choices=RiskLevel.choices)
    within_authority = models.BooleanField(_("dalam kewenangan UPTD"), default=True)

    consent_sharing = models.BooleanField(
        _("setuju data dibagikan ke lembaga mitra"), default=False
    )
    consent_statistics = models.BooleanField(_("setuju data dipakai untuk statistik"), default=True)
    legal_basis = models.CharField(
        _("dasar pemrosesan data"),
        max_length=20,
        choices=LegalBasis.choices,
        default=LegalBasis.CONSENT,
    )
    legal_basis_note = models.CharField(
        _("keterangan dasar pemrosesan"), max_length=255, blank=True
    )

    step = models.CharField(
        _("tahap"), max_length=20, choices=Step.choices, default=Step.IDENTIFICATION
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    assigned_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("manajer kasus"),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)
    closed_at = models.DateTimeField(_("ditutup"), null=True, blank=True)
    # Optimistic locking: a save that carries an old version is refused (see services).
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords()
    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("kasus")
        verbose_name_plural = _("kasus")
        constraints = [
            models.CheckConstraint(
                condition=Q(incident_date__isnull=True) | Q(incident_date__lte=F("reported_on")),
                name="cases_case_incident_not_after_report",
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="cases_case_status_valid"
            ),
            models.CheckConstraint(condition=Q(step__in=Step.values), name="cases_case_step_valid"),
            models.CheckConstraint(
                condition=Q(case_type__in=CaseType.values), name="cases_case_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=Status.CLOSED, closed_at__isnull=False)
                | (~Q(status=Status.CLOSED) & Q(closed_at__isnull=True)),
                name="cases_case_closed_at_iff_closed",
            ),
        ]
        indexes = [
            # Case list of one agency, newest first, keyset on (reported_on, id).
            models.Index(fields=["agency", "-reported_on", "-id"], name="cases_case_agency_list"),
            # Same list filtered by status (open cases, the default view).
            models.Index(
                fields=["agency", "status", "-reported_on", "-id"], name="cases_case_agency_status"
            ),
            # Statistics by region and reporting year.
            models.Index(fields=["region", "reported_on"], name="cases_case_region_reported"),
            # Statistics: the cases registered since the nightly aggregates (live part).
            models.Index(fields=["created_at"], name="cases_case_created"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_closed(self) -> bool:
        return self.status == Status.CLOSED

    @property
    def reference_date(self) -> dt.date:
        """The date ages are computed at: the incident, or the report if unknown."""
        return self.incident_date or self.reported_on


class CaseSequence(models.Model):
    """Last issued case number per region and year; incremented atomically by an upsert."""

    region_code = models.CharField(max_length=13)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region_code", "year"], name="cases_sequence_unique")
        ]


class Person(Tracked):
    """A person in one case, with a role. Sensitive: name, NIK, address, phone."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="people")
    role = models.CharField(_("peran"), max_length=12, choices=PersonRole.choices)
    name = models.CharField(_("nama"), max_length=120)
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("tanggal lahir"), null=True, blank=True)
    stated_age = models.PositiveSmallIntegerField(
        _("usia (jika tanggal lahir tidak diketahui)"), null=True, blank=True
    )
    # NIK is never stored in clear: a keyed hash for duplicate matching and a masked form to show.
    nik_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    nik_masked = models.CharField(_("NIK"), max_length=16, blank=True, editable=False)
    education = models.ForeignKey(
        Education, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("pendidikan")
    )
    occupation = models.ForeignKey(
        Occupation, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("pekerjaan")
    )
    marital_status = models.ForeignKey(
        MaritalStatus,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("status perkawinan"),
    )
    has_disability = models.BooleanField(_("penyandang disabilitas"), default=False)
    disability_types = models.ManyToManyField(
        DisabilityType, blank=True, verbose_name=_("jenis disabilitas")
    )
    address = models.CharField(_("alamat"), max_length=255, blank=True)
    address_region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("wilayah alamat"),
    )
    phone = models.CharField(_("telepon"), max_length=40, blank=True)
    relation_to_victim = models.CharField(_("hubungan dengan korban"), max_length=80, blank=True)
    child_legal_role = models.CharField(
        _("status anak dalam proses hukum"),
        max_length=12,
        choices=ChildLegalRole.choices,
        blank=True,
    )
    # Victims only.
    violence_forms = models.ManyToManyField(
        ViolenceForm, blank=True, related_name="+", verbose_name=_("bentuk kekerasan")
    )
    violence_subtypes = models.ManyToManyField(
        ViolenceSubtype, blank=True, related_name="+", verbose_name=_("sub-bentuk kekerasan")
    )
    ampk_categories = models.ManyToManyField(
        AmpkCategory, blank=True, related_name="+", verbose_name=_("kategori AMPK")
    )
    # Derived at the case's reference date by cases.services; used by statistics in SQL.
    age = models.PositiveSmallIntegerField(_("usia saat kejadian"), null=True, blank=True)
    age_group = models.CharField(
        _("kelompok umur"), max_length=5, choices=AgeGroup.choices, blank=True
    )
    is_child = models.BooleanField(_("anak"), null=True)
    # Optimistic locking of a person's own data (see services.person_update). A database
    # default too: the bench generator inserts people and their history rows in SQL.
    version = models.PositiveIntegerField(default=1, db_default=1)

    # (case, history_date): "has a person of this case changed since <moment>" (the SIMFONI
    # export's changed-since-marked check) reads the index only, however long the history.
    history = IndexedHistory(
        m2m_fields=[violence_forms, violence_subtypes, ampk_categories],
        indexes=[models.Index(fields=["case", "history_date"], name="cases_hperson_case_date")],
    )

    class Meta:
        verbose_name = _("orang dalam kasus")
        verbose_name_plural = _("orang dalam kasus")
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=PersonRole.values), name="cases_person_role_valid"
            ),
            models.CheckConstraint(
                condition=Q(age__isnull=True, age_group="", is_child__isnull=True)
                | (Q(age__lte=17, is_child=True) & Q(age_group__in=["0-5", "6-12", "13-17"]))
                | (Q(age__gte=18, is_child=False) & ~Q(age_group__in=["", "0-5", "6-12", "13-17"])),
                name="cases_person_age_group_consistent",
            ),
            models.CheckConstraint(
                condition=Q(stated_age__isnull=True) | Q(stated_age__lte=120),
                name="cases_person_stated_age_plausible",
            ),
        ]
        indexes = [
            # Statistics: victims of a case by sex and age group.
            models.Index(fields=["case", "role"], name="cases_person_case_role"),
            # Possible-duplicate lookup by name and birth date.
            models.Index(fields=["birth_date", "name"], name="cases_person_birth_name"),
            # Names containing a typed text (the case list's name search, ILIKE '%...%').
            GinIndex(fields=["name"], opclasses=["gin_trgm_ops"], name="cases_person_name_trgm"),
            # Near names (pg_trgm `%`) for the duplicate warning, each with the condition it is
            # paired with, so one index scan settles both: a GIN index on the name alone
            # matched every name sharing common trigrams (about 190 ms at one million cases,
            # bench/bench_duplicates.py), these about ten times fewer rows. siglen=64: the
            # default 12-byte signature let through many more false matches to recheck.
            GistIndex(
                fields=["birth_date", "name"],
                opclasses=["", "gist_trgm_ops(siglen=64)"],
                name="cases_person_birth_trgm",
            ),
            GistIndex(
                fields=["address_region", "name"],
                opclasses=["", "gist_trgm_ops(siglen=64)"],
                name="cases_person_region_trgm",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} ({self.case_id})"

    @property
    def initials(self) -> str:
        return initials_of(self.name)


def initials_of(name: str) -> str:
    """What lists show instead of a name: the first letters of its parts, at most four."""
    return "".join(part[0].upper() for part in name.split() if part)[:4]


class PerpetratorLink(Tracked):
    """Relationship of a perpetrator to one victim (SIMFONI records it per pair)."""

    perpetrator = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="victim_links")
    victim = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="perpetrator_links")
    relationship = models.ForeignKey(
        Relationship, on_delete=models.PROTECT, verbose_name=_("hubungan dengan korban")
    )

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["perpetrator", "victim"], name="cases_perpetratorlink_unique"
            ),
            models.CheckConstraint(
                condition=~Q(perpetrator=F("victim")), name="cases_perpetratorlink_not_self"
            ),
        ]


# --- Type-specific details -----------------------------------------------------------------


class TraffickingDetail(Tracked):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="trafficking")
    recruitment = models.CharField(_("cara perekrutan"), max_length=255, blank=True)
    destination_abroad = models.BooleanField(_("tujuan luar negeri"), default=False)
    destination = models.CharField(_("tujuan (daerah / negara)"), max_length=120, blank=True)
    exploitation_purpose = models.ManyToManyField(
        ViolenceSubtype, blank=True, verbose_name=_("tujuan eksploitasi")
    )
    migrant_worker = models.BooleanField(_("pekerja migran"), default=False)
    repatriation_needed = models.BooleanField(_("perlu pemulangan"), default=False)

    history = HistoricalRecords(m2m_fields=[exploitation_purpose])


class AbhDetail(Tracked):
    class Diversion(models.TextChoices):
        NOT_APPLICABLE = "na", _("Tidak berlaku")
        PENDING = "pending", _("Sedang diupayakan")
        AGREED = "agreed", _("Berhasil (kesepakatan diversi)")
        FAILED = "failed", _("Gagal, proses berlanjut")

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="abh")
    diversion_status = models.CharField(
        _("status diversi"), max_length=10, choices=Diversion.choices, default=Diversion.PENDING
    )
    diversion_level = models.CharField(_("tingkat diversi"), max_length=40, blank=True)
    diversion_started_on = models.DateField(_("diversi dimulai"), null=True, blank=True)

    history = HistoricalRecords()


class ChildMarriageDetail(Tracked):
    class Recommendation(models.TextChoices):
        NONE = "", _("Belum ada")
        AGAINST = "against", _("Tidak merekomendasikan dispensasi")
        CONDITIONAL = "conditional", _("Rekomendasi dengan syarat")
        FOR = "for", _("Merekomendasikan dispensasi")

    class CourtOutcome(models.TextChoices):
        NONE = "", _("Belum ada putusan")
        GRANTED = "granted", _("Dikabulkan")
        REJECTED = "rejected", _("Ditolak")
        WITHDRAWN = "withdrawn", _("Dicabut")

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="child_marriage")
    bride_age = models.PositiveSmallIntegerField(_("usia calon/istri"))
    groom_age = models.PositiveSmallIntegerField(_("usia calon/suami"))
    marriage_took_place = models.BooleanField(
        _("perkawinan sudah terjadi (siri/adat)"), default=False
    )
    dispensation_requested = models.BooleanField(_("permohonan dispensasi kawin"), default=False)
    court = models.CharField(_("pengadilan"), max_length=120, blank=True)
    counselling_given = models.BooleanField(_("konseling diberikan"), default=False)
    recommendation = models.CharField(
        _("rekomendasi UPTD"), max_length=12, choices=Recommendation.choices, blank=True
    )
    recommendation_on = models.DateField(_("tanggal rekomendasi"), null=True, blank=True)
    court_outcome = models.CharField(
        _("putusan pengadilan"), max_length=10, choices=CourtOutcome.choices, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        constraints = [
            # UU 16/2019: the minimum age is 19 for both; such a case has a party under it.
            models.CheckConstraint(
                condition=Q(bride_age__lt=19) | Q(groom_age__lt=19),
                name="cases_childmarriage_party_under_19",
            )
        ]


# --- Case management -----------------------------------------------------------------------


class CaseRecord(Tracked):
    """A typed record left by a case-management step."""

    class Kind(models.TextChoices):
        IDENTIFICATION = "identification", _("Catatan identifikasi")
        ASSESSMENT = "assessment", _("Laporan asesmen")
        PLAN = "plan", _("Rencana intervensi")
        PROGRESS = "progress", _("Catatan perkembangan")
        MONITORING = "monitoring", _("Catatan pemantauan dan evaluasi")
        CLOSURE_REPORT = "closure_report", _("Laporan terminasi")
        CLOSURE_DECISION = "closure_decision", _("Keputusan terminasi")
        REOPEN = "reopen", _("Pembukaan kembali")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="records")
    kind = models.CharField(_("jenis catatan"), max_length=20, choices=Kind.choices)
    body = models.TextField(_("isi"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["case", "-created_at"], name="cases_record_case_time")]


class ServiceGiven(Tracked):
    """A service given to one victim, dated, by a providing agency."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    victim = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="services")
    service_type = models.ForeignKey(
        ServiceType, on_delete=models.PROTECT, verbose_name=_("jenis layanan")
    )
    function = models.ForeignKey(
        UptdFunction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("fungsi layanan UPTD"),
    )
    provider = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("lembaga pemberi")
    )
    given_on = models.DateField(_("tanggal layanan"))
    description = models.TextField(_("deskripsi layanan"), blank=True)
    shelter_from = models.DateField(_("mulai tinggal di rumah aman"), null=True, blank=True)
    shelter_to = models.DateField(_("selesai tinggal di rumah aman"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    # (victim, history_date): "has a service of this case changed since <moment>" (SIMFONI).
    history = IndexedHistory(
        indexes=[models.Index(fields=["victim", "history_date"], name="cases_hservice_victim_date")]
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(shelter_to__isnull=True)
                | Q(shelter_from__isnull=False, shelter_to__gte=F("shelter_from")),
                name="cases_service_shelter_dates_ordered",
            )
        ]


class LegalProcess(Tracked):
    """A stage of the perpetrator's legal process, with its outcome."""

    class Stage(models.TextChoices):
        REPORT = "report", _("Pelaporan")
        INQUIRY = "inquiry", _("Penyelidikan")
        INVESTIGATION = "investigation", _("Penyidikan")
        ARREST = "arrest", _("Penangkapan")
        DETENTION = "detention", _("Penahanan")
        PRE_PROSECUTION = "pre_prosecution", _("Pra penuntutan")
        PROSECUTION = "prosecution", _("Penuntutan")
        DIVERSION = "diversion", _("Diversi")
        COURT_1 = "court_1", _("Pengadilan tingkat I")
        COURT_2 = "court_2", _("Pengadilan tingkat II (banding)")
        CASSATION = "cassation", _("Kasasi")
        REVIEW = "review", _("Peninjauan kembali")

    class Outcome(models.TextChoices):
        ONGOING = "", _("Berjalan")
        VERDICT = "verdict", _("Putusan / vonis")
        SP3 = "sp3", _("SP3 (penyidikan dihentikan)")
        RESTORATIVE = "restorative", _("Perdamaian / keadilan restoratif")
        WITHDRAWN = "withdrawn", _("Pengaduan dicabut")

    perpetrator = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="legal_steps")
    stage = models.CharField(_("tahap"), max_length=20, choices=Stage.choices)
    started_on = models.DateField(_("tanggal"))
    outcome = models.CharField(_("hasil"), max_length=12, choices=Outcome.choices, blank=True)
    note = models.CharField(_("keterangan"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()


def document_path(instance: "Document", filename: str) -> str:
    # Random name: the original file name (which may hold a victim's name) is kept only in the DB.
    return f"documents/{instance.case.code}/{uuid.uuid4().hex}"


class Document(Tracked):
    class Kind(models.TextChoices):
        POLICE_REPORT = "police_report", _("Laporan polisi")
        MEDICAL = "medical", _("Visum / surat keterangan medis")
        COURT = "court", _("Dokumen pengadilan")
        ASSESSMENT = "assessment", _("Dokumen asesmen")
        OTHER = "other", _("Lainnya")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("jenis dokumen"), max_length=20, choices=Kind.choices)
    file = models.FileField(upload_to=document_path)
    original_name = models.CharField(_("nama berkas"), max_length=255)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(content_type__in=["application/pdf", "image/jpeg", "image/png"]),
                name="cases_document_type_allowed",
            )
        ]


class Deadline(Tracked):
    """A statutory or service-standard clock on a case (e.g. police report within 3×24 h).

    Reminders come from a periodic scan of due rows, never from long countdown tasks. A clock
    ends when it is met or when the case is closed (`ended_by`); reopening a case starts a new
    row of the kinds its closure ended, so the ended one stays in the case's history. A clock
    that had already run out when it was recorded (a paper file entered late) is marked
    `late_entry` and never reminded or escalated. The legal basis is shown from the kind, in
    the reader's language (`legal_basis`), never stored as text.
    """

    class Kind(models.TextChoices):
        POLICE_REPORT_TPKS = "police_report_tpks", _("Laporan ke polisi (TPKS, 3×24 jam)")
        RESPONSE_MEDIUM_RISK = "response_medium", _("Respons kasus risiko sedang (6 jam)")
        FOLLOW_UP = "follow_up", _("Tindak lanjut pengaduan (3 hari kerja)")
        DIVERSION = "diversion", _("Diversi selesai (30 hari)")
        REFERRAL_ACCEPTANCE = "referral_acceptance", _("Jawaban rujukan")
        PROTECTION_KDRT = (
            "protection_kdrt",
            _("Perlindungan sementara oleh polisi (KDRT, 1×24 jam)"),
        )
        PROTECTION_KDRT_END = (
            "protection_kdrt_end",
            _("Perlindungan sementara berakhir (KDRT, paling lama 7 hari)"),
        )
        COURT_ORDER_KDRT = (
            "court_order_kdrt",
            _("Permohonan perintah perlindungan ke pengadilan (KDRT, 1×24 jam)"),
        )
        PROTECTION_TPKS = (
            "protection_tpks",
            _("Perlindungan sementara oleh polisi (TPKS, 1×24 jam)"),
        )
        PROTECTION_TPKS_END = (
            "protection_tpks_end",
            _("Perlindungan sementara berakhir (TPKS, paling lama 14 hari)"),
        )
        LPSK_REQUEST = "lpsk_request", _("Permintaan perlindungan ke LPSK (TPKS, 1×24 jam)")
        BAPAS_REQUEST = (
            "bapas_request",
            _("Permintaan pembimbing kemasyarakatan dan pekerja sosial (anak, 1×24 jam)"),
        )
        SOCIAL_REPORT = "social_report", _("Litmas / laporan sosial anak (3×24 jam)")
        DIVERSION_OFFER = "diversion_offer", _("Diversi diupayakan (7×24 jam)")

    class Ending(models.TextChoices):
        OPEN = "", _("Berjalan")
        MET = "met", _("Terpenuhi")
        CASE_CLOSED = "case_closed", _("Berakhir karena kasus ditutup")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(_("jenis batas waktu"), max_length=24, choices=Kind.choices)
    due_at = models.DateTimeField(_("batas waktu"))
    done_at = models.DateTimeField(_("berakhir"), null=True, blank=True)
    ended_by = models.CharField(
        _("cara berakhir"), max_length=12, choices=Ending.choices, blank=True, db_default=""
    )
    late_entry = models.BooleanField(
        _("dicatat setelah batas waktu"), default=False, db_default=False
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_at"]
        constraints = [
            # One running clock per kind; ended ones stay (a reopened case starts a new one).
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(done_at__isnull=True),
                name="cases_deadline_one_open_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(done_at__isnull=True, ended_by="")
                | (Q(done_at__isnull=False) & ~Q(ended_by="")),
                name="cases_deadline_ended_iff_done",
            ),
        ]
        indexes = [
            # The beat scan and the "overdue" filter: open clocks by due time.
            models.Index(
                fields=["due_at"], condition=Q(done_at__isnull=True), name="cases_deadline_open_due"
            )
        ]

    @property
    def is_open(self) -> bool:
        return self.done_at is None

    @property
    def legal_basis(self) -> str:
        """Why the clock exists, in the reader's language (from the kind)."""
        basis = DEADLINE_LEGAL_BASIS.get(Deadline.Kind(self.kind))
        return str(basis) if basis is not None else ""


DEADLINE_LEGAL_BASIS = {
    Deadline.Kind.POLICE_REPORT_TPKS: _("UU 12/2022 (TPKS): laporan ke kepolisian ≤ 3×24 jam"),
    Deadline.Kind.RESPONSE_MEDIUM_RISK: _("Permen PPPA 2/2022: risiko sedang ditangani ≤ 6 jam"),
    Deadline.Kind.FOLLOW_UP: _("Standar layanan: tindak lanjut pengaduan ≤ 3 hari kerja"),
    Deadline.Kind.DIVERSION: _("UU 11/2012 (SPPA): diversi selesai ≤ 30 hari"),
    Deadline.Kind.PROTECTION_KDRT: _(
        "UU 23/2004 (PKDRT) Pasal 16: polisi memberi perlindungan sementara ≤ 1×24 jam sejak "
        "menerima laporan"
    ),
    Deadline.Kind.PROTECTION_KDRT_END: _(
        "UU 23/2004 (PKDRT) Pasal 16: perlindungan sementara paling lama 7 hari"
    ),
    Deadline.Kind.COURT_ORDER_KDRT: _(
        "UU 23/2004 (PKDRT) Pasal 16 ayat (3): polisi meminta surat penetapan perintah "
        "perlindungan ke pengadilan ≤ 1×24 jam"
    ),
    Deadline.Kind.PROTECTION_TPKS: _(
        "UU 12/2022 (TPKS) Pasal 42: polisi dapat memberi perlindungan sementara ≤ 1×24 jam"
    ),
    Deadline.Kind.PROTECTION_TPKS_END: _(
        "UU 12/2022 (TPKS) Pasal 42: perlindungan sementara paling lama 14 hari"
    ),
    Deadline.Kind.LPSK_REQUEST: _(
        "UU 12/2022 (TPKS) Pasal 43: polisi meminta perlindungan kepada LPSK ≤ 1×24 jam"
    ),
    Deadline.Kind.BAPAS_REQUEST: _(
        "PP 65/2015 (SPPA): penyidik meminta pertimbangan Bapas dan pekerja sosial ≤ 1×24 jam"
    ),
    Deadline.Kind.SOCIAL_REPORT: _("PP 65/2015 (SPPA): hasil litmas dan laporan sosial ≤ 3×24 jam"),
    Deadline.Kind.DIVERSION_OFFER: _("PP 65/2015 (SPPA): diversi diupayakan ≤ 7×24 jam"),
}


# --- Intake drafts and links between cases -------------------------------------------------


class IntakeDraft(models.Model):
    """An intake form in progress, kept on the server so nothing is lost between steps.

    `data` holds what the officer typed, per step, exactly as posted (lists of strings), so a
    half-valid step comes back as it was left. Owned by one user; after registration the data
    is cleared and `case` points to the result (a resubmission finds the same case)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="intake_drafts"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    # Becomes the case's intake_token: a second submission returns the same case.
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    data = models.JSONField(default=dict, blank=True)
    step = models.CharField(_("langkah terakhir"), max_length=20, blank=True)
    case = models.OneToOneField(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    class Meta:
        verbose_name = _("draf pengaduan")
        verbose_name_plural = _("draf pengaduan")
        indexes = [
            # "My drafts": the owner's unfinished drafts, newest first.
            models.Index(
                fields=["owner", "-updated_at"],
                condition=Q(case__isnull=True),
                name="cases_draft_owner_open",
            )
        ]


class CaseLink(Tracked):
    """A note that two cases concern the same people (a possible duplicate the officer linked)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links")
    linked_case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(_("catatan"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "linked_case"], name="cases_caselink_unique"),
            models.CheckConstraint(
                condition=~Q(case=F("linked_case")), name="cases_caselink_not_self"
            ),
        ]
