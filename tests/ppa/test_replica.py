"""Statistics read from a real streaming replica; the user's own change and a stopped replica
send the reads back to the primary, and the page still answers (ppa/db.py)."""

import time
from collections.abc import Iterator

import psycopg
import pytest
from django.db import connections
from django.db.backends.postgresql.base import DatabaseWrapper
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ppa.db import PRIMARY, REPLICA, reading_from, reporting_source
from ppa.models import Agency
from tests.referrals.conftest import restore_seed_data
from tests.replica import Replica, start_replica, wait_until_replayed
from tests.world import World, build_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Overriding setting DATABASES"),
    # One standby at a time: each test base-backs-up the primary and starts its own standby;
    # two at once on the two workers of a 2-core machine were seen not to catch up in time.
    pytest.mark.xdist_group("replica"),
]


@pytest.fixture
def replica(transactional_db, settings) -> Iterator[Replica]:
    """A started replica, and the `replica` alias pointing at it for this test.

    The connection is registered on this thread only, not in the connection handler's
    settings (Django's test case allows connections made during a test); the overridden
    `settings.DATABASES`, a new dict, is what `ppa.db.replica_configured()` reads."""
    restore_seed_data()  # an earlier transactional test may have flushed it
    primary = connections[PRIMARY].settings_dict
    server = start_replica(host=primary["HOST"], port=int(primary["PORT"]), user=primary["USER"])
    alias_settings = {
        **primary,
        "HOST": "127.0.0.1",
        "PORT": str(server.port),
        "OPTIONS": {"options": "-c jit=off", "connect_timeout": 2},
    }
    settings.DATABASES = {**settings.DATABASES, REPLICA: alias_settings}
    connections[REPLICA] = DatabaseWrapper(alias_settings, REPLICA)
    try:
        yield server
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        server.stop()
        server.remove()


def _primary_conn() -> psycopg.Connection:
    s = connections[PRIMARY].settings_dict
    return psycopg.connect(
        host=s["HOST"], port=s["PORT"], user=s["USER"], dbname=s["NAME"], autocommit=True
    )


def _caught_up(replica: Replica) -> None:
    with _primary_conn() as primary:
        wait_until_replayed(replica, primary, connections[PRIMARY].settings_dict["NAME"])


def test_statistics_read_the_replica_and_writes_stay_on_the_primary(replica):
    world: World = build_world()
    _caught_up(replica)
    source = reporting_source()
    assert source.alias == REPLICA and source.reason == "replica"
    with CaptureQueriesContext(connections[REPLICA]) as on_replica, reading_from(source):
        names = set(Agency.objects.values_list("name", flat=True))
        Agency.objects.filter(pk=world.uptd.pk).update(head_name="Kepala Baru")
    assert world.uptd.name in names
    assert len(on_replica.captured_queries) == 1  # the read; the update went to the primary
    assert Agency.objects.get(pk=world.uptd.pk).head_name == "Kepala Baru"


def test_dashboard_says_data_per_and_reads_the_replica(replica, client):
    world = build_world()
    _caught_up(replica)
    client.force_login(world.users["official_own"])
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        page = client.get(reverse("reports:dashboard"))
    assert page.status_code == 200
    note = page.context["s"].source_note
    assert note.startswith("Data per ") and "salinan basis data untuk laporan" in note
    assert "tidak tersedia" not in note
    assert len(on_replica.captured_queries) > 5  # the statistics queries ran there


def test_own_change_and_lag_read_the_primary(replica, settings):
    build_world()
    _caught_up(replica)
    with replica.connect(connections[PRIMARY].settings_dict["NAME"]) as conn:
        conn.execute("SELECT pg_wal_replay_pause()")
        Agency.objects.update(head_name="Setelah jeda")  # not replayed by the replica
        wrote_at = time.time()
        time.sleep(0.05)
        own = reporting_source(wrote_at=wrote_at)
        assert own.alias == PRIMARY and own.reason == "own-write"
        settings.REPLICA_MAX_LAG_SECONDS = 0
        time.sleep(1.1)
        lagging = reporting_source()
        assert lagging.alias == PRIMARY and lagging.reason == "lagging"
        settings.REPLICA_MAX_LAG_SECONDS = 300
        stale = reporting_source()
        assert stale.alias == REPLICA and stale.as_of.timestamp() < wrote_at
        conn.execute("SELECT pg_wal_replay_resume()")


def test_stopped_replica_falls_back_to_the_primary_and_the_page_answers(replica, client):
    world = build_world()
    _caught_up(replica)
    replica.stop()
    source = reporting_source()
    assert source.alias == PRIMARY and source.reason == "down"
    client.force_login(world.users["official_own"])
    page = client.get(reverse("reports:dashboard"))
    assert page.status_code == 200
    assert "tidak tersedia atau tertinggal" in page.context["s"].source_note
    replica.start()  # the fixture stops it again
