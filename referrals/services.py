"""State changes of referrals. Views, tasks, commands and tests all call these functions.

Every service: guard clauses (a refused step raises `ReferralError` with an Indonesian message
and writes nothing), then one transaction that locks the referral (`select_for_update`),
re-checks the state, saves with `update_fields`, writes a timeline event and notifications;
side effects (the hand-off task, e-mail) run after commit.
"""

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu import pools

from cases.access import FieldGroup
from cases.models import Case, Deadline, Person, PersonRole, ServiceType
from cases.services import deadlines_police_report
from ppa.celery import app
from ppa.dates import when
from ppa.models import Agency, Role, User
from ppa.services import agency_staff, mail_plain
from referrals import access, clocks
from referrals.grants import grant_apply, grant_revoke
from referrals.models import (
    HandoffOutbox,
    Notification,
    Referral,
    ReferralEvent,
    ReferralStatus,
    Urgency,
)

log = logging.getLogger(__name__)
S = ReferralStatus
REASON_MAX = 2000


class ReferralError(Exception):
    """A step was refused; the message is for the user, in Indonesian. `field` names the form
    field it belongs to, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class ReferralData:
    to_agency_id: int | None
    service_codes: list[str]
    urgency: str
    reason: str
    victim_ids: list[int]
    shared_groups: list[str] = field(default_factory=lambda: sorted(FieldGroup.DEFAULT_SHARED))
    accept_by: dt.datetime | None = None  # aware; None: the urgency's default
    consent_override_reason: str = ""


# --- helpers -------------------------------------------------------------------------------


def _lock(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update(of=("self",)).select_related("case").get(pk=referral.pk)
    )


def _event(referral: Referral, kind: str, actor: User | None, note: str = "") -> ReferralEvent:
    return ReferralEvent.objects.create(
        referral=referral,
        kind=kind,
        actor=actor,
        agency_id=getattr(actor, "agency_id", None),
        note=note,
    )


def receiving_staff(referral: Referral) -> list[User]:
    return agency_staff(
        referral.to_agency_id, (Role.PARTNER, Role.INTAKE, Role.CASE_WORKER, Role.SUPERVISOR)
    )


def supervisors(agency_id: int) -> list[User]:
    return agency_staff(agency_id, (Role.SUPERVISOR,))


def sending_people(referral: Referral) -> list[User]:
    """The referring worker (and whoever submitted) and the case's worker."""
    ids = {referral.created_by_id, referral.submitted_by_id, referral.case.assigned_worker_id}
    return list(User.objects.filter(pk__in=[i for i in ids if i], is_active=True))


def _notify(event: ReferralEvent, users: Iterable[User], kind: str | None = None) -> int:
    """In-app notifications for one timeline event; a second call adds nothing."""
    referral = event.referral
    rows = [
        Notification(
            user=user,
            kind=kind or event.kind,
            case_id=referral.case_id,
            referral=referral,
            event=event,
        )
        for user in {u.pk: u for u in users}.values()
    ]
    return len(Notification.objects.bulk_create(rows, ignore_conflicts=True))


def referral_url(referral: Referral) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(
        "referrals:detail", kwargs={"code": referral.code}
    )


