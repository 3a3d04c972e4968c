"""ppa.rows.JoinedRows against the ORM: the same instances, the same related rows cached, in
one statement."""

import uuid

import pytest

from cases.access import _CASE_BY_CODE
from cases.models import Case
from ppa.backends import _USER_WITH_AGENCY
from ppa.models import User
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def values(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_case_with_its_related_rows_as_the_orm_loads_it(world, django_assert_num_queries):
    case = make_case(world.users["intake_own"])
    Case.objects.filter(pk=case.pk).update(assigned_worker=world.users["case_worker_own"])
    related = (
        "agency",
        "region",
        "place",
        "incident_district",
        "incident_village",
        "assigned_worker",
    )
    orm = Case.objects.select_related(*related).get(pk=case.pk)
    with django_assert_num_queries(1):
        row = _CASE_BY_CODE.get(case.code)
        assert values(row) == values(orm)
        for name in related:  # cached: no further query
            mine, theirs = getattr(row, name), getattr(orm, name)
            assert (mine is None) == (theirs is None), name
            if theirs is not None:
                assert values(mine) == values(theirs), name
    assert orm.incident_village is None and row.incident_village is None
    assert row._state.adding is False and row._state.db == "default"
    assert _CASE_BY_CODE.get(uuid.uuid4()) is None


def test_user_with_agency_and_without(world, django_assert_num_queries):
    for user in (world.users["case_worker_own"], world.users["admin"]):
        orm = User.objects.select_related("agency").get(pk=user.pk)
        with django_assert_num_queries(1):
            row = _USER_WITH_AGENCY.get(user.pk)
            assert values(row) == values(orm)
            assert (row.agency is None) == (orm.agency is None)
            if orm.agency is not None:
                assert values(row.agency) == values(orm.agency)
    assert _USER_WITH_AGENCY.get(10**9) is None
