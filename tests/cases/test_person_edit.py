"""Correcting a person's data after registration: the intake's form and rules, the NIK kept
masked, the case page and its history, conflicting edits, access."""

import datetime as dt

import pytest
from django.urls import reverse

from cases import services
from cases.models import Person, PersonRole
from tests.factories import make_case

pytestmark = pytest.mark.django_db

VALID_NIK = "1376014203900001"  # Payakumbuh, woman born 2 March 1990


@pytest.fixture
def case(world):
    return make_case(world.users["intake_own"])


def person_of(case, role=PersonRole.VICTIM) -> Person:
    return case.people.filter(role=role).order_by("id").first()


def edit_url(case, person) -> str:
    return reverse("cases:person_edit", kwargs={"code": case.code, "person": person.code})


def detail_url(case) -> str:
    return reverse("cases:detail", kwargs={"code": case.code})


def form_data(client, url: str, **changes) -> dict:
    """What the browser posts back: the form as shown, with `changes` typed over it."""
    form = client.get(url).context["form"]
    data = {}
    for name, value in form.initial.items():
        if value in (None, "", False, []):
            continue
        data[name] = value.isoformat() if isinstance(value, dt.date) else value
    data.update(changes)
    return data


def test_case_page_links_each_person_to_the_edit_page(world, client, case):
    client.force_login(world.users["case_worker_own"])
    page = client.get(detail_url(case)).content.decode()
    for person in case.people.all():
        assert edit_url(case, person) in page


def test_victim_correction_shows_on_the_case_page_and_in_the_history(world, client, case):
    victim = person_of(case)
    client.force_login(world.users["case_worker_own"])
    url = edit_url(case, victim)
    page = client.get(url).content.decode()
    assert 'value="Korban Sintetis 1"' in page and "Ubah data orang" in page
    data = form_data(
        client,
        url,
        name="Korban Sintetis Putri",
        birth_date="1991-06-02",
        violence_forms=["fisik", "psikis"],
        tpks=["tpks_pelecehan_fisik"],
        reason="Salah ketik nama dan tanggal lahir",
    )
    response = client.post(url, data)
    assert response.status_code == 302 and response.url == detail_url(case)

    victim.refresh_from_db()
    assert victim.name == "Korban Sintetis Putri"
    assert victim.birth_date == dt.date(1991, 6, 2)
    assert (victim.age, victim.age_group, victim.is_child) == (32, "25-44", False)
    # Chosen forms, plus the form a TPKS sub-form rolls up to (as at intake).
    assert set(victim.violence_forms.values_list("pk", flat=True)) == {
        "fisik",
        "psikis",
        "seksual",
    }
    assert victim.version == 2
    last = victim.history.first()
    assert last.history_user == world.users["case_worker_own"]
    assert last.history_change_reason == "Salah ketik nama dan tanggal lahir"
    assert victim.history.filter(version=2).count() == 1  # one row for the whole correction

    page = client.get(detail_url(case)).content.decode()
    assert "Korban Sintetis Putri" in page and "2 Juni 1991" in page
    page = client.get(reverse("cases:history", kwargs={"code": case.code})).content.decode()
    assert "Salah ketik nama dan tanggal lahir" in page
    assert "<del>Korban Sintetis 1</del> → <ins>Korban Sintetis Putri</ins>" in page
    assert "<del>Fisik</del> → <ins>Fisik, Psikis, Seksual</ins>" in page


def test_nik_is_hashed_and_masked_as_at_intake_and_blank_keeps_it(world, client, case):
    victim = person_of(case)
    client.force_login(world.users["supervisor_own"])
    url = edit_url(case, victim)
    data = form_data(client, url, nik=VALID_NIK, reason="NIK dari KK")
    assert client.post(url, data).status_code == 302
    victim.refresh_from_db()
    assert victim.nik_masked == "1376********0001"
    assert victim.nik_hash == services.nik_hash(VALID_NIK)
    assert VALID_NIK not in str(Person.objects.filter(pk=victim.pk).values().get())
    # The page shows the masked NIK only, and a blank field keeps it.
    page = client.get(url).content.decode()
    assert VALID_NIK not in page and "1376********0001" in page
    data = form_data(client, url, name="Nama Lain", reason="Nama")
    assert "nik" not in data
    assert client.post(url, data).status_code == 302
    victim.refresh_from_db()
    assert victim.nik_hash == services.nik_hash(VALID_NIK) and victim.name == "Nama Lain"


def test_nik_that_does_not_match_is_warned_about_once(world, client, case):
    victim = person_of(case)
    client.force_login(world.users["case_worker_own"])
    url = edit_url(case, victim)
    data = form_data(client, url, nik="1376010203900001", reason="NIK")  # a man's NIK
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Jenis kelamin pada NIK tidak sesuai" in response.content.decode()
    assert 'name="warnings_seen"' in response.content.decode()
    assert Person.objects.get(pk=victim.pk).nik_hash == ""
    assert client.post(url, {**data, "warnings_seen": "1"}).status_code == 302
    assert Person.objects.get(pk=victim.pk).nik_masked == "1376********0001"


