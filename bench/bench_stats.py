"""Statistics: each breakdown of the annual report, the selector against the plain SQL floor,
and the whole PDF with the peak memory of the process that renders it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sinergi_bench SECRET_KEY=<50+ chars> \
        .venv/bin/python bench/bench_stats.py [--repeat 5] [--skip-pdf]

Two scopes: a city-year (the biggest agency's city, last full year) and ten years of the
whole data set (the province). For every query `reports.selectors.annual_statistics` runs live
(`aggregates=False`), one line: its time inside the selector, the hand-written SQL computing
the same numbers (median of --repeat runs on the same connection), and the ratio. Then the
nightly refresh of the aggregate tables (`reports.services.statistics_refresh`, timed once)
and, per scope, the selector with the aggregates (past years from the tables, the current year
live) next to the live selector and the SQL floor; --skip-live leaves out the live selector and
the floors (minutes at 1M cases). The PDF runs in fresh child processes
(bench/pdf_bench.py's worker-path child) through `reports.services.report_run_render`, exactly
what the Celery worker does, and reports wall time, pages and the child's peak RSS.
"""

import argparse
import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django  # noqa: E402

_django.setup()

import pdf_bench  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from ppa.models import Region, User  # noqa: E402
from reports.selectors import ReportParams, annual_statistics  # noqa: E402
from reports.services import figures_checksum, statistics_refresh  # noqa: E402

CMD = _django.command_line()

SCOPE = """c.{region_filter}
    AND (c.consent_statistics OR c.legal_basis <> 'consent')
    AND c.reported_on BETWEEN %(start)s AND %(end)s"""
YEAR = "extract(year FROM c.reported_on)"
SERVED = "EXISTS (SELECT 1 FROM cases_servicegiven s WHERE s.victim_id = v.id)"
VICTIMS = (
    f"cases_person v JOIN cases_case c ON c.id = v.case_id WHERE v.role = 'victim' AND {SCOPE}"
)

# The plain SQL for each breakdown (same numbers as the selector's query).
FLOORS = {
    "cases per year and by place": f"""SELECT {YEAR}, coalesce(p.parent_id, c.place_id),
        count(*), count(*) FILTER (WHERE c.status = 'closed'),
        count(*) FILTER (WHERE c.place_id = 'rumah_tangga' OR p.parent_id = 'rumah_tangga')
        FROM cases_case c JOIN cases_place p ON p.code = c.place_id WHERE {SCOPE}
        GROUP BY 1, 2""",
    "cases by area": f"""SELECT {YEAR}, c.{{area}}, count(*) FROM cases_case c WHERE {SCOPE}
        GROUP BY 1, 2""",
    "victims by sex, age, served, disability": f"""SELECT {YEAR}, v.sex, v.age_group, {SERVED},
        v.has_disability, count(*) FROM {VICTIMS} GROUP BY 1, 2, 3, 4, 5""",
    "victims by form of violence": f"""SELECT {YEAR}, f.violenceform_id, v.is_child, {SERVED},
        count(*) FROM cases_person_violence_forms f JOIN cases_person v ON v.id = f.person_id
        JOIN cases_case c ON c.id = v.case_id WHERE v.role = 'victim' AND {SCOPE}
        GROUP BY 1, 2, 3, 4""",
    "victims by education, occupation, marital status": f"""SELECT {YEAR}, v.education_id,
        v.occupation_id, v.marital_status_id, count(*) FROM {VICTIMS} GROUP BY 1, 2, 3, 4""",
    "perpetrators by sex and age": f"""SELECT {YEAR}, v.sex, v.age_group, count(*)
        FROM cases_person v JOIN cases_case c ON c.id = v.case_id
        WHERE v.role = 'perpetrator' AND {SCOPE} GROUP BY 1, 2, 3""",
    "perpetrators by relationship": f"""SELECT {YEAR}, l.relationship_id, count(DISTINCT v.id)
        FROM cases_person v JOIN cases_case c ON c.id = v.case_id
        LEFT JOIN cases_perpetratorlink l ON l.perpetrator_id = v.id
        WHERE v.role = 'perpetrator' AND {SCOPE} GROUP BY 1, 2""",
    "victims by service": f"""SELECT {YEAR}, s.service_type_id, v.is_child,
        count(DISTINCT s.victim_id) FROM cases_servicegiven s JOIN cases_person v ON v.id = s.victim_id
        JOIN cases_case c ON c.id = v.case_id WHERE v.role = 'victim' AND {SCOPE}
        GROUP BY 1, 2, 3""",
    "children by ampk category": f"""SELECT {YEAR}, a.ampkcategory_id, {SERVED}, count(*)
        FROM cases_person_ampk_categories a JOIN cases_person v ON v.id = a.person_id
        JOIN cases_case c ON c.id = v.case_id WHERE v.role = 'victim' AND {SCOPE}
        GROUP BY 1, 2, 3""",
}