def _clean_reason(reason: str, field_name: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ReferralError(_("Alasan wajib diisi."), field_name)
    if len(reason) > REASON_MAX:
        raise ReferralError(_("Alasan terlalu panjang (paling banyak 2000 karakter)."), field_name)
    return reason


def _check_agency(case: Case, data: ReferralData) -> Agency:
    """The receiving agency of a draft: exists, active, not one's own, a service provider."""
    if data.to_agency_id is None:
        raise ReferralError(_("Pilih lembaga tujuan."), "to_agency")
    agency = Agency.objects.filter(pk=data.to_agency_id).first()
    if agency is None:
        raise ReferralError(_("Lembaga tujuan tidak ditemukan."), "to_agency")
    if agency.pk == case.agency_id:
        raise ReferralError(_("Kasus tidak dapat dirujuk ke lembaga sendiri."), "to_agency")
    if not agency.is_active:
        raise ReferralError(
            _("Lembaga tujuan tidak aktif. Pilih lembaga lain atau hubungi administrator."),
            "to_agency",
        )
    if agency.kind == Agency.Kind.DP3AP2KB:
        raise ReferralError(
            _("Dinas PPPA bukan lembaga layanan; rujuk ke lembaga yang memberi layanan."),
            "to_agency",
        )
    return agency


def _check_consent(case: Case, data: ReferralData) -> str:
    """The reason for sharing without the victim's consent ("" when consent was given)."""
    override = (data.consent_override_reason or "").strip()
    if not case.consent_sharing and not override:
        raise ReferralError(
            _(
                "Korban (atau walinya) belum menyetujui data dibagikan. Isi alasan merujuk "
                "tanpa persetujuan (misalnya keselamatan korban atau kewajiban hukum)."
            ),
            "consent_override_reason",
        )
    if len(override) > 500:
        raise ReferralError(
            _("Alasan terlalu panjang (paling banyak 500 karakter)."), "consent_override_reason"
        )
    return override if not case.consent_sharing else ""


def _check_data(*, actor: User, case: Case, data: ReferralData) -> dict:
    """Validate what a draft says; return the cleaned values."""
    agency = _check_agency(case, data)
    codes = sorted(set(data.service_codes))
    if not codes:
        raise ReferralError(_("Pilih sedikitnya satu layanan yang diminta."), "services")
    services = list(ServiceType.objects.filter(code__in=codes, is_active=True))
    if len(services) != len(codes):
        raise ReferralError(_("Jenis layanan tidak dikenal."), "services")
    if data.urgency not in Urgency.values:
        raise ReferralError(_("Pilih tingkat kedaruratan."), "urgency")
    reason = _clean_reason(data.reason)
    victims = list(
        Person.objects.filter(case=case, role=PersonRole.VICTIM, pk__in=set(data.victim_ids))
    )
    if not victims or len(victims) != len(set(data.victim_ids)):
        raise ReferralError(_("Pilih korban yang dirujuk (korban dalam kasus ini)."), "victims")
    groups = sorted(set(data.shared_groups))
    if not groups or not set(groups) <= FieldGroup.ALL:
        raise ReferralError(_("Pilih bagian kasus yang dibagikan."), "shared_groups")
    if data.accept_by is not None and data.accept_by <= timezone.now():
        raise ReferralError(_("Batas waktu jawaban harus di masa depan."), "accept_by")
    override = _check_consent(case, data)
    return {
        "to_agency": agency,
        "services": services,
        "urgency": data.urgency,
        "reason": reason,
        "victims": victims,
        "shared_groups": groups,
        "accept_by": data.accept_by,
        "consent_override_reason": override,
    }


# --- sending side --------------------------------------------------------------------------


def referral_draft(*, actor: User, case: Case, data: ReferralData) -> Referral:
    """A draft referral of the case, written by a case worker or supervisor of its UPTD."""
    if not access.can_draft_referral(actor, case):
        raise ReferralError(_("Anda tidak berwenang membuat rujukan untuk kasus ini."))
    values = _check_data(actor=actor, case=case, data=data)
    services, victims = values.pop("services"), values.pop("victims")
    with transaction.atomic():
        referral = Referral.objects.create(
            case=case, from_agency_id=case.agency_id, created_by=actor, **values
        )
        referral.services.set(services)
        referral.victims.set(victims)
        _event(referral, ReferralEvent.Kind.DRAFTED, actor)
    return referral


def referral_update(*, actor: User, referral: Referral, data: ReferralData) -> Referral:
    """Change a draft or a returned referral."""
    if not access.can_edit_referral(actor, referral):
        raise ReferralError(_("Rujukan ini tidak dapat diubah lagi."))
    values = _check_data(actor=actor, case=referral.case, data=data)
    services, victims = values.pop("services"), values.pop("victims")
    with transaction.atomic():
        locked = _lock(referral)
        if locked.status not in (S.DRAFT, S.RETURNED):
            raise ReferralError(_("Rujukan ini tidak dapat diubah lagi."))
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(values))
        locked.services.set(services)
        locked.victims.set(victims)
        _event(locked, ReferralEvent.Kind.EDITED, actor)
    return locked


