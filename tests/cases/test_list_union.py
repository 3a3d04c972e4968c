"""The case list pages the agency's own cases and the referred cases separately and merges them.

One query over `agency_id = X OR id IN (granted)` cannot use the index `cases_case_agency_list`
and scans every case (bench/README.md: 1 s per page at 1M cases, 12 ms when split)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import selectors
from cases.models import Case
from referrals import grants
from tests.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def referred(world, monkeypatch):
    """Three cases of another UPTD, referred to the own agency (dates interleaved with own)."""
    cases = [
        make_case(
            world.users["intake_other"], reported_on=dt.date(2024, 1, 1 + 2 * i), incident_date=None
        )
        for i in range(3)
    ]

    own_agency = world.users["case_worker_own"].agency_id
    monkeypatch.setattr(
        grants,
        "granted_case_ids",
        lambda agency_id: Case.objects.filter(
            pk__in=[c.pk for c in cases] if agency_id == own_agency else []
        ).values("pk"),
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


def test_partner_sees_only_referred_cases(world, referred, monkeypatch):
    partner = world.users["partner_own"]
    monkeypatch.setattr(
        grants,
        "granted_case_ids",
        lambda agency_id: Case.objects.filter(pk=referred[0].pk).values("pk"),
    )
    make_case(world.users["intake_own"])
    rows, cursor = selectors.case_list(partner, {})
    assert [c.code for c in rows] == [referred[0].code] and cursor == ""


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
