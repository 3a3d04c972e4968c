"""Celery tasks of the imports app: thin, primary keys only (never names or rows in a
message). Queued by name from imports.services."""

from celery import shared_task

from imports import services


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def check_batch(batch_id: int) -> None:
    services.batch_check(batch_id=batch_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def write_batch(batch_id: int) -> None:
    services.batch_write(batch_id=batch_id)
