"""The referral letter: printed from an approved referral by the sending UPTD, numbered in the
agency's own yearly sequence, showing only what the referral shares, signed by the approving
supervisor, verifiable by the receiver, and marked SALINAN on every reprint."""

import hashlib
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.urls import reverse
from freezegun import freeze_time

from cases.access import FieldGroup
from paperwork import services
from paperwork.models import DocumentKind, PrintedDocument
from ppa.models import AccessLog
from tests.paperwork.helpers import dark_pixels, page_images, pdf_text
from tests.referrals.helpers import make_referral
from tests.world import build_world

pytestmark = pytest.mark.django_db

REASON = "Korban membutuhkan pendampingan pelaporan ke polisi."


def print_letter(client, user, referral, capture) -> PrintedDocument:
    client.force_login(user)
    with capture(execute=True):
        response = client.post(reverse("paperwork:letter_print", kwargs={"code": referral.code}))
    document = PrintedDocument.objects.get(referral=referral)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "paperwork:document_detail", kwargs={"code": document.code}
    )
    return document


def download(client, document) -> tuple[bytes, str]:
    response = client.get(reverse("paperwork:document_download", kwargs={"code": document.code}))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return response.content, response["Content-Disposition"]


@pytest.fixture
def named_world(world):
    head = world.users["supervisor_own"]
    head.first_name, head.last_name = "Rina", "Supervisor"
    head.save(update_fields=["first_name", "last_name"])
    uptd = world.uptd
    uptd.short_name, uptd.address = "UPTD-PPA-PYK", "Jl. Sudirman No. 1, Payakumbuh"
    uptd.save(update_fields=["short_name", "address"])
    services.signer_profile_set(actor=head, title="Kepala UPTD PPA", nip="198001012005012001")
    return world


def test_letter_text_number_signature_and_verification_line(
    client, named_world, django_capture_on_commit_callbacks
):
    w = named_world
    with freeze_time("2024-05-20 03:00:00"):
        referral = make_referral(w, status="delivered")
        document = print_letter(
            client, w.users["case_worker_own"], referral, django_capture_on_commit_callbacks
        )
        document.refresh_from_db()
        data, disposition = download(client, document)
    assert document.status == "done" and document.number == "001/RUJ/UPTD-PPA-PYK/V/2024"
    assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == document.sha256
    assert disposition.endswith('-salinan.pdf"') is False
    text = pdf_text(data)
    assert "PEMERINTAH KOTA PAYAKUMBUH" in text and "UPTD PPA PAYAKUMBUH" in text
    assert "Jl. Sudirman No. 1, Payakumbuh" in text
    assert "SURAT RUJUKAN" in text and "Nomor: 001/RUJ/UPTD-PPA-PYK/V/2024" in text
    assert "20 Mei 2024" in text and "Unit PPA Polres Payakumbuh" in text
    assert REASON in text and "Penegakan Hukum" in text
    # The approving supervisor signs, with their title and NIP.
    assert "Kepala UPTD PPA" in text and "Rina Supervisor" in text
    assert "NIP 198001012005012001" in text
    assert str(referral.code) in text and document.verification in text
    assert "SALINAN" not in text
    assert document.pages == 1


def test_letter_shows_only_the_shared_field_groups(
    client, named_world, django_capture_on_commit_callbacks
):
    """Default sharing (incident, victim needs): no name, no chronology, no perpetrator."""
    w = named_world
    referral = make_referral(w, status="approved")
    document = print_letter(
        client, w.users["supervisor_own"], referral, django_capture_on_commit_callbacks
    )
    text = pdf_text(download(client, document)[0])
    assert "Korban yang dirujuk" in text and "KS1" in text.replace(".", "")  # initials only
    assert "Korban Sintetis 1" not in text
    assert "Kronologi sintetis" not in text and "Terlapor Sintetis" not in text
    assert "Terlapor / pelaku" not in text


def test_letter_with_identity_and_narrative_shared_prints_them(
    client, named_world, django_capture_on_commit_callbacks
):
    w = named_world
    groups = sorted(FieldGroup.DEFAULT_SHARED | {FieldGroup.VICTIM_IDENTITY, FieldGroup.NARRATIVE})
    referral = make_referral(w, status="approved", shared_groups=groups)
    document = print_letter(
        client, w.users["case_worker_own"], referral, django_capture_on_commit_callbacks
    )
    text = pdf_text(download(client, document)[0])
    assert "Korban Sintetis 1" in text and "Kronologi sintetis untuk pengujian." in text
    assert "Terlapor Sintetis" not in text  # perpetrators were not shared