def referral_submit(*, actor: User, referral: Referral) -> Referral:
    """Send a draft (or a returned referral) to the supervisors for approval."""
    if referral.status not in (S.DRAFT, S.RETURNED):
        raise ReferralError(_("Hanya draf atau rujukan yang dikembalikan yang dapat diajukan."))
    if not access.can_submit_referral(actor, referral):
        raise ReferralError(_("Anda tidak berwenang mengajukan rujukan ini."))
    with transaction.atomic():
        locked = _lock(referral)
        if locked.status not in (S.DRAFT, S.RETURNED):
            raise ReferralError(_("Rujukan ini sudah diajukan."))
        if not locked.to_agency.is_active:
            raise ReferralError(_("Lembaga tujuan tidak aktif lagi. Ubah lembaga tujuan."))
        if not locked.case.consent_sharing and not locked.consent_override_reason:
            raise ReferralError(
                _("Korban belum menyetujui data dibagikan: isi alasan merujuk tanpa persetujuan.")
            )
        locked.status = S.PENDING_APPROVAL
        locked.submitted_by, locked.submitted_at = actor, timezone.now()
        locked.save(update_fields=["status", "submitted_by", "submitted_at"])
        event = _event(locked, ReferralEvent.Kind.SUBMITTED, actor)
        if locked.consent_override_reason:
            # Sharing without consent needs a reason, and it is logged.
            _event(
                locked,
                ReferralEvent.Kind.CONSENT_OVERRIDE,
                actor,
                locked.consent_override_reason,
            )
        others = [u for u in supervisors(locked.from_agency_id) if u.pk != actor.pk]
        _notify(event, [u for u in others if u.pk != locked.created_by_id])
    return locked


def referral_return(*, actor: User, referral: Referral, comment: str) -> Referral:
    """A supervisor sends the referral back to the worker with a comment."""
    comment = _clean_reason(comment, "comment")
    if referral.status != S.PENDING_APPROVAL:
        raise ReferralError(_("Hanya rujukan yang menunggu persetujuan yang dapat dikembalikan."))
    if not access.can_approve_referral(actor, referral):
        raise ReferralError(_("Anda tidak berwenang mengembalikan rujukan ini."))
    with transaction.atomic():
        locked = _lock(referral)
        if locked.status != S.PENDING_APPROVAL:
            raise ReferralError(_("Rujukan ini sudah diproses supervisor lain."))
        locked.status, locked.status_reason = S.RETURNED, comment
        locked.save(update_fields=["status", "status_reason"])
        event = _event(locked, ReferralEvent.Kind.RETURNED, actor, comment)
        _notify(event, sending_people(locked))
    return locked


def referral_approve(*, actor: User, referral: Referral) -> Referral:
    """A supervisor approves: the state and an outbox row in one transaction; the hand-off
    task is enqueued after commit (and again by the sweep if that enqueue is lost)."""
    if referral.status == S.CANCELLED:
        raise ReferralError(_("Rujukan ini sudah dibatalkan dan tidak dapat disetujui."))
    if referral.status != S.PENDING_APPROVAL:
        raise ReferralError(_("Hanya rujukan yang menunggu persetujuan yang dapat disetujui."))
    if actor.pk in (referral.created_by_id, referral.submitted_by_id):
        raise ReferralError(_("Anda tidak dapat menyetujui rujukan yang Anda buat sendiri."))
    if not access.can_approve_referral(actor, referral):
        raise ReferralError(_("Hanya supervisor lembaga perujuk yang dapat menyetujui rujukan."))
    with transaction.atomic():
        locked = _lock(referral)
        if locked.status != S.PENDING_APPROVAL:
            raise ReferralError(_("Rujukan ini sudah diproses supervisor lain."))
        if not locked.to_agency.is_active:
            raise ReferralError(_("Lembaga tujuan tidak aktif lagi. Kembalikan rujukan ini."))
        locked.status = S.APPROVED
        locked.approved_by, locked.approved_at = actor, timezone.now()
        locked.save(update_fields=["status", "approved_by", "approved_at"])
        event = _event(locked, ReferralEvent.Kind.APPROVED, actor)
        _notify(event, sending_people(locked))
        outbox = HandoffOutbox.objects.create(referral=locked, step=HandoffOutbox.Step.DELIVER)
        transaction.on_commit(lambda: handoff_enqueue(outbox.pk), robust=True)
    return locked


