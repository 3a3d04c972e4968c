"""Periodic scan of coordination follow-up actions (CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from coordination import services


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def actions_overdue_scan() -> dict:
    return services.actions_overdue_scan()
