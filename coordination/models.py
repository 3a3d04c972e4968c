"""Coordination meetings (rapat koordinasi, rakor) and their follow-up actions.

A meeting holds no victim data: titles, agendas, minutes and decisions are free text about
the work of agencies. A case number typed into them is printed as typed and never looked up,
so no page or PDF of a meeting shows a case's personal data.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ppa.models import Agency


class Meeting(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("judul rapat"), max_length=200)
    starts_at = models.DateTimeField(_("tanggal dan jam"))
    place = models.CharField(_("tempat"), max_length=200)
    convening_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="meetings_convened",
        verbose_name=_("penyelenggara"),
    )
    guests = models.TextField(_("undangan lain (di luar aplikasi)"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rapat koordinasi")
        verbose_name_plural = _("rapat koordinasi")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["convening_agency", "-starts_at"], name="coord_meeting_agency")
        ]

    def __str__(self) -> str:
        return self.title


class Invitation(models.Model):
    """An agency invited to a meeting, and whether (and by whom) it attended."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="meeting_invitations")
    attended = models.BooleanField(_("hadir"), null=True, blank=True)
    representative = models.CharField(_("nama dan jabatan yang hadir"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("undangan")
        verbose_name_plural = _("undangan")
        ordering = ["agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "agency"], name="coordination_invitation_once"
            )
        ]
        indexes = [models.Index(fields=["agency", "meeting"], name="coord_invitation_agency")]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.agency_id}"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField(_("urutan"))
    title = models.CharField(_("acara"), max_length=200)
    minutes = models.TextField(_("notulen"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("acara rapat")
        verbose_name_plural = _("acara rapat")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "position"], name="coordination_agendaitem_position_once"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("acara"),
    )
    text = models.TextField(_("keputusan"))
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("keputusan rapat")
        verbose_name_plural = _("keputusan rapat")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:60]


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Belum dikerjakan")
    IN_PROGRESS = "in_progress", _("Sedang dikerjakan")
    DONE = "done", _("Selesai")


class ActionQuerySet(models.QuerySet):
    def open(self) -> "ActionQuerySet":
        return self.exclude(status=ActionStatus.DONE)


class FollowUpAction(models.Model):
    """A follow-up action of a decision, assigned to one agency with a due date."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="actions")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="meeting_actions",
        verbose_name=_("lembaga penanggung jawab"),
    )
    description = models.TextField(_("tindak lanjut"))
    due_date = models.DateField(_("batas waktu"))
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    completed_at = models.DateTimeField(_("selesai pada"), null=True, blank=True)
    # The first working day after the due date (agency's zone): reminders start then.
    overdue_at = models.DateTimeField()
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["reminded_at", "escalated_at"])
    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("tindak lanjut")
        verbose_name_plural = _("tindak lanjut")
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ActionStatus.values), name="coordination_action_status"
            ),
            models.CheckConstraint(
                condition=Q(status=ActionStatus.DONE, completed_at__isnull=False)
                | (~Q(status=ActionStatus.DONE) & Q(completed_at__isnull=True)),
                name="coordination_action_done_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status", "due_date"], name="coord_action_agency"),
            # The beat scan: open actions by when they fall overdue.
            models.Index(
                fields=["overdue_at"],
                condition=~Q(status="done"),
                name="coord_action_overdue",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def is_done(self) -> bool:
        return self.status == ActionStatus.DONE


class ActionUpdate(models.Model):
    """Progress recorded by the assigned agency (append-only)."""

    action = models.ForeignKey(FollowUpAction, on_delete=models.CASCADE, related_name="updates")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(_("status"), max_length=20, choices=ActionStatus.choices)
    note = models.TextField(_("catatan"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("perkembangan tindak lanjut")
        verbose_name_plural = _("perkembangan tindak lanjut")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action_id} {self.status}"


class ActionNotice(models.Model):
    """An in-app notice about a follow-up action (shown in the inbox)."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("Tindak lanjut rakor baru untuk lembaga Anda")
        UPDATED = "updated", _("Perkembangan tindak lanjut rakor")
        REMINDER = "reminder", _("Pengingat: tindak lanjut rakor melewati batas waktu")
        ESCALATION = "escalation", _("Eskalasi: tindak lanjut rakor belum selesai")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="action_notices"
    )
    action = models.ForeignKey(FollowUpAction, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "kind", "user"],
                condition=~Q(kind="updated"),
                name="coordination_actionnotice_once",
            ),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="coord_notice_user")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"


# --- Community task-force reports ------------------------------------------------------------


class AtRiskAge(models.TextChoices):
    CHILD_UNDER_6 = "0-5", _("Anak 0-5 tahun")
    CHILD_6_12 = "6-12", _("Anak 6-12 tahun")
    CHILD_13_17 = "13-17", _("Anak 13-17 tahun")
    ADULT = "18+", _("Dewasa (18 tahun ke atas)")
    UNKNOWN = "unknown", _("Tidak diketahui")


class AtRiskSex(models.TextChoices):
    FEMALE = "P", _("Perempuan")
    MALE = "L", _("Laki-laki")
    UNKNOWN = "unknown", _("Tidak diketahui")


