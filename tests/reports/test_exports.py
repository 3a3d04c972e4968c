"""Long downloads (statistics CSV/XLSX): asked for, made in the background with the PDF
report's progress page, downloaded by the requester only, with the same bytes as the file
the dashboard used to answer at once."""

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from ppa.models import AccessLog, Role
from ppa.services import user_set_role
from reports import jobs, services, tasks
from reports.exports import snapshot_csv, snapshot_xlsx
from reports.models import ExportRun
from reports.selectors import ReportParams, annual_statistics
from reports.suppression import public_edition
from tests.jobs import download_url, request_file, statistics_file
from tests.reports.helpers import xlsx_tables

pytestmark = pytest.mark.django_db

QUERY = {"year_from": "2021", "year_to": "2023", "region": "13.76"}


def csv_url(query=QUERY) -> str:
    return f"{reverse('reports:export_csv')}?{urlencode(query)}"


def test_csv_and_xlsx_hold_the_same_bytes_as_the_direct_export(client, dataset):
    """The builder writes what the dashboard's direct download wrote: the same snapshot
    through the same CSV/XLSX writers, for both editions."""
    client.force_login(dataset.users["official_own"])
    params = ReportParams(year_from=2021, year_to=2023, region_code="13.76")
    internal = annual_statistics(params)
    public = public_edition(annual_statistics(params))
    csv = statistics_file(client, "reports:export_csv", QUERY)
    assert csv.content == snapshot_csv(internal)
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    assert csv["Content-Disposition"] == 'attachment; filename="statistik-13.76-2021-2023.csv"'
    xlsx = statistics_file(client, "reports:export_xlsx", {**QUERY, "edition": "public"})
    titles = {t.key: t.title for t in public.tables}
    assert xlsx_tables(xlsx.content, titles) == xlsx_tables(snapshot_xlsx(public), titles)
    assert xlsx["Content-Disposition"].endswith('-publik.xlsx"')
    # Private storage, under a name that says nothing; the address carries a UUID only.
    run = ExportRun.objects.get(fmt="xlsx")
    assert run.file.name == f"exports/{run.requested_at:%Y}/{run.code.hex}"
    assert len(run.sha256) == 64 and run.size == len(xlsx.content)
    assert AccessLog.objects.filter(object_id=run.pk, action=AccessLog.Action.DOWNLOAD).exists()


def test_only_the_requester_downloads_and_the_permission_is_checked_again(client, dataset):
    official = dataset.users["official_own"]
    client.force_login(official)
    page = request_file(client, csv_url())
    url = download_url(client, page)
    for persona in ("supervisor_own", "official_other"):  # statistics access, not theirs
        client.force_login(dataset.users[persona])
        assert client.get(url).status_code == 404
        assert client.get(page.request["PATH_INFO"]).status_code == 404
    client.force_login(dataset.users["case_worker_own"])
    assert client.get(url).status_code == 403
    # The requester loses statistics access: the file is refused too.
    user_set_role(user=official, role=Role.CASE_WORKER, agency=dataset.uptd)
    client.force_login(official)
    assert client.get(url).status_code == 403


def test_the_progress_page_works_without_javascript_while_the_file_is_made(
    client, dataset, monkeypatch
):
    """Broker down: the request is kept, the page refreshes itself and says so, the download
    answers 409 with the same page; the sweep sends it once the broker is back."""

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.build_export_run, "apply_async", refuse)
    client.force_login(dataset.users["official_own"])
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(csv_url())
    assert response.status_code == 302
    run = ExportRun.objects.get()
    assert run.status == ExportRun.Status.PENDING and run.enqueue_failed_at is not None
    html = client.get(response["Location"]).content.decode()
    assert '<meta http-equiv="refresh" content="5">' in html
    assert "Permintaan Anda sudah tersimpan" in html and "js/reports.js" in html
    status = client.get(reverse("reports:export_status", kwargs={"code": run.code})).json()
    assert status["status"] == "pending" and status["download_url"] is None
    early = client.get(reverse("reports:export_download", kwargs={"code": run.code}))
    assert early.status_code == 409 and "data-report-status-url" in early.content.decode()

    monkeypatch.undo()
    assert services.report_runs_sweep() == 1  # the PDF sweep sends the downloads too
    run.refresh_from_db()
    assert run.status == ExportRun.Status.DONE
    done = client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in done and "Unduh CSV" in done


def test_a_get_never_makes_a_file(client, dataset):
    client.force_login(dataset.users["official_own"])
    assert client.get(csv_url()).status_code == 405
    assert not ExportRun.objects.exists()


def test_stored_files_are_removed_after_a_day_and_the_page_says_so(client, dataset):
    client.force_login(dataset.users["official_own"])
    page = request_file(client, csv_url())
    url = download_url(client, page)
    run = ExportRun.objects.get()
    stored = run.file.name
    assert jobs.export_files_purge() == 0  # fresh: kept
    later = timezone.now() + dt.timedelta(hours=25)
    assert jobs.export_files_purge(now=later) == 1
    run.refresh_from_db()
    assert not run.file and not run.file.storage.exists(stored) and run.sha256
    gone = client.get(url)
    assert gone.status_code == 410 and "sudah dihapus" in gone.content.decode()
