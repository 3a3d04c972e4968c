"""Fault tests of the referral hand-off with a REAL Celery worker, Redis and PostgreSQL.

Each test starts `celery -A ppa worker -Q <its own hand-off queue> -P prefork -c 1` as a subprocess
against this test database (committed rows: transactional tests) and the broker of
CELERY_BROKER_URL, then breaks something: the pool child or the whole worker killed in the
middle of a hand-off, Redis unreachable at approval, every message delivered several times, two
supervisors approving at the same instant. In every case each approved referral must end
delivered exactly once, with one grant, one delivery event, one notification per person and one
e-mail (counted from the files the worker's file e-mail backend writes).

A hand-off is caught "in the middle" deterministically: the test holds a row lock on the
referral from another database connection, so the task blocks inside its transaction (after it
locked the outbox row) until the test lets go.
"""

import ctypes
import fcntl
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path

import psycopg
import pytest
import redis
from django.conf import settings
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from ppa.celery import app as celery_app
from referrals import services
from referrals.models import (
    CaseGroupObjectPermission,
    HandoffOutbox,
    Notification,
    Referral,
    ReferralEvent,
    ReferralGrant,
)
from referrals.tasks import handoff_deliver
from tests.referrals.helpers import make_sexual_violence_case, referral_data
from tests.world import build_world, make_user

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.xdist_group("celery"),
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))
LOCK_FILE = Path("/tmp/sinergi-ppa-referral-faults.lock")  # noqa: S108
DEADLINE = 40  # seconds: every wait in these tests is bounded


def wait_until(predicate, timeout: float = DEADLINE, what: str = "") -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}")


def db_url() -> str:
    s = connection.settings_dict
    user = s.get("USER") or "postgres"
    auth = f"{user}:{s['PASSWORD']}@" if s.get("PASSWORD") else f"{user}@"
    return f"postgres://{auth}{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


def die_with_parent() -> None:
    """Run in the worker before exec: SIGKILL it if pytest dies (no orphan workers)."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def pg_connect() -> psycopg.Connection:
    s = connection.settings_dict
    return psycopg.connect(
        dbname=s["NAME"],
        user=s.get("USER") or "postgres",
        password=s.get("PASSWORD") or None,
        host=s.get("HOST") or "127.0.0.1",
        port=s.get("PORT") or 5432,
    )


class Worker:
    """A celery worker subprocess in its own process group."""

    def __init__(self, mail_dir: Path, log_path: Path, queue: str):
        self.mail_dir, self.log_path, self.queue = mail_dir, log_path, queue
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Worker":
        env = os.environ | {
            "DJANGO_SETTINGS_MODULE": "ppa.settings_test",
            "DATABASE_URL": db_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "TEST_EMAIL_FILE_PATH": str(self.mail_dir),
            "CONN_MAX_AGE": "0",
        }
        self.log_path.write_text("")
        log = self.log_path.open("a")
        self.proc = subprocess.Popen(  # noqa: S603 (fixed argv)
            [
                CELERY,
                "-A",
                "ppa",
                "worker",
                "-Q",
                self.queue,
                "-P",
                "prefork",
                "-c",
                "1",
                "-n",
                f"faults-{uuid.uuid4().hex[:8]}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "info",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent,  # noqa: PLW1509
        )
        wait_until(lambda: "ready." in self.log_path.read_text(), 60, "the worker to start")
        return self

    def pool_child(self) -> int:
        out = subprocess.run(  # noqa: S603
            ["/usr/bin/ps", "-o", "pid=", "--ppid", str(self.proc.pid)],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.split()
        return int(out[0]) if out else 0

    def kill_all(self) -> None:
        """kill -9 of the main process and its children (a crashed machine or container)."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill_all()


def clear_queue(queue: str) -> None:
    """Only this test's broker keys (never FLUSHALL / FLUSHDB of a shared Redis)."""
    r = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    r.delete(queue, "unacked", "unacked_index", "unacked_mutex")


def reset_producer_pool() -> None:
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def route_handoffs_to(queue: str | None) -> None:
    """Send this test's hand-offs to its own queue, so that no other worker on the same Redis
    database (another test run, another app's tests) takes them, and ours takes nothing else."""
    if queue is None:
        celery_app.conf.task_routes = settings.CELERY_TASK_ROUTES
    else:
        celery_app.conf.task_routes = {"referrals.tasks.handoff_deliver": {"queue": queue}}
    celery_app.amqp.flush_routes()
    celery_app.amqp.__dict__.pop("router", None)


@pytest.fixture
def one_at_a_time():
    """These tests run one at a time on the machine (xdist workers included): each runs a
    worker and kills things; two at once would only fight for two cores."""
    with LOCK_FILE.open("w") as handle:
        end = time.monotonic() + 900
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > end:
                    raise
                time.sleep(0.5)
        yield
        fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture
