"""Load run: gunicorn (3 sync workers, 127.0.0.1 only) and one headless locust process with 50
users mixing the case list, case pages and intakes, bounded in time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sinergi_bench SECRET_KEY=<50+ chars> \
        .venv/bin/python bench/load_run.py [--users 50] [--seconds 60]

Needs the bench dependency group (`uv sync --group bench`, for locust) and collected static
files (`DEBUG=0 ... manage.py collectstatic --noinput`). Sessions are made here, once per
simulated user (the equivalent of one login each), never inside the loop.
"""

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django  # noqa: E402

_django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402

from cases.models import Case  # noqa: E402
from ppa.models import User  # noqa: E402

BIN = Path(sys.executable).parent


def make_sessions(n: int) -> list[dict]:
    users = list(User.objects.filter(role="case_worker").order_by("id")[:n])
    out = []
    for user in users:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "ppa.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        codes = [
            str(c)
            for c in Case.objects.filter(agency_id=user.agency_id).values_list("code", flat=True)[
                :200
            ]
        ]
        district = (
            Case.objects.filter(agency_id=user.agency_id, incident_district__isnull=False)
            .values_list("incident_district_id", flat=True)
            .first()
        )
        out.append({"session": session.session_key, "codes": codes, "district": district})
    return out


def wait_up(url: str, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (loopback)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer on {url}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    out_dir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    sessions = out_dir / "sessions.json"
    sessions.write_text(json.dumps(make_sessions(args.users)))
    host = f"http://127.0.0.1:{args.port}"
    env = dict(os.environ, BENCH_SESSIONS=str(sessions))
    gunicorn = subprocess.Popen(  # noqa: S603
        [
            str(BIN / "gunicorn"),
            "ppa.wsgi:application",
            "-w",
            str(args.workers),
            "-b",
            f"127.0.0.1:{args.port}",
            "--chdir",
            str(_django.ROOT),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    try:
        wait_up(host + "/health/")
        subprocess.run(  # noqa: S603
            [
                str(BIN / "locust"),
                "-f",
                str(Path(__file__).with_name("locustfile.py")),
                "--headless",
                "-u",
                str(args.users),
                "-r",
                "10",
                "-t",
                f"{args.seconds}s",
                "--host",
                host,
                "--csv",
                str(out_dir / "run"),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env=env,
            check=False,
            timeout=args.seconds + 60,
        )
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)
    with open(out_dir / "run_stats.csv") as f:
        rows = list(csv.DictReader(f))
    cmd = _django.command_line()
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "ALL"
        print(
            f"load {args.users} users {args.seconds}s gunicorn -w {args.workers}: {name:<14}"
            f" {float(row['Requests/s']):7.1f} req/s  requests {row['Request Count']:>6}"
            f"  errors {row['Failure Count']:>4}  median {row['Median Response Time']:>5} ms"
            f"  p95 {row['95%']:>5} ms  [{cmd}]"
        )
    print(f"# locust CSV files in {out_dir}")


if __name__ == "__main__":
    main()
