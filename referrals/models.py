"""Referrals (rujukan): a case, or part of it, sent to a partner agency for a service.

State machine (every transition is a function in `referrals.services`):

    draft --submit--> pending_approval --approve--> approved --(hand-off)--> delivered
    pending_approval --return--> returned --(edit, submit)--> pending_approval
    delivered --accept--> accepted --(record actions)--complete--> completed
    delivered --decline--> declined
    any open state --cancel--> cancelled

Approval writes the state and a `HandoffOutbox` row in one transaction; the hand-off task (and
a periodic sweep that re-enqueues what was not delivered) grants the receiving agency's group a
guardian object permission on the case through the direct foreign-key model
`CaseGroupObjectPermission`, records a `ReferralGrant` with the shared field groups, marks the
referral delivered and notifies the receiving staff. Declining or cancelling removes the grant.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase
from simple_history.models import HistoricalRecords

from ppa.models import Agency


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", _("Draf")
    PENDING_APPROVAL = "pending_approval", _("Menunggu persetujuan")
    RETURNED = "returned", _("Dikembalikan untuk diperbaiki")
    APPROVED = "approved", _("Disetujui, sedang dikirim")
    DELIVERED = "delivered", _("Terkirim, menunggu jawaban")
    ACCEPTED = "accepted", _("Diterima, sedang ditangani")
    DECLINED = "declined", _("Ditolak lembaga tujuan")
    COMPLETED = "completed", _("Selesai")
    CANCELLED = "cancelled", _("Dibatalkan")


# States in which the receiving agency sees the shared parts of the case.
SHARED_STATES = (ReferralStatus.DELIVERED, ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED)
# States in which either side may still cancel.
OPEN_STATES = (
    ReferralStatus.DRAFT,
    ReferralStatus.PENDING_APPROVAL,
    ReferralStatus.RETURNED,
    ReferralStatus.APPROVED,
    ReferralStatus.DELIVERED,
    ReferralStatus.ACCEPTED,
)


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", _("Darurat (jawaban dalam 1×24 jam)")
    URGENT = "urgent", _("Segera (jawaban dalam 2 hari kerja)")
    NORMAL = "normal", _("Biasa (jawaban dalam 5 hari kerja)")


class ReferralQuerySet(models.QuerySet):
    def open(self) -> "ReferralQuerySet":
        return self.filter(status__in=OPEN_STATES)


def step_after(later: str, earlier: str) -> models.CheckConstraint:
    """A later step's timestamp needs the earlier step's, and is not before it."""
    return models.CheckConstraint(
        condition=Q(**{f"{later}__isnull": True})
        | Q(**{f"{earlier}__isnull": False, f"{later}__gte": F(earlier)}),
        name=f"referrals_referral_{later.removesuffix('_at')}_after_{earlier.removesuffix('_at')}",
    )


class Referral(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="referrals", verbose_name=_("kasus")
    )
    from_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="referrals_sent",
        verbose_name=_("lembaga perujuk"),
    )
    to_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="referrals_received",
        verbose_name=_("lembaga tujuan"),
    )
    services = models.ManyToManyField(
        "cases.ServiceType", related_name="+", verbose_name=_("layanan yang diminta")
    )
    victims = models.ManyToManyField(
        "cases.Person", related_name="referrals", verbose_name=_("korban yang dirujuk")
    )
    urgency = models.CharField(
        _("tingkat kedaruratan"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    reason = models.TextField(_("alasan dan kebutuhan rujukan"))
    # FieldGroup values (cases.access.FieldGroup) the receiving agency may see.
    shared_groups = models.JSONField(_("bagian kasus yang dibagikan"), default=list)
    accept_by = models.DateTimeField(_("batas waktu jawaban"), null=True, blank=True)
    consent_override_reason = models.CharField(
        _("alasan merujuk tanpa persetujuan korban"), max_length=500, blank=True
    )

    status = models.CharField(
        _("status"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Reason of the last return, decline or cancellation (shown on the timeline too).
    status_reason = models.TextField(_("alasan"), blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["reminded_at", "escalated_at"])
    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("rujukan")
        verbose_name_plural = _("rujukan")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReferralStatus.values),
                name="referrals_referral_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(urgency__in=Urgency.values), name="referrals_referral_urgency_valid"
            ),
            models.CheckConstraint(
                condition=~Q(to_agency=F("from_agency")),
                name="referrals_referral_not_to_own_agency",
            ),
            # Nobody approves their own referral.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True)
                | (~Q(approved_by=F("created_by")) & ~Q(approved_by=F("submitted_by"))),
                name="referrals_referral_not_self_approved",
            ),
            # Dates follow the workflow.
            *(
                step_after(later, earlier)
                for later, earlier in (
                    ("approved_at", "submitted_at"),
                    ("delivered_at", "approved_at"),
                    ("accepted_at", "delivered_at"),
                    ("declined_at", "delivered_at"),
                    ("completed_at", "accepted_at"),
                )
            ),
            # Each state carries the timestamp of the step that led to it.
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "delivered", "accepted", "completed"])
                | Q(approved_at__isnull=False, approved_by__isnull=False),
                name="referrals_referral_approved_state_has_approval",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["delivered", "accepted", "completed"])
                | Q(delivered_at__isnull=False),
                name="referrals_referral_delivered_state_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["accepted", "completed"]) | Q(accepted_at__isnull=False),
                name="referrals_referral_accepted_state_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReferralStatus.DECLINED) | Q(declined_at__isnull=False),
                name="referrals_referral_declined_state_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReferralStatus.COMPLETED) | Q(completed_at__isnull=False),
                name="referrals_referral_completed_state_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReferralStatus.CANCELLED) | Q(cancelled_at__isnull=False),
                name="referrals_referral_cancelled_state_has_date",
            ),
        ]
        indexes = [
            # Case page panel: the referrals of one case, newest first.
            models.Index(fields=["case", "-created_at"], name="referrals_case_time"),
            # Inbox "sent" and "waiting for my approval": by sending agency and state.
            models.Index(fields=["from_agency", "status", "-created_at"], name="referrals_sent"),
            # Inbox "received": by receiving agency and state.
            models.Index(fields=["to_agency", "status", "-created_at"], name="referrals_received"),
            # Beat scan and the "overdue" tab: delivered referrals not answered by their deadline.
            models.Index(
                fields=["accept_by"],
                condition=Q(status=ReferralStatus.DELIVERED),
                name="referrals_awaiting_answer_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.to_agency_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES

    @property
    def is_shared(self) -> bool:
        return self.status in SHARED_STATES

    @property
    def shows_status_reason(self) -> bool:
        return bool(self.status_reason) and self.status in (
            ReferralStatus.RETURNED,
            ReferralStatus.DECLINED,
            ReferralStatus.CANCELLED,
        )


class EventKind(models.TextChoices):
    DRAFTED = "drafted", _("Draf dibuat")
    EDITED = "edited", _("Draf diubah")
    SUBMITTED = "submitted", _("Diajukan untuk persetujuan")
    CONSENT_OVERRIDE = "consent_override", _("Dirujuk tanpa persetujuan korban")
    RETURNED = "returned", _("Dikembalikan oleh supervisor")
    APPROVED = "approved", _("Disetujui supervisor")
    ENQUEUE_FAILED = "enqueue_failed", _("Pengiriman tertunda, akan diulang otomatis")
    DELIVERED = "delivered", _("Terkirim ke lembaga tujuan")
    ACCEPTED = "accepted", _("Diterima lembaga tujuan")
    DECLINED = "declined", _("Ditolak lembaga tujuan")
    ACTION = "action", _("Tindakan dicatat")
    COMPLETED = "completed", _("Selesai")
    CANCELLED = "cancelled", _("Dibatalkan")
    REMINDER = "reminder", _("Pengingat: belum dijawab")
    ESCALATION = "escalation", _("Eskalasi ke supervisor")


class ReferralEvent(models.Model):
    """One step on a referral's timeline (append-only)."""

    Kind = EventKind

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=EventKind.values),
                name="referrals_event_kind_valid",
            ),
            # A referral is approved, delivered, answered, finished at most once.
            models.UniqueConstraint(
                fields=["referral", "kind"],
                condition=Q(
                    kind__in=["approved", "delivered", "accepted", "declined", "completed"]
                    + ["cancelled", "reminder", "escalation"]
                ),
                name="referrals_event_once",
            ),
        ]
        indexes = [models.Index(fields=["referral", "at"], name="referrals_event_timeline")]

    def __str__(self) -> str:
        return f"{self.referral_id} {self.kind}"


