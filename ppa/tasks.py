"""Celery tasks of the core app: thin, primary keys only."""

from celery import shared_task

from ppa import services


@shared_task(acks_late=True, ignore_result=True)
def load_regions(load_id: int) -> None:
    """Load the regions of a `RegionLoad` request (a province: thousands of rows)."""
    services.region_load_run(load_id=load_id)
