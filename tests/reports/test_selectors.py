import json

import pytest
from django.urls import reverse

from ppa.models import Agency, Region, Role
from ppa.services import agency_create
from reports.selectors import DateBasis, ReportParams, Snapshot, annual_statistics
from tests.factories import make_case
from tests.reports.data import EXPECTED
from tests.world import make_user

pytestmark = pytest.mark.django_db


def by_code(snapshot, key):
    return {row.code: row.values for row in snapshot.table(key).rows}


def test_every_breakdown_matches_the_hand_count(dataset, params):
    """One test over all tables (the data set is built once): lists every mismatch."""
    snapshot = annual_statistics(params)
    mismatches = [
        f"{key}/{code}: expected {expected}, got {by_code(snapshot, key).get(code)}"
        for key, rows in EXPECTED.items()
        for code, expected in rows.items()
        if by_code(snapshot, key).get(code) != expected
    ]
    assert not mismatches, "\n".join(mismatches)
    assert len(EXPECTED) == 19  # every table of the snapshot except rates and referrals


def test_partition_tables_add_up_to_their_totals(dataset, params):
    snapshot = annual_statistics(params)
    for table in snapshot.tables:
        if table.total is not None:
            sums = [sum(r.values[i] for r in table.rows) for i in range(3)]
            assert sums == table.total, table.key


def test_incident_date_basis_moves_cases_and_reports_undated_ones(dataset, params):
    snapshot = annual_statistics(ReportParams(2021, 2023, "13.76", date_basis=DateBasis.INCIDENT))
    # One 2021 case has no incident date; the trafficking case happened in December 2022.
    assert by_code(snapshot, "headline")["cases"] == [11, 15, 3]
    assert snapshot.undated_cases == 1
    assert snapshot.basis_label == "berdasarkan tanggal kejadian"


def test_kecamatan_and_case_type_filters(dataset):
    kec = annual_statistics(ReportParams(2021, 2023, "13.76.01"))
    assert by_code(kec, "headline")["cases"] == [12, 10, 1]
    tppo = annual_statistics(ReportParams(2021, 2023, "13.76", case_type="tppo"))
    assert by_code(tppo, "headline")["cases"] == [0, 0, 1]
    assert by_code(tppo, "victims_form")["trafficking"] == [0, 0, 1]


def test_no_data_gives_an_empty_snapshot(world):
    snapshot = annual_statistics(ReportParams(2021, 2023, "13.76"))
    assert snapshot.is_empty
    assert by_code(snapshot, "headline")["cases"] == [0, 0, 0]


def test_snapshot_round_trips_through_json(dataset, params):
    snapshot = annual_statistics(params)
    again = Snapshot.from_dict(json.loads(json.dumps(snapshot.to_dict())))
    assert again == snapshot


def test_query_count_does_not_grow_with_data(world, params, django_assert_num_queries):
    with django_assert_num_queries(19):
        annual_statistics(params)
    for _i in range(5):
        make_case(world.users["intake_own"], victims=[{}, {}], perpetrators=[{}, {}])
    with django_assert_num_queries(19):
        annual_statistics(params)


def test_a_provincial_office_sees_its_cities(client, dataset):
    office = agency_create(
        name="DP3AP2KB Provinsi Sumatera Barat",
        kind=Agency.Kind.DP3AP2KB,
        region=Region.objects.get(code="13"),
    )
    client.force_login(make_user("official_province", Role.OFFICIAL, office))
    response = client.get(reverse("reports:dashboard"), {"year_from": 2021, "year_to": 2023})
    snapshot = response.context["s"]
    assert snapshot.region["code"] == "13"
    assert by_code(snapshot, "headline")["cases"] == [12, 14, 5]
    assert by_code(snapshot, "cases_area") == {"13.76": [12, 14, 4], "13.07": [0, 0, 1]}
    # A city of the province can be chosen; a city of another province cannot.
    assert client.get(reverse("reports:dashboard"), {"region": "13.07"}).context["s"]
    assert client.get(reverse("reports:dashboard"), {"region": "12.71"}).context["s"] is None
