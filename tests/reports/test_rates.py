import pytest
from django.urls import reverse

from reports.models import Population
from reports.selectors import annual_statistics
from reports.suppression import HIDDEN, public_edition

pytestmark = pytest.mark.django_db


def test_rates_per_100000_where_population_exists(dataset, params):
    Population.objects.bulk_create(
        [
            Population(region_id="13.76", year=2023, count=140_000),
            Population(region_id="13.76", year=2023, sex="P", count=70_000),
            Population(region_id="13.76", year=2023, age_band="anak", count=40_000),
            Population(region_id="13.76", year=2022, sex="L", count=69_000),
            Population(region_id="13.76", year=2022, sex="P", count=70_000),
        ]
    )
    snapshot = annual_statistics(params)
    rates = {r.code: r.values for r in snapshot.table("rates").rows}
    assert rates["pop_all"] == [None, 139_000, 140_000]  # 2022: men + women
    assert rates["cases_rate"] == [None, 10.1, 2.9]  # 14 / 139,000 and 4 / 140,000
    assert rates["women_rate"] == [None, 20.0, 4.3]  # 14 / 70,000 and 3 / 70,000
    assert rates["children_rate"] == [None, None, 5.0]  # 2 / 40,000
    public = {r.code: r.values for r in public_edition(snapshot).table("rates").rows}
    assert public["cases_rate"] == [None, 10.1, HIDDEN]  # 4 cases would come back from the rate
    assert public["women_rate"] == [None, 20.0, HIDDEN]
    assert public["pop_all"] == [None, 139_000, 140_000]


def test_no_population_no_rate_table(dataset, params):
    assert annual_statistics(params).table("rates") is None


def test_rates_show_on_the_dashboard_with_dashes_for_missing_years(client, dataset):
    Population.objects.create(region_id="13.76", year=2023, count=140_000)
    client.force_login(dataset.users["official_own"])
    html = client.get(
        reverse("reports:dashboard"), {"year_from": 2021, "year_to": 2023, "bagian": "semua"}
    ).content.decode()
    assert "Rasio kekerasan per 100.000 penduduk" in html
    assert "140.000" in html and "2,9" in html and "–" in html


def test_population_is_editable_in_the_admin(client, world):
    client.force_login(world.users["admin"])
    response = client.post(
        reverse("admin:reports_population_add"),
        {
            "region": "13.76",
            "year": 2024,
            "sex": "P",
            "age_band": "",
            "count": 71_500,
            "source": "BPS Kota Payakumbuh",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Population.objects.get(year=2024).count == 71_500
    assert client.get(reverse("admin:reports_population_changelist")).status_code == 200
    duplicate = client.post(
        reverse("admin:reports_population_add"),
        {"region": "13.76", "year": 2024, "sex": "P", "age_band": "", "count": 1},
    )
    assert duplicate.status_code == 200  # the unique constraint, as a form error
