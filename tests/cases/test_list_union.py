"""The case list pages the agency's own cases and the referred cases separately and merges them.

One query over `agency_id = X OR id IN (granted)` cannot use the index `cases_case_agency_list`
and scans every case (bench/README.md: 1 s per page at 1M cases, 12 ms when split)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import selectors
from cases.models import Case
from tests.factories import make_case
from tests.referrals.helpers import make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def referred(world):
    """Three cases of another UPTD, referred to the own UPTD and delivered (dates interleaved
    with own cases'): shared through the real grants."""
    cases = [
        make_case(
            world.users["intake_other"],
            reported_on=dt.date(2024, 1, 1 + 2 * i),
            incident_date=None,
            consent_sharing=True,
        )
        for i in range(3)
    ]
    for case in cases:
        make_referral(
            world, status="delivered", case=case, side="other", to_agency_id=world.uptd.pk
        )
    return cases


def test_list_sql_pages_own_and_referred_cases_separately(world, referred):
    user = world.users["case_worker_own"]
    with CaptureQueriesContext(connection) as ctx:
        selectors.case_list(user, {"status": "open"})
    page_sql = next(q["sql"] for q in ctx.captured_queries if 'FROM "cases_case"' in q["sql"])
    assert "UNION ALL" in page_sql
    # Each part is limited on its own (page size + 1), so neither scans the other's rows.
    assert page_sql.count(f"LIMIT {selectors.PAGE_SIZE + 1}") == 3
    # No OR between the agency and the granted ids anywhere in the statement.
    assert f'"cases_case"."agency_id" = {user.agency_id} OR' not in page_sql


def test_pages_merge_own_and_referred_cases_in_date_order(world, referred):
    user = world.users["case_worker_own"]
    own = [
        make_case(
            world.users["intake_own"], reported_on=dt.date(2024, 1, 2 + 2 * i), incident_date=None
        )
        for i in range(3)
    ]
    make_case(world.users["intake_other"], reported_on=dt.date(2024, 1, 9), incident_date=None)
    expected = sorted(own + referred, key=lambda c: (c.reported_on, c.pk), reverse=True)
    seen, cursor = [], ""
    for _ in range(10):
        rows, cursor = selectors.case_list(user, {}, cursor=cursor, size=2)
        seen += rows
        if not cursor:
            break
    assert [c.code for c in seen] == [c.code for c in expected]
    assert [c.is_own for c in seen] == [c.agency_id == user.agency_id for c in expected]


def test_filters_apply_to_referred_cases_too(world, referred):
    user = world.users["case_worker_own"]
    make_case(world.users["intake_own"], reported_on=dt.date(2024, 1, 2), incident_date=None)
    rows, _ = selectors.case_list(user, {"dari": "2024-01-04", "sampai": "2024-01-05"})
    assert [c.code for c in rows] == [referred[2].code]


def test_partner_sees_only_referred_cases(world, referred):
    partner = world.users["partner_own"]
    shared = make_case(world.users["intake_other"], consent_sharing=True)
    make_referral(world, status="delivered", case=shared, side="other")  # to the police unit
    make_case(world.users["intake_own"])
    rows, cursor = selectors.case_list(partner, {})
    assert [c.code for c in rows] == [shared.code] and cursor == ""


def test_each_agency_lists_the_cases_referred_to_it_and_no_other(world, referred):
    """The referred-cases condition is compiled once per process: the agency's id is still
    each user's own."""
    police_case = make_case(world.users["intake_other"], consent_sharing=True)
    make_referral(world, status="delivered", case=police_case, side="other")
    own_worker, partner = world.users["case_worker_own"], world.users["partner_own"]
    for _ in range(2):  # alternately, as two users of one web process would be served
        own_rows, _cursor = selectors.case_list(own_worker, {})
        partner_rows, _cursor = selectors.case_list(partner, {})
        assert {c.code for c in own_rows} == {c.code for c in referred}
        assert [c.code for c in partner_rows] == [police_case.code]


def test_a_case_without_a_worker_lists_no_worker_and_one_with_a_worker_names_them(world):
    user = world.users["case_worker_own"]
    unassigned = make_case(
        world.users["intake_own"], reported_on=dt.date(2024, 2, 1), incident_date=None
    )
    assigned = make_case(
        world.users["intake_own"], reported_on=dt.date(2024, 2, 2), incident_date=None
    )
    Case.objects.filter(pk=assigned.pk).update(assigned_worker=user)
    rows, _ = selectors.case_list(user, {"dari": "2024-02-01", "sampai": "2024-02-02"})
    by_code = {row.code: row.worker_name for row in rows}
    assert by_code[unassigned.code] == ""
    assert by_code[assigned.code] == str(user)