# Publishing an approval's hand-off must fail fast when Redis is down: the default connection
# policy retries for about 6 s (measured), which the supervisor would wait out on the page.
# The task is named, not imported: referrals.tasks imports this module (ReferralsConfig.ready
# imports the tasks, so the name is registered in every process, also when tasks run eagerly).
HANDOFF_TASK = "referrals.tasks.handoff_deliver"
PUBLISH_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0, "interval_max": 0}


def handoff_enqueue(outbox_id: int) -> bool:
    """Put the hand-off on the queue. A broker that is down is logged, not raised: the
    approval stands, the user gets their page, and the sweep enqueues it later."""
    task = app.signature(HANDOFF_TASK, args=[outbox_id])
    try:
        if app.conf.task_always_eager:
            task.apply_async()
        else:
            conn = app.connection_for_write(connect_timeout=2, transport_options=PUBLISH_OPTIONS)
            with pools.connections[conn].acquire(block=True, timeout=2) as pooled:
                task.apply_async(connection=pooled, retry=False)
    except Exception as exc:  # noqa: BLE001 (kombu raises many kinds; all mean "not sent")
        log.warning("hand-off %s not enqueued (%s); the sweep will retry", outbox_id, type(exc))
        first_failure = HandoffOutbox.objects.filter(pk=outbox_id, last_error="").update(
            last_error=f"enqueue: {type(exc).__name__}"[:255]
        )
        if first_failure:  # shown once on the timeline: "delayed, will be retried"
            outbox = HandoffOutbox.objects.get(pk=outbox_id)
            ReferralEvent.objects.create(
                referral_id=outbox.referral_id, kind=ReferralEvent.Kind.ENQUEUE_FAILED
            )
        return False
    HandoffOutbox.objects.filter(pk=outbox_id).update(enqueued_at=timezone.now())
    return True


# --- the hand-off (run by referrals.tasks) ------------------------------------------------


def referral_deliver(*, outbox_id: int) -> bool:
    """Deliver an approved referral: grant, mark delivered, notify. Idempotent: the outbox row
    is locked first and a finished row returns at once. Returns True if it delivered now."""
    with transaction.atomic():
        outbox = HandoffOutbox.objects.select_for_update().filter(pk=outbox_id).first()
        if outbox is None or outbox.delivered_at is not None:
            return False
        referral = (
            Referral.objects.select_for_update(of=("self",))
            .select_related("case", "to_agency")
            .get(pk=outbox.referral_id)
        )
        now = timezone.now()
        outbox.attempts += 1
        if referral.status != S.APPROVED:
            # Cancelled before the hand-off ran: nothing to deliver, nothing to mail.
            outbox.delivered_at = outbox.mailed_at = now
            outbox.save(update_fields=["attempts", "delivered_at", "mailed_at"])
            return False
        grant_apply(referral=referral)
        referral.status, referral.delivered_at = S.DELIVERED, now
        fields = ["status", "delivered_at"]
        if referral.accept_by is None or referral.accept_by <= now:
            referral.accept_by = clocks.answer_due(
                referral.urgency, now, referral.to_agency.time_zone
            )
            fields.append("accept_by")
        referral.save(update_fields=fields)
        event = _event(referral, ReferralEvent.Kind.DELIVERED, None)
        _notify(event, receiving_staff(referral))
        _notify(event, sending_people(referral))
        if referral.to_agency.kind == Agency.Kind.POLICE_PPA:
            # The case reached the police: the TPKS report duty is met, police clocks start.
            deadlines_police_report(case=referral.case, at=now)
        outbox.delivered_at = now
        outbox.last_error = ""
        outbox.save(update_fields=["attempts", "delivered_at", "last_error"])
    return True


