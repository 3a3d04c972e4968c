"""Celery tasks of the reports app: thin, idempotent, primary keys only (never figures or
names in a message). Routed to the "pdf" queue by settings.CELERY_TASK_ROUTES."""

from celery import shared_task
from django.conf import settings

from reports import services


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.REPORTS_PDF_SOFT_TIME_LIMIT,
    time_limit=settings.REPORTS_PDF_TIME_LIMIT,
    ignore_result=True,
)
def render_report_run(run_id: int) -> None:
    services.report_run_render(run_id=run_id)


@shared_task(ignore_result=True)
def sweep_report_runs() -> int:
    return services.report_runs_sweep()


@shared_task(ignore_result=True)
def refresh_statistics() -> int:
    """Nightly (CELERY_BEAT_SCHEDULE "reports-refresh-statistics"): rebuild the aggregates."""
    return services.statistics_refresh().rows
