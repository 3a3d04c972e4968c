"""State changes of coordination meetings and follow-up actions.

Each service checks the actor (through `coordination.access`), writes in one transaction with
`update_fields` (history rows by simple-history), and sends notices/e-mail after commit. The
overdue scan runs on Celery beat beside the referral reminders (settings
`CELERY_BEAT_SCHEDULE["coordination-actions-scan"]`, and `manage.py run_periodic` through
`PERIODIC_SCANS`) with the referrals' working-day calendar.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, IntakeChannel, IntakeDraft, RiskLevel
from cases.services import draft_save, working_days_after
from coordination import access
from coordination.models import (
    ActionNotice,
    ActionStatus,
    ActionUpdate,
    AgendaItem,
    AtRiskSex,
    CommunityReport,
    CommunityReportStatus,
    Decision,
    FollowUpAction,
    Invitation,
    Meeting,
    PreventionActivity,
    PreventionTopic,
)
from ppa.models import Agency, Region, Role, User
from ppa.services import agency_staff, mail_plain

NOTE_MAX = 2000
ACTION_STAFF = (Role.PARTNER, Role.INTAKE, Role.CASE_WORKER, Role.SUPERVISOR, Role.OFFICIAL)


class CoordinationError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


@dataclass
class MeetingData:
    title: str
    starts_at: dt.datetime
    place: str
    invited: list[Agency] = field(default_factory=list)
    guests: str = ""
    agenda: list[str] = field(default_factory=list)


@dataclass
class ActionData:
    agency: Agency
    description: str
    due_date: dt.date


def _guard_convener(actor: User) -> None:
    if not access.can_convene(actor):
        raise PermissionDenied


def _agency_of(actor: User) -> Agency:
    """The actor's agency (the guards have let only users with an active one through)."""
    if actor.agency is None:
        raise PermissionDenied
    return actor.agency


def _guard_editor(actor: User, meeting: Meeting) -> None:
    if not access.can_edit_meeting(actor, meeting):
        raise PermissionDenied


def meeting_create(*, actor: User, data: MeetingData) -> Meeting:
    """A meeting convened by the actor's agency, with its invitations and agenda."""
    _guard_convener(actor)
    convener = _agency_of(actor)
    allowed = set(access.invitable_agencies(convener).values_list("pk", flat=True))
    if any(a.pk not in allowed for a in data.invited):
        raise CoordinationError(_("Lembaga undangan di luar wilayah Anda."), "invited")
    agenda = [line.strip()[:200] for line in data.agenda if line.strip()]
    if not agenda:
        raise CoordinationError(_("Isi sedikitnya satu acara rapat."), "agenda")
    with transaction.atomic():
        meeting = Meeting.objects.create(
            title=data.title.strip(),
            starts_at=data.starts_at,
            place=data.place.strip(),
            convening_agency=convener,
            guests=data.guests.strip(),
            created_by=actor,
        )
        for agency in [convener, *data.invited]:
            Invitation.objects.create(meeting=meeting, agency=agency)
        for position, title in enumerate(agenda, start=1):
            AgendaItem.objects.create(meeting=meeting, position=position, title=title)
    return meeting


def attendance_record(
    *, actor: User, meeting: Meeting, present: dict[int, tuple[bool, str]]
) -> int:
    """Attendance per invited agency: {invitation id: (attended, representative)}."""
    _guard_editor(actor, meeting)
    changed = 0
    with transaction.atomic():
        for invitation in meeting.invitations.select_for_update().order_by("pk"):
            if invitation.pk not in present:
                continue
            attended, representative = present[invitation.pk]
            representative = representative.strip()[:200]
            if (invitation.attended, invitation.representative) == (attended, representative):
                continue
            invitation.attended, invitation.representative = attended, representative
            invitation.save(update_fields=["attended", "representative"])
            changed += 1
    return changed