def classify(sql: str) -> str:
    """Which breakdown a query of the selector computes (by the columns it selects)."""
    s = sql.lower()
    if "cube" in s and "group by" in s:
        return "aggregate table " + re.search(r'from "(reports_\w+)"', s).group(1)
    checks = [
        ('as "served"', "victims by sex, age, served, disability"),  # its EXISTS names forms
        ("cases_person_violence_forms", "victims by form of violence"),
        ("cases_person_ampk_categories", "children by ampk category"),
        ('"cases_servicegiven"."service_type_id" as "s"', "victims by service"),
        ('"relationship_id" as "r"', "perpetrators by relationship"),
        ('"education_id" as "e"', "victims by education, occupation, marital status"),
        ("referrals_referral", "referrals (always live)"),
        ('"age_group" as "age_group"', "perpetrators by sex and age"),
        ('as "a"', "cases by area"),
        ('as "p"', "cases per year and by place"),
    ]
    if "group by" not in s:
        return "setup (region, labels, population)"
    for needle, name in checks:
        if needle in s:
            return name
    return "other: " + re.sub(r"\s+", " ", s[:60])


class Timer:
    """Wall time of each query the selector runs (execute_wrapper), with its SQL."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, float]] = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.rows.append((sql, time.perf_counter() - start))


def floor_time(sql: str, params: dict, repeat: int) -> float:
    times = []
    with connection.cursor() as cursor:
        for _i in range(repeat):
            start = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            times.append(time.perf_counter() - start)
    return _django.median(times)


def time_selector(params: ReportParams, repeat: int, *, aggregates: bool):
    """Median and p95 of the whole selector, and each query's median time, over `repeat` runs."""
    annual_statistics(params, aggregates=aggregates)  # warm-up (caches, plans)
    runs: list[list[tuple[str, float]]] = []
    totals = []
    for _i in range(repeat):
        timer = Timer()
        with connection.execute_wrapper(timer):
            start = time.perf_counter()
            snapshot = annual_statistics(params, aggregates=aggregates)
            totals.append(time.perf_counter() - start)
        runs.append(timer.rows)
    per_query = []
    for i, (sql, _t) in enumerate(runs[0]):
        per_query.append((classify(sql), _django.median([r[i][1] for r in runs if len(r) > i])))
    figures = figures_checksum(snapshot.to_dict())
    return _django.median(totals), _django.p95(totals), per_query, figures


def bench_scope(label: str, params: ReportParams, repeat: int) -> tuple[float, float, str]:
    """The live selector, query by query, against the SQL floor; returns (selector, floors)."""
    region = Region.objects.get(code=params.region_code)
    if region.level == Region.Level.PROVINCE:
        region_filter = "region_id IN (SELECT code FROM ppa_region WHERE parent_id = %(region)s)"
        area = "region_id"
    else:
        region_filter = "region_id = %(region)s"
        area = "incident_district_id"
    sql_params = {
        "region": region.code,
        "start": f"{params.year_from}-01-01",
        "end": f"{params.year_to}-12-31",
    }
    total, p95, per_query, figures = time_selector(params, repeat, aggregates=False)
    floor_sum = 0.0
    by_name: dict[str, float] = {}
    for name, t in per_query:
        by_name[name] = by_name.get(name, 0.0) + t
    for name, t in by_name.items():
        floor_sql = FLOORS.get(name)
        if floor_sql is None:
            print(f"{label}: {name:<42} selector {t * 1000:8.1f} ms  (no floor)  [{CMD}]")
            continue
        sql = floor_sql.replace("{region_filter}", region_filter).replace("{area}", area)
        floor = floor_time(sql, sql_params, repeat)
        floor_sum += floor
        print(
            f"{label}: {name:<42} selector {t * 1000:8.1f} ms  SQL floor {floor * 1000:8.1f} ms"
            f"  ratio {t / floor:5.2f}x  [{CMD}]",
            flush=True,
        )
    print(
        f"{label}: whole selector annual_statistics, live ({len(per_query)} queries)"
        f"   median {total * 1000:8.1f} ms  p95 {p95 * 1000:8.1f} ms"
        f"  sum of SQL floors {floor_sum * 1000:8.1f} ms  ratio {total / floor_sum:5.2f}x  [{CMD}]",
        flush=True,
    )
    return total, floor_sum, figures


