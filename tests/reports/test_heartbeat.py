"""A running report whose worker died: its heartbeat stops, the sweep makes it again within
about REPORTS_HEARTBEAT_STALE seconds (not after the time limit), and the progress page says
so instead of showing the old percentage."""

import datetime as dt
import uuid

import pytest
from django.conf import settings
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from ppa.celery import app as celery_app
from reports import services
from reports.models import ReportRun
from tests.referrals.conftest import restore_seed_data
from tests.referrals.test_faults import (
    Worker,
    clear_queue,
    one_at_a_time,  # noqa: F401 (fixture: one real-worker test at a time on the machine)
    pg_connect,
    reset_producer_pool,
    wait_until,
)
from tests.world import build_world

PARAMS = {"year_from": 2022, "year_to": 2023, "region_code": "13.76"}


def a_run(world, **fields) -> ReportRun:
    return ReportRun.objects.create(
        authority=world.uptd.region,
        agency=world.agencies["dinas_own"],
        params=PARAMS,
        edition="internal",
        language="id",
        requested_by=world.users["official_own"],
        **fields,
    )


def seconds_ago(n: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=n)


@pytest.mark.django_db
def test_a_run_whose_heartbeat_stopped_is_made_again_long_before_the_time_limit(world, client):
    run = a_run(
        world,
        status=ReportRun.Status.RUNNING,
        attempts=1,
        progress=40,
        started_at=seconds_ago(45),
        heartbeat_at=seconds_ago(31),
        enqueued_at=seconds_ago(46),
    )
    client.force_login(world.users["official_own"])
    status = client.get(reverse("reports:run_status", kwargs={"code": run.code})).json()
    assert "dibuat lagi" in status["message"] and status["progress"] == 0
    page = client.get(reverse("reports:run_detail", kwargs={"code": run.code})).content.decode()
    assert "dibuat lagi" in page and "40%" not in page
    assert services.report_runs_sweep() == 1
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE and run.attempts == 2


@pytest.mark.django_db
def test_a_long_render_with_a_fresh_heartbeat_is_left_alone(world, client):
    run = a_run(
        world,
        status=ReportRun.Status.RUNNING,
        attempts=1,
        progress=40,
        started_at=seconds_ago(600),
        heartbeat_at=seconds_ago(2),
        enqueued_at=seconds_ago(601),
    )
    assert services.report_runs_sweep() == 0
    assert services.report_run_render(run_id=run.pk) is None  # a second message is ignored
    client.force_login(world.users["official_own"])
    status = client.get(reverse("reports:run_status", kwargs={"code": run.code})).json()
    assert status["progress"] == 40 and "(40%)" in status["message"]


# --- with a real worker ------------------------------------------------------------------


def route_reports_to(queue: str | None) -> None:
    celery_app.conf.task_routes = (
        {"reports.tasks.render_report_run": {"queue": queue}}
        if queue
        else settings.CELERY_TASK_ROUTES
    )
    celery_app.amqp.flush_routes()
    celery_app.amqp.__dict__.pop("router", None)


@pytest.fixture
def pdf_live(one_at_a_time, transactional_db, settings, tmp_path):  # noqa: F811
    restore_seed_data()
    queue = f"pdf-test-{uuid.uuid4().hex[:8]}"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.REPORTS_HEARTBEAT_STALE = 3
    celery_app.conf.task_always_eager = False
    route_reports_to(queue)
    reset_producer_pool()
    clear_queue(queue)
    workers: list[Worker] = []

    def start() -> Worker:
        log_path = tmp_path / f"pdf-worker{len(workers)}.log"
        env = {"REPORTS_HEARTBEAT_SECONDS": "1", "REPORTS_HEARTBEAT_STALE": "3"}
        worker = Worker(tmp_path, log_path, queue, env).start()
        workers.append(worker)
        return worker

    yield build_world(), start
    for worker in workers:
        worker.stop()
        print(f"--- {worker.log_path.name}\n" + worker.log_path.read_text()[-4000:])
    celery_app.conf.task_always_eager = True
    route_reports_to(None)
    reset_producer_pool()
    clear_queue(queue)
    connections.close_all()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_worker_killed_while_rendering_the_report_is_made_again(pdf_live, client):
    world, start = pdf_live
    worker = start()
    # The statistics query waits on this lock: the worker is caught mid-render, alive.
    blocker = pg_connect()
    blocker.execute("LOCK TABLE cases_case IN ACCESS EXCLUSIVE MODE")
    run = a_run(world)
    services.enqueue_run(run.pk)
    wait_until(
        lambda: ReportRun.objects.get(pk=run.pk).status == ReportRun.Status.RUNNING,
        what="the worker to start the report",
    )
    claimed = ReportRun.objects.get(pk=run.pk).heartbeat_at
    wait_until(
        lambda: ReportRun.objects.get(pk=run.pk).heartbeat_at > claimed,
        what="a heartbeat while the worker renders",
    )
    worker.kill_all()
    blocker.rollback()
    blocker.close()
    client.force_login(world.users["official_own"])
    status_url = reverse("reports:run_status", kwargs={"code": run.code})
    wait_until(
        lambda: "dibuat lagi" in client.get(status_url).json()["message"],
        timeout=10,
        what="the page to say the report is made again",
    )
    assert client.get(status_url).json()["progress"] == 0
    assert services.report_runs_sweep() == 1
    start()
    wait_until(
        lambda: ReportRun.objects.get(pk=run.pk).status == ReportRun.Status.DONE,
        timeout=90,
        what="the report made again by a new worker",
    )
    run.refresh_from_db()
    assert run.attempts == 2 and run.sha256
