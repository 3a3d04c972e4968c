"""Where the time of one page goes: the case list or the case page, in-process, profiled.

    DATABASE_URL=... SECRET_KEY=<50+ chars> .venv/bin/python bench/profile_page.py \\
        [--page list|case|health] [--repeat 200] [--top 25] [--sql]

Signs in a case worker of the agency with the most cases (as bench/throughput.py does), warms
the page, then requests it `--repeat` times under cProfile. Prints the median wall time per
request, the SQL time and statement count per request (a database execute wrapper), the
self time grouped by layer (template engine, ORM, psycopg, middleware and app code, ...) and
the functions with the most cumulative time.
"""

import argparse
import cProfile
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django  # noqa: E402

_django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from throughput import busiest_case_worker  # noqa: E402

# The first matching fragment of a function's file names its layer.
LAYERS = (
    ("django/template", "templates"),
    ("template_partials", "templates"),
    ("django/db/models", "ORM"),
    ("django/db/backends", "database driver glue"),
    ("psycopg", "psycopg"),
    ("django/middleware", "middleware (Django)"),
    ("django/contrib/sessions", "sessions"),
    ("django/contrib/auth", "auth"),
    ("django/utils/translation", "translation"),
    ("django/urls", "URL resolving"),
    ("django/test", "test client"),
    ("django/", "Django (other)"),
    ("/work/", "app code"),
    ("site-packages", "other packages"),
)


def layer_of(filename: str) -> str:
    for fragment, name in LAYERS:
        if fragment in filename:
            return name
    return "Python (stdlib/builtins)"


class SqlTimer:
    def __init__(self) -> None:
        self.seconds = 0.0
        self.count = 0
        self.by_statement: dict[str, list[float]] = defaultdict(list)

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - start
            self.seconds += took
            self.count += 1
            self.by_statement[" ".join(sql.split())[:160]].append(took)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--page", choices=["list", "case", "health"], default="list")
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sql", action="store_true", help="each statement's median time")
    args = parser.parse_args()
    user, code = busiest_case_worker()
    client = Client()
    client.force_login(user)
    url = {"list": "/kasus/", "case": f"/kasus/{code}/", "health": "/health/"}[args.page]
    for _ in range(5):
        assert client.get(url).status_code == 200
    cpu = []
    for _ in range(args.repeat):  # without the profiler: this process's CPU time per request
        start = time.process_time()
        client.get(url)
        cpu.append(time.process_time() - start)
    timer = SqlTimer()
    walls = []
    profile = cProfile.Profile()
    with connection.execute_wrapper(timer):
        for _ in range(args.repeat):
            start = time.perf_counter()
            profile.enable()
            client.get(url)
            profile.disable()
            walls.append(time.perf_counter() - start)
    stats = pstats.Stats(profile)
    by_layer: dict[str, float] = defaultdict(float)
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        by_layer[layer_of(filename)] += tottime
    total = sum(by_layer.values())
    print(f"# {_django.command_line()}")
    print(
        f"{url}: median CPU time of this process {_django.median(cpu) * 1000:.1f} ms per "
        f"request (without the profiler); median {_django.median(walls) * 1000:.1f} ms wall "
        "under the profiler, "
        f"SQL {timer.seconds / args.repeat * 1000:.1f} ms in {timer.count / args.repeat:.0f} "
        "statements per request; "
        f"{stats.total_calls / args.repeat:,.0f} Python function calls per request"  # type: ignore[attr-defined]
    )
    print("| layer | share of self time |")
    print("| --- | --- |")
    for name, seconds in sorted(by_layer.items(), key=lambda kv: -kv[1]):
        print(f"| {name} | {seconds / total:.0%} |")
    if args.sql:
        print("| statement (first 160 characters) | runs | median ms |")
        print("| --- | --- | --- |")
        for sql, took in timer.by_statement.items():
            print(f"| `{sql}` | {len(took)} | {_django.median(took) * 1000:.2f} |")
    stats.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