class HandoffOutbox(models.Model):
    """The hand-off still owed for an approved referral (transactional outbox).

    Written in the approval transaction; the task marks `delivered_at` in the delivery
    transaction and `mailed_at` after the e-mail went out. The sweep re-enqueues rows whose
    work is not finished."""

    class Step(models.TextChoices):
        DELIVER = "deliver", _("Serah terima ke lembaga tujuan")

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="outbox")
    step = models.CharField(max_length=10, choices=Step.choices, default=Step.DELIVER)
    created_at = models.DateTimeField(auto_now_add=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["referral", "step"], name="referrals_outbox_unique"),
            models.CheckConstraint(
                condition=Q(mailed_at__isnull=True) | Q(delivered_at__isnull=False),
                name="referrals_outbox_mailed_after_delivered",
            ),
        ]
        indexes = [
            # The sweep: unfinished rows, oldest first.
            models.Index(
                fields=["created_at"],
                condition=Q(mailed_at__isnull=True),
                name="referrals_outbox_unfinished",
            )
        ]

    def __str__(self) -> str:
        return f"outbox {self.pk} referral {self.referral_id} {self.step}"

    @property
    def is_finished(self) -> bool:
        return self.mailed_at is not None


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    """guardian direct foreign-key object permission of a group on a case (referral grants).

    A bigint foreign key instead of guardian's generic text `object_pk`: the grant lookup uses
    the primary-key index (docs/quality.md, B4)."""

    content_object = models.ForeignKey("cases.Case", on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("izin grup atas kasus")
        verbose_name_plural = _("izin grup atas kasus")
        indexes = [
            # granted_case_ids(agency): the cases one group may see.
            models.Index(fields=["group", "permission"], name="referrals_caseperm_group"),
        ]


class ReferralGrant(models.Model):
    """What one referral shares with its receiving agency (the field groups)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="grants")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    field_groups = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["referral", "agency"], name="referrals_grant_unique")
        ]
        indexes = [
            # shared_field_groups(agency, case).
            models.Index(fields=["agency", "case"], name="referrals_grant_agency_case")
        ]

    def __str__(self) -> str:
        return f"grant referral {self.referral_id} to {self.agency_id}"


class Notification(models.Model):
    """An in-app notification. Its text names the case number only, never a person."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Rujukan menunggu persetujuan Anda")
        RETURNED = "returned", _("Rujukan dikembalikan")
        APPROVED = "approved", _("Rujukan disetujui")
        DELIVERED = "delivered", _("Rujukan baru untuk lembaga Anda")
        ACCEPTED = "accepted", _("Rujukan diterima")
        DECLINED = "declined", _("Rujukan ditolak")
        ACTION = "action", _("Tindakan baru pada rujukan")
        COMPLETED = "completed", _("Rujukan selesai")
        CANCELLED = "cancelled", _("Rujukan dibatalkan")
        REMINDER = "reminder", _("Pengingat: rujukan belum dijawab")
        ESCALATION = "escalation", _("Eskalasi: rujukan melewati batas waktu")
        DEADLINE_REMINDER = "deadline_reminder", _("Pengingat batas waktu kasus")
        DEADLINE_OVERDUE = "deadline_overdue", _("Batas waktu kasus terlewati")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    event = models.ForeignKey(
        ReferralEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    deadline = models.ForeignKey(
        "cases.Deadline", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One notification per user for each step of a referral (delivering twice
            # notifies once).
            models.UniqueConstraint(
                fields=["referral", "event", "user"],
                condition=Q(event__isnull=False),
                name="referrals_notification_once_per_event",
            ),
            models.UniqueConstraint(
                fields=["deadline", "kind", "user"],
                condition=Q(deadline__isnull=False),
                name="referrals_notification_once_per_deadline",
            ),
            models.CheckConstraint(
                condition=Q(referral__isnull=False, event__isnull=False)
                | Q(deadline__isnull=False),
                name="referrals_notification_has_subject",
            ),
        ]
        indexes = [
            # The user's notification list and unread count.
            models.Index(fields=["user", "-created_at"], name="referrals_notification_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"
