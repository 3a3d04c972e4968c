"""EXPLAIN ANALYZE of the slowest queries behind one page or selector (to find out why).

    DATABASE_URL=... SECRET_KEY=... .venv/bin/python bench/explain.py list|deep|detail|stats [--top 3]

Runs the real view (test Client, DEBUG off) or the statistics selector, records every query
with its parameters and time, and prints the plans of the slowest ones.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django  # noqa: E402

_django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from cases import selectors  # noqa: E402
from cases.models import Case  # noqa: E402
from ppa.models import User  # noqa: E402
from reports.selectors import ReportParams, annual_statistics  # noqa: E402


class Recorder:
    def __init__(self) -> None:
        self.rows: list[tuple[float, str, object]] = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.rows.append((time.perf_counter() - start, sql, params))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["list", "deep", "detail", "stats", "stats-city"])
    parser.add_argument("--top", type=int, default=3)
    parser.add_argument("--role", default="case_worker")
    args = parser.parse_args()
    with connection.cursor() as cursor:
        cursor.execute("SELECT agency_id FROM cases_case GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
        agency_id = cursor.fetchone()[0]
    user = User.objects.filter(agency_id=agency_id, role=args.role).order_by("id").first()
    client = Client()
    client.force_login(user)
    url = reverse("cases:list")
    if args.what == "deep":
        n = Case.objects.filter(agency_id=agency_id).count()
        case = Case.objects.filter(agency_id=agency_id).order_by("-reported_on", "-id")[
            min(100_000, n - 30)
        ]
        url += "?setelah=" + selectors.encode_cursor(case)
    elif args.what == "detail":
        code = Case.objects.filter(agency_id=agency_id).order_by("-id").values("code")[500]
        url = reverse("cases:detail", args=[code["code"]])
    recorder = Recorder()
    if args.what.startswith("stats"):
        region = user.agency.region
        params = (
            ReportParams(year_from=2025, year_to=2025, region_code=region.code)
            if args.what == "stats-city"
            else ReportParams(year_from=2017, year_to=2026, region_code=region.parent_id)
        )
        annual_statistics(params)
        with connection.execute_wrapper(recorder):
            annual_statistics(params)
    else:
        client.get(url)
        with connection.execute_wrapper(recorder):
            response = client.get(url)
        assert response.status_code == 200, response.status_code
    total = sum(t for t, _s, _p in recorder.rows)
    print(f"# {args.what}: {len(recorder.rows)} queries, {total * 1000:.1f} ms in SQL")
    for t, sql, params in sorted(recorder.rows, key=lambda r: -r[0])[: args.top]:
        print(f"\n## {t * 1000:.1f} ms\n{sql[:1500]}\n")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            print("\n".join(r[0] for r in cursor.fetchall()))


if __name__ == "__main__":
    main()