def handoff_mail(*, outbox_id: int) -> bool:
    """E-mail the receiving agency after the delivery committed, once per outbox row: the row
    is locked while sending and `mailed_at` committed with it."""
    with transaction.atomic():
        outbox = HandoffOutbox.objects.select_for_update().filter(pk=outbox_id).first()
        if outbox is None or outbox.delivered_at is None or outbox.mailed_at is not None:
            return False
        referral = Referral.objects.select_related("case", "to_agency").get(pk=outbox.referral_id)
        recipients = [u.email for u in receiving_staff(referral)] + [referral.to_agency.email]
        mail_plain(
            _("Rujukan baru: kasus %(number)s") % {"number": referral.case.number},
            _(
                "Lembaga Anda menerima rujukan untuk kasus %(number)s.\n"
                "Buka Sinergi PPA untuk menerima atau menolaknya:\n%(url)s\n"
            )
            % {"number": referral.case.number, "url": referral_url(referral)},
            recipients,
        )
        outbox.mailed_at = timezone.now()
        outbox.save(update_fields=["mailed_at"])
    return True


def handoff_sweep(*, older_than_seconds: int | None = None, limit: int = 100) -> int:
    """Re-enqueue hand-offs not finished for longer than the threshold (Redis down at
    approval, worker killed mid-task). Rows another sweep holds are skipped."""
    seconds = (
        settings.REFERRAL_HANDOFF_SWEEP_AFTER if older_than_seconds is None else older_than_seconds
    )
    cutoff = timezone.now() - dt.timedelta(seconds=seconds)
    with transaction.atomic():
        rows = list(
            HandoffOutbox.objects.select_for_update(skip_locked=True)
            .filter(mailed_at__isnull=True)
            .filter(
                Q(enqueued_at__isnull=True, created_at__lte=cutoff) | Q(enqueued_at__lte=cutoff)
            )
            .order_by("created_at")[:limit]
        )
        for row in rows:
            row.enqueued_at = timezone.now()  # not to be swept again before the threshold
            row.save(update_fields=["enqueued_at"])
        ids = [row.pk for row in rows]
    for outbox_id in ids:
        handoff_enqueue(outbox_id)
    if ids:
        log.info("hand-off sweep re-enqueued %d outbox rows", len(ids))
    return len(ids)


# --- receiving side ------------------------------------------------------------------------


def _receiving_guard(actor: User, referral: Referral, allowed: tuple[str, ...], msg: str) -> None:
    if referral.status not in allowed:
        raise ReferralError(msg)
    if not access.can_answer_referral(actor, referral):
        raise ReferralError(_("Hanya staf lembaga tujuan yang dapat menjawab rujukan ini."))


def referral_accept(*, actor: User, referral: Referral) -> Referral:
    msgs = {
        S.DECLINED: _("Rujukan ini sudah ditolak dan tidak dapat diterima."),
        S.CANCELLED: _("Rujukan ini sudah dibatalkan dan tidak dapat diterima."),
        S.ACCEPTED: _("Rujukan ini sudah diterima."),
    }
    _receiving_guard(
        actor,
        referral,
        (S.DELIVERED,),
        msgs.get(S(referral.status), _("Rujukan ini belum dapat diterima.")),
    )
    with transaction.atomic():
        locked = _lock(referral)
        if locked.status != S.DELIVERED:
            raise ReferralError(msgs.get(S(locked.status), _("Rujukan ini belum dapat diterima.")))
        locked.status, locked.accepted_at, locked.answered_by = S.ACCEPTED, timezone.now(), actor
        locked.save(update_fields=["status", "accepted_at", "answered_by"])
        event = _event(locked, ReferralEvent.Kind.ACCEPTED, actor)
        _notify(event, sending_people(locked))
    return locked


def referral_decline(*, actor: User, referral: Referral, reason: str) -> Referral:
    """Decline with a reason; the receiving agency loses access at once."""
    reason = _clean_reason(reason)
    _receiving_guard(
        actor, referral, (S.DELIVERED,), _("Hanya rujukan yang belum dijawab yang dapat ditolak.")
    )
    with transaction.atomic():
        locked = _lock(referral)
        if locked.status != S.DELIVERED:
            raise ReferralError(_("Hanya rujukan yang belum dijawab yang dapat ditolak."))
        locked.status, locked.declined_at, locked.answered_by = S.DECLINED, timezone.now(), actor
        locked.status_reason = reason
        locked.save(update_fields=["status", "declined_at", "answered_by", "status_reason"])
        grant_revoke(referral=locked)
        event = _event(locked, ReferralEvent.Kind.DECLINED, actor, reason)
        _notify(event, sending_people(locked) + supervisors(locked.from_agency_id))
    return locked


