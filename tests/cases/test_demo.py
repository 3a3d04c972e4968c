"""The demo data of `make run`: five years of synthetic cases for Kota Payakumbuh."""

import pytest
from django.db.models import Count
from django.utils import timezone

from cases.demo import seed_cases
from cases.models import Case, CaseType, Status


@pytest.mark.django_db
def test_demo_cases_cover_five_years_and_five_kecamatan_and_are_idempotent(world):
    agencies = {"uptd": world.uptd, "other_uptd": world.other_uptd}
    created = seed_cases(agencies)
    assert created == Case.objects.count() > 100
    assert seed_cases(agencies) == 0
    own = Case.objects.filter(agency=world.uptd)
    years = {d.year for d in own.dates("reported_on", "year")}
    today = timezone.localdate()
    assert years == set(range(today.year - 4, today.year + 1))
    assert own.values("incident_district").distinct().count() == 5
    per_year = dict(
        own.filter(case_type=CaseType.KTP)
        .values_list("reported_on__year")
        .annotate(n=Count("id"))
        .values_list("reported_on__year", "n")
    )
    assert sorted(per_year.values()) == [4, 9, 11, 12, 14]
    assert own.filter(status=Status.CLOSED).exists() and own.exclude(status=Status.CLOSED).exists()
    assert Case.objects.filter(agency=world.other_uptd).count() == 3
