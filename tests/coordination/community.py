"""Community task-force reports for tests: one sent by the own city's task-force member."""

from coordination import services
from coordination.models import AtRiskAge, AtRiskSex, CommunityReport, ReportUrgency
from coordination.services import CommunityReportData
from ppa.models import Region
from tests.world import World

WHAT = "Anak tetangga sering terdengar menangis dan dipukul pada malam hari."


def village(code: str = "13.76.01") -> Region:
    return Region.objects.filter(level=Region.Level.VILLAGE, parent_id=code).order_by("code")[0]


def make_report(w: World, *, contact: str = "0812-0000-1111") -> CommunityReport:
    return services.community_report_create(
        actor=w.users["task_force_own"],
        data=CommunityReportData(
            what_happened=WHAT,
            village=village(),
            at_risk_age=AtRiskAge.CHILD_6_12,
            at_risk_sex=AtRiskSex.FEMALE,
            urgency=ReportUrgency.URGENT,
            contact=contact,
            consent_to_contact=bool(contact),
        ),
    )
