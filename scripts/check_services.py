"""Say in one line which service `make test` cannot reach, and how to start it."""

import os
import shutil
import socket
import subprocess
import sys
from urllib.parse import urlparse


def reachable(url: str, default_port: int) -> tuple[str, int, bool]:
    parts = urlparse(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or default_port
    try:
        with socket.create_connection((host, port), timeout=2):
            return host, port, True
    except OSError:
        return host, port, False


def replication_allowed(url: str) -> bool:
    """True when the server accepts a replication connection (pg_basebackup needs one)."""
    parts = urlparse(url)
    conninfo = (
        f"host={parts.hostname or '127.0.0.1'} port={parts.port or 5432} "
        f"user={parts.username or 'postgres'} replication=true dbname=replication"
    )
    psql = shutil.which("psql")
    if psql is None:
        return True  # no client to ask with; the replica test will say what is wrong
    probe = subprocess.run(  # noqa: S603 (fixed arguments)
        [psql, conninfo, "-Atc", "IDENTIFY_SYSTEM"], capture_output=True, text=True, check=False
    )
    return probe.returncode == 0


def main() -> int:
    db = os.environ.get("DATABASE_URL", "")
    if not db.startswith(("postgres://", "postgresql://")):
        print(f"make test needs PostgreSQL: DATABASE_URL must be a postgres:// URL, not {db!r}.")
        return 2
    host, port, ok = reachable(db, 5432)
    if not ok:
        print(
            f"PostgreSQL is not reachable at {host}:{port}: start it "
            "(pg_ctlcluster 15 main start, or docker compose up -d db) or set DATABASE_URL."
        )
        return 2
    if not replication_allowed(db):
        print(
            f"PostgreSQL at {host}:{port} refuses replication connections, which the replica "
            "test needs: add 'host replication all 127.0.0.1/32 trust' to pg_hba.conf and "
            "reload it (.ci/run does this)."
        )
        return 2
    host, port, ok = reachable(os.environ.get("CELERY_BROKER_URL", ""), 6379)
    if not ok:
        print(
            f"Redis is not reachable at {host}:{port}: start it "
            "(redis-server --daemonize yes, or docker compose up -d redis) "
            "or set CELERY_BROKER_URL."
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
