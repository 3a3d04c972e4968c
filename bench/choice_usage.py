"""Cost of the intake's "most used choices first" count (cases.selectors.choice_usage) for the
office with the most cases: the uncached count (one UNION ALL of grouped queries), median of
--runs, and the cached read.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sinergi_bench DEBUG=1 \\
        .venv/bin/python bench/choice_usage.py --runs 7
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django  # noqa: E402

_django.setup()

from django.core.cache import cache  # noqa: E402
from django.db.models import Count  # noqa: E402

from cases import selectors  # noqa: E402
from cases.models import Case  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    top = Case.objects.values("agency_id").annotate(n=Count("pk")).order_by("-n").first()
    assert top is not None, "no cases: run bench/generate.py first"
    agency_id = top["agency_id"]
    selectors._count_usage(agency_id)  # warm the buffers
    cold = []
    for _ in range(args.runs):
        start = time.perf_counter()
        usage = selectors._count_usage(agency_id)
        cold.append((time.perf_counter() - start) * 1000)
    cache.clear()
    selectors.choice_usage(agency_id)
    start = time.perf_counter()
    selectors.choice_usage(agency_id)
    cached = (time.perf_counter() - start) * 1000
    codes = sum(len(v) for v in usage.values())
    print(
        f"office with {top['n']} cases: count {statistics.median(cold):.1f} ms median of "
        f"{args.runs} ({len(usage)} lists, {codes} codes); cached read {cached:.2f} ms"
    )


if __name__ == "__main__":
    main()