def live(one_at_a_time, seeded, settings, tmp_path):
    """A world, the test process publishing to the real broker, and a worker factory."""
    queue = f"handoff-test-{uuid.uuid4().hex[:8]}"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.task_always_eager = False
    route_handoffs_to(queue)
    reset_producer_pool()
    clear_queue(queue)
    world = build_world()
    police = world.agencies["police_own"]
    police.email = "uppa@example.org"
    police.save(update_fields=["email"])
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    workers: list[Worker] = []

    def start() -> Worker:
        worker = Worker(mail_dir, tmp_path / f"worker{len(workers)}.log", queue).start()
        workers.append(worker)
        return worker

    yield world, start, mail_dir, queue
    for worker in workers:
        worker.stop()
        # Shown by pytest only when the test failed.
        print(f"--- {worker.log_path.name}\n" + worker.log_path.read_text()[-4000:])
    celery_app.conf.task_always_eager = True
    route_handoffs_to(None)
    reset_producer_pool()
    clear_queue(queue)
    connections.close_all()


def pending_referrals(world, n: int) -> list[Referral]:
    """Referrals of sexual-violence cases (each with its 3×24 h police clock) to the police."""
    worker = world.users["case_worker_own"]
    out = []
    for _ in range(n):
        case = make_sexual_violence_case(worker)
        referral = services.referral_draft(actor=worker, case=case, data=referral_data(world, case))
        out.append(services.referral_submit(actor=worker, referral=referral))
    return out


def sent_subjects(mail_dir: Path) -> list[str]:
    subjects = []
    for path in sorted(mail_dir.iterdir()):
        for chunk in path.read_bytes().split(b"-" * 79):
            if b"Subject:" in chunk:
                msg = message_from_bytes(chunk.strip())
                subjects.append(str(make_header(decode_header(msg["Subject"]))))
    return subjects


def all_finished(referrals) -> bool:
    ids = [r.pk for r in referrals]
    return HandoffOutbox.objects.filter(
        referral_id__in=ids, mailed_at__isnull=False
    ).count() == len(ids)


def assert_delivered_exactly_once(world, referrals, mail_dir: Path) -> None:
    partner, case_worker = world.users["partner_own"], world.users["case_worker_own"]
    subjects = sent_subjects(mail_dir)
    for referral in referrals:
        referral.refresh_from_db()
        assert referral.status == "delivered", referral.status
        assert referral.delivered_at is not None
        assert ReferralEvent.objects.filter(referral=referral, kind="delivered").count() == 1
        assert ReferralGrant.objects.filter(referral=referral).count() == 1
        assert HandoffOutbox.objects.filter(referral=referral).count() == 1
        for user in (partner, case_worker):
            assert (
                Notification.objects.filter(referral=referral, kind="delivered", user=user).count()
                == 1
            )
        number = referral.case.number
        assert sum(number in s for s in subjects) == 1, (number, subjects)
    assert CaseGroupObjectPermission.objects.count() == len(referrals)
    assert len(subjects) == len(referrals)


class HeldLock:
    """Row locks held from a separate connection, so that a hand-off blocks at a chosen point.

    - "mid_transaction": the referred cases' TPKS police-report clocks. The hand-off locks them
      last (a delivery to the police meets that clock), after it wrote the grant, the state,
      the event and the notifications: killed there, the whole delivery rolls back.
    - "at_commit": the receiving agency's group. PostgreSQL checks Django's deferred foreign
      keys at COMMIT, so the hand-off blocks after sending COMMIT: killed there, the delivery
      commits without the worker knowing, and the redelivered task must only send the e-mail.
    Approval touches neither."""

    def __init__(self, world, referrals, where: str):
        self.conn = pg_connect()
        if where == "mid_transaction":
            sql = (
                "SELECT id FROM cases_deadline WHERE case_id = ANY(%s) "
                "AND kind = 'police_report_tpks' FOR UPDATE"
            )
            params = [[r.case_id for r in referrals]]
        else:
            sql = "SELECT id FROM auth_group WHERE id = %s FOR UPDATE"
            params = [world.agencies["police_own"].group_id]
        assert self.conn.execute(sql, params).fetchall()

    def waiters(self) -> int:
        with pg_connect() as c:
            (n,) = c.execute(
                "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE NOT l.granted AND a.datname = current_database()"
            ).fetchone()
        return n

    def release(self) -> None:
        self.conn.rollback()
        self.conn.close()


def approve(world, referrals) -> None:
    head = world.users["supervisor_own"]
    for referral in referrals:
        services.referral_approve(actor=head, referral=referral)


