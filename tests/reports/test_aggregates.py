"""Nightly statistics aggregates: the figures are the same whether a case is counted from the
aggregate tables or from the cases, a case registered after the refresh counts at once (whatever
its reporting date), and the refresh runs on the beat schedule and from the command line."""

import datetime as dt
from dataclasses import asdict
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Status
from reports.models import CaseCube, StatisticsRefresh, VictimCube
from reports.pdf import Letterhead, render_pdf
from reports.selectors import DateBasis, ReportParams, annual_statistics
from reports.services import figures_checksum, statistics_refresh
from reports.tasks import refresh_statistics
from tests.factories import make_case
from tests.reports.test_pdf import pdf_text

pytestmark = pytest.mark.django_db


def refresh_now():
    """A refresh covering every case registered so far (the nightly one stops at midnight)."""
    return statistics_refresh(before=timezone.now())


SCOPES = [
    ReportParams(2021, 2023, "13.76"),  # a city
    ReportParams(2020, 2023, "13"),  # the province (two cities)
    ReportParams(2021, 2023, "13.76.01"),  # a kecamatan
    ReportParams(2022, 2022, "13.76.02"),  # a kecamatan, a past year only
    ReportParams(2021, 2023, "13.76", case_type="tppo"),
    ReportParams(2021, 2023, "13", case_type="ktp"),
    ReportParams(2023, 2023, "13.76"),  # the current year only
]


def by_code(snapshot, key):
    return {row.code: row.values for row in snapshot.table(key).rows}


def figures(snapshot) -> dict:
    """What a reader sees: every table and the undated count."""
    return {
        "tables": [asdict(t) for t in snapshot.tables],
        "undated_cases": snapshot.undated_cases,
        "years": snapshot.years,
    }


@pytest.fixture
def spread(dataset):
    """The hand-counted data set plus cases whose incident year differs from the reporting
    year across the cutoff, and one in another city of the province."""
    actor = dataset.users["intake_own"]
    make_case(actor, reported_on=dt.date(2023, 1, 3), incident_date=dt.date(2022, 12, 30))
    make_case(actor, reported_on=dt.date(2022, 12, 30), incident_date=dt.date(2021, 11, 1))
    make_case(actor, reported_on=dt.date(2022, 3, 1), incident_date=None, district=None)
    make_case(
        dataset.users["intake_other"],
        reported_on=dt.date(2022, 6, 1),
        incident_date=dt.date(2022, 5, 1),
        district="13.07.01",
        case_type="ampk",
        victims=[{"sex": "L", "stated_age": 9, "birth_date": None, "ampk_category_ids": []}],
    )
    return dataset


