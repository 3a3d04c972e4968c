"""Login flood: while wrong logins arrive from one address (20 a second over 200 usernames),
how fast do other, signed-in users get their case list? gunicorn (sync, 127.0.0.1 only).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sinergi_bench SECRET_KEY=<50+ chars> \\
        CACHE_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python bench/login_flood.py [--seconds 30] [--rate 20] [--workers 3]

CACHE_URL as in production: without it each gunicorn worker counts the attempts in its own
memory, and the limit lets through three times as many.

The per-address limit (LOGIN_RATE_PER_IP) answers the flood before any password is hashed;
this prints the flood's answers by status and the case list's median and p95 for 4 signed-in
users requesting one after the other during the flood, and the same without the flood.
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django  # noqa: E402

_django.setup()

from django.conf import settings  # noqa: E402
from throughput import busiest_case_worker, session_for, wait_up  # noqa: E402

BIN = Path(sys.executable).parent


def flood(base: str, rate: float, seconds: float, answers: Counter) -> None:
    """Wrong logins at `rate` per second over 200 usernames, each with a fresh CSRF token.

    Open loop: an attempt starts every 1/rate seconds in its own thread, however slowly the
    earlier ones are answered (a sender that waited for each answer would slow down with the
    server and never offer the rate)."""
    lock = threading.Lock()
    with ThreadPoolExecutor(max_workers=64) as pool:
        end = time.monotonic() + seconds
        next_at = time.monotonic()
        i = 0
        while next_at < end:
            pool.submit(wrong_login, base, f"penyerang-{i % 200}", answers, lock)
            i += 1
            next_at += 1.0 / rate
            time.sleep(max(0.0, next_at - time.monotonic()))


def wrong_login(base: str, username: str, answers: Counter, lock: threading.Lock) -> None:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    try:
        page = opener.open(base + "/masuk/", timeout=30).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        body = urlencode(
            {"username": username, "password": "salah", "csrfmiddlewaretoken": token}
        ).encode()
        request = urllib.request.Request(  # noqa: S310 (loopback)
            base + "/masuk/", data=body, headers={"Referer": base + "/masuk/"}
        )
        status: int | str = opener.open(request, timeout=30).status
    except HTTPError as error:
        status = error.code
    except OSError:
        status = "error"
    with lock:
        answers[status] += 1


def list_latencies(base: str, cookie: str, seconds: float, out: list[float]) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        request = urllib.request.Request(base + "/kasus/", headers={"Cookie": cookie})  # noqa: S310
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
            response.read()
        out.append((time.perf_counter() - started) * 1000)


def measure(
    base: str, cookies: list[str], seconds: float, rate: float
) -> tuple[list[float], Counter]:
    latencies: list[float] = []
    answers: Counter = Counter()
    threads = [
        threading.Thread(target=list_latencies, args=(base, c, seconds, latencies)) for c in cookies
    ]
    if rate:
        threads.append(threading.Thread(target=flood, args=(base, rate, seconds, answers)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, answers


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8767)
    args = parser.parse_args()
    user, _code = busiest_case_worker()
    cookies = [f"{settings.SESSION_COOKIE_NAME}={session_for(user)}" for _ in range(4)]
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [
            str(BIN / "gunicorn"),
            "ppa.wsgi",
            "-w",
            str(args.workers),
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
        quiet, _ = measure(base, cookies, args.seconds, 0)
        loaded, answers = measure(base, cookies, args.seconds, args.rate)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    print(f"# {_django.command_line()}  (load average {os.getloadavg()[0]:.1f})")
    offered = round(args.rate * args.seconds)
    print(f"# flood: {offered} wrong logins offered; answers by status: {dict(answers)}")
    for name, values in (("without flood", quiet), (f"flood {args.rate:.0f}/s", loaded)):
        print(
            f"case list {name}: n={len(values)} median {_django.median(values):.1f} ms "
            f"p95 {_django.p95(values):.1f} ms"
        )


if __name__ == "__main__":
    main()
