"""Celery tasks of the reports app: thin, idempotent, primary keys only (never figures or
names in a message). Routed to the "pdf" queue by settings.CELERY_TASK_ROUTES."""

import logging
import time

from celery import current_app, shared_task
from celery.signals import worker_process_init
from django.conf import settings

from reports import jobs, services

logger = logging.getLogger(__name__)

PDF_QUEUE = settings.CELERY_TASK_ROUTES["reports.tasks.render_report_run"]["queue"]


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.REPORTS_PDF_SOFT_TIME_LIMIT,
    time_limit=settings.REPORTS_PDF_TIME_LIMIT,
    ignore_result=True,
)
def render_report_run(run_id: int) -> None:
    services.report_run_render(run_id=run_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def build_export_run(run_id: int) -> None:
    """A long download (statistics CSV/XLSX, SIMFONI): default queue."""
    jobs.export_run_build(run_id=run_id)


@shared_task(ignore_result=True)
def sweep_report_runs() -> int:
    """Re-send stuck PDF runs and downloads; remove download files kept long enough."""
    jobs.export_files_purge()
    return services.report_runs_sweep()


@shared_task(ignore_result=True)
def refresh_statistics() -> int:
    """Nightly (CELERY_BEAT_SCHEDULE "reports-refresh-statistics"): rebuild the aggregates."""
    return services.statistics_refresh().rows


@shared_task(ignore_result=True)
def produce_monthly_reports() -> int:
    """Daily (CELERY_BEAT_SCHEDULE "reports-monthly"): on the first working day of a month,
    the previous month's report for every office (reports.services.monthly_reports_produce)."""
    return services.monthly_reports_produce()


@worker_process_init.connect
def warm_up_pdf_worker(**_kwargs: object) -> None:
    """A worker process that consumes the PDF queue loads WeasyPrint and the fonts when it
    starts, not during the first report (about 1.5 s on the bench machine)."""
    if PDF_QUEUE not in current_app.amqp.queues.consume_from:
        return
    try:
        start = time.perf_counter()
        from reports.pdf import warm_up  # only the PDF worker needs WeasyPrint

        warm_up()
        logger.info("PDF worker process warmed up in %.2f s", time.perf_counter() - start)
    except Exception:
        logger.exception("PDF warm-up failed; the first report loads WeasyPrint itself")
