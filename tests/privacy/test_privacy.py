"""Case-record exports, data-subject files and anonymisation (UU 27/2022)."""

import datetime as dt
import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from cases.models import Case, Person, PersonRole
from ppa.models import AccessLog
from privacy.models import AnonymisedCase, CaseExport, SubjectRequest
from privacy.services import anonymisable_cases, case_anonymise
from tests.factories import make_case

pytestmark = pytest.mark.django_db
REASON = "Permintaan penyidik Unit PPA untuk berkas perkara"


def a_case(world, **kwargs):
    return make_case(
        world.users["intake_own"],
        victims=[
            {"name": "Sari Sentinel", "nik": "1376014101900001", "phone": "081234567890"},
            {"name": "Adik Korban Lain", "birth_date": dt.date(2015, 1, 1)},
        ],
        perpetrators=[{"name": "Terlapor Sentinel"}],
        description="Kronologi rahasia sentinel",
        **kwargs,
    )


def request_export(client, case, reason=REASON):
    return client.post(
        reverse("privacy:export_request", args=[case.code]), {"reason": reason}, secure=True
    )


def test_export_needs_a_reason_next_to_the_field(client, world):
    case = a_case(world)
    client.force_login(world.users["case_worker_own"])
    response = request_export(client, case, reason="  ")
    assert response.status_code == 200 and "Alasan ekspor wajib diisi" in response.text
    short = request_export(client, case, reason="perlu")
    assert "terlalu singkat" in short.text
    assert not CaseExport.objects.exists()


def test_export_is_logged_downloaded_once_and_only_by_the_requester(client, world):
    case = a_case(world)
    client.force_login(world.users["case_worker_own"])
    ready = request_export(client, case)
    export = CaseExport.objects.get()
    assert ready.status_code == 200 and "satu kali" in ready.text
    url = reverse("privacy:export_download", args=[export.code])
    colleague = Client()
    colleague.force_login(world.users["supervisor_own"])
    assert colleague.get(url, secure=True).status_code == 404
    response = client.get(url, secure=True)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["alasan"] == REASON and data["kasus"]["nomor_register"] == case.number
    assert {p["nama"] for p in data["kasus"]["orang"]} >= {"Sari Sentinel", "Terlapor Sentinel"}
    again = client.get(url, secure=True)
    assert again.status_code == 410 and "sudah dipakai" in again.text
    actions = list(
        AccessLog.objects.filter(object_type="cases.case", object_id=case.pk).values_list(
            "action", "purpose"
        )
    )
    assert ("export", REASON) in actions and ("download", REASON) in actions


def test_export_link_expires(client, world, settings):
    settings.CASE_EXPORT_TTL_MINUTES = 60
    case = a_case(world)
    client.force_login(world.users["case_worker_own"])
    with freeze_time("2024-06-01 08:00:00"):
        request_export(client, case)
    export = CaseExport.objects.get()
    with freeze_time("2024-06-01 09:01:00"):
        client.force_login(world.users["case_worker_own"])
        response = client.get(reverse("privacy:export_download", args=[export.code]), secure=True)
    assert response.status_code == 410 and "kedaluwarsa" in response.text


def test_reason_with_markup_is_shown_as_text(client, world):
    case = a_case(world)
    client.force_login(world.users["case_worker_own"])
    response = request_export(client, case, reason="<script>alert(1)</script> untuk polisi")
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def read_zip(path) -> dict:
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("data.json"))


