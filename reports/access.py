"""Access to statistics: aggregated figures of a region, and the PDF report runs.

Officials (DP3AP2KB and similar) and UPTD supervisors see the aggregated figures of their
agency's region: its city/regency and the kecamatan in it (a provincial office: the province
and its cities). Nobody gets case records from here. Report runs belong to the authority
region they were asked for: anyone with statistics access to that region may open them; any
other user with statistics access gets 404, users of other roles 403.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from ppa.access import deny_unless, role_of
from ppa.models import Region, Role
from reports.models import ReportRun

__all__ = [
    "STATISTICS_ROLES",
    "can_view_statistics",
    "statistics_authority",
    "statistics_regions",
    "deny_unless_statistics",
    "visible_report_runs",
    "get_report_run_for_user",
]

STATISTICS_ROLES = frozenset({Role.OFFICIAL, Role.SUPERVISOR})


def can_view_statistics(user) -> bool:
    return (
        role_of(user) in STATISTICS_ROLES
        and user.agency_id is not None
        and user.agency.is_active
        and user.agency.region.level in (Region.Level.PROVINCE, Region.Level.REGENCY)
    )


def deny_unless_statistics(user) -> None:
    """403 for roles without statistics (intake, case workers, partners, administrators)."""
    deny_unless(can_view_statistics(user))


def statistics_authority(user) -> Region | None:
    """The root region whose figures the user may see (their agency's city/regency)."""
    return user.agency.region if can_view_statistics(user) else None


def statistics_regions(user) -> QuerySet:
    """Regions the user may choose: the authority and the regions directly under it
    (a city's kecamatan; a province's cities)."""
    root = statistics_authority(user)
    if root is None:
        return Region.objects.none()
    return Region.objects.filter(Q(code=root.code) | Q(parent_id=root.code)).order_by(
        "level", "name"
    )


def visible_report_runs(user) -> QuerySet:

    root = statistics_authority(user)
    if root is None:
        return ReportRun.objects.none()
    return ReportRun.objects.filter(authority_id=root.code)


def get_report_run_for_user(user, code):
    """The run, 403 for users without statistics access, 404 for runs of another region."""
    deny_unless_statistics(user)
    run = visible_report_runs(user).select_related("authority", "agency").filter(code=code).first()
    if run is None:
        raise Http404
    return run