class ReportUrgency(models.TextChoices):
    EMERGENCY = "emergency", _("Darurat: ada bahaya sekarang")
    URGENT = "urgent", _("Segera: perlu ditangani dalam 1-2 hari")
    NORMAL = "normal", _("Biasa")


class CommunityReportStatus(models.TextChoices):
    RECEIVED = "received", _("Diterima")
    IN_PROGRESS = "in_progress", _("Sedang ditangani")
    CLOSED = "closed", _("Ditutup")


class CommunityReport(models.Model):
    """A report by a member of a community task force (Satgas PPA / PATBM): an incoming report
    in the UPTD PPA's triage queue, not a case. Starting an intake from it gives the intake
    draft the report's token; the case registered from that draft carries the same token as
    its `intake_token`, which is the case's link back to the report."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="community_reports"
    )
    task_force = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="community_reports_sent"
    )
    uptd = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="community_reports_received",
        verbose_name=_("UPTD PPA tujuan"),
    )
    what_happened = models.TextField(_("apa yang terjadi"))
    village = models.ForeignKey(
        "ppa.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("kelurahan/desa")
    )
    at_risk_age = models.CharField(
        _("usia orang yang mungkin berisiko"), max_length=10, choices=AtRiskAge.choices
    )
    at_risk_sex = models.CharField(
        _("jenis kelamin orang yang mungkin berisiko"), max_length=10, choices=AtRiskSex.choices
    )
    urgency = models.CharField(
        _("tingkat kedaruratan"), max_length=10, choices=ReportUrgency.choices
    )
    contact = models.CharField(_("cara menghubungi pelapor"), max_length=120, blank=True)
    consent_to_contact = models.BooleanField(_("bersedia dihubungi"), default=False)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=CommunityReportStatus.choices,
        default=CommunityReportStatus.RECEIVED,
    )
    created_at = models.DateTimeField(_("dilaporkan"), auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The intake draft's token once an intake is started; the case gets it as intake_token.
    intake_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.TextField(_("alasan penutupan"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("laporan masyarakat/Satgas")
        verbose_name_plural = _("laporan masyarakat/Satgas")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CommunityReportStatus.values),
                name="coordination_communityreport_status",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | (Q(closed_at__isnull=False) & ~Q(close_reason="")),
                name="coordination_communityreport_closed_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(consent_to_contact=True) | Q(contact=""),
                name="coordination_communityreport_contact_needs_consent",
            ),
        ]
        indexes = [
            # The triage queue of one UPTD, open reports first by time.
            models.Index(fields=["uptd", "status", "-created_at"], name="coord_report_queue"),
            models.Index(fields=["reporter", "-created_at"], name="coord_report_reporter"),
        ]

    def __str__(self) -> str:
        return str(self.code)


# --- Prevention activities ---------------------------------------------------------------------


class PreventionKind(models.TextChoices):
    SCHOOL = "school", _("Sosialisasi di sekolah")
    VILLAGE = "village", _("Sosialisasi di desa/kelurahan")
    WORSHIP = "worship", _("Sosialisasi di rumah ibadah")
    TRAINING = "training", _("Pelatihan")
    CAMPAIGN = "campaign", _("Kampanye")


class PreventionTopic(models.TextChoices):
    VIOLENCE = "violence", _("Kekerasan terhadap perempuan dan anak")
    TPPO = "tppo", _("Tindak pidana perdagangan orang (TPPO)")
    CHILD_MARRIAGE = "child_marriage", _("Perkawinan anak")
    ONLINE_SAFETY = "online_safety", _("Keamanan daring")


class PreventionActivity(models.Model):
    """A prevention activity of the office or one of its task forces: aggregated participant
    counts only, never names."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("jenis kegiatan"), max_length=20, choices=PreventionKind.choices)
    held_on = models.DateField(_("tanggal"))
    region = models.ForeignKey(
        "ppa.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("tempat (kecamatan atau kelurahan/desa)"),
    )
    place = models.CharField(_("nama tempat"), max_length=200, blank=True)
    organiser = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="prevention_activities",
        verbose_name=_("penyelenggara"),
    )
    target_group = models.CharField(_("sasaran"), max_length=200)
    topics = models.JSONField(_("topik"), default=list)
    girls = models.PositiveIntegerField(_("peserta anak perempuan"), default=0)
    boys = models.PositiveIntegerField(_("peserta anak laki-laki"), default=0)
    women = models.PositiveIntegerField(_("peserta perempuan dewasa"), default=0)
    men = models.PositiveIntegerField(_("peserta laki-laki dewasa"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kegiatan pencegahan")
        verbose_name_plural = _("kegiatan pencegahan")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=PreventionKind.values), name="coordination_prevention_kind"
            ),
        ]
        indexes = [
            models.Index(fields=["held_on"], name="coord_prevention_held"),
            models.Index(fields=["organiser", "-held_on"], name="coord_prevention_organiser"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on}"

    @property
    def participants(self) -> int:
        return self.girls + self.boys + self.women + self.men