# --- the scenarios ---------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["mid_transaction", "at_commit"])
def test_pool_child_killed_during_handoff(live, where):
    world, start, mail_dir, queue = live
    worker = start()
    referrals = pending_referrals(world, 2)
    lock = HeldLock(world, referrals, where)
    try:
        approve(world, referrals)
        wait_until(lambda: lock.waiters() >= 1, what="a hand-off blocked mid-transaction")
        child = worker.pool_child()
        assert child
        killed_at = timezone.now()
        os.kill(child, signal.SIGKILL)
        wait_until(lambda: worker.pool_child() not in (0, child), what="a new pool child")
    finally:
        lock.release()
    wait_until(lambda: all_finished(referrals), what="both hand-offs to finish")
    assert "WorkerLostError" in worker.log_path.read_text()
    assert_delivered_exactly_once(world, referrals, mail_dir)
    first = min(referrals, key=lambda r: r.approved_at)  # the one the killed child held
    if where == "mid_transaction":
        assert first.delivered_at > killed_at  # rolled back, delivered by the redelivery
    else:
        assert first.delivered_at < killed_at  # committed; the redelivery only mailed
    for referral in referrals:
        assert (
            referral.case.deadlines.get(kind="police_report_tpks").done_at is not None
        )  # police clock met


def test_worker_main_process_killed_then_restarted(live):
    world, start, mail_dir, queue = live
    worker = start()
    referrals = pending_referrals(world, 2)
    lock = HeldLock(world, referrals, "mid_transaction")
    try:
        approve(world, referrals)
        wait_until(lambda: lock.waiters() >= 1, what="a hand-off blocked mid-transaction")
        worker.kill_all()
    finally:
        lock.release()
    # The killed worker's message sits in Redis "unacked" until the visibility timeout; the
    # outbox sweep does not wait for it.
    start()
    # The message the killed worker held stays "unacked" in Redis until the visibility
    # timeout: only the sweep can deliver it now. The other may already be taken by the
    # restarted worker (then the sweep skips its locked or finished row).
    assert services.handoff_sweep(older_than_seconds=0) >= 1
    wait_until(lambda: all_finished(referrals), what="the sweep and the new worker to deliver")
    assert_delivered_exactly_once(world, referrals, mail_dir)


def test_redis_unreachable_at_approval(live, client, monkeypatch):
    world, start, mail_dir, queue = live
    referrals = pending_referrals(world, 2)
    # Celery reads the environment before its settings: publish to a closed port.
    monkeypatch.setenv("CELERY_BROKER_WRITE_URL", "redis://127.0.0.1:1/0")
    reset_producer_pool()
    client.force_login(world.users["supervisor_own"])
    began = time.monotonic()
    for referral in referrals:
        response = client.post(reverse("referrals:approve", kwargs={"code": referral.code}))
        assert response.status_code == 302  # the supervisor gets their page, not an error
    assert time.monotonic() - began < 3  # fails fast (the default policy took 6 s each)
    for referral in referrals:
        referral.refresh_from_db()
        assert referral.status == "approved"
        outbox = HandoffOutbox.objects.get(referral=referral)
        assert outbox.enqueued_at is None and outbox.last_error.startswith("enqueue")
        assert referral.events.filter(kind="enqueue_failed").count() == 1
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL")
    reset_producer_pool()
    start()
    # The message the killed worker held stays "unacked" in Redis until the visibility
    # timeout: only the sweep can deliver it now. The other may already be taken by the
    # restarted worker (then the sweep skips its locked or finished row).
    assert services.handoff_sweep(older_than_seconds=0) >= 1
    wait_until(lambda: all_finished(referrals), what="the swept hand-offs")
    assert_delivered_exactly_once(world, referrals, mail_dir)


def test_every_message_delivered_several_times(live):
    world, start, mail_dir, queue = live
    referrals = pending_referrals(world, 3)
    approve(world, referrals)  # one message each, on commit
    for outbox in HandoffOutbox.objects.filter(referral__in=referrals):
        for _ in range(2):
            handoff_deliver.apply_async(args=[outbox.pk])
    assert services.handoff_sweep(older_than_seconds=0) == 3  # and a fourth copy each
    start()
    wait_until(lambda: all_finished(referrals), what="the hand-offs")
    r = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    wait_until(lambda: r.llen(queue) == 0 and r.hlen("unacked") == 0, what="the duplicates")
    assert_delivered_exactly_once(world, referrals, mail_dir)


def test_two_supervisors_approve_at_the_same_instant(live):
    world, start, mail_dir, queue = live
    second = make_user("supervisor_own_2", "supervisor", world.uptd)
    heads = [world.users["supervisor_own"], second]
    start()
    referrals = pending_referrals(world, 3)
    outcomes: list[str] = []
    guard = threading.Lock()

    def run(head, referral, barrier):
        try:
            barrier.wait(5)
            services.referral_approve(actor=head, referral=referral)
            result = "approved"
        except services.ReferralError as exc:
            result = f"refused: {exc.message}"
        finally:
            connections.close_all()
        with guard:
            outcomes.append(result)

    for referral in referrals:
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=run, args=(h, referral, barrier)) for h in heads]
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
    assert outcomes.count("approved") == 3, outcomes
    assert all("supervisor lain" in o for o in outcomes if o != "approved"), outcomes
    wait_until(lambda: all_finished(referrals), what="the hand-offs")
    assert_delivered_exactly_once(world, referrals, mail_dir)
