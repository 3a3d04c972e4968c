"""Reads of coordination pages, each in a fixed number of queries."""

from dataclasses import dataclass

from django.db.models import Case as Case_
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, When

from cases.models import Case as CaseModel
from coordination import access
from coordination.models import (
    ActionNotice,
    ActionStatus,
    CommunityReport,
    CommunityReportStatus,
    Decision,
    FollowUpAction,
    Meeting,
)
from ppa.models import Region, User


@dataclass
class MeetingPage:
    meeting: Meeting
    invitations: list
    agenda: list
    decisions: list
    earlier_open: list
    packs: list


def meeting_list(user: User) -> QuerySet:
    return (
        access.visible_meetings(user)
        .select_related("convening_agency")
        .annotate(
            open_actions=Count("actions", filter=~Q(actions__status=ActionStatus.DONE)),
        )
        .order_by("-starts_at", "-id")
    )


def _actions_qs() -> QuerySet:
    return FollowUpAction.objects.select_related("agency").order_by("due_date", "id")


def earlier_open_actions(meeting: Meeting) -> list[FollowUpAction]:
    """Open actions of the convening agency's earlier meetings: what was promised last time."""
    return list(
        FollowUpAction.objects.open()
        .filter(
            meeting__convening_agency_id=meeting.convening_agency_id,
            meeting__starts_at__lt=meeting.starts_at,
        )
        .select_related("agency", "meeting")
        .order_by("due_date", "id")
    )


def meeting_page(meeting: Meeting) -> MeetingPage:
    decisions = meeting.decisions.select_related("agenda_item").prefetch_related(
        Prefetch("actions", queryset=_actions_qs())
    )
    return MeetingPage(
        meeting=meeting,
        invitations=list(meeting.invitations.select_related("agency")),
        agenda=list(meeting.agenda.all()),
        decisions=list(decisions),
        earlier_open=earlier_open_actions(meeting),
        # Statistics packs (reports.MeetingPack) point at the meeting; read through the
        # reverse relation so this app needs no import of the reports layer above it.
        packs=list(meeting.packs.select_related("run").order_by("-run__requested_at")),
    )


def meeting_actions(meeting: Meeting) -> list[FollowUpAction]:
    return list(meeting.actions.select_related("agency", "decision").order_by("decision_id", "id"))


def inbox_actions(user: User, *, limit: int = 50) -> list[FollowUpAction]:
    """Open actions assigned to the user's agency, the earliest due first."""
    if user.agency_id is None:
        return []
    return list(
        access.visible_actions(user)
        .open()
        .filter(agency_id=user.agency_id)
        .select_related("meeting")
        .order_by("due_date", "id")[:limit]
    )


def action_updates(action: FollowUpAction) -> list:
    return list(action.updates.select_related("by").order_by("at", "id"))


def unread_notices(user: User) -> int:
    return ActionNotice.objects.filter(user=user, read_at__isnull=True).count()


def decisions_for_actions(meeting: Meeting) -> QuerySet:
    return Decision.objects.filter(meeting=meeting).order_by("id")


# --- Community task-force reports -------------------------------------------------------------


def report_villages(task_force_region_code: str) -> list[Region]:
    """Kelurahan/desa of the task force's city, with their kecamatan (one query)."""
    city = task_force_region_code[:5]
    return list(
        Region.objects.filter(level=Region.Level.VILLAGE, code__startswith=city + ".")
        .select_related("parent")
        .order_by("parent__name", "name")
    )


def triage_queue(user: User) -> QuerySet:
    """The UPTD's incoming reports: received first, then being handled, then closed."""
    order = Case_(
        When(status=CommunityReportStatus.RECEIVED, then=0),
        When(status=CommunityReportStatus.IN_PROGRESS, then=1),
        default=2,
    )
    return (
        access.visible_community_reports(user)
        .select_related("village", "task_force")
        .annotate(
            queue_order=order,
            became_case=Exists(CaseModel.objects.filter(intake_token=OuterRef("intake_token"))),
        )
        .order_by("queue_order", "-created_at", "-id")
    )


def my_reports(user: User) -> QuerySet:
    """A reporter's own reports: status only (the template shows no case data)."""
    return (
        access.visible_community_reports(user)
        .only("code", "created_at", "status", "urgency", "village__name")
        .select_related("village")
        .order_by("-created_at", "-id")
    )


def case_from_report(report: CommunityReport) -> CaseModel | None:
    """The case registered from the report's intake (for the UPTD's staff only), or None."""
    if report.intake_token is None:
        return None
    return CaseModel.objects.filter(intake_token=report.intake_token).only("code", "number").first()


# --- Prevention activities ---------------------------------------------------------------------


def prevention_regions(city_code: str) -> list[Region]:
    """Kecamatan and kelurahan/desa of a city, each kecamatan before its villages."""
    return list(
        Region.objects.filter(code__startswith=city_code + ".", level__gte=Region.Level.DISTRICT)
        .only("code", "name", "level")
        .order_by("code")
    )


def prevention_list(user: User) -> QuerySet:
    return (
        access.visible_prevention(user)
        .select_related("region", "organiser")
        .order_by("-held_on", "-id")
    )
