"""Reads of coordination pages, each in a fixed number of queries."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from coordination import access
from coordination.models import (
    ActionNotice,
    ActionStatus,
    Decision,
    FollowUpAction,
    Meeting,
)
from ppa.models import User


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
