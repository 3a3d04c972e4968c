"""PDF render benchmark: the annual PDF's rendering measured apart from its figures, and the
whole worker path (request + figures + render), each in fresh processes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sinergi_bench SECRET_KEY=<50+ chars> \\
        .venv/bin/python bench/pdf_bench.py [--procs 5] [--renders 4] [--skip-worker-path]

Scopes as bench/bench_stats.py: the biggest agency's city in the last full year, and the last
ten years of its province. The figures are computed once in this process (timed), stored as
the worker stores them (`Snapshot.to_dict()`), and each of --procs child processes renders
them --renders times: the first render of a process is "cold" (fonts, CSS, caches), the rest
"warm". With --prewarm the child first runs what the Celery worker runs at process start
(`reports.pdf.warm_up`, hooked to worker_process_init), so its first render is what the first
report of a running worker costs. Peak RSS is the child's ru_maxrss (Django included).
"""

import argparse
import cProfile
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django  # noqa: E402

_django.setup()

from django.db import connection  # noqa: E402
from django.utils import translation  # noqa: E402

from ppa.models import Agency, Region, User  # noqa: E402
from reports.selectors import ReportParams, Snapshot, annual_statistics  # noqa: E402
from reports.services import report_run_render, report_run_request  # noqa: E402

CMD = _django.command_line()


def child_render(args: argparse.Namespace) -> None:
    """Fresh process: render stored figures --renders times."""
    start = time.perf_counter()
    import reports.pdf as pdf  # a worker has WeasyPrint imported already

    import_s = time.perf_counter() - start
    warm_s = 0.0
    if args.prewarm:
        start = time.perf_counter()
        pdf.warm_up()
        warm_s = time.perf_counter() - start
    data = json.loads(Path(args.child).read_text())
    agency = Agency.objects.select_related("region").get(pk=data["agency"])
    letterhead = pdf.Letterhead.for_agency(agency)
    times, cpus, pages, size = [], [], 0, 0
    with translation.override("id"):
        for i in range(args.renders):
            snapshot = Snapshot.from_dict(data["figures"])
            profiler = cProfile.Profile() if args.profile and i == args.renders - 1 else None
            start, cpu = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            out, pages = pdf.render_pdf(snapshot, letterhead, figures_code="0" * 64)
            if profiler:
                profiler.disable()
            times.append(time.perf_counter() - start)
            cpus.append(time.process_time() - cpu)
            size = len(out)
            if args.save and i == 0:
                Path(args.save).write_bytes(out)
            if profiler:
                pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(45)
                pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(30)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {"import": import_s, "prewarm": warm_s, "times": times, "cpu": cpus, "pages": pages}
            | {"bytes": size, "mb": peak}
        )
    )


def child_worker_path(args: argparse.Namespace) -> None:
    """Fresh process: request a run as the app does, render it as the worker does (twice)."""
    import reports.pdf as pdf

    if args.prewarm:
        pdf.warm_up()
    params = json.loads(args.worker_child)
    actor = User.objects.get(username=params.pop("actor"))
    times, cpus, pages = [], [], 0
    for _i in range(2):  # cold (first of the process) and warm
        start, cpu = time.perf_counter(), time.process_time()
        run = report_run_request(
            actor=actor, params=ReportParams(**params), edition="internal", language="id"
        )
        run.refresh_from_db()  # without a broker the task ran eagerly on commit
        if run.status != "done":
            run = report_run_render(run_id=run.pk)
        times.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
        assert run.status == "done", run.error
        pages = run.pages
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"times": times, "cpu": cpus, "pages": pages, "mb": peak}))