def referral_record_action(*, actor: User, referral: Referral, note: str) -> ReferralEvent:
    """Receiving staff record what they did (an accepted referral)."""
    note = _clean_reason(note, "note")
    _receiving_guard(
        actor,
        referral,
        (S.ACCEPTED,),
        _("Tindakan hanya dapat dicatat pada rujukan yang sudah diterima."),
    )
    with transaction.atomic():
        locked = _lock(referral)
        if locked.status != S.ACCEPTED:
            raise ReferralError(_("Tindakan hanya dapat dicatat pada rujukan yang sudah diterima."))
        event = _event(locked, ReferralEvent.Kind.ACTION, actor, note)
        _notify(event, sending_people(locked))
    return event


def referral_complete(*, actor: User, referral: Referral, note: str = "") -> Referral:
    _receiving_guard(
        actor,
        referral,
        (S.ACCEPTED,),
        _("Hanya rujukan yang sudah diterima yang dapat diselesaikan."),
    )
    with transaction.atomic():
        locked = _lock(referral)
        if locked.status != S.ACCEPTED:
            raise ReferralError(_("Hanya rujukan yang sudah diterima yang dapat diselesaikan."))
        locked.status, locked.completed_at = S.COMPLETED, timezone.now()
        locked.save(update_fields=["status", "completed_at"])
        event = _event(locked, ReferralEvent.Kind.COMPLETED, actor, (note or "").strip())
        _notify(event, sending_people(locked))
    return locked


# --- either side ---------------------------------------------------------------------------


def referral_cancel(*, actor: User, referral: Referral, reason: str) -> Referral:
    """Either side cancels while the referral is open; access is taken back at once."""
    reason = _clean_reason(reason)
    if not referral.is_open:
        raise ReferralError(
            _("Rujukan yang sudah selesai, ditolak atau dibatalkan tidak dapat dibatalkan.")
        )
    if not access.can_cancel_referral(actor, referral):
        raise ReferralError(_("Anda tidak berwenang membatalkan rujukan ini."))
    with transaction.atomic():
        locked = _lock(referral)
        if not locked.is_open:
            raise ReferralError(
                _("Rujukan yang sudah selesai, ditolak atau dibatalkan tidak dapat dibatalkan.")
            )
        was_delivered = locked.delivered_at is not None
        locked.status, locked.cancelled_at, locked.status_reason = (
            S.CANCELLED,
            timezone.now(),
            reason,
        )
        locked.save(update_fields=["status", "cancelled_at", "status_reason"])
        if was_delivered:
            grant_revoke(referral=locked)
        event = _event(locked, ReferralEvent.Kind.CANCELLED, actor, reason)
        users = sending_people(locked)
        if was_delivered:
            users += receiving_staff(locked)
        _notify(event, [u for u in users if u.pk != actor.pk])
    return locked


# --- reminders, escalation and statutory clocks (beat) --------------------------------------


