"""Access to statistics: aggregated figures of a region, and the PDF report runs.

Officials (DP3AP2KB and similar) and UPTD supervisors see the aggregated figures of their
agency's region: its city/regency and the kecamatan in it (a provincial office: the province
and its cities). Nobody gets case records from here. Yearly recaps (the totals of years
without case-level records) are recorded and edited by the same users, for the same regions: a
recap of a region outside the user's statistics regions is 404. Report runs belong to the authority
region they were asked for: anyone with statistics access to that region may open them; any
other user with statistics access gets 404, users of other roles 403. A statistics download
(`ExportRun`) is its requester's alone: 404 for anyone else.
"""

import uuid

from django.db.models import Q, QuerySet
from django.http import Http404

from ppa.access import deny_unless, role_of
from ppa.models import Region, Role, User
from reports.models import ExportRun, ReportRun, YearlyRecap

__all__ = [
    "STATISTICS_ROLES",
    "can_view_statistics",
    "statistics_authority",
    "statistics_regions",
    "deny_unless_statistics",
    "visible_report_runs",
    "get_report_run_for_user",
    "get_export_run_for_user",
    "can_record_recaps",
    "deny_unless_recaps",
    "visible_recaps",
    "get_recap_for_user",
]

STATISTICS_ROLES = frozenset({Role.OFFICIAL, Role.SUPERVISOR})
# Region levels whose agencies see statistics: a province and a city/regency.
STATISTICS_LEVELS: tuple[int, ...] = (Region.Level.PROVINCE, Region.Level.REGENCY)


def can_view_statistics(user: User) -> bool:
    if role_of(user) not in STATISTICS_ROLES:
        return False
    agency = user.agency
    return agency is not None and agency.is_active and agency.region.level in STATISTICS_LEVELS


def deny_unless_statistics(user: User) -> None:
    """403 for roles without statistics (intake, case workers, partners, administrators)."""
    deny_unless(can_view_statistics(user))


def statistics_authority(user: User) -> Region | None:
    """The root region whose figures the user may see (their agency's city/regency)."""
    if not can_view_statistics(user) or user.agency is None:
        return None
    return user.agency.region


def statistics_regions(user: User) -> QuerySet:
    """Regions the user may choose: the authority and the regions directly under it
    (a city's kecamatan; a province's cities)."""
    root = statistics_authority(user)
    if root is None:
        return Region.objects.none()
    return Region.objects.filter(Q(code=root.code) | Q(parent_id=root.code)).order_by(
        "level", "name"
    )


def visible_report_runs(user: User) -> QuerySet:

    root = statistics_authority(user)
    if root is None:
        return ReportRun.objects.none()
    return ReportRun.objects.filter(authority_id=root.code)


def get_report_run_for_user(user: User, code: uuid.UUID | str) -> ReportRun:
    """The run, 403 for users without statistics access, 404 for runs of another region."""
    deny_unless_statistics(user)
    run = visible_report_runs(user).select_related("authority", "agency").filter(code=code).first()
    if run is None:
        raise Http404
    return run


def get_export_run_for_user(user: User, code: uuid.UUID | str) -> ExportRun:
    """A statistics download: 403 without statistics access (checked again at every page and
    at the download), 404 unless the user asked for it."""
    deny_unless_statistics(user)
    run = ExportRun.objects.filter(
        code=code, kind=ExportRun.Kind.STATISTICS, requested_by=user
    ).first()
    if run is None:
        raise Http404
    return run


def can_record_recaps(user: User) -> bool:
    """Who records yearly recaps: whoever may see the statistics (officials, supervisors)."""
    return can_view_statistics(user)


def deny_unless_recaps(user: User) -> None:
    deny_unless(can_record_recaps(user))


def visible_recaps(user: User) -> QuerySet:
    """Recaps (withdrawn ones included) of the regions the user may choose for statistics."""
    if not can_record_recaps(user):
        return YearlyRecap.objects.none()
    return YearlyRecap.objects.filter(region__in=statistics_regions(user).values("code"))


def get_recap_for_user(user: User, code: uuid.UUID | str) -> YearlyRecap:
    """The recap, 403 for users without statistics access, 404 for another region's recap."""
    deny_unless_recaps(user)
    recap = visible_recaps(user).select_related("region", "entered_by").filter(code=code).first()
    if recap is None:
        raise Http404
    return recap
