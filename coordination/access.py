"""Access to coordination meetings and their follow-up actions.

- Officials and supervisors of an active agency convene meetings; they (and only they) edit
  the meetings of their own agency.
- Every staff member (not administrators) of the convening agency or of an invited agency
  may open a meeting; anyone else gets 404, so a meeting of another city is never revealed.
- The staff of the agency an action is assigned to see it in their inbox and record its
  progress; the convening agency's officials and supervisors see every action of its meetings.
"""

import uuid

from django.db.models import Q, QuerySet
from django.http import Http404

from cases.access import can_register_case
from coordination.models import (
    ActionQuerySet,
    CommunityReport,
    FollowUpAction,
    Meeting,
    PreventionActivity,
)
from ppa.access import deny_unless, has_role, is_staff_of_case_owner, role_of
from ppa.models import Agency, Region, Role, User

__all__ = [
    "can_convene",
    "can_record_prevention",
    "prevention_city_code",
    "visible_prevention",
    "can_start_intake_from",
    "can_triage",
    "get_community_report_for_user",
    "is_task_force_member",
    "visible_community_reports",
    "is_member",
    "can_edit_meeting",
    "can_update_action",
    "get_action_for_user",
    "get_meeting_for_user",
    "invitable_agencies",
    "visible_actions",
    "visible_meetings",
]

CONVENERS = (Role.OFFICIAL, Role.SUPERVISOR)
MEMBERS = (Role.INTAKE, Role.CASE_WORKER, Role.SUPERVISOR, Role.PARTNER, Role.OFFICIAL)


def _active_agency(user: User) -> Agency | None:
    """The user's agency when it is active (else None)."""
    agency = user.agency
    return agency if agency is not None and agency.is_active else None


def is_member(user: User) -> bool:
    return role_of(user) in MEMBERS and _active_agency(user) is not None


def can_convene(user: User) -> bool:
    return is_member(user) and has_role(user, *CONVENERS)


def visible_meetings(user: User) -> QuerySet:
    """Meetings convened by the user's agency or to which it is invited (one indexed filter
    each, combined in SQL)."""
    if not is_member(user):
        return Meeting.objects.none()
    agency_id = user.agency_id or 0  # a member always has an agency
    invited = Meeting.objects.filter(invitations__agency_id=agency_id).values("pk")
    return Meeting.objects.filter(Q(convening_agency_id=agency_id) | Q(pk__in=invited))


def can_edit_meeting(user: User, meeting: Meeting) -> bool:
    return can_convene(user) and meeting.convening_agency_id == user.agency_id


def get_meeting_for_user(user: User, code: uuid.UUID | str, *, write: bool = False) -> Meeting:
    meeting = (
        visible_meetings(user)
        .select_related("convening_agency", "convening_agency__region")
        .filter(code=code)
        .first()
    )
    if meeting is None:
        raise Http404
    if write:
        deny_unless(can_edit_meeting(user, meeting))
    return meeting


def visible_actions(user: User) -> ActionQuerySet:
    """Actions assigned to the user's agency, and (for its conveners) every action of the
    meetings it convened."""
    if not is_member(user):
        return FollowUpAction.objects.none()
    mine = Q(agency_id=user.agency_id)
    if can_convene(user):
        mine |= Q(meeting__convening_agency_id=user.agency_id)
    return FollowUpAction.objects.filter(mine)


def can_update_action(user: User, action: FollowUpAction) -> bool:
    return is_member(user) and action.agency_id == user.agency_id


def get_action_for_user(
    user: User, code: uuid.UUID | str, *, write: bool = False
) -> FollowUpAction:
    action = (
        visible_actions(user)
        .select_related("agency", "meeting", "meeting__convening_agency", "decision")
        .filter(code=code)
        .first()
    )
    if action is None:
        raise Http404
    if write:
        deny_unless(can_update_action(user, action))
    return action


def invitable_agencies(convener: Agency) -> QuerySet:
    """Active agencies of the convening agency's city/regency (a provincial office: its
    province), the convener itself excluded."""
    root: Region = convener.region
    while root.level > Region.Level.REGENCY and root.parent is not None:
        root = root.parent
    return (
        Agency.objects.filter(is_active=True, region__code__startswith=root.code)
        .exclude(pk=convener.pk)
        .order_by("name")
    )


# --- Community task-force reports -------------------------------------------------------------
# A task-force member sends reports and sees the status of their own (404 for any other); the
# receiving UPTD's intake officers, case workers and supervisors triage them (404 for other
# UPTDs). Nobody else sees them. A report never opens a case to the reporter.

TRIAGE_ROLES = (Role.INTAKE, Role.CASE_WORKER, Role.SUPERVISOR)


def is_task_force_member(user: User) -> bool:
    agency = _active_agency(user)
    return (
        role_of(user) == Role.TASK_FORCE
        and agency is not None
        and agency.kind == Agency.Kind.TASK_FORCE
    )


def can_triage(user: User) -> bool:
    return is_staff_of_case_owner(user) and has_role(user, *TRIAGE_ROLES)


def visible_community_reports(user: User) -> QuerySet:
    if is_task_force_member(user):
        return CommunityReport.objects.filter(reporter_id=user.pk)
    if can_triage(user):
        return CommunityReport.objects.filter(uptd_id=user.agency_id)
    return CommunityReport.objects.none()


def get_community_report_for_user(
    user: User, code: uuid.UUID | str, *, write: bool = False
) -> CommunityReport:
    """The report, 404 outside it; with write=True 403 for the reporter (status only)."""
    report = (
        visible_community_reports(user)
        .select_related("village", "village__parent", "task_force")
        .filter(code=code)
        .first()
    )
    if report is None:
        raise Http404
    if write:
        deny_unless(can_triage(user))
    return report


def can_start_intake_from(user: User, report: CommunityReport) -> bool:
    return can_register_case(user) and report.uptd_id == user.agency_id


# --- Prevention activities: recorded and listed by the office (UPTD PPA, DP3AP2KB) and its
# task forces, for the city/regency of the user's agency.

PREVENTION_ROLES = (Role.INTAKE, Role.CASE_WORKER, Role.SUPERVISOR, Role.OFFICIAL, Role.TASK_FORCE)
PREVENTION_AGENCIES: tuple[str, ...] = (
    Agency.Kind.UPTD_PPA,
    Agency.Kind.DP3AP2KB,
    Agency.Kind.TASK_FORCE,
)


def can_record_prevention(user: User) -> bool:
    agency = _active_agency(user)
    return (
        role_of(user) in PREVENTION_ROLES
        and agency is not None
        and agency.kind in PREVENTION_AGENCIES
    )


def prevention_city_code(user: User) -> str:
    """The city/regency code (two dotted parts) of the user's agency ("" without one)."""
    agency = user.agency
    return ".".join(agency.region_id.split(".")[:2]) if agency is not None else ""


def visible_prevention(user: User) -> QuerySet:
    if not can_record_prevention(user):
        return PreventionActivity.objects.none()
    return PreventionActivity.objects.filter(
        region__code__startswith=prevention_city_code(user) + "."
    )
