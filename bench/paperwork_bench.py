"""Printed documents at scale: generation time and peak memory of the referral letter, the
case summary, the SIMFONI export and the deadline agenda, each in a fresh child process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sinergi_bench SECRET_KEY=<50+ chars> \\
        CELERY_BROKER_URL= .venv/bin/python bench/paperwork_bench.py [--repeat 5]

Read-only: the app's own empty tables are shadowed by temporary tables; the documents are built from unsaved `PrintedDocument` objects (what the worker
renders from the stored row), the SIMFONI file for one month of the biggest UPTD is built in
memory, nothing is written. Subjects: an approved referral with all its shared groups, the
case with the most services, the biggest UPTD, a supervisor of it. Each child renders
--repeat times; "first" includes WeasyPrint's import and font loading (the PDF worker does
that at start, `warm_up`), the median is of the later runs. Peak RSS is the child's ru_maxrss.
"""

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django  # noqa: E402

_django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import translation  # noqa: E402

from cases.access import FieldGroup  # noqa: E402
from cases.models import Case  # noqa: E402
from paperwork import agenda, simfoni  # noqa: E402
from paperwork.models import DocumentKind, PrintedDocument  # noqa: E402
from ppa.models import Role, User  # noqa: E402
from referrals.models import Referral  # noqa: E402

CMD = _django.command_line()


def subjects() -> dict:
    agency_id = (
        Case.objects.values("agency_id").annotate(n=Count("pk")).order_by("-n")[0]["agency_id"]
    )
    referral = (
        Referral.objects.filter(approved_by__isnull=False).order_by("-pk").values("pk").first()
    )
    case_id = (
        Case.objects.filter(agency_id=agency_id, reported_on__year=2024)
        .annotate(n=Count("people__services"))
        .order_by("-n")
        .values_list("pk", flat=True)[:1]
    )
    supervisor = User.objects.filter(agency_id=agency_id, role=Role.SUPERVISOR).first()
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(reported_on) FROM cases_case WHERE agency_id = %s", [agency_id])
        (last,) = cursor.fetchone()
    return {
        "agency": agency_id,
        "referral": referral["pk"] if referral else None,
        "case": case_id[0],
        "supervisor": supervisor.pk if supervisor else None,
        "month": [last.replace(day=1).isoformat(), last.isoformat()],
    }


def _letter(data: dict):
    referral = Referral.objects.select_related("case", "from_agency", "to_agency").get(
        pk=data["referral"]
    )
    document = PrintedDocument(
        kind=DocumentKind.REFERRAL_LETTER,
        agency=referral.from_agency,
        case=referral.case,
        referral=referral,
        number="001/RUJ/BENCH/I/2025",
        params={
            "issued_on": "2025-01-02",
            "groups": sorted(FieldGroup.ALL),
            "signer_id": referral.approved_by_id,
        },
        verification="00000-00000",
    )

    def run() -> int:
        from paperwork.pdf import render_document_pdf  # noqa: PLC0415 (timed: first import)

        return len(render_document_pdf(document, copy=False)[0])

    return run


def _summary(data: dict):
    case = Case.objects.select_related("agency").get(pk=data["case"])
    document = PrintedDocument(
        kind=DocumentKind.CASE_SUMMARY,
        agency=case.agency,
        case=case,
        params={
            "issued_on": "2025-01-02",
            "groups": sorted(FieldGroup.ALL),
            "chronology": True,
            "signer_id": data["supervisor"],
        },
        purpose="bench",
    )

    def run() -> int:
        from paperwork.pdf import render_document_pdf  # noqa: PLC0415 (timed: first import)

        return len(render_document_pdf(document, copy=False)[0])

    return run


def _simfoni(data: dict):
    start, end = (dt.date.fromisoformat(d) for d in data["month"])

    def run() -> int:
        statuses = simfoni.export_cases(
            agency_id=data["agency"], period_from=start, period_to=end, only_new=False
        )
        return len(simfoni.workbook_bytes(statuses))

    return run


def _agenda(data: dict):
    user = User.objects.select_related("agency").get(pk=data["supervisor"])

    def run() -> int:
        return len(agenda.ical(agenda.agenda(user, days=28)))

    return run


KINDS = {"letter": _letter, "summary": _summary, "simfoni": _simfoni, "agenda": _agenda}


# The bench database is shared and read-only (never migrated by a branch): the two tables of
# this app that the documents read are empty there, so each child shadows them with empty
# session-local temporary tables (pg_temp comes first on the search path).
TEMP_TABLES = [
    "CREATE TEMP TABLE IF NOT EXISTS paperwork_signerprofile (id bigint, user_id bigint, "
    "title varchar(120), nip varchar(30))",
    "CREATE TEMP TABLE IF NOT EXISTS paperwork_simfonimark (id bigint, case_id bigint, "
    "marked_at timestamptz, marked_by_id bigint, export_id bigint)",
]


def child(kind: str, data: dict, repeat: int) -> None:
    with connection.cursor() as cursor:
        for statement in TEMP_TABLES:
            cursor.execute(statement)
    run = KINDS[kind](data)
    times, size = [], 0
    with translation.override("id"):
        for _ in range(repeat):
            start = time.perf_counter()
            size = run()
            times.append(time.perf_counter() - start)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"times": times, "size": size, "peak_mb": peak_mb}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", default="")
    parser.add_argument("--data", default="")
    args = parser.parse_args()
    if args.child:
        child(args.child, json.loads(args.data), args.repeat)
        return
    data = subjects()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case")
        (cases,) = cursor.fetchone()
    print(f"# {CMD}\n# {cases} cases; load average {os.getloadavg()}; subjects {data}")
    for kind in KINDS:
        out = subprocess.run(  # noqa: S603 (this script, fixed arguments)
            [
                sys.executable,
                __file__,
                "--child",
                kind,
                "--data",
                json.dumps(data),
                "--repeat",
                str(args.repeat),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        times = result["times"]
        later = statistics.median(times[1:]) if len(times) > 1 else times[0]
        print(
            f"{kind:8s} first {times[0] * 1000:8.1f} ms  median after {later * 1000:8.1f} ms  "
            f"peak RSS {result['peak_mb']:6.0f} MB  output {result['size']} bytes"
        )


if __name__ == "__main__":
    main()