def test_invalid_input_shows_indonesian_errors_next_to_the_fields_and_keeps_it(world, client, case):
    victim = person_of(case)
    client.force_login(world.users["case_worker_own"])
    url = edit_url(case, victim)
    data = form_data(
        client,
        url,
        name="Nama Yang Diketik",
        birth_date="2024-06-01",  # after the incident (1 May 2024)
        nik="12345",
        reason="Koreksi",
    )
    response = client.post(url, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["birth_date"] == ["Tanggal lahir tidak boleh setelah tanggal kejadian."]
    assert form.errors["nik"] == ["NIK harus terdiri dari 16 angka."]
    page = response.content.decode()
    assert "Tanggal lahir tidak boleh setelah tanggal kejadian." in page
    assert 'value="Nama Yang Diketik"' in page and 'value="2024-06-01"' in page
    victim.refresh_from_db()
    assert victim.name == "Korban Sintetis 1" and victim.version == 1


def test_ktp_victim_needs_a_form_of_violence_and_a_reason(world, client, case):
    victim = person_of(case)
    client.force_login(world.users["case_worker_own"])
    url = edit_url(case, victim)
    data = form_data(client, url)
    data.pop("violence_forms")
    response = client.post(url, data)
    assert response.context["form"].errors == {
        "violence_forms": ["Pilih sedikitnya satu bentuk kekerasan."],
        "reason": ["Bidang ini tidak boleh kosong."],
    }


def test_conflicting_edit_is_refused_showing_the_change_and_keeping_input(world, client, case):
    victim = person_of(case)
    client.force_login(world.users["case_worker_own"])
    url = edit_url(case, victim)
    data = form_data(client, url, name="Versi Saya", reason="Koreksi nama")
    # Meanwhile the supervisor corrects the birth date.
    services.person_update(
        actor=world.users["supervisor_own"],
        person=victim,
        version=victim.version,
        changes={"birth_date": dt.date(1990, 3, 20)},
        reason="Akta kelahiran",
    )
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "sudah diubah orang lain" in page
    assert "Akta kelahiran" in page
    assert "<del>2 Maret 1990</del> → <ins>20 Maret 1990</ins>" in page  # one date format
    assert 'value="Versi Saya"' in page
    victim.refresh_from_db()
    assert victim.name == "Korban Sintetis 1"
    # Sent again with the version shown now, the correction goes through.
    assert response.context["new_version"] == victim.version
    data["version"] = victim.version
    assert client.post(url, data).status_code == 302
    victim.refresh_from_db()
    assert victim.name == "Versi Saya" and victim.version == 3


def test_perpetrator_and_reporter_corrections(world, client):
    case = make_case(world.users["intake_own"])
    reporter = services.person_create(
        case=case, data=services.PersonData(role=PersonRole.REPORTER, name="Pelapor Lama")
    )
    perpetrator = person_of(case, PersonRole.PERPETRATOR)
    client.force_login(world.users["case_worker_own"])
    url = edit_url(case, perpetrator)
    data = form_data(client, url, name="Terlapor Baru", stated_age="41", reason="Usia")
    assert client.post(url, data).status_code == 302
    perpetrator.refresh_from_db()
    assert (perpetrator.name, perpetrator.stated_age) == ("Terlapor Baru", 41)
    url = edit_url(case, reporter)
    data = form_data(client, url, name="Pelapor Baru", phone="0812", reason="Telepon")
    assert client.post(url, data).status_code == 302
    reporter.refresh_from_db()
    assert (reporter.name, reporter.phone) == ("Pelapor Baru", "0812")


def test_adult_victim_loses_ampk_categories(world):
    case = make_case(
        world.users["intake_own"],
        case_type="ampk",
        victims=[
            {"birth_date": dt.date(2015, 1, 1), "ampk_category_ids": ["kekerasan_fisik_psikis"]},
            {"birth_date": dt.date(2016, 1, 1)},  # a child stays: the case remains AMPK
        ],
    )
    victim = person_of(case)
    assert victim.ampk_categories.exists()
    services.person_update(
        actor=world.users["case_worker_own"],
        person=victim,
        version=1,
        changes={"birth_date": dt.date(2000, 1, 1)},
        reason="Tanggal lahir",
    )
    victim.refresh_from_db()
    assert victim.is_child is False and not victim.ampk_categories.exists()


def test_service_refuses_another_case_field_and_a_blank_reason(world, case):
    perpetrator = person_of(case, PersonRole.PERPETRATOR)
    with pytest.raises(ValueError):
        services.person_update(
            actor=world.users["case_worker_own"],
            person=perpetrator,
            version=1,
            changes={"violence_form_ids": ["fisik"]},
            reason="x",
        )
    with pytest.raises(services.CaseActionError):
        services.person_update(
            actor=world.users["case_worker_own"],
            person=perpetrator,
            version=1,
            changes={"name": "X"},
            reason=" ",
        )


def test_person_of_another_case_is_not_found(world, client, case):
    other = make_case(world.users["intake_own"])
    client.force_login(world.users["case_worker_own"])
    url = reverse("cases:person_edit", kwargs={"code": case.code, "person": person_of(other).code})
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize("role", [PersonRole.VICTIM, PersonRole.PERPETRATOR])
def test_edit_page_query_count(world, client, django_assert_num_queries, role, n):
    """Session, user, agency, case, person, the person's lists, the reference lists, the
    kecamatan and kelurahan, the session save (3): the same for every role and case size."""
    case = make_case(
        world.users["intake_own"],
        victims=[{"disability_type_ids": ["fisik"]}] * n,
        perpetrators=[{}] * n,
    )
    client.force_login(world.users["case_worker_own"])
    url = edit_url(case, person_of(case, role))
    client.get(url)  # warm the per-process caches
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200
