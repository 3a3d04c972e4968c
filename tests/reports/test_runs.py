"""Report runs when things go wrong: the broker is down, the worker died, a message arrives
twice. The request is never lost and the page says what is happening."""

import datetime as dt
import gc
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from reports import pdf, services, tasks
from reports.models import ReportRun

pytestmark = pytest.mark.django_db

FORM = {
    "year_from": "2021",
    "year_to": "2023",
    "region": "13.76",
    "edition": "public",
    "language": "id",
}


def broker_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.render_report_run, "apply_async", refuse)


def test_broker_down_keeps_the_request_and_the_sweep_sends_it_later(
    client, world, monkeypatch, django_capture_on_commit_callbacks
):
    broker_down(monkeypatch)
    client.force_login(world.users["official_own"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:run_create"), FORM)
    assert response.status_code == 302  # no error page for the user
    run = ReportRun.objects.get()
    assert run.status == ReportRun.Status.PENDING and run.enqueue_failed_at is not None

    page = client.get(response["Location"])
    html = page.content.decode()
    assert "Permintaan Anda sudah tersimpan dan akan diproses otomatis" in html
    assert '<meta http-equiv="refresh" content="5">' in html  # works without JavaScript
    assert "js/reports.js" in html
    status = client.get(reverse("reports:run_status", kwargs={"code": run.code})).json()
    assert status["status"] == "pending" and status["waiting_for_worker"] is True
    assert status["download_url"] is None

    # Still down: the sweep tries, fails, keeps the run.
    assert services.report_runs_sweep() == 0
    run.refresh_from_db()
    assert run.status == ReportRun.Status.PENDING

    # The broker is back: the periodic command sends it; the (eager) worker renders it.
    monkeypatch.undo()
    call_command("reports_sweep")
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE and run.sha256
    status = client.get(reverse("reports:run_status", kwargs={"code": run.code})).json()
    assert status["download_url"] == reverse("reports:run_download", kwargs={"code": run.code})
    page = client.get(reverse("reports:run_detail", kwargs={"code": run.code})).content.decode()
    assert "refresh" not in page and "js/reports.js" not in page


def test_worker_died_while_rendering_is_picked_up_again(world):
    run = ReportRun.objects.create(
        authority=world.uptd.region,
        agency=world.agencies["dinas_own"],
        params={"year_from": 2022, "year_to": 2023, "region_code": "13.76"},
        edition="internal",
        language="id",
        requested_by=world.users["official_own"],
        status=ReportRun.Status.RUNNING,
        attempts=1,
        progress=40,
        started_at=timezone.now() - dt.timedelta(hours=1),
        enqueued_at=timezone.now(),
    )
    recent = timezone.now()
    assert services.report_runs_sweep() == 1
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE and run.attempts == 2
    assert run.finished_at >= recent


def test_a_run_being_rendered_is_not_taken_twice(world):
    run = ReportRun.objects.create(
        authority=world.uptd.region,
        agency=world.agencies["dinas_own"],
        params={"year_from": 2022, "year_to": 2023, "region_code": "13.76"},
        edition="internal",
        language="id",
        requested_by=world.users["official_own"],
        status=ReportRun.Status.RUNNING,
        attempts=1,
        started_at=timezone.now(),
        enqueued_at=timezone.now(),
    )
    assert services.report_run_render(run_id=run.pk) is None
    assert services.report_runs_sweep() == 0
    run.refresh_from_db()
    assert run.status == ReportRun.Status.RUNNING and run.attempts == 1


def test_a_failing_render_is_retried_then_marked_failed(world, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("layout exploded")

    monkeypatch.setattr("reports.pdf.render_pdf", boom)
    run = ReportRun.objects.create(
        authority=world.uptd.region,
        agency=world.agencies["dinas_own"],
        params={"year_from": 2022, "year_to": 2023, "region_code": "13.76"},
        edition="internal",
        language="id",
        requested_by=world.users["official_own"],
    )
    for attempt in range(1, services.MAX_ATTEMPTS + 1):
        services.report_run_render(run_id=run.pk)
        run.refresh_from_db()
        assert run.attempts == attempt and run.error == "RuntimeError"
    assert run.status == ReportRun.Status.FAILED
    assert services.report_runs_sweep() == 0
    assert "gagal dibuat" in services.run_state(run).message


def test_pending_message_before_the_worker_is_late(world):
    run = ReportRun(status=ReportRun.Status.PENDING, requested_at=timezone.now())
    state = services.run_state(run)
    assert not state.waiting_for_worker and "antrean" in state.message
    later = services.run_state(run, now=timezone.now() + dt.timedelta(minutes=2))
    assert later.waiting_for_worker


def test_task_is_routed_to_the_pdf_queue_with_time_limits():
    assert settings.CELERY_TASK_ROUTES["reports.tasks.render_report_run"] == {"queue": "pdf"}
    assert tasks.render_report_run.soft_time_limit < tasks.render_report_run.time_limit
    assert tasks.render_report_run.acks_late
    assert "reports-sweep-runs" in settings.CELERY_BEAT_SCHEDULE


def test_pdf_worker_process_warms_up_without_the_database(monkeypatch, django_assert_num_queries):
    calls = []
    monkeypatch.setattr(pdf, "warm_up", lambda: calls.append("warm"))
    for queues, expected in (({"handoff": 1, "default": 1}, []), ({"pdf": 1}, ["warm"])):
        app = SimpleNamespace(amqp=SimpleNamespace(queues=SimpleNamespace(consume_from=queues)))
        monkeypatch.setattr(tasks, "current_app", app)
        calls.clear()
        tasks.warm_up_pdf_worker()
        assert calls == expected  # only a worker of the PDF queue loads WeasyPrint
    monkeypatch.undo()
    with django_assert_num_queries(0):
        pdf.warm_up()  # renders a sample: fonts and caches, no figures from the database
    gc.unfreeze()