@pytest.mark.parametrize("split", ["all aggregated", "half live"])
def test_aggregated_figures_equal_the_live_ones_for_every_scope_and_basis(spread, split):
    all_params = [
        ReportParams(**{**asdict(p), "date_basis": basis})
        for p in SCOPES
        for basis in DateBasis.CHOICES
    ]
    live = [annual_statistics(p) for p in all_params]
    assert all(s.aggregated_before is None and s.aggregates_note == "" for s in live)

    cases = list(Case.objects.order_by("pk"))
    # "half live": the later half of the cases counts as registered after the refresh.
    before = timezone.now() if split == "all aggregated" else cases[len(cases) // 2].created_at
    refresh = statistics_refresh(before=before)
    assert refresh.covers_before == before
    assert refresh.rows > 0 and CaseCube.objects.exists() and VictimCube.objects.exists()

    mismatches = []
    for p, live_snapshot in zip(all_params, live, strict=True):
        after = annual_statistics(p)
        assert dt.datetime.fromisoformat(after.aggregated_before) == before
        if figures(after) != figures(live_snapshot):
            mismatches.append(str(p))
        assert figures_checksum(after.to_dict()) == figures_checksum(live_snapshot.to_dict())
    assert not mismatches, "\n".join(mismatches)
    # The comparison is not vacuous: the past years hold cases.
    assert by_code(live[0], "headline")["cases"][:2] == [12, 16]


def test_the_aggregates_are_really_used_and_an_old_edit_waits_for_the_next_refresh(spread):
    """Documented behaviour: a change to a case registered before the cutoff shows after the
    next nightly refresh; until then the report counts the case as it was at the refresh."""
    params = ReportParams(2021, 2023, "13.76")
    refresh_now()
    old = Case.objects.filter(reported_on__year=2021).order_by("pk").first()
    old.status, old.closed_at = Status.CLOSED, timezone.now()
    old.save(update_fields=["status", "closed_at"])

    assert by_code(annual_statistics(params), "cases_status")["closed"] == [0, 0, 1]
    refresh_now()
    assert by_code(annual_statistics(params), "cases_status")["closed"] == [1, 0, 1]


def test_a_case_registered_after_the_refresh_counts_at_once(spread):
    """Also when its reporting date is long past (a paper file entered late)."""
    params = ReportParams(2021, 2023, "13.76")
    incident = ReportParams(2021, 2023, "13.76", date_basis=DateBasis.INCIDENT)
    refresh_now()
    before = by_code(annual_statistics(params), "headline")
    before_incident = by_code(annual_statistics(incident), "headline")
    make_case(
        spread.users["intake_own"],
        reported_on=dt.date(2021, 7, 1),
        incident_date=dt.date(2020, 12, 1),
        victims=[{}, {}],
    )
    after = by_code(annual_statistics(params), "headline")
    assert after["cases"] == [before["cases"][0] + 1, before["cases"][1], before["cases"][2]]
    assert after["victims"][0] == before["victims"][0] + 2
    # Under the incident basis it counts in 2020, outside this report's years...
    assert by_code(annual_statistics(incident), "headline") == before_incident
    # ... and inside a report that starts in 2020.
    wider = ReportParams(2020, 2023, "13.76", date_basis=DateBasis.INCIDENT)
    assert by_code(annual_statistics(wider), "headline")["cases"][0] >= 1


def test_the_snapshot_says_which_cases_come_from_the_aggregates(spread):
    before = timezone.make_aware(dt.datetime(2026, 3, 2, 0, 0))
    statistics_refresh(before=before)
    snapshot = annual_statistics(ReportParams(2021, 2023, "13.76"))
    assert snapshot.aggregated_before == "2026-03-02T00:00:00+07:00"  # local time
    assert snapshot.aggregated_at
    assert "dicatat sebelum 2 Maret 2026 00.00" in snapshot.aggregates_note
    assert "rekap statistik" in snapshot.aggregates_note


def test_query_count_with_aggregates_does_not_grow_with_data(world, django_assert_num_queries):
    params = ReportParams(2021, 2023, "13.76")
    refresh_now()
    with django_assert_num_queries(28):
        annual_statistics(params)
    for year in (2021, 2023):
        make_case(
            world.users["intake_own"],
            reported_on=dt.date(year, 3, 1),
            incident_date=None,
            victims=[{}, {}],
        )
    refresh_now()
    with django_assert_num_queries(28):
        annual_statistics(params)


def test_the_refresh_is_on_the_nightly_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["reports-refresh-statistics"]
    assert entry["task"] == refresh_statistics.name == "reports.tasks.refresh_statistics"
    schedule = entry["schedule"]
    assert schedule.hour == {1} and schedule.minute == {30}  # 01:30 local (CELERY_TIMEZONE)
    assert settings.CELERY_TIMEZONE == settings.TIME_ZONE


def test_the_task_and_the_command_refresh(dataset):
    refresh_statistics.delay()
    assert StatisticsRefresh.objects.count() == 1
    out = StringIO()
    call_command("refresh_statistics", stdout=out)
    latest = StatisticsRefresh.objects.latest()
    assert StatisticsRefresh.objects.count() == 2
    # The nightly cutoff: the start of today (local time), or ten minutes back just after
    # midnight; the data set's cases, registered just now, are counted live.
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    assert latest.covers_before <= midnight
    assert timezone.now() - latest.covers_before <= dt.timedelta(days=1)
    assert f"{timezone.localtime(latest.covers_before):%Y-%m-%d %H:%M}" in out.getvalue()


def test_the_dashboard_says_up_to_when_the_aggregates_count(client, dataset):
    query = {"year_from": "2021", "year_to": "2023", "region": "13.76"}
    client.force_login(dataset.users["official_own"])
    assert "rekap statistik per" not in client.get(reverse("reports:dashboard"), query).text
    statistics_refresh(before=timezone.make_aware(dt.datetime(2026, 3, 2, 0, 0)))
    html = client.get(reverse("reports:dashboard"), query).text
    assert "Angka kasus yang dicatat sebelum 2 Maret 2026 00.00 diambil dari rekap" in html


def test_the_pdf_says_up_to_when_the_aggregates_count(dataset):
    statistics_refresh(before=timezone.make_aware(dt.datetime(2026, 3, 2, 0, 0)))
    snapshot = annual_statistics(ReportParams(2021, 2023, "13.76"))
    data, _pages = render_pdf(snapshot, Letterhead.for_agency(dataset.agencies["dinas_own"]))
    flat = " ".join(pdf_text(data).split())
    assert "Angka kasus yang dicatat sebelum 2 Maret 2026 00.00 diambil dari rekap" in flat
