"""Duplicate-person look-up of the intake's person steps at one million cases.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sinergi_bench SECRET_KEY=<50+ chars> \
        CELERY_BROKER_URL= .venv/bin/python bench/bench_duplicates.py [--repeat 60]

Times `cases.selectors.possible_duplicates` (the query the victim and perpetrator steps run)
for the intake officer of the biggest agency, one person per call: a victim already in one
of the agency's cases, with a typo in the name (one letter dropped), the birth date moved by
up to 200 days, the address kept. Prints median and p95 in ms, the share of calls that found
the original case, and the load average. Needs pg_trgm and the trigram index
`cases_person_name_trgm` (migration 0007); on the shared read-only bench database create them
by hand (this script only checks):

    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX CONCURRENTLY IF NOT EXISTS cases_person_name_trgm
        ON cases_person USING gin (name gin_trgm_ops);
"""

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django  # noqa: E402

_django.setup()

from django.db import connection  # noqa: E402

from cases.models import Person, PersonRole  # noqa: E402
from cases.selectors import possible_duplicates  # noqa: E402
from cases.services import PersonData  # noqa: E402
from ppa.models import User  # noqa: E402

CMD = _django.command_line()


def index_ready() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_indexes i JOIN pg_class c ON c.relname = i.indexname "
            "JOIN pg_index x ON x.indexrelid = c.oid "
            "WHERE i.indexname = 'cases_person_name_trgm' AND x.indisvalid"
        )
        return cursor.fetchone()[0] == 1


def biggest_agency() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT agency_id FROM cases_case GROUP BY agency_id ORDER BY count(*) DESC LIMIT 1"
        )
        return cursor.fetchone()[0]


def typo(name: str, rng: random.Random) -> str:
    """The name with one letter of its first word dropped (a common spelling variant)."""
    first, _sep, rest = name.partition(" ")
    at = rng.randrange(1, len(first)) if len(first) > 2 else 0
    return f"{first[:at]}{first[at + 1 :]} {rest}".strip()


def samples(agency_id: int, n: int, rng: random.Random) -> list[tuple[PersonData, int]]:
    """n victims of the agency's cases with a birth date, as the officer might type them."""
    victims = Person.objects.filter(
        case__agency_id=agency_id, role=PersonRole.VICTIM, birth_date__isnull=False
    )
    bounds = victims.order_by("id").values_list("id", flat=True)
    low, high = bounds.first(), bounds.last()
    found: list[tuple[PersonData, int]] = []
    while len(found) < n:
        start = rng.randint(low, high)
        person = victims.filter(id__gte=start).order_by("id").first()
        if person is None:
            continue
        moved = person.birth_date + dt.timedelta(days=rng.randint(-200, 200))
        data = PersonData(
            role=PersonRole.VICTIM,
            name=typo(person.name, rng),
            sex=person.sex,
            birth_date=moved,
            address_region_id=person.address_region_id,
        )
        found.append((data, person.case_id))
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not index_ready():
        sys.exit("cases_person_name_trgm is missing: see this script's docstring")
    rng = random.Random(args.seed)
    agency_id = biggest_agency()
    officer = User.objects.filter(agency_id=agency_id, role="intake").order_by("id").first()
    officer = officer or User.objects.get(agency_id=agency_id, role="supervisor")
    people = samples(agency_id, args.repeat + 5, rng)
    for data, _case_id in people[:5]:  # warm the caches and the connection
        possible_duplicates(officer, [data])
    times, hits, sizes = [], 0, []
    for data, case_id in people[5:]:
        started = time.perf_counter()
        cases = possible_duplicates(officer, [data])
        times.append((time.perf_counter() - started) * 1000)
        hits += any(case.pk == case_id for case in cases)
        sizes.append(len(cases))
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"possible_duplicates, 1 person, {officer.role} of agency {agency_id}: "
        f"median {_django.median(times):.1f} ms  p95 {_django.p95(times):.1f} ms  "
        f"n={len(times)}  original found {hits}/{len(times)}  "
        f"median cases listed {_django.median(sizes):.0f}  load {load}  [{CMD}]",
        flush=True,
    )


if __name__ == "__main__":
    main()
