"""State changes of report runs: request, render (in the worker), sweep.

A request writes the ReportRun row first and enqueues after commit. If the broker is down
the row stays "pending" with `enqueue_failed_at` set; the sweep (Celery beat, or the
`reports_sweep` command) sends it again, and re-sends runs whose worker died. Rendering is
idempotent: a run already done is left alone, so a message delivered twice is harmless.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ppa.celery import app
from ppa.db import reporting_source
from ppa.models import Region, User
from reports import access
from reports.models import ReportRun, StatisticsRefresh
from reports.replica import statistics_from
from reports.selectors import (
    CUBE_KEYS,
    MEASURES,
    ReportParams,
    Snapshot,
    cube_keys,
    cube_scope,
)
from reports.suppression import public_edition

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# A pending run whose message should have been picked up by now is sent again.
RESEND_AFTER = dt.timedelta(minutes=10)
# The page tells the user the worker seems down after this long without a start.
WORKER_SLOW_AFTER = dt.timedelta(seconds=45)


class ReportRequestError(Exception):
    """The request cannot be accepted; the message is for the user, in Indonesian."""


def report_run_request(
    *, actor: User, params: ReportParams, edition: str, language: str
) -> ReportRun:
    """Record a PDF request and enqueue its rendering once the row is committed."""
    authority = access.statistics_authority(actor)
    if authority is None:
        raise ReportRequestError(_("Anda tidak berwenang membuat laporan statistik."))
    region = Region.objects.filter(code=params.region_code).only("code", "parent_id").first()
    if region is None or region.code != authority.code and region.parent_id != authority.code:
        raise ReportRequestError(_("Wilayah ini di luar kewenangan Anda."))
    if edition not in ReportRun.Edition.values or language not in ("id", "en"):
        raise ReportRequestError(_("Edisi atau bahasa laporan tidak dikenal."))
    with transaction.atomic():
        run = ReportRun.objects.create(
            authority=authority,
            agency_id=cast(int, actor.agency_id),  # staff with statistics access have one
            params=params.to_dict(),
            edition=edition,
            language=language,
            requested_by=actor,
        )
        transaction.on_commit(lambda: enqueue_run(run.pk))
    return run


# Named, not imported: reports.tasks imports this module (ReportsConfig.ready imports the tasks,
# so the name is registered in every process).
RENDER_TASK = "reports.tasks.render_report_run"


def enqueue_run(run_id: int) -> bool:
    """Send the render task; on a broker failure keep the run pending for the sweep."""
    ReportRun.objects.filter(pk=run_id).update(enqueued_at=timezone.now(), enqueue_failed_at=None)
    try:
        app.signature(RENDER_TASK, args=(run_id,)).apply_async()
    except Exception as exc:  # kombu.exceptions.OperationalError, ConnectionError, ...
        logger.warning("report run %s not enqueued (%s); the sweep will retry", run_id, type(exc))
        ReportRun.objects.filter(pk=run_id).update(enqueue_failed_at=timezone.now())
        return False
    return True


def figures_checksum(figures: dict) -> str:
    """SHA-256 of the figures without the time they were computed (nor which nightly
    aggregates served the past years: they give the same numbers): equal for the same request
    on the same data."""
    volatile = (
        "computed_at",
        "aggregated_before",
        "aggregated_at",
        "aggregates_note",
        "source_note",
    )
    stable = {k: v for k, v in figures.items() if k not in volatile}
    return hashlib.sha256(json.dumps(stable, sort_keys=True).encode()).hexdigest()


def _claim(run_id: int) -> ReportRun | None:
    """Take the run for rendering, or None if it is done, failed or being rendered."""
    stale = timezone.now() - dt.timedelta(seconds=settings.REPORTS_PDF_TIME_LIMIT + 60)
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.is_finished:
            return None
        if run.status == ReportRun.Status.RUNNING and run.started_at and run.started_at > stale:
            return None
        run.status, run.started_at, run.progress = ReportRun.Status.RUNNING, timezone.now(), 5
        run.attempts += 1
        run.error = ""
        run.save(update_fields=["status", "started_at", "progress", "attempts", "error"])
        return run


def _progress(run: ReportRun, value: int) -> None:
    run.progress = value
    run.save(update_fields=["progress"])


def report_run_render(*, run_id: int, url_fetcher: Any = None) -> ReportRun | None:
    """Compute (once) the figures of a run, render its PDF, store it with its checksum."""
    from reports.pdf import Letterhead, render_pdf  # WeasyPrint is heavy

    run = _claim(run_id)
    if run is None:
        return None
    try:
        with translation.override(run.language):
            if run.figures is None:
                # The replica must have replayed at least the request of this run.
                source = reporting_source(wrote_at=run.requested_at.timestamp())
                snapshot = statistics_from(ReportParams.from_dict(run.params), source)
                if run.edition == ReportRun.Edition.PUBLIC:
                    snapshot = public_edition(snapshot)
                run.figures = snapshot.to_dict()
                run.figures_sha256 = figures_checksum(run.figures)
                run.progress = 40
                run.save(update_fields=["figures", "figures_sha256", "progress"])
            else:
                snapshot = Snapshot.from_dict(run.figures)
            letterhead = Letterhead.for_agency(
                type(run.agency).objects.select_related("region").get(pk=run.agency_id)
            )
            pdf, pages = render_pdf(
                snapshot, letterhead, figures_code=run.figures_sha256, url_fetcher=url_fetcher
            )
        _progress(run, 90)
        if run.file:
            run.file.delete(save=False)
        run.file.save("report.pdf", ContentFile(pdf), save=False)
        run.sha256 = hashlib.sha256(pdf).hexdigest()
        run.size, run.pages = len(pdf), pages
        run.status, run.progress, run.finished_at = ReportRun.Status.DONE, 100, timezone.now()
        run.save(
            update_fields=["file", "sha256", "size", "pages", "status", "progress", "finished_at"]
        )
    except Exception as exc:
        logger.exception("report run %s failed (attempt %s)", run.pk, run.attempts)
        failed = run.attempts >= MAX_ATTEMPTS
        run.status = ReportRun.Status.FAILED if failed else ReportRun.Status.PENDING
        run.error = f"{type(exc).__name__}"[:255]
        run.progress = 0
        run.finished_at = timezone.now() if failed else None
        run.enqueued_at = None  # the next sweep sends it again (unless it failed for good)
        run.save(update_fields=["status", "error", "progress", "finished_at", "enqueued_at"])
    return run


def report_runs_sweep(*, now: dt.datetime | None = None) -> int:
    """Send again the runs that are not moving: never enqueued, refused by the broker, queued
    for too long, or started by a worker that died. Returns how many were sent."""
    now = now or timezone.now()
    stale_start = now - dt.timedelta(seconds=settings.REPORTS_PDF_TIME_LIMIT + 60)
    sent = 0
    unfinished = ReportRun.objects.filter(
        status__in=[ReportRun.Status.PENDING, ReportRun.Status.RUNNING]
    ).order_by("requested_at")
    for run in unfinished[:100]:
        if run.status == ReportRun.Status.RUNNING:
            if run.started_at and run.started_at > stale_start:
                continue
            if run.attempts >= MAX_ATTEMPTS:
                run.status, run.error, run.finished_at = (
                    ReportRun.Status.FAILED,
                    "worker lost",
                    now,
                )
                run.save(update_fields=["status", "error", "finished_at"])
                continue
        elif not (
            run.enqueued_at is None
            or run.enqueue_failed_at is not None
            or run.enqueued_at < now - RESEND_AFTER
        ):
            continue
        sent += enqueue_run(run.pk)
    return sent


@dataclass
class RunState:
    message: str
    waiting_for_worker: bool = False


def run_state(run: ReportRun, now: dt.datetime | None = None) -> RunState:
    """What the progress page tells the user."""
    now = now or timezone.now()
    if run.status == ReportRun.Status.DONE:
        return RunState(_("Laporan selesai dibuat dan siap diunduh."))
    if run.status == ReportRun.Status.FAILED:
        return RunState(
            _("Laporan gagal dibuat setelah beberapa percobaan. Silakan minta laporan baru.")
        )
    if run.status == ReportRun.Status.RUNNING:
        return RunState(_("Laporan sedang dibuat (%(p)s%%).") % {"p": run.progress})
    slow = run.enqueue_failed_at is not None or run.requested_at < now - WORKER_SLOW_AFTER
    if slow:
        return RunState(
            _(
                "Layanan pembuat PDF sedang tidak berjalan atau sibuk. Permintaan Anda sudah "
                "tersimpan dan akan diproses otomatis begitu layanan itu berjalan kembali; "
                "Anda boleh menutup halaman ini dan kembali nanti."
            ),
            waiting_for_worker=True,
        )
    return RunState(_("Permintaan masuk antrean; laporan akan segera dibuat."))


def run_filename(run: ReportRun) -> str:
    p = run.params
    edition = "publik" if run.edition == ReportRun.Edition.PUBLIC else "internal"
    region = slugify(run.figures["region"]["name"]) if run.figures else p["region_code"]
    return f"laporan-statistik-{region}-{p['year_from']}-{p['year_to']}-{edition}.pdf"


# --- Nightly aggregates -------------------------------------------------------------------------


REFRESH_LOCK = 7_300_501  # pg_advisory_xact_lock key of statistics_refresh


# An intake transaction open across the cutoff would be in neither part; intake commits in
# well under a second, so a cutoff at least this far back is safe.
CUTOFF_MARGIN = dt.timedelta(minutes=10)


def statistics_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """The aggregates cover the cases registered before the start of the (local) day of the
    refresh, or ten minutes before it when the refresh runs just after midnight. Cases
    registered since are counted live, whatever their reporting date; an edit to a case
    registered earlier shows after the next refresh (every night)."""
    now = now or timezone.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return min(midnight, now - CUTOFF_MARGIN)


def statistics_refresh(*, before: dt.datetime | None = None) -> StatisticsRefresh:
    """Rebuild every aggregate table in one transaction from the selector's own querysets
    (`reports.selectors.MEASURES`, grouped by the cube keys), as INSERT ... SELECT inside the
    database, and record the refresh. Readers keep seeing the previous aggregates and the
    previous refresh row until the commit, so a report never mixes two refreshes."""
    started = timezone.now()
    clock = time.monotonic()
    before = before or statistics_cutoff(started)
    scope = cube_scope(before)
    total = 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            # One refresh at a time (beat and the command at once): a second one waits
            # here, then deletes what the first wrote instead of adding to it.
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REFRESH_LOCK])
            cursor.execute("SET LOCAL jit = off")
            for measure in MEASURES.values():
                model = measure.cube
                table = connection.ops.quote_name(model._meta.db_table)
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (a model's table name)
                for rollup in (False, True):
                    query = measure.query(scope, cube_keys(rollup=rollup))
                    total += _insert_select(cursor, model, query)
                # Fresh statistics for the planner (autovacuum would come later).
                cursor.execute(f"ANALYZE {table}")
        refresh = StatisticsRefresh.objects.create(
            refreshed_at=started,
            covers_before=before,
            duration=dt.timedelta(seconds=time.monotonic() - clock),
            rows=total,
        )
    logger.info("statistics refreshed before %s: %s rows in %s", before, total, refresh.duration)
    return refresh


def _insert_select(cursor: CursorWrapper, model: Any, queryset: QuerySet) -> int:
    """INSERT INTO <cube> (<columns>) <the queryset's SELECT>; returns the rows written.

    The SELECT list is in the order Django's ValuesIterable reads it (`query.selected`, or
    extra columns, fields, annotations); the cube's columns carry the same names, and the
    grouping keys map through CUBE_KEYS."""
    query = queryset.query
    if query.selected:
        names = list(query.selected)
    else:
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
    qn = connection.ops.quote_name
    columns = []
    for name in names:
        column = CUBE_KEYS.get(name) or model._meta.get_field(name).column
        columns.append(qn(column))
    sql, params = query.get_compiler(connection=connection).as_sql()
    table = qn(model._meta.db_table)
    cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) {sql}", params)  # noqa: S608
    return cursor.rowcount
