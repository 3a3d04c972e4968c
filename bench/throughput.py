"""Requests per second of the case list and the case page beside the floor (`/health/`), in one
run: gunicorn (sync workers, 127.0.0.1 only) and wrk with a case worker's session cookie.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sinergi_bench SECRET_KEY=<50+ chars> \\
        .venv/bin/python bench/throughput.py [--workers 3] [--connections 8] [--seconds 20] \\
        [--config python:ppa.gunicorn_conf | none]

Needs Debian's `wrk` and collected static files (`DEBUG=0 ... manage.py collectstatic
--noinput`). The session is made here (the equivalent of one login); the user is a case worker
of the agency with the most cases, and the case page is that agency's middle open case by id. Prints
req/s, p50 and p99 per page, each page's req/s as a fraction of the floor, and each worker's
memory at the end.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django  # noqa: E402

_django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db.models import Count  # noqa: E402

from cases.models import Case, Status  # noqa: E402
from ppa.models import Role, User  # noqa: E402

BIN = Path(sys.executable).parent


def busiest_case_worker() -> tuple[User, str]:
    agency_id = (
        Case.objects.values("agency_id").annotate(n=Count("id")).order_by("-n")[0]["agency_id"]
    )
    user = User.objects.filter(role=Role.CASE_WORKER, agency_id=agency_id).order_by("id")[0]
    # The agency's middle open case by id: a case of the generated data, the same one in every
    # run (the newest case would be one that another bench script registered, e.g. the
    # intake's), open as the cases a case worker works on are (a closed case's page builds no
    # action form).
    cases = (
        Case.objects.filter(agency_id=agency_id, status=Status.OPEN)
        .order_by("id")
        .values_list("code", flat=True)
    )
    return user, str(cases[cases.count() // 2])


def session_for(user: User) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "ppa.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return str(session.session_key)


def wait_up(url: str, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (loopback)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer on {url}")


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(url: str, cookie: str, connections: int, seconds: int) -> dict[str, float]:
    out = subprocess.run(  # noqa: S603 (fixed arguments)
        [
            shutil.which("wrk") or "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-H",
            f"Cookie: {cookie}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    pct = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def lat(key: str) -> float:
        m = re.match(r"([\d.]+)(us|ms|s)", pct[key])
        return _ms(m.group(1), m.group(2))  # type: ignore[union-attr]

    return {
        "rps": rps,
        "p50": lat("50"),
        "p99": lat("99"),
        "errors": float(non2xx.group(1)) if non2xx else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument(
        "--config",
        default="python:ppa.gunicorn_conf",
        help="gunicorn's -c (the production settings); 'none': gunicorn's defaults",
    )
    args = parser.parse_args()
    user, code = busiest_case_worker()
    cookie = f"{settings.SESSION_COOKIE_NAME}={session_for(user)}"
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [
            str(BIN / "gunicorn"),
            *([] if args.config == "none" else ["-c", args.config]),
            "ppa.wsgi",
            "-w",
            str(args.workers),
            "-k",
            args.worker_class,
            "--threads",
            str(args.threads),
            "-b",
            f"127.0.0.1:{args.port}",
            "--log-level",
            "warning",
        ],
        cwd=_django.ROOT,
        env=os.environ.copy(),
        start_new_session=True,
    )
    try:
        wait_up(base + "/health/")
        pages = {
            "/health/ (floor)": "/health/",
            "/kasus/": "/kasus/",
            "/kasus/<code>/": f"/kasus/{code}/",
        }
        for path in pages.values():  # warm every worker's caches and connections
            run_wrk(base + path, cookie, args.connections, 2)
        results = {
            name: run_wrk(base + path, cookie, args.connections, args.seconds)
            for name, path in pages.items()
        }
        memory = workers_memory(server.pid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    floor = results["/health/ (floor)"]["rps"]
    print(f"# {_django.command_line()}  (load average {os.getloadavg()[0]:.1f})")
    print(
        f"# gunicorn -c {args.config} -w {args.workers} -k {args.worker_class} "
        f"--threads {args.threads}; "
        f"wrk -t1 -c{args.connections} -d{args.seconds}s"
    )
    print("| page | req/s | p50 ms | p99 ms | non-2xx/3xx | of the floor |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, r in results.items():
        print(
            f"| {name} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['errors']:.0f} "
            f"| {r['rps'] / floor:.2f} |"
        )
    print(
        "# workers' memory after the run: RSS "
        + " / ".join(f"{rss:.0f}" for rss, _pss in memory)
        + " MB; PSS (shared pages divided among the processes sharing them) "
        + " / ".join(f"{pss:.0f}" for _rss, pss in memory)
        + " MB"
    )


def workers_memory(master: int) -> list[tuple[float, float]]:
    """(RSS, PSS) in MB of each worker of the gunicorn master, from /proc (Linux)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) != master:  # the parent's pid
                continue
            rollup = (stat.parent / "smaps_rollup").read_text()
        except (OSError, IndexError, ValueError):
            continue  # a process that ended meanwhile
        kb = dict(re.findall(r"^(Rss|Pss):\s+(\d+) kB", rollup, re.M))
        found.append((int(kb["Rss"]) / 1024, int(kb["Pss"]) / 1024))
    return sorted(found)


if __name__ == "__main__":
    main()