def bench_refresh() -> None:
    """The nightly rebuild of the aggregate tables, once (what Celery beat runs at 01:30)."""
    start = time.perf_counter()
    refresh = statistics_refresh()
    elapsed = time.perf_counter() - start
    print(
        f"refresh of the aggregate tables (statistics_refresh, cases before"
        f" {timezone.localtime(refresh.covers_before):%Y-%m-%d %H:%M}): {elapsed:8.1f} s, {refresh.rows} rows  [{CMD}]",
        flush=True,
    )


def bench_aggregated(label: str, params: ReportParams, repeat: int, live: tuple | None) -> None:
    """The selector with the aggregates, query by query, then next to the live selector and
    the sum of the SQL floors (when measured in this run)."""
    total, p95, per_query, figures = time_selector(params, repeat, aggregates=True)
    by_name: dict[str, float] = {}
    for name, t in per_query:
        by_name[name] = by_name.get(name, 0.0) + t
    for name, t in by_name.items():
        print(f"{label}: with aggregates: {name:<50} {t * 1000:8.1f} ms  [{CMD}]")
    compare = ""
    if live is not None:
        compare = (
            f"  | live selector {live[0] * 1000:9.1f} ms ({live[0] / total:6.1f}x slower)"
            f"  | SQL floor {live[1] * 1000:9.1f} ms ({live[1] / total:6.1f}x slower)"
            f"  | figures {'IDENTICAL to' if figures == live[2] else 'DIFFER FROM'} live"
        )
    print(
        f"{label}: whole selector annual_statistics WITH AGGREGATES ({len(per_query)} queries)"
        f"   median {total * 1000:8.1f} ms  p95 {p95 * 1000:8.1f} ms{compare}  [{CMD}]",
        flush=True,
    )


def bench_pdf(label: str, params: ReportParams, actor: str, repeat: int) -> None:
    """The worker path (request + figures + render) in `repeat` fresh processes, through
    bench/pdf_bench.py's child (the same measurement as its "worker path" line)."""
    times, colds, peaks, pages = [], [], [], 0
    for _i in range(repeat):
        result = pdf_bench.spawn(
            ["--worker-child", json.dumps(params.to_dict() | {"actor": actor})]
        )
        colds.append(result["times"][0])
        times.append(result["times"][1])
        peaks.append(result["mb"])
        pages = result["pages"]
    print(
        f"{label}: whole PDF (figures + render, worker path)   warm median"
        f" {_django.median(times):6.2f} s  max {max(times):6.2f} s  cold (1st in process)"
        f" {_django.median(colds):6.2f} s  pages {pages}  peak RSS {max(peaks):6.0f} MB"
        f"  n={repeat}  [{CMD}]",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pdf-repeat", type=int, default=3)
    parser.add_argument("--skip-pdf", action="store_true")
    parser.add_argument(
        "--skip-live", action="store_true", help="only the refresh and the selector with aggregates"
    )
    parser.add_argument(
        "--skip-refresh", action="store_true", help="use the aggregates already in the database"
    )
    args = parser.parse_args()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.region_id, u.username FROM cases_case c JOIN ppa_agency a ON a.id = c.agency_id"
            " JOIN ppa_user u ON u.agency_id = a.id AND u.role = 'supervisor'"
            " GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1"
        )
        city, supervisor = cursor.fetchone()
        cursor.execute("SELECT max(reported_on) FROM cases_case")
        last = cursor.fetchone()[0]
    province = Region.objects.get(code=city).parent_id
    official = (
        User.objects.filter(role="official", agency__region_id=province)
        .values_list("username", flat=True)
        .first()
    )
    year = last.year - 1  # last full year
    city_year = ReportParams(year_from=year, year_to=year, region_code=city)
    decade = ReportParams(year_from=last.year - 9, year_to=last.year, region_code=province)
    print(f"# city-year {city} {year}; ten years {province} {decade.year_from}-{decade.year_to}")
    scopes = [
        (f"city-year {city} {year}", city_year, args.repeat),
        (f"10 years {province}", decade, max(2, args.repeat // 2)),
    ]
    live = {}
    if not args.skip_live:
        for label, params, repeat in scopes:
            live[label] = bench_scope(label, params, repeat)
    if not args.skip_refresh:
        bench_refresh()
    for label, params, repeat in scopes:
        bench_aggregated(label, params, repeat, live.get(label))
    if not args.skip_pdf:
        bench_pdf(f"city-year {city} {year}", city_year, supervisor, args.pdf_repeat)
        bench_pdf(f"10 years {province}", decade, official, args.pdf_repeat)


if __name__ == "__main__":
    main()
