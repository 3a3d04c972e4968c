import datetime as dt

import pytest

from reports.selectors import ReportParams, annual_statistics
from reports.suppression import public_edition
from tests.factories import make_case
from tests.referrals.helpers import make_referral

pytestmark = pytest.mark.django_db


def at(day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2023, 6, day, hour, tzinfo=dt.UTC)


def referral(world, status: str, *, delivered: int | None = None, accepted: int | None = None):
    case = make_case(
        world.users["case_worker_own"],
        reported_on=dt.date(2023, 6, 1),
        incident_date=dt.date(2023, 5, 30),
        consent_sharing=True,
    )
    r = make_referral(world, status=status, case=case)
    if delivered is not None:
        # Fix the timeline so the median is known (hand-off and answer on chosen days).
        r.submitted_at = r.approved_at = r.delivered_at = at(delivered)
        fields = ["submitted_at", "approved_at", "delivered_at"]
        if accepted is not None:
            r.accepted_at = at(accepted)
            fields.append("accepted_at")
        if r.declined_at:
            r.declined_at = at(delivered, 12)
            fields.append("declined_at")
        r.save(update_fields=fields)
    return r


def test_referral_figures_sent_accepted_median(world):
    referral(world, "accepted", delivered=1, accepted=3)  # 2 days
    referral(world, "accepted", delivered=2, accepted=6)  # 4 days
    referral(world, "declined", delivered=5)
    referral(world, "draft")  # never sent: not counted
    referral(world, "pending_approval")  # not approved yet: not counted
    snapshot = annual_statistics(ReportParams(2021, 2023, "13.76"))
    assert snapshot.referrals_available
    rows = {r.code: r.values for r in snapshot.table("referrals").rows}
    assert rows["sent"] == [0, 0, 3]
    assert rows["accepted"] == [0, 0, 2]
    assert rows["declined"] == [0, 0, 1]
    assert rows["median_days"] == [None, None, 3.0]
    partner = {r.code: r.values for r in snapshot.table("referrals_partner").rows}
    assert partner["police_ppa"] == [0, 0, 3]
    assert snapshot.table("referrals_partner").total == [0, 0, 3]

    public = public_edition(snapshot)
    rows = {r.code: r.values for r in public.table("referrals").rows}
    assert rows["sent"] == [0, 0, "<5"] and rows["median_days"] == [None, None, "*"]