def spawn(args: list[str]) -> dict:
    out = subprocess.run(  # noqa: S603 (our own script)
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False
    )
    if out.returncode:
        raise SystemExit(out.stderr[-3000:])
    if "--profile" in args:
        sys.stderr.write(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_render(label: str, params: ReportParams, agency_id: int, opts) -> None:
    with translation.override("id"):
        start = time.perf_counter()
        snapshot = annual_statistics(params)
        figures_s = time.perf_counter() - start
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"figures": snapshot.to_dict(), "agency": agency_id}, f)
    extra = ["--renders", str(opts.renders)] + (["--prewarm"] if opts.prewarm else [])
    colds, warms, cpus, peaks, result = [], [], [], [], {}
    for i in range(opts.procs):
        save = ["--save", f"{opts.save}-{label.split()[0]}.pdf"] if opts.save and i == 0 else []
        prof = ["--profile"] if opts.profile and i == 0 else []
        result = spawn(["--child", f.name, *extra, *save, *prof])
        colds.append(result["times"][0])
        warms += result["times"][1:]
        cpus += result["cpu"][1:]
        peaks.append(result["mb"])
    os.unlink(f.name)
    print(
        f"{label}: render only (figures stored)  cold {_django.median(colds):5.2f} s"
        f"  warm {_django.median(warms) if warms else float('nan'):5.2f} s"
        f" (max {max(warms or [0]):5.2f}; CPU {_django.median(cpus) if cpus else 0:5.2f})"
        f"  pages {result['pages']}"
        f"  {result['bytes'] / 1024:.0f} KiB  peak RSS {max(peaks):4.0f} MiB"
        f"  import {result['import']:.2f} s  prewarm {result['prewarm']:.2f} s"
        f"  [figures {figures_s:.2f} s, not included]  n={len(colds)} procs",
        flush=True,
    )


def bench_worker_path(label: str, params: ReportParams, actor: str, opts) -> None:
    colds, warms, cpus, peaks, pages = [], [], [], [], 0
    for _i in range(opts.procs):
        result = spawn(
            ["--worker-child", json.dumps(params.to_dict() | {"actor": actor})]
            + (["--prewarm"] if opts.prewarm else [])
        )
        colds.append(result["times"][0])
        warms.append(result["times"][1])
        cpus.append(result["cpu"][1])
        peaks.append(result["mb"])
        pages = result["pages"]
    print(
        f"{label}: worker path (request + figures + render)  cold {_django.median(colds):5.2f} s"
        f"  warm {_django.median(warms):5.2f} s (max {max(warms):5.2f}; CPU"
        f" {_django.median(cpus):5.2f})  pages {pages}"
        f"  peak RSS {max(peaks):4.0f} MiB  n={opts.procs} procs",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--procs", type=int, default=5, help="fresh processes per scope")
    parser.add_argument("--renders", type=int, default=4, help="renders per process")
    parser.add_argument("--prewarm", action="store_true", help="run warm_up() first (worker)")
    parser.add_argument("--skip-worker-path", action="store_true")
    parser.add_argument("--only", choices=["city", "province"])
    parser.add_argument("--save", help="write the first PDF of each scope to <SAVE>-<scope>.pdf")
    parser.add_argument("--profile", action="store_true", help="cProfile the last render")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--worker-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child_render(args)
    if args.worker_child:
        return child_worker_path(args)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.region_id, a.id, u.username FROM cases_case c"
            " JOIN ppa_agency a ON a.id = c.agency_id"
            " JOIN ppa_user u ON u.agency_id = a.id AND u.role = 'supervisor'"
            " GROUP BY 1, 2, 3 ORDER BY count(*) DESC LIMIT 1"
        )
        city, agency_id, supervisor = cursor.fetchone()
        cursor.execute("SELECT max(reported_on) FROM cases_case")
        last = cursor.fetchone()[0]
    province = Region.objects.get(code=city).parent_id
    official = User.objects.filter(role="official", agency__region_id=province).first()
    year = last.year - 1  # last full year
    scopes = [
        ("city", f"city-year {city} {year}", ReportParams(year, year, city), agency_id, supervisor),
        (
            "province",
            f"10 years {province} {last.year - 9}-{last.year}",
            ReportParams(last.year - 9, last.year, province),
            official.agency_id,
            official.username,
        ),
    ]
    print(f"# {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.2f}; [{CMD}]", flush=True)
    for key, label, params, agency, actor in scopes:
        if args.only and key != args.only:
            continue
        bench_render(label, params, agency, args)
        if not args.skip_worker_path:
            bench_worker_path(label, params, actor, args)
    print(f"# load {os.getloadavg()[0]:.2f} at the end", flush=True)
    return None


if __name__ == "__main__":
    main()
