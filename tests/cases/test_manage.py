"""Case management: steps, closure and reopening, assignment, services, legal process,
documents, clocks and optimistic locking."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from cases import services
from cases.models import CaseRecord, Deadline, Document, PersonRole, Status, Step
from ppa.models import AccessLog
from tests.factories import make_case
from tests.files import JPEG, PDF, PNG, image_bytes

pytestmark = pytest.mark.django_db


def url(name, case, **kw):
    return reverse(f"cases:{name}", kwargs={"code": case.code, **kw})


@pytest.fixture
def case(world):
    return make_case(world.users["intake_own"])


def test_steps_follow_the_standard_and_each_leaves_its_record(world, client, case):
    client.force_login(world.users["case_worker_own"])
    expected = [
        (Step.ASSESSMENT, CaseRecord.Kind.ASSESSMENT),
        (Step.PLAN, CaseRecord.Kind.PLAN),
        (Step.INTERVENTION, CaseRecord.Kind.PROGRESS),
        (Step.MONITORING, CaseRecord.Kind.MONITORING),
    ]
    for step, kind in expected:
        case.refresh_from_db()
        response = client.post(
            url("advance", case), {"version": case.version, "to_step": step, "body": f"Isi {step}"}
        )
        assert response.status_code == 302
        case.refresh_from_db()
        assert case.step == step
        assert case.records.filter(kind=kind, body=f"Isi {step}").exists()


def test_a_step_cannot_be_skipped(world, client, case):
    client.force_login(world.users["case_worker_own"])
    response = client.post(
        url("advance", case), {"version": case.version, "to_step": Step.PLAN, "body": "x"}
    )
    assert response.status_code == 200
    assert "tidak sesuai urutan" in response.content.decode()
    case.refresh_from_db()
    assert case.step == Step.IDENTIFICATION


def test_closure_needs_the_supervisor(world, client, case):
    client.force_login(world.users["case_worker_own"])
    client.post(url("closure_request", case), {"version": case.version, "report": "Selesai."})
    case.refresh_from_db()
    assert case.status == Status.CLOSURE_REQUESTED
    # The case worker cannot approve their own closure.
    denied = client.post(
        url("closure_decide", case), {"version": case.version, "decision": "approve"}
    )
    assert denied.status_code == 403
    client.force_login(world.users["supervisor_own"])
    response = client.post(
        url("closure_decide", case), {"version": case.version, "decision": "approve"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.closed_at is not None
    assert case.records.filter(kind=CaseRecord.Kind.CLOSURE_DECISION).exists()


def test_supervisor_can_return_a_closure_with_a_reason(world, client, case):
    services.case_closure_request(
        actor=world.users["case_worker_own"], case=case, version=case.version, report="Selesai."
    )
    case.refresh_from_db()
    client.force_login(world.users["supervisor_own"])
    missing = client.post(
        url("closure_decide", case), {"version": case.version, "decision": "return"}
    )
    assert "Tuliskan alasan pengembalian." in missing.content.decode()
    client.post(
        url("closure_decide", case),
        {"version": case.version, "decision": "return", "reason": "Belum ada pemantauan."},
    )
    case.refresh_from_db()
    assert case.status == Status.OPEN and case.step == Step.MONITORING


def test_closed_case_is_read_only_until_reopened_with_a_reason(world, client, case):
    services.case_closure_request(
        actor=world.users["case_worker_own"], case=case, version=case.version, report="Selesai."
    )
    case.refresh_from_db()
    services.case_closure_decide(
        actor=world.users["supervisor_own"], case=case, version=case.version, approve=True
    )
    case.refresh_from_db()
    client.force_login(world.users["case_worker_own"])
    assert client.post(url("record", case), {"kind": "progress", "body": "x"}).status_code == 403
    assert (
        client.post(url("reopen", case), {"version": case.version, "reason": "x"}).status_code
        == 403
    )
    client.force_login(world.users["supervisor_own"])
    empty = client.post(url("reopen", case), {"version": case.version, "reason": ""})
    assert empty.status_code == 200
    client.post(url("reopen", case), {"version": case.version, "reason": "Kekerasan berulang."})
    case.refresh_from_db()
    assert case.status == Status.OPEN and case.closed_at is None
    assert case.records.get(kind=CaseRecord.Kind.REOPEN).body == "Kekerasan berulang."


def test_stale_edit_is_refused_showing_the_change_and_keeping_input(world, client, case):
    opened_at = case.version
    services.case_update(
        actor=world.users["supervisor_own"],
        case=case,
        version=case.version,
        changes={"risk_level": "high"},
        reason="Risiko naik",
    )
    client.force_login(world.users["case_worker_own"])
    form = client.get(url("edit", case)).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        version=opened_at,
        description="Kronologi versi saya yang panjang.",
        reason="Perbaikan kronologi",
        reported_on="2024-05-08",
        incident_date="2024-05-01",
        within_authority="1",
        risk_level="low",
    )
    response = client.post(url("edit", case), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "sudah diubah orang lain" in page
    assert "Risiko naik" in page and "<ins>Tinggi</ins>" in page
    assert "Kronologi versi saya yang panjang." in page
    case.refresh_from_db()
    assert case.risk_level == "high" and "versi saya" not in case.description
    # Sent again with the version shown now, the edit goes through with its reason.
    data["version"] = case.version
    assert client.post(url("edit", case), data).status_code == 302
    case.refresh_from_db()
    assert case.description == "Kronologi versi saya yang panjang."
    last = case.history.first()
    assert last.history_change_reason == "Perbaikan kronologi"
    assert last.history_user == world.users["case_worker_own"]


def test_stale_step_change_is_refused(world, client, case):
    old = case.version
    services.case_assign(
        actor=world.users["supervisor_own"],
        case=case,
        version=old,
        worker=world.users["case_worker_own"],
    )
    client.force_login(world.users["case_worker_own"])
    response = client.post(
        url("advance", case), {"version": old, "to_step": Step.ASSESSMENT, "body": "Isi saya"}
    )
    assert response.status_code == 200
    assert "Isi saya" in response.content.decode()
    case.refresh_from_db()
    assert case.step == Step.IDENTIFICATION


def test_assign_only_staff_of_the_owning_uptd(world, case):
    with pytest.raises(services.CaseActionError):
        services.case_assign(
            actor=world.users["supervisor_own"],
            case=case,
            version=case.version,
            worker=world.users["case_worker_other"],
        )


def test_service_with_shelter_dates(world, client, case):
    victim = case.people.get(role=PersonRole.VICTIM)
    client.force_login(world.users["case_worker_own"])
    data = {
        "victim": str(victim.code),
        "service_type": "rehabilitasi_sosial",
        "function": "penampungan_sementara",
        "provider": world.uptd.pk,
        "given_on": "2024-05-09",
        "shelter_from": "2024-05-09",
        "shelter_to": "2024-05-01",
    }
    bad = client.post(url("service_add", case), data)
    assert "Tanggal selesai harus sesudah tanggal mulai." in bad.content.decode()
    data["shelter_to"] = "2024-05-20"
    assert client.post(url("service_add", case), data).status_code == 302
    service = victim.services.get()
    assert (service.shelter_from, service.shelter_to) == (dt.date(2024, 5, 9), dt.date(2024, 5, 20))
    assert service.function_id == "penampungan_sementara"


def test_service_for_a_person_of_another_case_is_refused(world, client, case):
    other = make_case(world.users["intake_own"])
    stranger = other.people.get(role=PersonRole.VICTIM)
    client.force_login(world.users["case_worker_own"])
    response = client.post(
        url("service_add", case),
        {
            "victim": str(stranger.code),
            "service_type": "kesehatan",
            "provider": world.uptd.pk,
            "given_on": "2024-05-09",
        },
    )
    assert response.status_code == 200
    assert not stranger.services.exists()


def test_legal_process_of_a_perpetrator(world, client, case):
    perpetrator = case.people.get(role=PersonRole.PERPETRATOR)
    client.force_login(world.users["case_worker_own"])
    response = client.post(
        url("legal_add", case),
        {
            "perpetrator": str(perpetrator.code),
            "stage": "court_1",
            "started_on": "2024-06-01",
            "outcome": "verdict",
            "note": "Vonis 5 tahun",
        },
    )
    assert response.status_code == 302
    step = perpetrator.legal_steps.get()
    assert (step.stage, step.outcome) == ("court_1", "verdict")


def test_document_upload_and_download(world, client, case):
    client.force_login(world.users["case_worker_own"])
    upload = SimpleUploadedFile("Visum Melati.pdf", PDF, content_type="application/octet-stream")
    assert (
        client.post(url("document_upload", case), {"kind": "medical", "file": upload}).status_code
        == 302
    )
    document = Document.objects.get()
    assert document.content_type == "application/pdf"
    assert "Melati" not in document.file.name and document.file.name.startswith("documents/")
    response = client.get(reverse("cases:document", kwargs={"code": document.code}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert "Melati" not in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    log = AccessLog.objects.get(action=AccessLog.Action.DOWNLOAD)
    assert (log.object_type, log.object_id) == ("cases.document", document.pk)


def test_png_is_accepted(world, client, case):
    client.force_login(world.users["case_worker_own"])
    upload = SimpleUploadedFile("foto.png", PNG)
    assert (
        client.post(url("document_upload", case), {"kind": "other", "file": upload}).status_code
        == 302
    )
    assert Document.objects.get().content_type == "image/png"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("laporan.pdf", b"<html><script>alert(1)</script></html>", "Jenis berkas tidak diterima"),
        ("foto.jpg", b"MZ\x90\x00 executable", "Jenis berkas tidak diterima"),
        ("kosong.pdf", b"", "kosong"),
    ],
)
def test_disguised_or_empty_files_are_refused(world, client, case, name, content, message):
    client.force_login(world.users["case_worker_own"])
    response = client.post(
        url("document_upload", case), {"kind": "other", "file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Document.objects.exists()


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"PE\x00\x00" * 64
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("visum.pdf", b"%PDF-1.7\n" + EXE),  # a PDF header over a Windows program
        ("foto.jpg", b"\xff\xd8\xff\xe0" + HTML),  # a JPEG header over a web page
        ("foto.png", PNG[:40]),  # an image cut short: it does not decode fully
        ("foto.png", PNG + HTML),  # a whole image with a web page after its end
        ("visum.pdf", PDF + EXE),  # a whole PDF with a program after its end
        ("visum.pdf", PDF[: len(PDF) // 2]),  # a PDF cut in half
    ],
)
def test_files_that_do_not_parse_fully_are_refused(world, client, case, name, content):
    client.force_login(world.users["case_worker_own"])
    response = client.post(
        url("document_upload", case), {"kind": "other", "file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 200
    assert "Berkas tidak dapat dibaca" in response.content.decode()
    assert not Document.objects.exists()


def test_a_refused_file_is_explained_in_english_too(world, client, case):
    user = world.users["case_worker_own"]
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)
    upload = SimpleUploadedFile("visum.pdf", b"%PDF-1.7\n" + EXE)
    response = client.post(url("document_upload", case), {"kind": "other", "file": upload})
    assert "The file cannot be read" in response.content.decode()


def test_a_real_jpeg_is_accepted(world, client, case):
    client.force_login(world.users["case_worker_own"])
    upload = SimpleUploadedFile("foto.jpg", JPEG)
    response = client.post(url("document_upload", case), {"kind": "other", "file": upload})
    assert response.status_code == 302
    assert Document.objects.get().content_type == "image/jpeg"


@override_settings(DOCUMENT_MAX_PIXELS=10_000)
def test_an_image_with_too_many_pixels_is_refused(world, client, case):
    client.force_login(world.users["case_worker_own"])
    big = SimpleUploadedFile("foto.png", image_bytes("PNG", (200, 200)))
    response = client.post(url("document_upload", case), {"kind": "other", "file": big})
    assert response.status_code == 200
    assert "terlalu besar" in response.content.decode()
    assert not Document.objects.exists()


@override_settings(DOCUMENT_MAX_BYTES=1024)
def test_oversized_files_are_refused(world, client, case):
    client.force_login(world.users["case_worker_own"])
    big = SimpleUploadedFile("besar.pdf", PDF + b"0" * 2048)
    response = client.post(url("document_upload", case), {"kind": "other", "file": big})
    assert "terlalu besar" in response.content.decode()
    assert not Document.objects.exists()


def test_other_agency_cannot_download(world, client, case):
    document = services.document_upload(
        actor=world.users["case_worker_own"],
        case=case,
        kind="other",
        upload=SimpleUploadedFile("a.pdf", PDF),
    )
    client.force_login(world.users["case_worker_other"])
    assert client.get(reverse("cases:document", kwargs={"code": document.code})).status_code == 404
    assert not AccessLog.objects.filter(action=AccessLog.Action.DOWNLOAD).exists()


def test_mark_police_report_done(world, client):
    case = make_case(
        world.users["intake_own"],
        victims=[{"violence_form_ids": [], "violence_subtype_ids": ["tpks_perkosaan"]}],
    )
    deadline = case.deadlines.get(kind=Deadline.Kind.POLICE_REPORT_TPKS)
    client.force_login(world.users["case_worker_own"])
    response = client.post(url("deadline_done", case, kind=deadline.kind))
    assert response.status_code == 302
    deadline.refresh_from_db()
    assert deadline.done_at is not None
    assert client.post(url("deadline_done", case, kind="nonsense")).status_code == 404


def test_intake_officer_edits_only_at_identification(world, client, case):
    client.force_login(world.users["intake_own"])
    assert client.get(url("edit", case)).status_code == 200
    services.case_step_advance(
        actor=world.users["case_worker_own"],
        case=case,
        version=case.version,
        to_step=Step.ASSESSMENT,
        body="Asesmen.",
    )
    assert client.get(url("edit", case)).status_code == 403
    assert client.get(url("detail", case)).status_code == 200