def test_reprint_is_the_same_number_marked_salinan_and_every_download_is_logged(
    client, named_world, django_capture_on_commit_callbacks
):
    w = named_world
    referral = make_referral(w, status="approved")
    first = print_letter(
        client, w.users["case_worker_own"], referral, django_capture_on_commit_callbacks
    )
    original, _ = download(client, first)
    again = print_letter(
        client, w.users["supervisor_own"], referral, django_capture_on_commit_callbacks
    )
    assert again.pk == first.pk  # one letter, one number
    copy, disposition = download(client, again)
    assert "SALINAN" not in pdf_text(original)
    copy_text = pdf_text(copy)
    assert "SALINAN" in copy_text and first.number in copy_text
    assert disposition.endswith('-salinan.pdf"')
    logs = AccessLog.objects.filter(action=AccessLog.Action.DOWNLOAD, object_id=referral.case_id)
    assert logs.count() == 2
    assert {log.user.username for log in logs} == {"case_worker_own", "supervisor_own"}
    assert any("salinan" in log.purpose for log in logs)


def test_numbers_follow_the_agency_sequence_per_year(named_world):
    w = named_world
    worker = w.users["case_worker_own"]
    with freeze_time("2024-12-30 03:00:00"):
        a = services.referral_letter_issue(
            actor=worker, referral=make_referral(w, status="approved")
        )
        b = services.referral_letter_issue(
            actor=worker, referral=make_referral(w, status="approved")
        )
    with freeze_time("2025-01-02 03:00:00"):
        c = services.referral_letter_issue(
            actor=worker, referral=make_referral(w, status="approved")
        )
    assert [a.number[:3], b.number[:3], c.number[:3]] == ["001", "002", "001"]
    assert c.number.endswith("/I/2025")


@pytest.mark.django_db(transaction=True)
def test_concurrent_letters_get_distinct_numbers(seeded):
    """Eight sessions issuing at once: eight different numbers (the upsert serialises)."""
    w = build_world()
    worker = w.users["case_worker_own"]
    referrals = [make_referral(w, status="approved") for _ in range(8)]

    def issue(referral):
        try:
            return services.referral_letter_issue(actor=worker, referral=referral).number
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        numbers = list(pool.map(issue, referrals))
    assert len(set(numbers)) == 8


def test_draft_or_pending_referral_has_no_letter(client, named_world):
    w = named_world
    referral = make_referral(w, status="pending_approval")
    client.force_login(w.users["case_worker_own"])
    response = client.post(reverse("paperwork:letter_print", kwargs={"code": referral.code}))
    assert response.status_code == 403
    assert not PrintedDocument.objects.filter(kind=DocumentKind.REFERRAL_LETTER).exists()


def test_receiver_verifies_the_letter_and_a_wrong_checksum_fails(
    client, named_world, django_capture_on_commit_callbacks
):
    w = named_world
    referral = make_referral(w, status="delivered")
    document = print_letter(
        client, w.users["case_worker_own"], referral, django_capture_on_commit_callbacks
    )
    client.force_login(w.users["partner_own"])
    url = reverse("paperwork:letter_verify")
    ok = client.get(url, {"referral": str(referral.code), "checksum": document.verification})
    assert "Surat ini asli." in ok.content.decode() and document.number in ok.content.decode()
    bad = client.get(url, {"referral": str(referral.code), "checksum": "00000-00000"})
    assert "tidak dapat diverifikasi" in bad.content.decode()
    client.force_login(w.users["partner_other"])  # another city's police: not their letter
    other = client.get(url, {"referral": str(referral.code), "checksum": document.verification})
    assert "tidak dapat diverifikasi" in other.content.decode()


def test_letter_page_renders_with_visible_content(
    client, named_world, django_capture_on_commit_callbacks, tmp_path
):
    w = named_world
    referral = make_referral(w, status="approved")
    document = print_letter(
        client, w.users["case_worker_own"], referral, django_capture_on_commit_callbacks
    )
    images = page_images(download(client, document)[0], tmp_path, "letter")
    assert len(images) == document.pages >= 1
    for image in images:
        assert dark_pixels(image) > 2000, f"{image.name} looks blank"


def test_sweep_sends_again_a_letter_the_broker_lost(named_world, monkeypatch):
    """The request's enqueue was lost (broker down): the sweep renders it later."""
    w = named_world
    monkeypatch.setattr(services, "enqueue_document", lambda document_id: False)
    with freeze_time("2024-05-20 03:00:00"):
        document = services.referral_letter_issue(
            actor=w.users["case_worker_own"], referral=make_referral(w, status="approved")
        )
    monkeypatch.undo()
    assert PrintedDocument.objects.get(pk=document.pk).status == "pending"
    assert services.documents_sweep() == 1
    document.refresh_from_db()
    assert document.status == "done" and document.copy_sha256