def referral_reminders_scan(*, now: dt.datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Delivered referrals not answered by their deadline: remind the receiving agency once,
    then escalate to the supervisors of both agencies once. Due rows only (indexed scan)."""
    now = now or timezone.now()
    counts = {"reminded": 0, "escalated": 0}
    mails: list[tuple[str, str, list[str]]] = []
    with transaction.atomic():
        due = (
            Referral.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("case", "to_agency", "from_agency")
            .filter(status=S.DELIVERED, accept_by__lte=now)
            .filter(
                # Escalation comes at least a day after the deadline (exact rule below).
                Q(reminded_at__isnull=True)
                | Q(escalated_at__isnull=True, accept_by__lte=now - dt.timedelta(days=1))
            )
            .order_by("accept_by")[:limit]
        )
        for referral in due:
            number = referral.case.number
            if referral.reminded_at is None:
                referral.reminded_at = now
                referral.save(update_fields=["reminded_at"])
                event = _event(referral, ReferralEvent.Kind.REMINDER, None)
                staff = receiving_staff(referral)
                _notify(event, staff)
                mails.append(
                    (
                        _("Pengingat rujukan: kasus %(number)s") % {"number": number},
                        _("Rujukan kasus %(number)s belum dijawab. %(url)s")
                        % {"number": number, "url": referral_url(referral)},
                        [u.email for u in staff] + [referral.to_agency.email],
                    )
                )
                counts["reminded"] += 1
            elif referral.accept_by is not None and now >= clocks.escalation_due(
                referral.accept_by, referral.to_agency.time_zone
            ):
                referral.escalated_at = now
                referral.save(update_fields=["escalated_at"])
                event = _event(referral, ReferralEvent.Kind.ESCALATION, None)
                heads = supervisors(referral.from_agency_id) + supervisors(referral.to_agency_id)
                _notify(event, heads)
                mails.append(
                    (
                        _("Eskalasi rujukan: kasus %(number)s") % {"number": number},
                        _("Rujukan kasus %(number)s melewati batas waktu jawaban. %(url)s")
                        % {"number": number, "url": referral_url(referral)},
                        [u.email for u in heads],
                    )
                )
                counts["escalated"] += 1
        transaction.on_commit(lambda: [mail_plain(*m) for m in mails], robust=True)
    return counts


def deadline_scan(*, now: dt.datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Running case clocks (not entered late): remind the worker before they fall due, tell the
    worker and the supervisors once overdue. Each notification once (unique per deadline)."""
    now = now or timezone.now()
    lead = dt.timedelta(seconds=settings.DEADLINE_REMIND_BEFORE)
    counts = {"reminded": 0, "overdue": 0}
    mails: list[tuple[str, str, list[str]]] = []
    with transaction.atomic():
        due = (
            Deadline.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("case")
            .filter(done_at__isnull=True, late_entry=False, due_at__lte=now + lead)
            .filter(Q(reminded_at__isnull=True) | Q(escalated_at__isnull=True, due_at__lte=now))
            .order_by("due_at")[:limit]
        )
        for deadline in due:
            case = deadline.case
            workers = (
                [case.assigned_worker]
                if case.assigned_worker is not None and case.assigned_worker.is_active
                else agency_staff(case.agency_id, (Role.CASE_WORKER,))
            )
            if deadline.due_at <= now and deadline.escalated_at is None:
                deadline.escalated_at = now
                if deadline.reminded_at is None:
                    deadline.reminded_at = now
                deadline.save(update_fields=["escalated_at", "reminded_at"])
                users = workers + supervisors(case.agency_id)
                kind = Notification.Kind.DEADLINE_OVERDUE
                counts["overdue"] += 1
                subject = _("Batas waktu terlewati: kasus %(number)s")
            elif deadline.reminded_at is None:
                deadline.reminded_at = now
                deadline.save(update_fields=["reminded_at"])
                users, kind = workers, Notification.Kind.DEADLINE_REMINDER
                counts["reminded"] += 1
                subject = _("Pengingat batas waktu: kasus %(number)s")
            else:
                continue
            Notification.objects.bulk_create(
                [
                    Notification(user=u, kind=kind, case=case, deadline=deadline)
                    for u in {u.pk: u for u in users}.values()
                ],
                ignore_conflicts=True,
            )
            mails.append(
                (
                    subject % {"number": case.number},
                    _("%(what)s untuk kasus %(number)s jatuh pada %(due)s.")
                    % {
                        "what": deadline.get_kind_display(),
                        "number": case.number,
                        "due": when(deadline.due_at),
                    },
                    [u.email for u in users],
                )
            )
        transaction.on_commit(lambda: [mail_plain(*m) for m in mails], robust=True)
    return counts


def notifications_mark_read(*, actor: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all, or the given ones)."""
    rows = Notification.objects.filter(user=actor, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())  # not history-tracked


__all__ = [
    "ReferralData",
    "ReferralError",
    "deadline_scan",
    "handoff_enqueue",
    "handoff_mail",
    "handoff_sweep",
    "notifications_mark_read",
    "referral_accept",
    "referral_approve",
    "referral_cancel",
    "referral_complete",
    "referral_decline",
    "referral_deliver",
    "referral_draft",
    "referral_record_action",
    "referral_reminders_scan",
    "referral_return",
    "referral_submit",
    "referral_update",
]
