"""Report generation benchmark: the statistics selector and the annual PDF, for one city-year
and for ten years of a province.

    # reuse a big bench database (e.g. 1M cases from bench/generate.py) when present:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sinergi_bench DEBUG=1 \\
        .venv/bin/python bench/report_bench.py

    # or, on an empty database, create a small self-contained data set first:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sinergi_report_bench DEBUG=1 \\
        .venv/bin/python bench/report_bench.py --generate 20000

It picks the province and the city with the most cases, then prints, as medians over
--repeat warm runs: the selector (all figures, SQL aggregation, its query count and the
slowest query), the public-edition suppression, and the PDF rendering (pages, size, seconds),
with the peak memory of a child process that renders the PDF once. Never run --generate on a
database with real data: it adds synthetic cases to it.
"""

import argparse
import datetime as dt
import os
import random
import resource
import statistics
import sys
import time
import uuid
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ppa.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.db.models.functions import ExtractYear  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

from cases.models import (  # noqa: E402
    AgeGroup,
    Case,
    CaseType,
    PerpetratorLink,
    Person,
    PersonRole,
    ServiceGiven,
)
from ppa.management.commands.load_regions import load_regions  # noqa: E402
from ppa.models import Agency, Region, Role, User  # noqa: E402
from ppa.services import agency_create, role_groups_sync, user_set_role  # noqa: E402
from reports.pdf import Letterhead, render_pdf  # noqa: E402
from reports.selectors import ReportParams, annual_statistics  # noqa: E402
from reports.suppression import public_edition  # noqa: E402

PROVINCE = "13"  # Sumatera Barat, for --generate


# --- Small self-contained data set ------------------------------------------------------------


