"""Periodic reports: a month, a quarter, a half-year or a date range, with a column per month
and a twelve-month trend; the figures of the months add up to the year's."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coordination import services
from coordination.models import CommunityReport
from reports.charts import snapshot_charts
from reports.pdf import Letterhead, render_pdf
from reports.selectors import ReportParams, annual_statistics
from reports.snapshot import Period
from reports.suppression import SMALL, public_edition
from tests.coordination.community import make_report, record
from tests.factories import make_case
from tests.jobs import statistics_file
from tests.paperwork.helpers import dark_pixels, page_images
from tests.reports.helpers import csv_tables, html_tables, xlsx_tables
from tests.reports.test_pdf import pdf_text

pytestmark = pytest.mark.django_db

# 2021: twelve plain cases reported on 1 February and every 20 days after it.
Q1_2021 = ReportParams.for_period(Period.QUARTER, 2021, 1, "13.76")


def by_code(snapshot, key):
    return {row.code: row.values for row in snapshot.table(key).rows}


def test_a_quarter_has_a_column_per_month_and_a_twelve_month_trend(dataset):
    snapshot = annual_statistics(Q1_2021)
    assert snapshot.columns == ["Jan 2021", "Feb 2021", "Mar 2021"]
    assert snapshot.period_label == "Triwulan I 2021"
    assert by_code(snapshot, "headline")["cases"] == [0, 2, 1]  # 1 Feb, 21 Feb, 13 Mar
    assert snapshot.table("headline").title == "Jumlah kasus, korban dan pelaku per bulan"
    trend = snapshot.table("trend_months")
    assert trend.columns[0] == "Apr 2020" and trend.columns[-1] == "Mar 2021"
    assert len(trend.columns) == 12
    assert by_code(snapshot, "trend_months")["cases"][-3:] == [0, 2, 1]
    assert snapshot.table("rates") is None  # population is yearly


def _coordination_2022(world):
    """Prevention activities and community reports spread over 2022 (and one just outside)."""
    for day, kind in ((dt.date(2022, 1, 31), "school"), (dt.date(2022, 6, 1), "training")):
        record(world, held_on=day, kind=kind)
    record(world, held_on=dt.date(2022, 12, 31), topics=["tppo"])
    record(world, held_on=dt.date(2023, 1, 1))
    reports = [make_report(world) for _ in range(3)]
    for report, month in zip(reports, (2, 2, 11), strict=True):
        moment = timezone.make_aware(dt.datetime(2022, month, 14, 9))
        CommunityReport.objects.filter(pk=report.pk).update(created_at=moment)
    services.community_report_close(
        actor=world.users["intake_own"], report=reports[2], reason="Bukan kasus."
    )


def test_the_months_of_a_year_add_up_to_the_year(dataset):
    _coordination_2022(dataset)
    year = annual_statistics(ReportParams(2022, 2022, "13.76"))
    months = annual_statistics(
        ReportParams.for_range(dt.date(2022, 1, 1), dt.date(2022, 12, 31), "13.76")
    )
    assert len(months.columns) == 12
    for table in year.tables:
        if table.key == "rates":
            continue
        monthly = months.table(table.key)
        assert monthly is not None, table.key
        for row, month_row in zip(table.rows, monthly.rows, strict=True):
            if row.code == "median_days":
                continue
            assert month_row.code == row.code
            assert sum(month_row.values) == row.values[0], (table.key, row.code)
    assert sum(months.table("prevention_kind").total) == 3
    assert months.table("prevention_month").rows[5].values[5] == 1  # June, in June's column
    received = by_code(months, "community_reports")["received"]
    assert received[1] == 2 and received[10] == 1 and sum(received) == 3


def test_a_single_month_and_its_trend(dataset):
    march = annual_statistics(ReportParams.for_period(Period.MONTH, 2022, 3, "13.76"))
    assert march.period_label == "Maret 2022"
    assert march.columns == ["Mar 2022"]
    charts = snapshot_charts(march)
    assert "<polyline" in str(charts["trend_months"])  # the year up to March, as a line


def test_periodic_query_count_does_not_grow_with_data(world, django_assert_num_queries):

    year = dt.date.today().year
    params = ReportParams.for_period(Period.MONTH, year, 1, "13.76")
    # 17 for the case figures, 2 for the community reports and the prevention activities.
    with django_assert_num_queries(17 + 2):
        annual_statistics(params)
    for day in range(1, 4):
        make_case(world.users["intake_own"], victims=[{}, {}], perpetrators=[{}])
        record(world, held_on=dt.date(year, 1, day))
    # One more once there are activities: the names of the kecamatan that held them.
    with django_assert_num_queries(17 + 2 + 1):
        annual_statistics(params)


def test_dashboard_csv_and_xlsx_agree_for_a_quarter(client, dataset):
    client.force_login(dataset.users["supervisor_own"])
    query = {"period": "triwulan", "period_year": "2021", "period_number": "1", "region": "13.76"}
    for edition in ("internal", "public"):
        page = client.get(
            reverse("reports:dashboard"), {**query, "edition": edition, "bagian": "semua"}
        )
        assert page.status_code == 200
        snapshot = page.context["s"]
        assert snapshot.period_label == "Triwulan I 2021"
        titles = {t.key: t.title for t in snapshot.tables}
        shown = html_tables(page.content.decode())
        csv = csv_tables(
            statistics_file(client, "reports:export_csv", {**query, "edition": edition}).content,
            titles,
        )
        xlsx = xlsx_tables(
            statistics_file(client, "reports:export_xlsx", {**query, "edition": edition}).content,
            titles,
        )
        for key in titles:
            assert shown[key] == csv[key] == xlsx[key], (edition, key)
    assert ["Kasus", "0", SMALL, SMALL] in shown["headline"]
    assert shown["headline"][0] == ["Kategori", "Jan 2021", "Feb 2021", "Mar 2021"]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"period": "bulan", "period_year": "2021"}, "period_number", "ke-berapa"),
        ({"period": "triwulan", "period_year": "2021", "period_number": "5"}, "period_number", "4"),
        ({"period": "rentang", "date_from": "2021-01-01"}, "date_to", "tanggal awal dan akhir"),
        (
            {"period": "rentang", "date_from": "2021-01-01", "date_to": "2022-06-30"},
            "date_to",
            "12 bulan",
        ),
    ],
)
def test_bad_periods_get_a_message_next_to_the_field(client, world, query, field, message):
    client.force_login(world.users["official_own"])
    page = client.get(reverse("reports:dashboard"), query)
    form = page.context["form"]
    assert message in " ".join(form.errors[field])
    assert form["period"].value() == query["period"]  # the input is kept


def test_monthly_pdf_has_the_trend_chart_and_month_columns(dataset, tmp_path):
    params = ReportParams.for_period(Period.QUARTER, 2021, 1, "13.76")
    snapshot = public_edition(annual_statistics(params))
    data, pages = render_pdf(snapshot, Letterhead.for_agency(dataset.agencies["dinas_own"]))
    flat = " ".join(pdf_text(data).split())
    assert "Triwulan I 2021" in flat
    assert "Tren bulanan kasus, korban dan pelaku" in flat
    assert "Tren kasus per bulan" in flat
    assert "Laporan masyarakat dan pencegahan" in flat  # the section of the annual report too
    images = page_images(data, tmp_path, "q1")
    assert len(images) == pages
    for image in images:
        assert dark_pixels(image) > 2000, f"{image.name} looks blank"


def test_periodic_dashboard_query_count_does_not_grow_with_data(
    client, world, django_assert_num_queries
):

    client.force_login(world.users["official_own"])
    today = dt.date.today()
    query = {"period": "bulan", "period_year": today.year, "period_number": today.month}
    url = reverse("reports:dashboard")
    client.get(url, query)  # warm the session
    # 23 before the community reports and prevention activities had month columns; 2 more;
    # one less since the user's agency comes with the user's query.
    with django_assert_num_queries(23 + 2 - 1) as first:
        client.get(url, query)
    for _i in range(3):
        make_case(world.users["intake_own"], reported_on=today, victims=[{}, {}])
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url, query)


PERIOD_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["bulan", "triwulan", "semester", "rentang", "tahunan", "0", "13", "-1"]),
    st.sampled_from(["2021-02-30", "9999-12-31", "2021-01-01", "<script>alert(1)</script>"]),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    period=PERIOD_TEXT,
    year=PERIOD_TEXT,
    number=PERIOD_TEXT,
    start=PERIOD_TEXT,
    end=PERIOD_TEXT,
)
def test_period_fields_never_break_the_dashboard(world, period, year, number, start, end):
    client = Client()
    client.force_login(world.users["official_own"])
    query = {
        "period": period,
        "period_year": year,
        "period_number": number,
        "date_from": start,
        "date_to": end,
    }
    response = client.get(reverse("reports:dashboard"), query)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()
