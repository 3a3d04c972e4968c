"""Community task-force reports and prevention activities for tests: a report sent by the own
city's task-force member, an activity recorded by a persona."""

import datetime as dt

from coordination import services
from coordination.models import (
    AtRiskAge,
    AtRiskSex,
    CommunityReport,
    PreventionActivity,
    ReportUrgency,
)
from coordination.services import CommunityReportData, PreventionData
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


def record(
    world: World, persona: str = "task_force_own", **overrides: object
) -> PreventionActivity:
    data = {
        "kind": "school",
        "held_on": dt.date(2025, 3, 10),
        "region": Region.objects.get(code="13.76.01"),
        "place": "SMPN 1",
        "target_group": "Siswa SMP",
        "topics": ["violence", "child_marriage"],
        "girls": 40,
        "boys": 35,
        "women": 3,
        "men": 2,
    } | overrides
    return services.prevention_record(actor=world.users[persona], data=PreventionData(**data))
