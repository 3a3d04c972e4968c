"""A referral's way through three people, each in their own browser, with a real Celery worker
doing the hand-off: the case worker records an assessment and a service and refers the child to
the police PPA unit; the supervisor approves; the police accept and record what they did."""

import datetime as dt
import time

import pytest
from django.utils import timezone

from referrals.models import Referral
from tests.factories import make_case

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _open_details(page, summary: str) -> None:
    page.locator("summary", has_text=summary).first.click()


def test_case_worker_refers_supervisor_approves_police_accept(new_journey, e2e_world, real_worker):
    today = timezone.localdate()
    case = make_case(
        e2e_world.user("intake_own"),
        reported_on=today - dt.timedelta(days=2),
        incident_date=today - dt.timedelta(days=4),
        case_type="ampk",
        victims=[
            {
                "name": "Melati Sintetis",
                "sex": "P",
                "birth_date": dt.date(today.year - 10, 1, 5),
                "violence_form_ids": ["seksual"],
            }
        ],
        perpetrators=[{"name": "Terlapor Satu Sintetis"}, {"name": "Terlapor Dua Sintetis"}],
        relationship="tetangga",
        consent_sharing=True,
    )

    # --- the case worker -------------------------------------------------------------------
    worker = new_journey("case-worker")
    page = worker.page
    worker.login("case_worker_own")
    page.get_by_role("link", name="Kasus", exact=True).first.click()
    page.wait_for_load_state()
    worker.shot("case-list")
    page.get_by_role("link", name=case.number).click()
    page.wait_for_load_state()
    worker.shot("case-page")

    _open_details(page, "Lanjut ke tahap")
    page.get_by_label("Catatan tahap").fill(
        "Asesmen awal: anak tinggal bersama ibu, perlu pemeriksaan kesehatan dan pendampingan "
        "psikologis. Risiko tinggi karena terlapor tinggal di dekat rumah."
    )
    page.get_by_role("button", name="Simpan dan pindah tahap").click()
    page.wait_for_load_state()
    assert "Asesmen" in page.locator(".case-head__badges, main").first.inner_text()

    _open_details(page, "Catat layanan untuk korban")
    service = page.locator("form", has=page.get_by_role("button", name="Simpan layanan"))
    service.get_by_label("Jenis layanan (SIMFONI)").select_option("kesehatan")
    service.get_by_label("Lembaga pemberi").select_option(label=e2e_world.uptd.name)
    service.get_by_label("Tanggal layanan").fill(today.isoformat())
    service.get_by_label("Keterangan").fill("Pendampingan ke puskesmas untuk pemeriksaan.")
    service.get_by_role("button", name="Simpan layanan").click()
    page.wait_for_load_state()
    worker.shot("case-after-assessment-and-service")

    page.get_by_role("link", name="Rujuk kasus ini").click()
    page.wait_for_load_state()
    police = e2e_world.agencies["police_own"]
    page.get_by_label("Lembaga tujuan").select_option(label=police.name)
    page.get_by_role("group", name="Layanan yang diminta").get_by_label("Penegakan Hukum").check()
    victims = page.get_by_role("group", name="Korban yang dirujuk").get_by_role("checkbox")
    victims.first.check()
    page.get_by_label("Alasan dan kebutuhan rujukan").fill(
        "Mohon penyidikan atas dugaan persetubuhan terhadap anak oleh dua terlapor."
    )
    worker.shot("referral-form")
    page.get_by_role("button", name="Simpan dan ajukan untuk persetujuan").click()
    page.wait_for_load_state()
    referral = Referral.objects.get(case=case)
    assert referral.status == "pending_approval"
    assert "Menunggu persetujuan" in page.locator("main").inner_text()
    worker.shot("referral-pending")

    # --- the supervisor --------------------------------------------------------------------
    supervisor = new_journey("supervisor")
    page = supervisor.page
    supervisor.login("supervisor_own")
    page.get_by_role("link", name="Rujukan", exact=True).first.click()
    page.wait_for_load_state()
    supervisor.shot("inbox")
    page.get_by_role("link", name=case.number).first.click()
    page.wait_for_load_state()
    supervisor.shot("referral-to-approve")
    page.get_by_role("button", name="Setujui dan kirim").click()
    page.wait_for_load_state()

    # The worker subprocess delivers it (grants, notification); the page says so on reload.
    deadline = time.monotonic() + 30
    while True:
        referral.refresh_from_db()
        if referral.status == "delivered" or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert referral.status == "delivered", f"not delivered by the worker: {referral.status}"
    page.reload()
    assert "Terkirim" in page.locator("main").inner_text()
    supervisor.shot("referral-delivered")

    # --- the police PPA unit ---------------------------------------------------------------
    officer = new_journey("police")
    page = officer.page
    officer.login("partner_own")
    page.get_by_role("link", name="Rujukan", exact=True).first.click()
    page.wait_for_load_state()
    officer.shot("inbox")
    page.get_by_role("link", name=case.number).first.click()
    page.wait_for_load_state()
    assert "Melati" not in page.content(), "the child's name is not part of what was shared"
    officer.shot("referral-received")
    page.get_by_role("button", name="Terima rujukan").click()
    page.wait_for_load_state()
    page.get_by_label("Tindakan yang dilakukan").fill(
        "Laporan polisi dibuat; visum et repertum dijadwalkan; pemeriksaan saksi dimulai."
    )
    page.get_by_role("button", name="Catat tindakan").click()
    page.wait_for_load_state()
    text = page.locator("main").inner_text()
    assert "Diterima, sedang ditangani" in text
    assert "visum et repertum" in text
    officer.shot("referral-action-recorded")
    referral.refresh_from_db()
    assert referral.status == "accepted"
