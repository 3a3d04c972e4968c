"""Celery tasks of referrals: thin, idempotent, by primary key; the work is in services.

The hand-off runs on its own queue ("handoff", see CELERY_TASK_ROUTES) so a slow PDF never
delays it. Tasks acknowledge late and are re-queued when their worker dies; retries back off.
Reminders and the sweep are periodic scans (CELERY_BEAT_SCHEDULE), never long countdowns.
"""

import logging
import smtplib

from celery import Task, shared_task
from django.db import DatabaseError, InterfaceError

from referrals import services

log = logging.getLogger(__name__)

TRANSIENT = (DatabaseError, InterfaceError, smtplib.SMTPException, ConnectionError, TimeoutError)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=8,
    soft_time_limit=20,
    time_limit=30,
)
def handoff_deliver(self: Task, outbox_id: int) -> str:
    """Deliver one approved referral (grant, state, in-app notifications), then e-mail once."""
    delivered = services.referral_deliver(outbox_id=outbox_id)
    mailed = services.handoff_mail(outbox_id=outbox_id)
    return f"outbox={outbox_id} delivered={delivered} mailed={mailed}"


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def handoff_sweep() -> int:
    return services.handoff_sweep()


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def reminders_scan() -> dict:
    return services.referral_reminders_scan() | services.deadline_scan()
