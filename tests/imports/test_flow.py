import datetime as dt

import pytest
from django.urls import reverse

from cases.models import Case, Deadline, PerpetratorLink, Person, ServiceGiven, Status
from cases.selectors import case_history
from imports.models import ImportBatch, ImportedCase
from tests.imports.helpers import (
    case_row,
    checked,
    imported,
    perpetrator_row,
    service_row,
    victim_row,
    workbook,
)

pytestmark = pytest.mark.django_db


def test_preview_counts_and_nothing_written_before_confirmation(world):
    officer = world.users["intake_own"]
    content = workbook(
        cases=[case_row("R-1"), case_row("R-2")],
        victims=[victim_row("R-1", 1), victim_row("R-1", 2), victim_row("R-2", 1)],
        perpetrators=[perpetrator_row("R-1", 1, 1), perpetrator_row("R-1", 1, 2)],
        services_=[service_row("R-2", 1)],
        agency=world.uptd,
    )
    batch = checked(officer, content)
    assert batch.status == ImportBatch.Status.CHECKED, batch.problems
    assert {k: batch.counts[k] for k in ("cases", "victims", "perpetrators", "services")} == {
        "cases": 2,
        "victims": 3,
        "perpetrators": 1,
        "services": 1,
    }
    assert batch.counts["links"] == 2
    assert not Case.objects.exists()


def test_write_creates_ordinary_cases_of_the_agency(world):
    officer = world.users["intake_own"]
    batch = imported(officer, workbook(agency=world.uptd))
    assert batch.status == ImportBatch.Status.DONE, batch.problems
    case = Case.objects.get()
    assert case.agency == world.uptd
    assert case.number == "13.76/2021/0001"
    assert case.reported_on == dt.date(2021, 3, 4)
    victim = Person.objects.get(role="victim")
    assert victim.age == 30 and victim.age_group == "25-44" and victim.is_child is False
    assert sorted(victim.violence_forms.values_list("code", flat=True)) == ["fisik", "psikis"]
    assert PerpetratorLink.objects.get().relationship_id == "suami_istri"
    assert ServiceGiven.objects.get().provider == world.uptd
    assert ImportedCase.objects.get().register_number == "R-001"
    history = Case.history.get()
    assert history.history_user == officer
    assert history.history_change_reason.startswith("diimpor: register.xlsx SHA-256 ")
    assert batch.sha256[:32] in history.history_change_reason
    # An old case: no clocks, so no overdue warnings.
    assert not Deadline.objects.exists()


def test_closed_case(world):
    officer = world.users["case_worker_own"]
    batch = imported(
        officer,
        workbook(cases=[case_row(**{"Tanggal Terminasi": dt.date(2021, 6, 1)})], agency=world.uptd),
    )
    assert batch.status == ImportBatch.Status.DONE
    assert Case.objects.get().status == Status.CLOSED


def test_case_history_shows_the_import_with_user_file_and_checksum(world, client):
    officer = world.users["intake_own"]
    batch = imported(officer, workbook(agency=world.uptd))
    case = Case.objects.get()
    entries = case_history(case)
    assert entries, "no history"
    reasons = {e.reason for e in entries}
    assert reasons == {f"diimpor: register.xlsx SHA-256 {batch.sha256[:32]}…"}
    assert {e.who for e in entries} == {officer.get_full_name()}
    client.force_login(officer)
    page = client.get(reverse("cases:history", kwargs={"code": case.code}), secure=True)
    assert "diimpor: register.xlsx" in page.content.decode()
