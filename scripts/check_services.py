"""Say in one line which service `make test` cannot reach, and how to start it."""

import os
import socket
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
