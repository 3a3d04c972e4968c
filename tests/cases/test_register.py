import datetime as dt
import threading
import uuid

import pytest
from django.db import connection

from cases.models import Case, Person, PersonRole
from cases.services import CaseData, IntakeError, PersonData, case_register, derived_age
from tests.factories import make_case
from tests.world import build_world

pytestmark = pytest.mark.django_db


def test_case_number_is_region_year_sequence(world):
    actor = world.users["intake_own"]
    first = make_case(actor, reported_on=dt.date(2024, 1, 3), incident_date=None)
    second = make_case(actor, reported_on=dt.date(2024, 2, 3), incident_date=None)
    other_year = make_case(actor, reported_on=dt.date(2023, 2, 3), incident_date=None)
    assert first.number == "13.76/2024/0001"
    assert second.number == "13.76/2024/0002"
    assert other_year.number == "13.76/2023/0001"


def test_ages_and_groups_are_computed_at_the_incident(world):
    case = make_case(
        world.users["intake_own"],
        reported_on=dt.date(2024, 5, 8),
        incident_date=dt.date(2023, 12, 1),
        victims=[{"birth_date": dt.date(2006, 1, 15)}],  # 17 at the incident, 18 at the report
        perpetrators=[{"stated_age": 45, "birth_date": None}],
    )
    victim = case.people.get(role=PersonRole.VICTIM)
    assert (victim.age, victim.age_group, victim.is_child) == (17, "13-17", True)
    perpetrator = case.people.get(role=PersonRole.PERPETRATOR)
    assert (perpetrator.age, perpetrator.age_group) == (45, "45-59")


def test_stated_age_goes_back_to_the_incident():
    age = derived_age(
        birth_date=None, stated_age=18, stated_on=dt.date(2024, 5, 8), at=dt.date(2022, 5, 1)
    )
    assert age == (16, "13-17", True)


def test_subforms_roll_up_to_their_simfoni_form(world):
    case = make_case(
        world.users["intake_own"],
        victims=[
            {"violence_form_ids": [], "violence_subtype_ids": ["tpks_perkosaan", "pkdrt_psikis"]}
        ],
    )
    victim = case.people.get(role=PersonRole.VICTIM)
    assert set(victim.violence_forms.values_list("code", flat=True)) == {"seksual", "psikis"}


def test_nik_is_kept_only_hashed_and_masked(world):
    case = make_case(world.users["intake_own"], victims=[{"nik": "1376014107900001"}])
    victim = case.people.get(role=PersonRole.VICTIM)
    assert victim.nik_masked == "1376********0001"
    assert "1376014107900001" not in victim.nik_hash
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_person WHERE nik_masked LIKE '%%0141079%%'")
        assert cursor.fetchone()[0] == 0


def test_resubmitting_the_same_form_does_not_create_a_second_case(world):
    actor = world.users["intake_own"]
    token = uuid.uuid4()
    data = CaseData(
        intake_channel="walk_in",
        reported_on=dt.date(2024, 5, 8),
        description="x",
        place_id="sekolah",
        case_type="ktp",
        risk_level="low",
    )
    people = [PersonData(role=PersonRole.VICTIM, name="A")]
    case, created = case_register(actor=actor, data=data, people=people, intake_token=token)
    again, created_again = case_register(actor=actor, data=data, people=people, intake_token=token)
    assert created and not created_again
    assert again.pk == case.pk
    assert Case.objects.count() == 1


def test_a_case_without_a_victim_is_refused_and_nothing_is_written(world):
    data = CaseData(
        intake_channel="walk_in",
        reported_on=dt.date(2024, 5, 8),
        description="x",
        place_id="sekolah",
        case_type="ktp",
        risk_level="low",
    )
    with pytest.raises(IntakeError, match="korban"):
        case_register(
            actor=world.users["intake_own"],
            data=data,
            people=[PersonData(role=PersonRole.PERPETRATOR, name="B")],
        )
    assert Case.objects.count() == 0 and Person.objects.count() == 0


def test_incident_after_report_is_refused(world):
    with pytest.raises(IntakeError, match="setelah tanggal pelaporan"):
        make_case(
            world.users["intake_own"],
            reported_on=dt.date(2024, 1, 1),
            incident_date=dt.date(2024, 2, 1),
        )


@pytest.mark.django_db(transaction=True)
def test_concurrent_intakes_get_distinct_numbers():
    world = build_world()
    actor = world.users["intake_own"]
    numbers, errors = [], []

    def register():
        try:
            numbers.append(make_case(actor).number)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=register) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(numbers) == [f"13.76/2024/{i:04d}" for i in range(1, 9)]
