import pytest
from pytest_django.plugin import blocking_manager_key

from cases.reference import seed_reference
from ppa.management.commands.load_regions import load_regions
from ppa.services import role_groups_sync


def restore_seed_data() -> None:
    """What a transactional test's flush removed: regions, role groups, reference lists."""
    load_regions(["13.76", "13.07"])
    role_groups_sync()
    seed_reference()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Transactional tests (the real-worker fault tests) end with a flush of every table;
    put the session's seed data back so later tests on this xdist worker find it."""
    yield
    marker = item.get_closest_marker("django_db")
    # After the last test the session's test database is already gone.
    if nextitem is not None and marker and marker.kwargs.get("transaction"):
        with item.config.stash[blocking_manager_key].unblock():
            restore_seed_data()


@pytest.fixture
def seeded(transactional_db):
    """Seed data for a transactional test (an earlier one may have flushed it)."""
    restore_seed_data()
