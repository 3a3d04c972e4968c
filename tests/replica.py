"""A real PostgreSQL streaming replica of the test server, on loopback, for the replica tests.

`pg_basebackup -R` copies the primary (the server of DATABASE_URL) into a new data directory
and writes the standby settings; the copy is started on a free port as a hot standby. The
primary must accept replication connections from 127.0.0.1 (`host replication all
127.0.0.1/32 trust` in pg_hba.conf: `.ci/run` adds it; `scripts/check_services.py` says how).
PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg


def _bindir() -> Path:
    found = shutil.which("pg_config")
    if found:
        out = subprocess.run(  # noqa: S603 (fixed arguments)
            [found, "--bindir"], capture_output=True, text=True, check=True
        )
        candidate = Path(out.stdout.strip())
        if (candidate / "pg_ctl").exists():
            return candidate
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if not versions:
        raise RuntimeError("PostgreSQL server binaries (pg_ctl) not found")
    return versions[-1].parent


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# A hot standby needs these at least as high as on its primary.
MATCHED_SETTINGS = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)


def _primary_settings(host: str, port: int, user: str) -> str:
    with psycopg.connect(host=host, port=port, user=user, dbname="postgres") as conn:
        values = [
            (name, conn.execute(f"SHOW {name}").fetchone()[0])  # type: ignore[index]
            for name in MATCHED_SETTINGS
        ]
    return " ".join(f"-c {name}={value}" for name, value in values)


@dataclass
class Replica:
    datadir: Path
    port: int
    bindir: Path
    matched: str = ""
    # The physical replication slot the base backup created on the primary: it keeps the WAL
    # the standby has not received yet (without it, a busy primary recycled a segment between
    # the backup and the standby's start, and the standby never caught up). Dropped by remove().
    slot: str = ""
    primary: tuple[str, int, str] = ("127.0.0.1", 5432, "postgres")

    def pg_ctl(self, *args: str) -> None:
        """Run pg_ctl on this standby; a failure says why, with the end of its server log."""
        done = subprocess.run(  # noqa: S603 (our own arguments)
            _as_postgres([str(self.bindir / "pg_ctl"), "-D", str(self.datadir), *args]),
            check=False,
            capture_output=True,
            timeout=240,
        )
        if done.returncode:
            log = self.datadir / "server.log"
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else "(no server log)"
            raise RuntimeError(
                f"pg_ctl {' '.join(args[-1:])} failed ({done.returncode}): "
                f"{done.stderr.decode(errors='replace')}\n--- server.log ---\n{tail}"
            )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.datadir} -c shared_buffers=64MB "
            f"-c hot_standby=on -c jit=off {self.matched}"
        )
        log = str(self.datadir / "server.log")
        self.pg_ctl("-w", "-t", "180", "-l", log, "-o", options, "start")

    def stop(self) -> None:
        self.pg_ctl("-w", "-m", "fast", "stop")

    def connect(self, dbname: str) -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=dbname)

    def remove(self) -> None:
        if self.slot:
            host, port, user = self.primary
            with psycopg.connect(
                host=host, port=port, user=user, dbname="postgres", autocommit=True
            ) as conn:
                conn.execute(
                    "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                    "WHERE slot_name = %s",
                    [self.slot],
                )
        shutil.rmtree(self.datadir.parent, ignore_errors=True)


def start_replica(*, host: str, port: int, user: str) -> Replica:
    """Base-backup the primary at host:port into a new standby and start it."""
    bindir = _bindir()
    root = Path(tempfile.mkdtemp(prefix="sinergi-replica-"))
    datadir = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    root.chmod(0o755)
    base = [str(bindir / "pg_basebackup"), "-h", host, "-p", str(port), "-U", user]
    slot = "sinergi_test_" + root.name.rsplit("-", 1)[-1].lower()
    subprocess.run(  # noqa: S603 (our own arguments)
        _as_postgres(
            [*base, "-D", str(datadir), "-R", "-X", "stream", "-c", "fast", "-C", "-S", slot]
        ),
        check=True,
        capture_output=True,
        timeout=300,
    )
    # A Debian cluster keeps its configuration outside the data directory.
    for name, text in (
        ("postgresql.conf", ""),
        ("pg_hba.conf", "local all all trust\nhost all all 127.0.0.1/32 trust\n"),
        ("pg_ident.conf", ""),
    ):
        path = datadir / name
        if not path.exists():
            path.write_text(text)
            if os.geteuid() == 0:
                shutil.chown(path, "postgres")
    matched = _primary_settings(host, port, user)
    replica = Replica(
        datadir=datadir,
        port=_free_port(),
        bindir=bindir,
        matched=matched,
        slot=slot,
        primary=(host, port, user),
    )
    replica.start()
    return replica


def wait_until_replayed(replica: Replica, primary: psycopg.Connection, dbname: str) -> None:
    """Block until the replica has replayed everything the primary has written (90 s max: a
    standby just started from a base backup on a busy 2-core machine can take half a minute
    to accept connections and replay the test's writes)."""
    with primary.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        (target,) = cursor.fetchone()  # type: ignore[misc]
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with replica.connect(dbname) as conn, conn.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), %s::pg_lsn) >= 0", [target]
                )
                if cursor.fetchone()[0]:  # type: ignore[index]
                    return
        except psycopg.OperationalError:
            pass
        time.sleep(0.1)
    log = replica.datadir / "server.log"
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else "(no server log)"
    raise TimeoutError(f"the replica did not catch up within 90 s; its log ends:\n{tail}")