def minutes_record(*, actor: User, meeting: Meeting, minutes: dict[int, str]) -> int:
    """Minutes per agenda item: {agenda item id: text}."""
    _guard_editor(actor, meeting)
    changed = 0
    with transaction.atomic():
        for item in meeting.agenda.select_for_update().order_by("pk"):
            text = minutes.get(item.pk)
            if text is None or text.strip() == item.minutes:
                continue
            item.minutes = text.strip()
            item.save(update_fields=["minutes"])
            changed += 1
    return changed


def _overdue_at(due: dt.date, agency: Agency) -> dt.datetime:
    """08:00 (agency's zone) of the first working day after the due date."""
    day = working_days_after(due, 1)
    return dt.datetime.combine(day, dt.time(8, 0), tzinfo=ZoneInfo(agency.time_zone))


def _check_action(meeting: Meeting, data: ActionData) -> None:
    if not data.description.strip():
        raise CoordinationError(_("Tuliskan tindak lanjutnya."), "description")
    if data.due_date < meeting.starts_at.date():
        raise CoordinationError(_("Batas waktu tidak boleh sebelum tanggal rapat."), "due_date")
    allowed = access.invitable_agencies(meeting.convening_agency)
    if (
        data.agency.pk != meeting.convening_agency_id
        and not allowed.filter(pk=data.agency.pk).exists()
    ):
        raise CoordinationError(_("Lembaga ini di luar wilayah rapat."), "agency")


def _add_action(meeting: Meeting, decision: Decision, data: ActionData) -> FollowUpAction:
    action = FollowUpAction.objects.create(
        decision=decision,
        meeting=meeting,
        agency=data.agency,
        description=data.description.strip(),
        due_date=data.due_date,
        overdue_at=_overdue_at(data.due_date, data.agency),
    )
    _notice(action, agency_staff(data.agency.pk, ACTION_STAFF), ActionNotice.Kind.ASSIGNED)
    return action


def decision_record(
    *,
    actor: User,
    meeting: Meeting,
    text: str,
    agenda_item: AgendaItem | None,
    actions: Iterable[ActionData],
) -> Decision:
    """A decision of the meeting with its follow-up actions."""
    _guard_editor(actor, meeting)
    if not text.strip():
        raise CoordinationError(_("Tuliskan keputusannya."), "text")
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise CoordinationError(_("Acara ini bukan bagian dari rapat ini."), "agenda_item")
    actions = list(actions)
    for data in actions:
        _check_action(meeting, data)
    with transaction.atomic():
        decision = Decision.objects.create(
            meeting=meeting, agenda_item=agenda_item, text=text.strip()
        )
        for data in actions:
            _add_action(meeting, decision, data)
    return decision


def action_add(*, actor: User, decision: Decision, data: ActionData) -> FollowUpAction:
    """One more follow-up action on a recorded decision."""
    meeting = decision.meeting
    _guard_editor(actor, meeting)
    _check_action(meeting, data)
    with transaction.atomic():
        return _add_action(meeting, decision, data)


def action_progress(*, actor: User, action: FollowUpAction, status: str, note: str) -> ActionUpdate:
    """The assigned agency records progress or completion, with a note."""
    if not access.can_update_action(actor, action):
        raise PermissionDenied
    note = note.strip()
    if not note:
        raise CoordinationError(_("Tuliskan catatan perkembangannya."), "note")
    if len(note) > NOTE_MAX:
        raise CoordinationError(_("Catatan terlalu panjang."), "note")
    if status not in (ActionStatus.IN_PROGRESS, ActionStatus.DONE):
        raise CoordinationError(_("Pilih status yang dikenal."), "status")
    with transaction.atomic():
        locked = FollowUpAction.objects.select_for_update().get(pk=action.pk)
        if locked.is_done:
            raise CoordinationError(_("Tindak lanjut ini sudah selesai."))
        locked.status = status
        locked.completed_at = timezone.now() if status == ActionStatus.DONE else None
        locked.save(update_fields=["status", "completed_at"])
        update = ActionUpdate.objects.create(action=locked, by=actor, status=status, note=note)
        conveners = agency_staff(locked.meeting.convening_agency_id, access.CONVENERS)
        _notice(locked, conveners, ActionNotice.Kind.UPDATED)
    action.status, action.completed_at = locked.status, locked.completed_at
    return update


