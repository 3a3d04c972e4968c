import pytest

from tests.world import World, build_world


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Regions of the two demo cities and the role groups, once per test database; the
    reference lists again too, in case a transactional test flushed a reused database."""
    with django_db_blocker.unblock():
        from cases.reference import seed_reference
        from ppa.management.commands.load_regions import load_regions
        from ppa.services import role_groups_sync

        load_regions(["13.76", "13.07"])
        role_groups_sync()
        seed_reference()


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
