"""The previous month's report is made by the schedule on the first working day of a month
for every office, and its officials find it in their notifications (a link, no figures)."""

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse

from referrals.models import Notification
from reports import services, tasks
from reports.models import ReportRun

pytestmark = pytest.mark.django_db


def test_first_working_day_skips_weekends_and_holidays():
    # The holiday calendar (lokal-id) covers 2026 and 2027; other years count Monday-Friday.
    assert services.first_working_day(2026, 1) == dt.date(2026, 1, 2)  # 1 Jan: Tahun Baru
    assert services.first_working_day(2026, 8) == dt.date(2026, 8, 3)  # 1 Aug: a Saturday
    assert services.first_working_day(2026, 4) == dt.date(2026, 4, 1)


def test_monthly_report_is_made_once_and_announced_without_figures(
    client, dataset, django_capture_on_commit_callbacks
):
    assert services.monthly_reports_produce(today=dt.date(2026, 3, 1)) == 0  # a Sunday
    with django_capture_on_commit_callbacks(execute=True):
        made = services.monthly_reports_produce(today=dt.date(2026, 3, 2))
    assert made == 2  # the DP3AP2KB of both cities have officials
    run = ReportRun.objects.get(agency=dataset.agencies["dinas_own"])
    assert run.requested_by is None and run.status == ReportRun.Status.DONE
    assert run.params["date_from"] == "2026-02-01" and run.params["date_to"] == "2026-02-28"
    assert run.figures["period_label"] == "Februari 2026"

    official = dataset.users["official_own"]
    notes = list(Notification.objects.filter(user=official))
    link = reverse("reports:run_detail", kwargs={"code": run.code})
    assert [(n.kind, n.link, n.case_id) for n in notes] == [
        (Notification.Kind.REPORT_READY, link, None)
    ]
    client.force_login(official)
    inbox = client.get(reverse("referrals:notifications")).content.decode()
    assert f'href="{link}"' in inbox and "Laporan statistik bulanan dibuat" in inbox
    assert client.get(link).status_code == 200
    download = client.get(reverse("reports:run_download", kwargs={"code": run.code}))
    assert download.status_code == 200
    assert "2026-02-01-2026-02-28" in download["Content-Disposition"]
    # Officials of the other city see their own report, not this one.
    other = dataset.users["official_other"]
    assert Notification.objects.filter(user=other).exclude(link=link).count() == 1
    client.force_login(other)
    assert client.get(link).status_code == 404

    # The job runs again the same day (beat and a retry): nothing new.
    assert services.monthly_reports_produce(today=dt.date(2026, 3, 2)) == 0
    assert Notification.objects.filter(user=official).count() == 1


def test_the_monthly_job_is_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["reports-monthly"]
    assert entry["task"] == tasks.produce_monthly_reports.name