def _notice(action: FollowUpAction, users: Iterable[User], kind: str) -> int:
    rows = [
        ActionNotice(user=u, action=action, kind=kind) for u in {u.pk: u for u in users}.values()
    ]
    return len(ActionNotice.objects.bulk_create(rows, ignore_conflicts=True))


def action_url(action: FollowUpAction) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(
        "coordination:action", kwargs={"code": action.code}
    )


def notices_mark_read(*, actor: User) -> int:
    return ActionNotice.objects.filter(user=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )  # not history-tracked


# --- overdue actions (beat) -----------------------------------------------------------------


def _escalation_due(action: FollowUpAction) -> dt.datetime:
    """REFERRAL_ESCALATE_WORKING_DAYS working days after the action fell overdue (always on a
    working day, see `_overdue_at`), at the same local time: the rule of referral escalations."""
    zone = ZoneInfo(action.agency.time_zone or settings.TIME_ZONE)
    local = timezone.localtime(action.overdue_at, zone)
    day = working_days_after(local.date(), settings.REFERRAL_ESCALATE_WORKING_DAYS)
    return dt.datetime.combine(day, local.time(), tzinfo=zone)


def actions_overdue_scan(*, now: dt.datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Open actions past their due date: remind the assigned agency once (on the first working
    day after the due date), then tell the convening office once, as many working days later
    as a referral escalation. Due rows only (partial index on `overdue_at`)."""
    now = now or timezone.now()
    counts = {"actions_reminded": 0, "actions_escalated": 0}
    mails: list[tuple[str, str, list[str]]] = []
    with transaction.atomic():
        due = (
            FollowUpAction.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("agency", "meeting")
            .exclude(status=ActionStatus.DONE)
            .filter(overdue_at__lte=now)
            .filter(Q(reminded_at__isnull=True) | Q(escalated_at__isnull=True))
            .order_by("overdue_at")[:limit]
        )
        for action in due:
            mail = _scan_one(action, now, counts)
            if mail:
                mails.append(mail)
        transaction.on_commit(lambda: [mail_plain(*m) for m in mails], robust=True)
    return counts


def _scan_one(
    action: FollowUpAction, now: dt.datetime, counts: dict[str, int]
) -> tuple[str, str, list[str]] | None:
    title = action.meeting.title
    if action.reminded_at is None:
        action.reminded_at = now
        action.save(update_fields=["reminded_at"])
        staff = agency_staff(action.agency_id, ACTION_STAFF)
        _notice(action, staff, ActionNotice.Kind.REMINDER)
        counts["actions_reminded"] += 1
        return (
            _("Pengingat tindak lanjut rakor: %(title)s") % {"title": title},
            _("Tindak lanjut rakor melewati batas waktu. %(url)s") % {"url": action_url(action)},
            [u.email for u in staff] + [action.agency.email],
        )
    if now >= _escalation_due(action):
        action.escalated_at = now
        action.save(update_fields=["escalated_at"])
        heads = agency_staff(action.meeting.convening_agency_id, access.CONVENERS)
        _notice(action, heads, ActionNotice.Kind.ESCALATION)
        counts["actions_escalated"] += 1
        return (
            _("Eskalasi tindak lanjut rakor: %(title)s") % {"title": title},
            _("Tindak lanjut rakor belum selesai setelah pengingat. %(url)s")
            % {"url": action_url(action)},
            [u.email for u in heads],
        )
    return None


# --- Community task-force reports -------------------------------------------------------------


@dataclass
class CommunityReportData:
    what_happened: str
    village: Region
    at_risk_age: str
    at_risk_sex: str
    urgency: str
    contact: str = ""
    consent_to_contact: bool = False


def city_of(region: Region) -> Region:
    """The city/regency a region lies in (itself at that level)."""
    while region.level > Region.Level.REGENCY and region.parent is not None:
        region = region.parent
    return region


def receiving_uptd(task_force: Agency) -> Agency | None:
    """The UPTD PPA of the task force's city/regency."""
    city = city_of(task_force.region)
    return (
        Agency.objects.filter(kind=Agency.Kind.UPTD_PPA, is_active=True, region_id=city.code)
        .order_by("pk")
        .first()
    )


def community_report_create(*, actor: User, data: CommunityReportData) -> CommunityReport:
    """A task-force member's report lands in the UPTD PPA's triage queue (not a case)."""
    if not access.is_task_force_member(actor):
        raise PermissionDenied
    task_force = _agency_of(actor)
    city = city_of(task_force.region)
    if data.village.level != Region.Level.VILLAGE or not data.village.code.startswith(
        city.code + "."
    ):
        raise CoordinationError(_("Pilih kelurahan/desa di wilayah Satgas Anda."), "village")
    uptd = receiving_uptd(task_force)
    if uptd is None:
        raise CoordinationError(_("Belum ada UPTD PPA aktif di wilayah ini."))
    if not data.what_happened.strip():
        raise CoordinationError(_("Ceritakan singkat apa yang terjadi."), "what_happened")
    contact = data.contact.strip() if data.consent_to_contact else ""
    return CommunityReport.objects.create(
        reporter=actor,
        task_force=task_force,
        uptd=uptd,
        what_happened=data.what_happened.strip(),
        village=data.village,
        at_risk_age=data.at_risk_age,
        at_risk_sex=data.at_risk_sex,
        urgency=data.urgency,
        contact=contact,
        consent_to_contact=data.consent_to_contact,
    )


def _intake_prefill(report: CommunityReport) -> dict[str, dict[str, list[str]]]:
    """The intake steps as the officer would have typed them from the report: the complaint
    (channel, date, urgency, kecamatan and kelurahan, what happened), the person at risk (sex;
    the age group is only known as a band, so it is shown beside the form, never turned into an
    invented age) and the reporter (the task-force member, with the contact they agreed to)."""
    risk = {"emergency": RiskLevel.HIGH, "urgent": RiskLevel.MEDIUM}.get(report.urgency, "")
    steps: dict[str, dict[str, list[str]]] = {
        "kejadian": {
            "intake_channel": [IntakeChannel.COMMUNITY],
            "reported_on": [timezone.localdate(report.created_at).isoformat()],
            "risk_level": [risk],
            "incident_district": [report.village.parent_id or ""],
            "incident_village": [report.village_id],
            "description": [report.what_happened],
        },
        "korban": {"v-TOTAL_FORMS": ["1"], "v-INITIAL_FORMS": ["0"]},
    }
    if report.at_risk_sex in (AtRiskSex.FEMALE, AtRiskSex.MALE):
        steps["korban"]["v-0-sex"] = [report.at_risk_sex]
    phone = report.contact if report.consent_to_contact and len(report.contact) <= 40 else ""
    steps["pelapor"] = {
        "r-name": [report.reporter.get_full_name() or report.reporter.get_username()],
        "r-relation_to_victim": [report.task_force.name[:80]],
        "r-phone": [phone],
    }
    return steps


def _intake_source(report: CommunityReport) -> dict[str, object]:
    """What the intake shows beside its steps: a link back to the report and its facts."""
    return {
        "label": _("Laporan masyarakat/Satgas dari %(agency)s")
        % {"agency": report.task_force.name},
        "url": reverse("community:detail", kwargs={"code": report.code}),
        "facts": [
            _("Orang yang mungkin berisiko: %(age)s, %(sex)s")
            % {"age": report.get_at_risk_age_display(), "sex": report.get_at_risk_sex_display()},
            _("Kelurahan/desa: %(village)s") % {"village": report.village.name},
            _("Kedaruratan: %(urgency)s") % {"urgency": report.get_urgency_display()},
        ],
    }


def _draft_from_report(actor: User, report: CommunityReport) -> IntakeDraft:
    """A new intake draft holding every prefilled step; it opens at the first one."""
    steps = _intake_prefill(report)
    draft = draft_save(actor=actor, draft=None, step="kejadian", data=steps.pop("kejadian"))
    draft.data.update(steps, _source=_intake_source(report))
    draft.save(update_fields=["data", "updated_at"])
    return draft


def community_report_start_intake(*, actor: User, report: CommunityReport) -> IntakeDraft:
    """Start an intake from the report: a draft prefilled from it (channel "laporan
    masyarakat/Satgas") whose token the registered case keeps as its link to the report."""
    if not access.can_start_intake_from(actor, report):
        raise PermissionDenied
    with transaction.atomic():
        locked = CommunityReport.objects.select_for_update().get(pk=report.pk)
        if locked.status == CommunityReportStatus.CLOSED:
            raise CoordinationError(_("Laporan ini sudah ditutup."))
        if locked.intake_token is not None:
            draft = IntakeDraft.objects.filter(token=locked.intake_token, owner=actor).first()
            if draft is None:
                raise CoordinationError(_("Pengaduan dari laporan ini sudah dimulai petugas lain."))
            return draft
        draft = _draft_from_report(actor, locked)
        locked.intake_token = draft.token
        locked.status, locked.handled_by = CommunityReportStatus.IN_PROGRESS, actor
        locked.save(update_fields=["intake_token", "status", "handled_by"])
    return draft


def community_report_close(*, actor: User, report: CommunityReport, reason: str) -> CommunityReport:
    """Close a report that needs no case (with the reason); not one a case came from."""
    if not access.can_triage(actor) or report.uptd_id != actor.agency_id:
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise CoordinationError(_("Tuliskan alasan penutupan."), "reason")
    with transaction.atomic():
        locked = CommunityReport.objects.select_for_update().get(pk=report.pk)
        if locked.status == CommunityReportStatus.CLOSED:
            raise CoordinationError(_("Laporan ini sudah ditutup."))
        if locked.intake_token and Case.objects.filter(intake_token=locked.intake_token).exists():
            raise CoordinationError(_("Laporan ini sudah menjadi kasus."))
        locked.status, locked.closed_at = CommunityReportStatus.CLOSED, timezone.now()
        locked.close_reason, locked.handled_by = reason[:NOTE_MAX], actor
        locked.save(update_fields=["status", "closed_at", "close_reason", "handled_by"])
    return locked


# --- Prevention activities ---------------------------------------------------------------------


@dataclass
class PreventionData:
    kind: str
    held_on: dt.date
    region: Region
    place: str
    target_group: str
    topics: list[str]
    girls: int = 0
    boys: int = 0
    women: int = 0
    men: int = 0


def prevention_record(*, actor: User, data: PreventionData) -> PreventionActivity:
    """A prevention activity organised by the actor's agency, in its city/regency."""
    if not access.can_record_prevention(actor):
        raise PermissionDenied
    city = access.prevention_city_code(actor)
    if data.region.level < Region.Level.DISTRICT or not data.region.code.startswith(city + "."):
        raise CoordinationError(_("Pilih kecamatan atau kelurahan/desa di wilayah Anda."), "region")
    if data.held_on > timezone.localdate():
        raise CoordinationError(_("Tanggal kegiatan tidak boleh di masa depan."), "held_on")
    topics = sorted(set(data.topics) & set(PreventionTopic.values))
    if not topics:
        raise CoordinationError(_("Pilih sedikitnya satu topik."), "topics")
    return PreventionActivity.objects.create(
        kind=data.kind,
        held_on=data.held_on,
        region=data.region,
        place=data.place.strip(),
        organiser=_agency_of(actor),
        target_group=data.target_group.strip(),
        topics=topics,
        girls=data.girls,
        boys=data.boys,
        women=data.women,
        men=data.men,
        recorded_by=actor,
    )
