"""Data protection records: case-record exports, data-subject requests, anonymised cases."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CaseExport(models.Model):
    """A one-time, expiring download of one case's records, asked for with a stated reason.

    The file is built when downloaded (never stored), only for the user who asked, only once,
    and only before `expires_at`."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("alasan ekspor"), max_length=500)
    created_at = models.DateTimeField(_("diminta"), default=timezone.now)
    expires_at = models.DateTimeField(_("kedaluwarsa"))
    downloaded_at = models.DateTimeField(_("diunduh"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("ekspor data kasus")
        verbose_name_plural = _("ekspor data kasus")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="privacy_export_expires_after"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="privacy_export_reason_required"),
        ]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="privacy_export_user"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at


class SubjectRequest(models.Model):
    """A data subject's request for their data (UU 27/2022 Pasal 32: answer within 3×24 h)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Diterima")
        ANSWERED = "answered", _("Dijawab")
        REFUSED = "refused", _("Ditolak (Pasal 33)")

    received_at = models.DateTimeField(_("diterima"), default=timezone.now)
    case_number = models.CharField(_("nomor register kasus"), max_length=32)
    person_code = models.UUIDField(_("kode orang"))
    requester = models.CharField(
        _("pemohon"), max_length=120, help_text=_("Misalnya: korban sendiri, wali, kuasa hukum.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    refusal_reason = models.CharField(_("alasan penolakan"), max_length=500, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("dijawab"), null=True, blank=True)

    class Meta:
        verbose_name = _("permintaan subjek data")
        verbose_name_plural = _("permintaan subjek data")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.case_number} ({self.get_status_display()})"


class AnonymisedCase(models.Model):
    """A closed case whose personal data was removed after the retention period."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    retention_years = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("kasus dianonimkan")
        verbose_name_plural = _("kasus dianonimkan")
