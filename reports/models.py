"""Statistics: population figures for rates, the annual PDF report runs, and the nightly
aggregates of past years.

Figures are never stored per case here. `reports.selectors.annual_statistics` aggregates them
in PostgreSQL on demand; for cases reported before the last refresh's cutoff it sums the
aggregate tables below (the "cubes", rebuilt nightly by `reports.services.statistics_refresh`
from the selector's own querysets), and a `ReportRun` keeps the snapshot it printed.
"""

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ppa.models import Agency, Region


class Population(models.Model):
    """Population of a region in a year (BPS / Dukcapil), for rates per 100,000.

    `sex` and `age_band` empty mean "all": a row (region, year, "", "") is the whole
    population; (region, year, "P", "") all women; (region, year, "", "anak") all children.
    """

    class Sex(models.TextChoices):
        ALL = "", _("Semua jenis kelamin")
        MALE = "L", _("Laki-laki")
        FEMALE = "P", _("Perempuan")

    class AgeBand(models.TextChoices):
        ALL = "", _("Semua umur")
        CHILD = "anak", _("Anak (0-17 tahun)")
        ADULT = "dewasa", _("Dewasa (18 tahun ke atas)")

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("wilayah")
    )
    year = models.PositiveSmallIntegerField(_("tahun"))
    sex = models.CharField(
        _("jenis kelamin"), max_length=1, choices=Sex.choices, blank=True, default=""
    )
    age_band = models.CharField(
        _("kelompok umur"), max_length=6, choices=AgeBand.choices, blank=True, default=""
    )
    count = models.PositiveIntegerField(_("jumlah penduduk"))
    source = models.CharField(_("sumber data"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("jumlah penduduk")
        verbose_name_plural = _("jumlah penduduk")
        ordering = ["region", "-year", "sex", "age_band"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "sex", "age_band"], name="reports_population_unique"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1990, year__lte=2100), name="reports_population_year"
            ),
            models.CheckConstraint(condition=Q(count__gt=0), name="reports_population_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year} {self.sex or '*'} {self.age_band or '*'}"


def report_file_path(instance: "ReportRun", filename: str) -> str:
    # Stored in private storage (VAR_DIR/private), served only by the access-checked view.
    return f"reports/{instance.requested_at:%Y}/{instance.code.hex}.pdf"


class FileJob(models.Model):
    """A file made in the background (Celery) for the user who asked: its progress, the worker's
    heartbeat, the attempts, the file's size and checksum. `reports.jobs` runs the life of every
    such job (claim, progress, heartbeat, finish, sweep, what the page says): the annual PDF
    (`ReportRun`) and the long downloads (`ExportRun`) share it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu antrean")
        RUNNING = "running", _("Sedang dibuat")
        DONE = "done", _("Selesai")
        FAILED = "failed", _("Gagal")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_at = models.DateTimeField(_("diminta"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("kemajuan (%)"), default=0)
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    enqueued_at = models.DateTimeField(_("masuk antrean"), null=True, blank=True)
    # Set when the broker refused the message (Redis down): the sweep sends it again.
    enqueue_failed_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(_("mulai dibuat"), null=True, blank=True)
    # Written by the worker every REPORTS_HEARTBEAT_SECONDS while it works; a running job
    # whose heartbeat is older than REPORTS_HEARTBEAT_STALE lost its worker (the sweep re-sends).
    heartbeat_at = models.DateTimeField(_("tanda hidup pembuat"), null=True, blank=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    error = models.CharField(_("kesalahan"), max_length=255, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(_("checksum SHA-256"), max_length=64, blank=True)

    # Each job names its own path (its `upload_to`), in private storage.
    file = models.FileField(blank=True)
    # The Celery task that makes the file (named: reports.jobs.enqueue).
    task_name: str = ""

    class Meta:
        abstract = True

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class ReportRun(FileJob):
    """One request for the annual PDF: parameters, who asked, progress, the file and its
    checksum, and the figures it printed (so the same request shows the same figures)."""

    task_name = "reports.tasks.render_report_run"

    class Edition(models.TextChoices):
        INTERNAL = "internal", _("Internal (angka lengkap)")
        PUBLIC = "public", _("Publik (sel 1-4 ditampilkan sebagai <5)")

    # The statistics authority the run belongs to (the requester's city/regency): access key.
    authority = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("wilayah kewenangan")
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("lembaga (kop surat)")
    )
    params = models.JSONField(_("parameter"))
    edition = models.CharField(_("edisi"), max_length=10, choices=Edition.choices)
    language = models.CharField(
        _("bahasa"), max_length=5, choices=[("id", "Bahasa Indonesia"), ("en", "English")]
    )
    # Empty: made by the schedule (the previous month's report, on the first working day).
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    figures = models.JSONField(_("angka yang dicetak"), null=True, blank=True)
    figures_sha256 = models.CharField(max_length=64, blank=True)
    file = models.FileField(upload_to=report_file_path, blank=True)
    pages = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("laporan PDF")
        verbose_name_plural = _("laporan PDF")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "running", "done", "failed"]),
                name="reports_reportrun_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(edition__in=["internal", "public"]),
                name="reports_reportrun_edition_valid",
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="reports_reportrun_progress_max"
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | (~Q(file="") & ~Q(sha256="")),
                name="reports_reportrun_done_has_file",
            ),
        ]
        indexes = [
            # "Recent reports" of one authority (the list on the statistics page).
            models.Index(fields=["authority", "-requested_at"], name="reports_run_authority"),
            # The sweep: runs not finished yet.
            models.Index(
                fields=["requested_at"],
                condition=Q(status__in=["pending", "running"]),
                name="reports_run_unfinished",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.status}"


# --- Nightly aggregates ("cubes") ---------------------------------------------------------------
# One table per GROUP BY query of the selector, holding its result for the cases reported
# before `StatisticsRefresh.covers_before` that may be used for statistics, grouped in addition
# by the keys a report filters on: reporting year, incident year, city/regency, kecamatan of the
# incident and case type. Rebuilt as a whole by `reports.services.statistics_refresh`; the
# dimension columns carry the selector's own names (see reports.selectors, "Measures").


def export_file_path(instance: "ExportRun", filename: str) -> str:
    # Private storage, like the PDF reports; the name says nothing about the content.
    return f"exports/{instance.requested_at:%Y}/{instance.code.hex}"


class ExportRun(FileJob):
    """A download made in the background for the user who asked: the statistics CSV/XLSX, the
    SIMFONI export (docs/pages.md, "Long downloads"). Only the requester downloads it, and
    their permission for the kind is checked again at the download. `params` holds what the
    builder needs (statistics filters, or the primary key of the SIMFONI export), never a name;
    `filename` is the name offered to the browser (region code, period, edition)."""

    task_name = "reports.tasks.build_export_run"

    class Kind(models.TextChoices):
        STATISTICS = "statistics", _("Statistik")
        SIMFONI = "simfoni", _("Ekspor SIMFONI")

    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    fmt = models.CharField(_("format"), max_length=4, choices=[("csv", "CSV"), ("xlsx", "XLSX")])
    params = models.JSONField(_("parameter"), default=dict)
    language = models.CharField(_("bahasa"), max_length=5, default="id")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(_("nama berkas"), max_length=120)
    file = models.FileField(upload_to=export_file_path, blank=True)

    class Meta:
        verbose_name = _("berkas unduhan")
        verbose_name_plural = _("berkas unduhan")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "running", "done", "failed"]),
                name="reports_exportrun_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["statistics", "simfoni"]),
                name="reports_exportrun_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="reports_exportrun_progress_max"
            ),
            # Done: checksummed. The file itself is removed after a one-time download.
            models.CheckConstraint(
                condition=~Q(status="done") | ~Q(sha256=""), name="reports_exportrun_done_sha256"
            ),
        ]
        indexes = [
            # The sweep: jobs not finished yet.
            models.Index(
                fields=["requested_at"],
                condition=Q(status__in=["pending", "running"]),
                name="reports_export_unfinished",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.kind} {self.status}"

    @property
    def content_type(self) -> str:
        if self.fmt == "csv":
            return "text/csv; charset=utf-8"
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class StatisticsRefresh(models.Model):
    """One rebuild of the aggregate tables. The newest row says which cases they cover."""

    refreshed_at = models.DateTimeField(_("direkap pada"))
    covers_before = models.DateTimeField(_("mencakup kasus yang dicatat sebelum"))
    duration = models.DurationField(_("lama rekap"))
    rows = models.PositiveIntegerField(_("jumlah baris rekap"))

    class Meta:
        verbose_name = _("rekap statistik")
        verbose_name_plural = _("rekap statistik")
        ordering = ["-refreshed_at", "-id"]
        get_latest_by = ["refreshed_at", "id"]

    def __str__(self) -> str:
        return f"{self.refreshed_at:%Y-%m-%d %H:%M} < {self.covers_before:%Y-%m-%d %H:%M}"


class Cube(models.Model):
    """The scope keys every aggregate table is grouped by, and the count."""

    ry = models.PositiveSmallIntegerField(_("tahun pelaporan"))
    iy = models.PositiveSmallIntegerField(_("tahun kejadian"), null=True)
    region = models.ForeignKey(
        Region, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    district = models.ForeignKey(
        Region, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", null=True
    )
    case_type = models.CharField(max_length=20)
    # True: summed over all kecamatan (district NULL), read by city and province reports;
    # False: by kecamatan, read by kecamatan reports and the city's table by kecamatan.
    rollup = models.BooleanField()
    n = models.PositiveIntegerField()

    class Meta:
        abstract = True
        indexes = [models.Index(fields=["rollup", "region", "ry"], name="%(class)s_scope")]


class CaseCube(Cube):
    """Cases by top-level place; `closed` and `household` are counts like `n`."""

    p = models.CharField(max_length=40, null=True)  # noqa: DJ001 (NULL = not stated)
    closed = models.PositiveIntegerField()
    household = models.PositiveIntegerField()


class VictimCube(Cube):
    sex = models.CharField(max_length=1)
    age_group = models.CharField(max_length=10)
    served = models.BooleanField()
    has_disability = models.BooleanField()
    trafficked = models.BooleanField()


class VictimProfileCube(Cube):
    """Victims by education (e), occupation (o) and marital status (m)."""

    e = models.CharField(max_length=40, null=True)  # noqa: DJ001
    o = models.CharField(max_length=40, null=True)  # noqa: DJ001
    m = models.CharField(max_length=40, null=True)  # noqa: DJ001


class VictimFormCube(Cube):
    """Victims by form of violence (f), multi-count."""

    f = models.CharField(max_length=40)


class PerpetratorCube(Cube):
    sex = models.CharField(max_length=1)
    age_group = models.CharField(max_length=10)


class RelationshipCube(Cube):
    """Distinct perpetrators by relationship to a victim (r); exact to sum over the scope keys
    because a perpetrator belongs to one case."""

    r = models.CharField(max_length=40, null=True)  # noqa: DJ001


class ServiceCube(Cube):
    """Distinct victims by service type (s) and child status; exact to sum (one case each)."""

    s = models.CharField(max_length=40)
    is_child = models.BooleanField(null=True)


class AmpkCube(Cube):
    """Child victims by AMPK category (c), multi-count."""

    c = models.CharField(max_length=40)


class MeetingPack(models.Model):
    """The statistics pack of a coordination meeting: a report run generated for it and linked
    from the meeting page. Kept here (reports reads coordination, never the reverse)."""

    meeting = models.ForeignKey(
        "coordination.Meeting", on_delete=models.CASCADE, related_name="packs"
    )
    run = models.OneToOneField(ReportRun, on_delete=models.CASCADE, related_name="meeting_pack")
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    attached_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("paket statistik rakor")
        verbose_name_plural = _("paket statistik rakor")
        ordering = ["-attached_at"]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.run_id}"


# --- Yearly recaps of years without case-level records ------------------------------------------


class RecapPopulation(models.TextChoices):
    """Whom a yearly recap counted: violence against women (KtP), against children (KtA), or
    both together as one figure (as P2TP2A often counted them)."""

    WOMEN = "ktp", _("Kekerasan terhadap perempuan (KtP)")
    CHILDREN = "kta", _("Kekerasan terhadap anak (KtA)")
    BOTH = "ktp_kta", _("KtP dan KtA digabung")


# The breakdown by form of violence a recap may carry: one column per SIMFONI form (the codes of
# cases.reference.VIOLENCE_FORMS, never renumbered). NULL = the source does not give it.
RECAP_FORMS = (
    "fisik",
    "psikis",
    "seksual",
    "eksploitasi",
    "trafficking",
    "penelantaran",
    "lainnya",
)
# Every figure a recap may carry, in the order forms and reports show them.
RECAP_FIGURES = (
    "cases",
    "victims",
    "perpetrators",
    "victims_female",
    "victims_male",
    *("form_" + code for code in RECAP_FORMS),
)
RECAP_YEAR_MIN, RECAP_YEAR_MAX = 1990, 2100


def _count(verbose: Any) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(verbose, null=True, blank=True)


class YearlyRecap(models.Model):
    """The totals an office presented for a year it has no case-level records of (a recap read
    out at a coordination meeting, a P2TP2A annual report). Counts it does not give stay NULL,
    which the statistics print as "tidak tersedia", never as 0. A recap is withdrawn rather than
    deleted, so its history stays; one recap in force per region, year and population."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("wilayah")
    )
    year = models.PositiveSmallIntegerField(_("tahun"))
    population = models.CharField(
        _("cakupan rekap"), max_length=10, choices=RecapPopulation.choices
    )
    cases = models.PositiveIntegerField(_("jumlah kasus"))
    victims = _count(_("jumlah korban"))
    perpetrators = _count(_("jumlah pelaku"))
    victims_female = _count(_("korban perempuan"))
    victims_male = _count(_("korban laki-laki"))
    form_fisik = _count(_("korban kekerasan fisik"))
    form_psikis = _count(_("korban kekerasan psikis"))
    form_seksual = _count(_("korban kekerasan seksual"))
    form_eksploitasi = _count(_("korban eksploitasi"))
    form_trafficking = _count(_("korban trafficking"))
    form_penelantaran = _count(_("korban penelantaran"))
    form_lainnya = _count(_("korban bentuk kekerasan lainnya"))
    source_document = models.CharField(_("dokumen sumber"), max_length=200)
    source_meeting = models.CharField(
        _("rapat tempat rekap disampaikan"), max_length=200, blank=True
    )
    source_date = models.DateField(_("tanggal dokumen/rapat"))
    note = models.CharField(_("catatan"), max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("dicatat oleh"),
    )
    entered_at = models.DateTimeField(_("dicatat pada"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("ditarik pada"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("alasan penarikan"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rekap tahunan")
        verbose_name_plural = _("rekap tahunan")
        ordering = ["region", "-year", "population"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "population"],
                condition=Q(withdrawn_at__isnull=True),
                name="reports_recap_one_in_force",
                violation_error_message=_(
                    "Sudah ada rekap untuk wilayah, tahun dan cakupan ini. Ubah rekap itu, "
                    "atau tarik dulu sebelum mencatat yang baru."
                ),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=RECAP_YEAR_MIN, year__lte=RECAP_YEAR_MAX),
                name="reports_recap_year",
            ),
            models.CheckConstraint(
                condition=Q(population__in=["ktp", "kta", "ktp_kta"]),
                name="reports_recap_population_valid",
            ),
            models.CheckConstraint(
                condition=Q(cases__gte=0)
                & (Q(victims__isnull=True) | Q(victims__gte=0))
                & (Q(perpetrators__isnull=True) | Q(perpetrators__gte=0)),
                name="reports_recap_counts_not_negative",
            ),
            # The breakdown by sex is both numbers or neither, and adds up to the victims.
            models.CheckConstraint(
                condition=Q(victims_female__isnull=True, victims_male__isnull=True)
                | Q(
                    victims_female__isnull=False,
                    victims_male__isnull=False,
                    victims__isnull=False,
                    victims=models.F("victims_female") + models.F("victims_male"),
                ),
                name="reports_recap_sex_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | ~Q(withdrawn_reason=""),
                name="reports_recap_withdrawn_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(source_document=""), name="reports_recap_has_source"
            ),
        ]
        indexes = [models.Index(fields=["region", "year"], name="reports_recap_region_year")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year} {self.population}"

    @property
    def in_force(self) -> bool:
        return self.withdrawn_at is None

    def form_counts(self) -> dict[str, int | None]:
        """{form code: victims} (None: the source does not give that form)."""
        return {code: getattr(self, "form_" + code) for code in RECAP_FORMS}

    @property
    def has_form_breakdown(self) -> bool:
        return any(v is not None for v in self.form_counts().values())
