"""Printed documents of an office: referral letters (surat rujukan) and case summaries
(ringkasan kasus), each a WeasyPrint PDF rendered by a Celery task from stored parameters.

A referral letter is issued once per referral: its number comes from the sending agency's own
sequence per year (`LetterSequence`, one atomic upsert, like the case numbers), and the task
renders two files at once, the original and a copy marked "SALINAN". The first download gets
the original; every later one the copy. Both are stored with their SHA-256.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ppa.models import Agency


class DocumentKind(models.TextChoices):
    REFERRAL_LETTER = "referral_letter", _("Surat rujukan")
    CASE_SUMMARY = "case_summary", _("Ringkasan kasus")


class PrintStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu antrean")
    RUNNING = "running", _("Sedang dibuat")
    DONE = "done", _("Selesai")
    FAILED = "failed", _("Gagal")


class LetterSequence(models.Model):
    """Last issued letter number per agency and year; incremented atomically by an upsert."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="paperwork_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year}: {self.last}"


def document_file_path(instance: "PrintedDocument", filename: str) -> str:
    # Private storage (VAR_DIR/private), served only by the access-checked view.
    return f"paperwork/{instance.requested_at:%Y}/{instance.code.hex}-{filename}"


class PrintedDocument(models.Model):
    """One printed document: what was asked (parameters, reason), by whom, the files and
    their checksums."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("jenis dokumen"), max_length=20, choices=DocumentKind.choices)
    # The agency whose letterhead the document carries (the case's owner).
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    number = models.CharField(_("nomor surat"), max_length=60, blank=True)
    params = models.JSONField(_("parameter"), default=dict)
    purpose = models.CharField(_("alasan"), max_length=500, blank=True)
    language = models.CharField(_("bahasa"), max_length=5, default="id")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("diminta"), auto_now_add=True)

    status = models.CharField(
        _("status"), max_length=10, choices=PrintStatus.choices, default=PrintStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=255, blank=True)

    file = models.FileField(upload_to=document_file_path, blank=True)
    sha256 = models.CharField(_("checksum SHA-256"), max_length=64, blank=True)
    copy_file = models.FileField(upload_to=document_file_path, blank=True)
    copy_sha256 = models.CharField(_("checksum SHA-256 salinan"), max_length=64, blank=True)
    pages = models.PositiveSmallIntegerField(null=True, blank=True)
    # Short keyed checksum printed on a letter; the receiver checks it on the verification page.
    verification = models.CharField(_("kode verifikasi"), max_length=16, blank=True)
    # When the original was handed out (every later download is the copy).
    original_taken_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("dokumen cetak")
        verbose_name_plural = _("dokumen cetak")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=DocumentKind.values), name="paperwork_document_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=PrintStatus.values), name="paperwork_document_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | (~Q(file="") & ~Q(sha256="")),
                name="paperwork_document_done_has_file",
            ),
            models.CheckConstraint(
                condition=~Q(kind="referral_letter")
                | (Q(referral__isnull=False) & ~Q(number="") & ~Q(verification="")),
                name="paperwork_document_letter_numbered",
            ),
            # A referral has one letter (one number); reprints are copies of it.
            models.UniqueConstraint(
                fields=["referral"],
                condition=Q(kind="referral_letter"),
                name="paperwork_document_one_letter_per_referral",
            ),
            models.UniqueConstraint(
                fields=["agency", "number"],
                condition=~Q(number=""),
                name="paperwork_document_number_unique",
            ),
        ]
        indexes = [
            # The case page's list of printed documents.
            models.Index(fields=["case", "-requested_at"], name="paperwork_document_case"),
            # The sweep: documents not finished yet.
            models.Index(
                fields=["requested_at"],
                condition=Q(status__in=["pending", "running"]),
                name="paperwork_document_unfinished",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.code} {self.status}"

    @property
    def is_finished(self) -> bool:
        return self.status in (PrintStatus.DONE, PrintStatus.FAILED)


class SignerProfile(models.Model):
    """A user's title (jabatan) and NIP as printed under their signature."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signer_profile"
    )
    title = models.CharField(_("jabatan"), max_length=120, blank=True)
    nip = models.CharField(_("NIP"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("data penanda tangan")
        verbose_name_plural = _("data penanda tangan")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.title}"


class SimfoniExport(models.Model):
    """A case-level export for SIMFONI-PPA (personal data): a period, a stated reason, a
    one-time link that expires. The file is made in the background right after the request
    (`run`, a `reports.models.ExportRun` in private storage) and removed at its one download;
    its SHA-256 and the cases it held are kept, so the officer can mark them as typed into
    SIMFONI."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    period_from = models.DateField(_("dari tanggal pelaporan"))
    period_to = models.DateField(_("sampai tanggal pelaporan"))
    only_new = models.BooleanField(_("hanya kasus baru dan berubah"), default=True)
    reason = models.CharField(_("alasan ekspor"), max_length=500)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("diminta"))
    expires_at = models.DateTimeField(_("kedaluwarsa"))
    downloaded_at = models.DateTimeField(_("diunduh"), null=True, blank=True)
    # Primary keys of the cases in the file (no personal data), fixed at the request.
    case_ids = models.JSONField(default=list)
    sha256 = models.CharField(_("checksum SHA-256"), max_length=64, blank=True)
    marked_at = models.DateTimeField(_("ditandai sudah diinput"), null=True, blank=True)
    # The background job that makes the file (empty for exports made before there was one).
    run = models.OneToOneField(
        "reports.ExportRun", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("ekspor SIMFONI")
        verbose_name_plural = _("ekspor SIMFONI")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="paperwork_simfoniexport_expires_after",
            ),
            models.CheckConstraint(
                condition=Q(period_to__gte=models.F("period_from")),
                name="paperwork_simfoniexport_period_order",
            ),
            models.CheckConstraint(
                condition=~Q(reason=""), name="paperwork_simfoniexport_reason_required"
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "-created_at"], name="paperwork_simfoni_agency"),
        ]

    def __str__(self) -> str:
        return f"SIMFONI {self.agency_id} {self.period_from}..{self.period_to}"


class SimfoniMark(models.Model):
    """A case typed into SIMFONI: when it was marked (a later change makes it "changed")."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="+")
    marked_at = models.DateTimeField(_("ditandai"))
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    export = models.ForeignKey(SimfoniExport, on_delete=models.PROTECT, related_name="marks")

    class Meta:
        verbose_name = _("kasus sudah diinput ke SIMFONI")
        verbose_name_plural = _("kasus sudah diinput ke SIMFONI")

    def __str__(self) -> str:
        return f"{self.case_id} {self.marked_at:%Y-%m-%d}"


class CalendarFeed(models.Model):
    """A user's personal iCalendar feed of deadlines. Only a keyed hash of the secret token is
    stored; the address is shown once, when the user makes (or resets) it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("kalender batas waktu")
        verbose_name_plural = _("kalender batas waktu")

    def __str__(self) -> str:
        return f"feed {self.user_id}"