def test_subject_file_has_own_data_and_trail_and_no_co_victim(tmp_path, world, client):
    case = a_case(world)
    client.force_login(world.users["case_worker_own"])
    request_export(client, case)
    victim = case.people.get(name="Sari Sentinel")
    out = tmp_path / "subjek.zip"
    call_command(
        "subject_request",
        actor="admin",
        reason="permintaan korban",
        case=case.number,
        person=str(victim.code),
        out=str(out),
        stdout=io.StringIO(),
    )
    text = json.dumps(read_zip(out), ensure_ascii=False)
    assert "Sari Sentinel" in text and "081234567890" in text
    assert "Adik Korban Lain" not in text and "Terlapor Sentinel" not in text
    assert "Kronologi rahasia" not in text
    entry = read_zip(out)["data"][0]
    assert any(t["tujuan"] == REASON for t in entry["riwayat_pemrosesan"])
    assert AccessLog.objects.filter(
        object_type="cases.person", object_id=victim.pk, action="export"
    ).exists()


def test_subject_file_by_nik_finds_the_person_in_every_case(tmp_path, world):
    a_case(world)
    a_case(world)
    out = tmp_path / "nik.zip"
    call_command(
        "subject_request",
        actor="admin",
        reason="permintaan korban",
        nik="1376 0141 0190 0001",
        out=str(out),
        stdout=io.StringIO(),
    )
    assert len(read_zip(out)["data"]) == 2


def test_alleged_perpetrator_is_refused_and_the_refusal_logged(tmp_path, world):
    case = a_case(world)
    perpetrator = case.people.get(role=PersonRole.PERPETRATOR)
    with pytest.raises(CommandError, match="Pasal 33"):
        call_command(
            "subject_request",
            actor="admin",
            reason="permintaan terlapor",
            case=case.number,
            person=str(perpetrator.code),
            out=str(tmp_path / "x.zip"),
        )
    assert not (tmp_path / "x.zip").exists()
    assert AccessLog.objects.filter(object_id=perpetrator.pk, action="denied").exists()


def test_subject_request_admin_action_answers_with_a_zip(client, world):
    case = a_case(world)
    victim = case.people.get(name="Sari Sentinel")
    subject = SubjectRequest.objects.create(
        case_number=case.number, person_code=victim.code, requester="korban sendiri"
    )
    client.force_login(world.users["admin"])
    response = client.post(
        "/admin/privacy/subjectrequest/",
        {"action": "answer", "_selected_action": [subject.pk]},
        secure=True,
    )
    assert response.headers["Content-Type"] == "application/zip"
    subject.refresh_from_db()
    assert subject.status == "answered" and subject.handled_by == world.users["admin"]


def close(case, when):
    case.status, case.step, case.closed_at = "closed", "closure", when
    case.save()


def test_anonymisation_blanks_people_and_history_and_keeps_statistics(world):
    case = a_case(world)
    close(case, timezone.now() - dt.timedelta(days=365 * 11))
    fresh = a_case(world)
    close(fresh, timezone.now() - dt.timedelta(days=30))
    open_case = a_case(world)
    victim = case.people.get(name="Sari Sentinel")
    stats_before = (victim.sex, victim.age, victim.age_group, list(victim.violence_forms.all()))

    assert list(anonymisable_cases()) == [case]
    call_command("anonymise_closed_cases", stdout=io.StringIO())

    victim.refresh_from_db()
    case.refresh_from_db()
    assert (victim.name, victim.nik_hash, victim.nik_masked, victim.phone) == ("Anonim", "", "", "")
    assert victim.birth_date is None and case.description == ""
    assert (victim.sex, victim.age, victim.age_group, list(victim.violence_forms.all())) == (
        stats_before
    )
    assert case.place_id and case.incident_district_id == "13.76.01"
    history_names = set(Person.history.filter(id=victim.pk).values_list("name", flat=True))
    assert history_names == {"Anonim"}
    assert set(Case.history.filter(id=case.pk).values_list("description", flat=True)) == {""}
    assert AnonymisedCase.objects.filter(case=case).exists()
    for untouched in (fresh, open_case):
        assert untouched.people.filter(name="Sari Sentinel").exists()
    assert list(anonymisable_cases()) == []


def test_anonymise_refuses_an_open_case(world):
    with pytest.raises(ValueError):
        case_anonymise(case=a_case(world))
