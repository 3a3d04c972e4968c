"""The life of a file made in the background (`reports.models.FileJob`): the annual PDF
(`ReportRun`) and the long downloads (`ExportRun`, docs/pages.md "Long downloads") share it.

A request writes the row first and enqueues after commit. If the broker is down the row stays
"pending" with `enqueue_failed_at` set; the sweep (Celery beat, or the `reports_sweep`
command) sends it again, and re-sends jobs whose worker died (no heartbeat). Making the file is
idempotent: a job already done is left alone, so a message delivered twice is harmless. With no
broker configured Celery runs the task eagerly (as `make run` does).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Q
from django.http import JsonResponse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ppa.celery import app
from reports.models import ExportRun, FileJob

logger = logging.getLogger(__name__)

J = TypeVar("J", bound=FileJob)

MAX_ATTEMPTS = 3
# A pending job whose message should have been picked up by now is sent again.
RESEND_AFTER = dt.timedelta(minutes=10)
# The page tells the user the worker seems down after this long without a start.
WORKER_SLOW_AFTER = dt.timedelta(seconds=45)


def enqueue(model: type[FileJob], job_id: int) -> bool:
    """Send the job's task (named, never imported: the tasks modules import the services);
    on a broker failure keep the job pending for the sweep."""
    model._default_manager.filter(pk=job_id).update(
        enqueued_at=timezone.now(), enqueue_failed_at=None
    )
    try:
        app.signature(model.task_name, args=(job_id,)).apply_async()
    except Exception as exc:  # kombu.exceptions.OperationalError, ConnectionError, ...
        logger.warning("%s %s not enqueued (%s); the sweep will retry", model.__name__, job_id, exc)
        model._default_manager.filter(pk=job_id).update(enqueue_failed_at=timezone.now())
        return False
    return True


def heartbeat_is_fresh(job: FileJob, now: dt.datetime | None = None) -> bool:
    """Whether the worker making a running job was alive a moment ago."""
    now = now or timezone.now()
    beat = job.heartbeat_at or job.started_at
    stale = dt.timedelta(seconds=settings.REPORTS_HEARTBEAT_STALE)
    return beat is not None and beat > now - stale


def claim(model: type[J], job_id: int) -> J | None:
    """Take the job, or None if it is done, failed or being made by a worker whose heartbeat
    is fresh."""
    with transaction.atomic():
        job = model._default_manager.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return None
        if job.status == FileJob.Status.RUNNING and heartbeat_is_fresh(job):
            return None
        now = timezone.now()
        job.status, job.started_at, job.heartbeat_at = FileJob.Status.RUNNING, now, now
        job.progress = 5
        job.attempts += 1
        job.error = ""
        job.save(
            update_fields=["status", "started_at", "heartbeat_at", "progress", "attempts", "error"]
        )
        return job


class Heartbeat:
    """While a job works, a thread writes its heartbeat every REPORTS_HEARTBEAT_SECONDS
    (WeasyPrint's layout is one long call: the progress steps alone would fall silent).
    Its own database connection, closed when the job ends."""

    def __init__(self, job: FileJob) -> None:
        self.model, self.job_id = type(job), job.pk
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"heartbeat-{job.pk}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop.set()
        self.thread.join()

    def _beat(self) -> None:
        try:
            while not self.stop.wait(settings.REPORTS_HEARTBEAT_SECONDS):
                self.model._default_manager.filter(
                    pk=self.job_id, status=FileJob.Status.RUNNING
                ).update(heartbeat_at=timezone.now())
        except Exception:  # a lost heartbeat only makes the sweep re-send the job
            logger.warning("heartbeat of %s %s stopped", self.model.__name__, self.job_id)
        finally:
            connection.close()


def progress(job: FileJob, value: int) -> None:
    job.progress, job.heartbeat_at = value, timezone.now()
    job.save(update_fields=["progress", "heartbeat_at"])


def finish(job: FileJob, content: bytes, *, extra: tuple[str, ...] = ()) -> None:
    """Store the file (private storage, reachable from every node) with its checksum."""
    if job.file:
        job.file.delete(save=False)
    job.file.save("file", ContentFile(content), save=False)
    job.sha256 = hashlib.sha256(content).hexdigest()
    job.size = len(content)
    job.status, job.progress, job.finished_at = FileJob.Status.DONE, 100, timezone.now()
    job.save(update_fields=["file", "sha256", "size", "status", "progress", "finished_at", *extra])


def fail(job: FileJob, exc: BaseException) -> None:
    """A failed attempt: pending again for the sweep, or failed for good after MAX_ATTEMPTS.
    Only the exception's type is kept (never its text: it may quote data)."""
    logger.exception("%s %s failed (attempt %s)", type(job).__name__, job.pk, job.attempts)
    failed = job.attempts >= MAX_ATTEMPTS
    job.status = FileJob.Status.FAILED if failed else FileJob.Status.PENDING
    job.error = f"{type(exc).__name__}"[:255]
    job.progress = 0
    job.finished_at = timezone.now() if failed else None
    job.enqueued_at = None  # the next sweep sends it again (unless it failed for good)
    job.save(update_fields=["status", "error", "progress", "finished_at", "enqueued_at"])


def sweep(model: type[FileJob], now: dt.datetime | None = None) -> int:
    """Send again the jobs that are not moving: never enqueued, refused by the broker, queued
    for too long, or running without a heartbeat (their worker died). Returns how many."""
    now = now or timezone.now()
    sent = 0
    unfinished = model._default_manager.filter(
        status__in=[FileJob.Status.PENDING, FileJob.Status.RUNNING]
    ).order_by("requested_at")
    for job in unfinished[:100]:
        if job.status == FileJob.Status.RUNNING:
            if heartbeat_is_fresh(job, now) or not _worker_lost(job, now):
                continue
        elif not (
            job.enqueued_at is None
            or job.enqueue_failed_at is not None
            or job.enqueued_at < now - RESEND_AFTER
        ):
            continue
        sent += enqueue(model, job.pk)
    return sent


def _worker_lost(job: FileJob, now: dt.datetime) -> bool:
    """A running job whose worker died: failed for good after MAX_ATTEMPTS, otherwise back to
    pending (the page says it is being made again). True if it is to be sent again."""
    with transaction.atomic():
        job = type(job)._default_manager.select_for_update().get(pk=job.pk)
        if job.status != FileJob.Status.RUNNING or heartbeat_is_fresh(job, now):
            return False
        failed = job.attempts >= MAX_ATTEMPTS
        job.status = FileJob.Status.FAILED if failed else FileJob.Status.PENDING
        job.error, job.progress = "worker lost", 0
        job.finished_at = now if failed else None
        job.save(update_fields=["status", "error", "progress", "finished_at"])
    return not failed


# --- What the progress page says -------------------------------------------------------------


@dataclass(frozen=True)
class Texts:
    """The sentences of one kind of job ("Laporan ...", "Berkas ...")."""

    done: Promise | str
    failed: Promise | str
    restarting: Promise | str
    again: Promise | str  # "%(p)s" is the percentage
    running: Promise | str  # "%(p)s" is the percentage
    resumed: Promise | str
    waiting: Promise | str
    queued: Promise | str


FILE_TEXTS = Texts(
    done=_("Berkas selesai dibuat dan siap diunduh."),
    failed=_("Berkas gagal dibuat setelah beberapa percobaan. Silakan minta berkas baru."),
    restarting=_("Pembuat berkas terhenti. Berkas akan dibuat lagi dari awal sebentar lagi."),
    again=_("Berkas sedang dibuat lagi (%(p)s%%)."),
    running=_("Berkas sedang dibuat (%(p)s%%)."),
    resumed=_("Pembuatan berkas terhenti dan dimulai lagi; berkas sedang dibuat lagi."),
    waiting=_(
        "Layanan pembuat berkas sedang tidak berjalan atau sibuk. Permintaan Anda sudah "
        "tersimpan dan akan diproses otomatis begitu layanan itu berjalan kembali; "
        "Anda boleh menutup halaman ini dan kembali nanti."
    ),
    queued=_("Permintaan masuk antrean; berkas akan segera dibuat."),
)


@dataclass
class JobState:
    message: str
    waiting_for_worker: bool = False
    restarting: bool = False  # the worker died: the percentage shown so far no longer holds

    def shown_progress(self, job: FileJob) -> int:
        return 0 if self.restarting else job.progress


def job_state(job: FileJob, texts: Texts = FILE_TEXTS, now: dt.datetime | None = None) -> JobState:
    """What the progress page tells the user."""
    now = now or timezone.now()
    if job.status == FileJob.Status.DONE:
        return JobState(str(texts.done))
    if job.status == FileJob.Status.FAILED:
        return JobState(str(texts.failed))
    if job.status == FileJob.Status.RUNNING and not heartbeat_is_fresh(job, now):
        return JobState(str(texts.restarting), restarting=True)
    if job.status == FileJob.Status.RUNNING:
        text = texts.again if job.attempts > 1 else texts.running
        return JobState(str(text) % {"p": job.progress})
    if job.attempts > 0:
        return JobState(str(texts.resumed), restarting=True)
    if job.enqueue_failed_at is not None or job.requested_at < now - WORKER_SLOW_AFTER:
        return JobState(str(texts.waiting), waiting_for_worker=True)
    return JobState(str(texts.queued))


def status_response(job: FileJob, state: JobState, download_url: str) -> JsonResponse:
    """The status the progress page polls (static/js/reports.js)."""
    return JsonResponse(
        {
            "status": job.status,
            "progress": state.shown_progress(job),
            "message": state.message,
            "waiting_for_worker": state.waiting_for_worker,
            "download_url": download_url if job.status == FileJob.Status.DONE else None,
        }
    )


def progress_context(
    job: FileJob, state: JobState, *, status_url: str, download_url: str
) -> dict[str, Any]:
    """The context of `reports/_job_progress.html` (the PDF page includes it too)."""
    return {
        "job": job,
        "state": state,
        "shown_progress": state.shown_progress(job),
        "status_url": status_url,
        "download_url": download_url,
    }


# --- Long downloads (ExportRun) ----------------------------------------------------------------

# kind -> builder(run, step) -> file bytes; `step(percent)` records progress. The statistics
# builder is registered by reports.exports, the SIMFONI one by paperwork (PaperworkConfig.ready):
# a lower layer reaches a higher one only through a registration.
Builder = Callable[[ExportRun, Callable[[int], None]], bytes]
BUILDERS: dict[str, Builder] = {}


def register_builder(kind: str, builder: Builder) -> None:
    BUILDERS[kind] = builder


def export_run_request(
    *, actor: Any, kind: str, fmt: str, params: dict, filename: str, language: str
) -> ExportRun:
    """Record a download request and enqueue it once the row is committed. The caller checked
    the permission; `params` and `filename` carry no personal data."""
    with transaction.atomic():
        run = ExportRun.objects.create(
            kind=kind,
            fmt=fmt,
            params=params,
            filename=filename[:120],
            language=language,
            requested_by=actor,
        )
        transaction.on_commit(lambda: enqueue(ExportRun, run.pk))
    return run


def export_run_build(*, run_id: int) -> ExportRun | None:
    """Make the file of a download (in the worker, or at once when Celery is eager)."""
    run = claim(ExportRun, run_id)
    if run is None:
        return None
    try:
        with Heartbeat(run), translation.override(run.language):
            content = BUILDERS[run.kind](run, lambda value: progress(run, value))
        finish(run, content)
    except Exception as exc:
        fail(run, exc)
    return run


# How long a finished download's file is kept: a statistics file for a day (aggregates only),
# a SIMFONI file (personal data) until its one-time link expires.
STATISTICS_FILE_KEPT = dt.timedelta(hours=24)


def export_files_purge(now: dt.datetime | None = None) -> int:
    """Remove the stored files of downloads kept long enough (run by the sweep). The row stays
    (who asked, when, the checksum); its pages then say the file is gone. Returns how many."""
    now = now or timezone.now()
    simfoni_kept = dt.timedelta(minutes=settings.CASE_EXPORT_TTL_MINUTES)
    old = ExportRun.objects.filter(status=FileJob.Status.DONE).exclude(file="")
    old = old.filter(
        Q(kind=ExportRun.Kind.STATISTICS, finished_at__lt=now - STATISTICS_FILE_KEPT)
        | Q(kind=ExportRun.Kind.SIMFONI, finished_at__lt=now - simfoni_kept)
    )
    purged = 0
    for run in old[:500]:
        run.file.delete(save=False)
        run.save(update_fields=["file"])
        purged += 1
    return purged


def export_file(run: ExportRun) -> bytes:
    """The stored bytes of a finished download (the caller checked who may have them)."""
    with run.file.open("rb") as handle:
        return handle.read()
