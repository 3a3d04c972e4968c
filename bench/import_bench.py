"""The case import at scale: a synthetic file of N case rows with their people, then the
check (preview) and the write, each in a fresh child process, with time and peak RSS.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sinergi_import CELERY_BROKER_URL= \\
        .venv/bin/python bench/import_bench.py --cases 50000

Never against a database with real data: it creates an agency "UPTD PPA Bench Impor <time>"
(so a second run imports again instead of skipping every row as already imported), loads the
regions of Payakumbuh (13.76) and the reference lists if they are missing, and writes the
cases. The file (XLSX, built with openpyxl's write-only mode) is kept in var/bench/ and reused
when it has the same number of cases. Per case: one victim (every fourth case two), one
perpetrator linked to each victim, one service per victim; about a fifth have a NIK.
Peak RSS is the child's `resource.getrusage(RUSAGE_SELF).ru_maxrss`; `cpu_seconds` its user +
system time (the Python side, without PostgreSQL's), printed with the load average because
the wall time on a shared machine depends on it.
"""

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django  # noqa: E402

_django.setup()

from django.core.files import File  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from cases.models import Place  # noqa: E402
from cases.reference import seed_reference  # noqa: E402
from imports import services  # noqa: E402
from imports.casespec import SHEETS, case_sheets, headers, reference_lists  # noqa: E402
from imports.models import ImportBatch  # noqa: E402
from ppa.management.commands.load_regions import load_regions  # noqa: E402
from ppa.models import Agency, Region, Role, User  # noqa: E402
from ppa.services import agency_create, user_set_role  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FORMS = ["Fisik", "Psikis", "Seksual", "Penelantaran"]
SERVICES = ["Pengaduan", "Kesehatan", "Bantuan Hukum", "Rehabilitasi Sosial"]


def _nik(birth: dt.date, female: bool, serial: int) -> str:
    day = birth.day + (40 if female else 0)
    return f"137601{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial % 9999 + 1:04d}"


def _case_rows(n: int, rng: random.Random, districts: list[str]):
    for i in range(n):
        reported = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(5 * 365))
        child = i % 5 == 0
        victims = 2 if i % 4 == 0 else 1
        yield i, reported, child, victims, districts[i % len(districts)]


def generate(path: Path, n: int, agency: Agency) -> None:
    """Write the file sheet by sheet (write-only: memory stays flat)."""
    specs = case_sheets(agency, reference_lists())
    rng = random.Random(1)
    districts = list(
        Region.objects.filter(parent_id="13.76", level=3).values_list("code", flat=True)
    )
    book = Workbook(write_only=True)
    sheets = {name: book.create_sheet(name) for name in SHEETS}
    for name in SHEETS:
        sheets[name].append(headers(specs[name]))
    for i, reported, child, victims, district in _case_rows(n, rng, districts):
        register = f"B-{i:06d}"
        sheets["kasus"].append(
            [
                register,
                reported - dt.timedelta(days=3),
                reported,
                f"Kronologi sintetis {i}.",
                "Rumah Tangga",
                "",
                None,
                district,
                "ampk" if child else "ktp",
                "Datang langsung",
                "Rendah",
                reported + dt.timedelta(days=60) if i % 2 else None,
            ]
        )
        for v in range(1, victims + 1):
            birth = dt.date(2010 if child else 1985, 1 + i % 12, 1 + i % 28)
            nik = _nik(birth, True, i) if i % 5 == 1 else None
            sheets["korban"].append(
                [
                    register,
                    v,
                    f"Korban Sintetis {i} {v}",
                    "P",
                    birth,
                    None,
                    nik,
                    None,
                    None,
                    None,
                    None,
                    None,
                    "Jl. Sintetis",
                    None,
                    None,
                    FORMS[i % 4],
                    None,
                    None,
                    None,
                ]
            )
            sheets["pelaku"].append(
                [
                    register,
                    1,
                    v,
                    "Suami/Istri" if not child else "Orang Tua",
                    f"Pelaku Sintetis {i}",
                    "L",
                    None,
                    40,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                ]
            )
            sheets["layanan"].append(
                [register, v, reported + dt.timedelta(days=1), SERVICES[i % 4], None, None]
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def prepare(n: int) -> tuple[Path, int]:
    if not Region.objects.filter(code="13.76").exists():
        load_regions(["13.76"])
    if not Place.objects.exists():
        seed_reference()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
    agency = agency_create(
        name=f"UPTD PPA Bench Impor {stamp}",
        kind=Agency.Kind.UPTD_PPA,
        region=Region.objects.get(code="13.76"),
    )
    user = User.objects.create_user(username=f"bench-import-{stamp}", first_name="Bench")
    user_set_role(user=user, role=Role.INTAKE, agency=agency)
    path = ROOT / "var" / "bench" / f"import-{n}.xlsx"
    if not path.exists():
        started = time.perf_counter()
        generate(path, n, agency)
        print(
            f"generated {path} ({path.stat().st_size / 1e6:.1f} MB) "
            f"in {time.perf_counter() - started:.1f} s"
        )
    services._enqueue = lambda task, batch_id: None  # the bench runs each phase itself
    with open(path, "rb") as raw:
        batch = services.batch_create(
            actor=user,
            kind=ImportBatch.Kind.CASES,
            upload=File(raw, name=path.name),
            language="id",
        )
    return path, batch.pk


def child(phase: str, batch_id: int) -> None:
    """One phase in this (fresh) process; prints a JSON line."""
    services._enqueue = lambda task, batch_id: None
    started = time.perf_counter()
    if phase == "check":
        batch = services.batch_check(batch_id=batch_id)
    else:
        batch = ImportBatch.objects.get(pk=batch_id)
        services.batch_confirm(actor=batch.created_by, batch=batch)
        batch = services.batch_write(batch_id=batch_id)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    rss_mb = usage.ru_maxrss / 1024
    print(
        json.dumps(
            {
                "phase": phase,
                "seconds": round(seconds, 1),
                "peak_rss_mb": round(rss_mb),
                "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
                "load_average": [round(x, 1) for x in os.getloadavg()],
                "status": batch.status,
                "counts": batch.counts,
                "rows_checked": batch.rows_checked,
                "rows_written": batch.rows_written,
                "problems": batch.problems[:3],
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=50000)
    parser.add_argument("--phase", choices=["all", "check", "write"], default="all")
    parser.add_argument("--batch", type=int)
    args = parser.parse_args()
    if args.phase != "all":
        child(args.phase, args.batch)
        return
    path, batch_id = prepare(args.cases)
    print(f"command: {_django.command_line()}")
    for phase in ("check", "write"):
        done = subprocess.run(  # noqa: S603 (this script, fixed arguments)
            [sys.executable, __file__, "--phase", phase, "--batch", str(batch_id)],
            check=False,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            sys.exit(done.stderr[-3000:])
        print(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