def generate(n_cases: int, seed: int) -> None:
    """Synthetic cases in the app's tables (bulk inserts; no history rows, bench only)."""
    rng = random.Random(seed)
    load_regions([PROVINCE])
    role_groups_sync()
    cities = list(Region.objects.filter(parent_id=PROVINCE, level=Region.Level.REGENCY))
    districts: dict[str, list[str]] = {}
    for code, parent in Region.objects.filter(
        parent__parent_id=PROVINCE, level=Region.Level.DISTRICT
    ).values_list("code", "parent_id"):
        districts.setdefault(parent, []).append(code)
    staff = {}
    for city in cities:
        agency = Agency.objects.filter(kind=Agency.Kind.UPTD_PPA, region=city).first()
        if agency is None:
            agency = agency_create(
                name=f"UPTD PPA {city.name} (bench)", kind=Agency.Kind.UPTD_PPA, region=city
            )
        user = User.objects.filter(agency=agency).first()
        if user is None:
            user = User.objects.create_user(username=f"bench-{city.code}", password=None)
            user_set_role(user=user, role=Role.INTAKE, agency=agency)
        staff[city.code] = (agency, user)
    places = ["rumah_tangga"] * 6 + ["fasilitas_umum", "sekolah", "tempat_kerja", "daring"]
    forms = ["fisik", "psikis", "seksual", "penelantaran", "eksploitasi", "trafficking"]
    services = ["pengaduan", "kesehatan", "bantuan_hukum", "rehabilitasi_sosial"]
    relationships = ["suami_istri", "orang_tua", "keluarga", "tetangga", "pacar_teman", "guru"]
    today = timezone.localdate()
    this_year = today.year
    batch = 2000
    for start in range(0, n_cases, batch):
        cases, people, m2m_forms, links, given = [], [], [], [], []
        for i in range(start, min(start + batch, n_cases)):
            city = rng.choice(cities)
            agency, user = staff[city.code]
            reported = dt.date(this_year - rng.randint(0, 10), rng.randint(1, 12), 1)
            reported += dt.timedelta(days=rng.randint(0, 27))
            reported = min(reported, today)
            cases.append(
                Case(
                    number=f"BENCH/{seed}/{i}",
                    agency=agency,
                    region=city,
                    intake_token=uuid.uuid4(),
                    intake_channel="walk_in",
                    reported_on=reported,
                    incident_date=reported - dt.timedelta(days=rng.randint(0, 30)),
                    description="Kronologi sintetis (bench).",
                    place_id=rng.choice(places),
                    incident_district_id=rng.choice(districts.get(city.code, [None])),
                    case_type=rng.choice(list(CaseType.values)),
                    risk_level="medium",
                    consent_statistics=rng.random() > 0.03,
                    registered_by=user,
                )
            )
        Case.objects.bulk_create(cases)
        for case in cases:
            victims = []
            for _v in range(1 if rng.random() < 0.9 else 2):
                age = rng.choice([rng.randint(0, 17), rng.randint(18, 70)])
                victims.append(
                    Person(
                        case=case,
                        role=PersonRole.VICTIM,
                        name="Korban Sintetis",
                        sex="P" if rng.random() < 0.8 else "L",
                        stated_age=age,
                        age=age,
                        age_group=AgeGroup.for_age(age).value,
                        is_child=age < 18,
                        has_disability=rng.random() < 0.05,
                    )
                )
            age = rng.randint(15, 70)
            perpetrator = Person(
                case=case,
                role=PersonRole.PERPETRATOR,
                name="Terlapor Sintetis",
                sex="L" if rng.random() < 0.9 else "P",
                stated_age=age,
                age=age,
                age_group=AgeGroup.for_age(age).value,
                is_child=age < 18,
            )
            people += [*victims, perpetrator]
            case._bench_people = (victims, perpetrator)
        Person.objects.bulk_create(people)
        through = Person.violence_forms.through
        for case in cases:
            victims, perpetrator = case._bench_people
            for victim in victims:
                for form in rng.sample(forms, rng.randint(1, 2)):
                    m2m_forms.append(through(person_id=victim.pk, violenceform_id=form))
                links.append(
                    PerpetratorLink(
                        perpetrator=perpetrator,
                        victim=victim,
                        relationship_id=rng.choice(relationships),
                    )
                )
                for service in rng.sample(services, rng.randint(0, 3)):
                    given.append(
                        ServiceGiven(
                            victim=victim,
                            service_type_id=service,
                            provider_id=case.agency_id,
                            given_on=case.reported_on,
                            recorded_by_id=case.registered_by_id,
                        )
                    )
        through.objects.bulk_create(m2m_forms)
        PerpetratorLink.objects.bulk_create(links)
        ServiceGiven.objects.bulk_create(given)
        print(f"  generated {min(start + batch, n_cases):,} cases", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- Measuring ------------------------------------------------------------------------------


class QueryTimer:
    def __init__(self):
        self.times: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.times.append((time.perf_counter() - start, sql))


def median_of(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _i in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _render_in_child(params_dict: dict, agency_id: int, edition: str, queue) -> None:
    with translation.override("id"):
        snapshot = annual_statistics(ReportParams.from_dict(params_dict))
        if edition == "public":
            snapshot = public_edition(snapshot)
        agency = Agency.objects.select_related("region").get(pk=agency_id)
        start = time.perf_counter()
        pdf, pages = render_pdf(snapshot, Letterhead.for_agency(agency))
        seconds = time.perf_counter() - start
    queue.put((seconds, pages, len(pdf), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


def peak_memory(params: ReportParams, agency_id: int) -> tuple[float, int, int, float]:
    """Render once in a fresh process: (seconds, pages, bytes, peak RSS in MiB)."""
    ctx = get_context("fork")
    queue = ctx.Queue()
    connection.close()  # the child opens its own connection (never share a socket)
    process = ctx.Process(
        target=_render_in_child, args=(params.to_dict(), agency_id, "public", queue)
    )
    process.start()
    seconds, pages, size, rss_kib = queue.get(timeout=600)
    process.join()
    return seconds, pages, size, rss_kib / 1024


def bench(label: str, params: ReportParams, agency: Agency, repeat: int) -> None:
    region = Region.objects.get(code=params.region_code)
    print(f"\n{label}: {region.name} ({region.code}), {params.year_from}-{params.year_to}")
    with translation.override("id"):
        annual_statistics(params)  # warm the cache
        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            snapshot = annual_statistics(params)
        cases = sum(v for v in snapshot.table("headline").rows[0].values)
        selector, snapshot = median_of(lambda: annual_statistics(params), repeat)
        suppress, public = median_of(lambda: public_edition(snapshot), repeat)
        letterhead = Letterhead.for_agency(agency)
        pdf_time, (pdf, pages) = median_of(
            lambda: render_pdf(public, letterhead), max(3, repeat // 2)
        )
    slowest = max(timer.times)
    print(f"  cases counted            {cases:>12,}")
    print(
        f"  selector (all figures)   {selector * 1000:>10.1f} ms  median of {repeat}, "
        f"{len(timer.times)} queries, SQL {sum(t for t, _s in timer.times) * 1000:.1f} ms"
    )
    print(f"  slowest query            {slowest[0] * 1000:>10.1f} ms  {slowest[1][:90]}...")
    print(f"  public-edition suppression {suppress * 1000:>8.2f} ms")
    print(
        f"  PDF render (public)      {pdf_time:>10.2f} s   {pages} pages, {len(pdf) / 1024:.0f} KiB"
    )
    seconds, pages, size, rss = peak_memory(params, agency.pk)
    print(f"  PDF in a fresh process   {seconds:>10.2f} s   peak RSS {rss:.0f} MiB (incl. Django)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--generate", type=int, default=0, help="add N synthetic cases first")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    if args.generate:
        print(f"Generating {args.generate:,} synthetic cases (seed {args.seed})...")
        with transaction.atomic():
            generate(args.generate, args.seed)
    total = Case.objects.count()
    if not total:
        sys.exit("No cases: run bench/generate.py, or this script with --generate 20000.")
    print(f"Database: {total:,} cases; PostgreSQL {connection.pg_version}; {os.cpu_count()} CPUs")
    # The busiest province and, inside it, the busiest city in the last complete year.
    province = (
        Case.objects.values("region__parent_id").annotate(n=Count("id")).order_by("-n").first()
    )["region__parent_id"]
    last = (
        Case.objects.annotate(y=ExtractYear("reported_on"))
        .values("y")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()["y"]
    )
    city = (
        Case.objects.filter(region__parent_id=province, reported_on__year=last)
        .values("region_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )["region_id"]
    agency = Agency.objects.filter(region_id=city).select_related("region").first()
    bench("City-year", ReportParams(last, last, city), agency, args.repeat)
    bench(
        "Province, ten years",
        ReportParams(last - 9, last, province),
        agency,
        args.repeat,
    )


if __name__ == "__main__":
    main()
