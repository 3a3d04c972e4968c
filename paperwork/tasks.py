"""Celery tasks of printed documents: primary keys only, on the PDF queue
(settings.CELERY_TASK_ROUTES)."""

from celery import shared_task
from django.conf import settings

from paperwork import services


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.REPORTS_PDF_SOFT_TIME_LIMIT,
    time_limit=settings.REPORTS_PDF_TIME_LIMIT,
    ignore_result=True,
)
def render_printed_document(document_id: int) -> None:
    services.document_render(document_id=document_id)


@shared_task(ignore_result=True)
def sweep_printed_documents() -> int:
    return services.documents_sweep()
