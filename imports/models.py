"""Imports of earlier records: one `ImportBatch` per uploaded file (who, when, the file and
its SHA-256, what the check found, what was written) and one `ImportedCase` per case a file
created, keyed by the office's own register number so a second import skips it."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from ppa.models import Agency


def batch_path(instance: "ImportBatch", filename: str) -> str:
    # Random name: the original file name (which may hold a name) is kept only in the database.
    return f"imports/{uuid.uuid4().hex}"


class ImportBatch(models.Model):
    class Kind(models.TextChoices):
        CASES = "cases", _("Kasus")
        POPULATION = "population", _("Jumlah penduduk")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Menunggu pemeriksaan")
        CHECKING = "checking", _("Sedang diperiksa")
        REFUSED = "refused", _("Ditolak: perbaiki berkas lalu unggah lagi")
        CHECKED = "checked", _("Siap diimpor: menunggu konfirmasi")
        WRITING = "writing", _("Sedang ditulis")
        DONE = "done", _("Selesai diimpor")
        FAILED = "failed", _("Gagal ditulis: tidak ada yang disimpan")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("jenis impor"), max_length=12, choices=Kind.choices)
    # The importing office (case imports); empty for population figures (administrators).
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    file = models.FileField(upload_to=batch_path)
    file_name = models.CharField(_("nama berkas"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("ukuran"))
    language = models.CharField(max_length=8, default="id")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("diunggah"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("dikonfirmasi"), null=True, blank=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_checked = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    # The rows the check read (imports.spool), replayed by the write, and their checksum.
    rows_file = models.FileField(upload_to=batch_path, blank=True)
    rows_sha256 = models.CharField(max_length=64, blank=True)
    # {"cases": n, "victims": n, "perpetrators": n, "services": n, "skipped_cases": n, ...}
    counts = models.JSONField(default=dict, blank=True)
    # [[sheet, row, column, message], ...] in the uploader's language (at most PROBLEM_LIMIT).
    problems = models.JSONField(default=list, blank=True)
    problem_count = models.PositiveIntegerField(default=0)
    notes = models.JSONField(default=list, blank=True)  # readings accepted with a note
    duplicates = models.JSONField(default=list, blank=True)  # [[sheet, row, case number]]

    class Meta:
        verbose_name = _("impor berkas")
        verbose_name_plural = _("impor berkas")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="population") | Q(agency__isnull=False),
                name="imports_batch_cases_have_agency",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "queued",
                        "checking",
                        "refused",
                        "checked",
                        "writing",
                        "done",
                        "failed",
                    ]
                ),
                name="imports_batch_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "-created_at"], name="imports_batch_agency_list"),
            models.Index(fields=["kind", "-created_at"], name="imports_batch_kind_list"),
        ]

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.CHECKING, self.Status.WRITING)


class ImportedCase(models.Model):
    """A case created by an import, under the office's own register number. The unique
    constraint makes a second import of the same row impossible, not only unlikely."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="cases")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    register_number = models.CharField(_("nomor register kantor"), max_length=40)
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "register_number"], name="imports_case_register_unique"
            )
        ]
