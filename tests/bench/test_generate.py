"""The bench generator's small mode: the synthetic rows it writes obey the app's constraints
and the app reads them (a model change that breaks the generator fails here, not at 1M)."""

import argparse
import datetime as dt
import importlib.util
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Q

from cases import selectors
from cases.models import Case, Person
from ppa.models import User
from reports.selectors import ReportParams, annual_statistics

GENERATE = Path(__file__).resolve().parents[2] / "bench" / "generate.py"


def load_generator():
    spec = importlib.util.spec_from_file_location("bench_generate", GENERATE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def generated(db):
    gen = load_generator()
    args = argparse.Namespace(seed=7, cases=300)
    loader = gen.Loader(args)
    today = dt.date(2026, 11, 23)
    gen.seed_world(loader, ["13"])
    loader.sql("", "SET LOCAL jit = off")
    gen.create_helpers(loader, args.seed, ["13"])
    ddl = gen.drop_indexes(loader)
    loader.sql("", "SET LOCAL session_replication_role = replica")  # as generate.main()
    gen.load_cases(loader, args.cases, today, 10)
    gen.load_people(loader, today)
    gen.load_victim_details(loader)
    gen.load_links(loader)
    gen.load_work(loader, today)
    gen.load_history(loader)
    gen.load_access_log(loader, 2, today)
    loader.sql("", "SET LOCAL session_replication_role = origin")
    gen.finish(loader, ddl)
    gen.verify(loader)
    return gen


def test_generated_cases_are_complete_and_readable_by_the_app(generated):
    assert Case.objects.count() == 300
    victims = Person.objects.filter(role="victim")
    assert 300 <= victims.count() <= 400
    # Every case has a victim and a '+' history row; case numbers continue after the load.
    assert not Case.objects.exclude(people__role="victim").exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_historicalcase WHERE history_type = '+'")
        assert cursor.fetchone()[0] == 300
    worker = User.objects.filter(role="case_worker", agency__cases__isnull=False).first()
    rows, _next = selectors.case_list(worker, {})
    assert rows and all(c.is_own for c in rows)
    snapshot = annual_statistics(ReportParams(year_from=2017, year_to=2026, region_code="13"))
    counted = Case.objects.filter(
        Q(consent_statistics=True) | ~Q(legal_basis="consent"), reported_on__year__gte=2017
    ).count()
    assert snapshot.total_cases == counted


def _fingerprint() -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT md5(string_agg(concat_ws('|', number, reported_on, incident_date, case_type,"
            " status, step, agency_id, incident_district_id), ',' ORDER BY id)) FROM cases_case"
        )
        return cursor.fetchone()[0]


def test_same_seed_same_rows(generated):
    first = _fingerprint()
    loader = generated.Loader(argparse.Namespace(seed=7, cases=300))
    loader.sql("", "TRUNCATE cases_case CASCADE")
    loader.sql("", "SET LOCAL session_replication_role = replica")
    generated.load_cases(loader, 300, dt.date(2026, 11, 23), 10)
    assert _fingerprint() == first
    loader.sql("", "TRUNCATE cases_case CASCADE")
    generated.create_helpers(loader, 8, ["13"])  # another seed
    generated.load_cases(loader, 300, dt.date(2026, 11, 23), 10)
    assert _fingerprint() != first
