"""The case summary (ringkasan kasus) as a PDF: a reason is asked and logged, the chronology
is printed only when ticked, each victim's services and each perpetrator's legal process are
listed, and the agency head (or the asking supervisor) signs."""

import pytest
from django.urls import reverse

from cases.models import LegalProcess, PersonRole, ServiceGiven
from paperwork.models import DocumentKind, PrintedDocument
from ppa.models import AccessLog
from tests.factories import make_case
from tests.paperwork.helpers import dark_pixels, page_images, pdf_text

pytestmark = pytest.mark.django_db

REASON = "Permintaan Pengadilan Negeri Payakumbuh untuk sidang."


@pytest.fixture
def case(world):
    worker = world.users["case_worker_own"]
    case = make_case(worker, consent_sharing=True)
    victim = case.people.get(role=PersonRole.VICTIM)
    perpetrator = case.people.get(role=PersonRole.PERPETRATOR)
    ServiceGiven.objects.create(
        victim=victim,
        service_type_id="pengaduan",
        provider=world.uptd,
        given_on="2024-05-09",
        recorded_by=worker,
    )
    LegalProcess.objects.create(
        perpetrator=perpetrator,
        stage=LegalProcess.Stage.INVESTIGATION,
        started_on="2024-05-15",
        recorded_by=worker,
    )
    return case


def ask(client, user, case, capture, **data) -> PrintedDocument:
    client.force_login(user)
    url = reverse("paperwork:summary_request", kwargs={"code": case.code})
    with capture(execute=True):
        response = client.post(url, {"reason": REASON} | data)
    assert response.status_code == 302, response.content.decode()[:300]
    return PrintedDocument.objects.filter(kind=DocumentKind.CASE_SUMMARY).latest("id")


def download(client, document) -> bytes:
    response = client.get(reverse("paperwork:document_download", kwargs={"code": document.code}))
    assert response.status_code == 200
    return response.content


def test_summary_lists_facts_services_legal_process_and_logs_the_reason(
    client, world, case, django_capture_on_commit_callbacks
):
    world.uptd.head_name, world.uptd.head_title = "Rina Kepala", "Kepala UPTD PPA"
    world.uptd.save(update_fields=["head_name", "head_title"])
    document = ask(client, world.users["case_worker_own"], case, django_capture_on_commit_callbacks)
    document.refresh_from_db()
    assert document.status == "done" and document.purpose == REASON
    text = pdf_text(download(client, document))
    assert "RINGKASAN KASUS" in text and case.number in text
    assert "Korban Sintetis 1" in text and "Pengaduan" in text and "9 Mei 2024" in text
    assert "Penyidikan" in text and "15 Mei 2024" in text
    assert "Kepala UPTD PPA" in text and "Rina Kepala" in text
    assert "Kronologi sintetis" not in text  # not ticked
    printed = AccessLog.objects.get(action=AccessLog.Action.PRINT, object_id=case.pk)
    assert printed.purpose == REASON
    assert AccessLog.objects.filter(action=AccessLog.Action.DOWNLOAD, object_id=case.pk).exists()


def test_chronology_only_when_ticked(client, world, case, django_capture_on_commit_callbacks):
    document = ask(
        client,
        world.users["supervisor_own"],
        case,
        django_capture_on_commit_callbacks,
        chronology="on",
    )
    text = pdf_text(download(client, document))
    assert "Kronologi sintetis untuk pengujian." in text
    # No agency head: the supervisor who asked signs; never an empty signature.
    assert "Supervisor Own" in text and "(....." not in text


def test_case_worker_summary_without_head_has_no_signature_block(
    client, world, case, django_capture_on_commit_callbacks, tmp_path
):
    document = ask(client, world.users["case_worker_own"], case, django_capture_on_commit_callbacks)
    data = download(client, document)
    text = pdf_text(data)
    assert "NIP" not in text and "Case Worker Own" not in text
    images = page_images(data, tmp_path, "summary")
    assert images and all(dark_pixels(image) > 2000 for image in images)


def test_reason_is_required_and_kept(client, world, case):
    client.force_login(world.users["case_worker_own"])
    url = reverse("paperwork:summary_request", kwargs={"code": case.code})
    response = client.post(url, {"reason": "pendek", "chronology": "on"})
    html = response.content.decode()
    assert "terlalu singkat" in html and "pendek</textarea>" in html and "checked" in html
    assert not PrintedDocument.objects.exists()
