import pytest
from django.core.cache import cache
from django.test import Client

from cases.reference import seed_reference
from ppa.management.commands.load_regions import load_regions
from ppa.services import role_groups_sync
from tests.world import World, build_world, force_login_verified


def load_base_data() -> None:
    """Regions of the two demo cities, the role groups and the reference lists (idempotent)."""
    load_regions(["13.76", "13.07"])
    role_groups_sync()
    seed_reference()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The base data once per test database (again even when the database is reused: a
    transactional test may have flushed it)."""
    with django_db_blocker.unblock():
        load_base_data()


@pytest.fixture(autouse=True)
def _base_data_for_transactional_tests(request):
    """A transactional test empties every table when it ends, base data included; the next
    transactional test on the same worker (which one that is depends on the workers' timing)
    gets the base data back first."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        load_base_data()


@pytest.fixture
def world(db) -> World:
    """Two UPTDs (own and other), their cities' partners and officials, one user per role."""
    return build_world()


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def _security_test_defaults(monkeypatch):
    """force_login also passes the second factor for users with an authenticator (see
    tests/world.py); the login rate-limit counters (cache) start empty in every test."""
    monkeypatch.setattr(Client, "force_login", force_login_verified)
    cache.clear()
