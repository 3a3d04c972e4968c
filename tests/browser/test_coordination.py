"""Working across sectors in the browser: a coordination meeting (rakor) from invitation to the
minutes PDF, with the police unit completing its follow-up action from its inbox; and a
community task-force member's report from a phone that the intake officer turns into a case."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.models import Case, IntakeChannel
from coordination.models import CommunityReport, FollowUpAction, Meeting
from reports.models import ReportRun
from tests.reports.test_pdf import pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_rakor_from_invitation_to_minutes_with_the_police_action_done(new_journey, e2e_world):
    police_unit = e2e_world.agencies["police_own"]
    official = new_journey("official")
    page = official.page
    official.login("official_own")
    page.get_by_role("link", name="Rakor").first.click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Buat rapat baru").click()
    page.wait_for_load_state()
    page.get_by_label("Judul rapat").fill("Rakor Perlindungan Perempuan dan Anak")
    page.get_by_label("Tanggal dan jam").fill(f"{timezone.localdate().isoformat()}T09:00")
    page.get_by_label("Tempat").fill("Aula Balai Kota")
    page.get_by_label(police_unit.name).check()
    page.get_by_label(e2e_world.uptd.name).check()
    page.get_by_label("Undangan lain (satu per baris)").fill("Kepala Desa Koto Baru")
    page.get_by_label("Acara rapat (satu per baris)").fill("Paparan data tahunan\nRencana aksi")
    official.shot("meeting-form")
    page.get_by_role("button", name="Simpan rapat").click()
    page.wait_for_load_state()
    meeting = Meeting.objects.get()

    # The statistics pack in one step (rendered by the eager task after the commit).
    page.get_by_role("link", name="Lampirkan paket statistik").click()
    page.wait_for_load_state()
    page.get_by_label("Tahun").fill(str(timezone.localdate().year - 1))
    page.get_by_role("button", name="Buat dan lampirkan").click()
    page.wait_for_load_state()
    run = ReportRun.objects.get()
    assert meeting.packs.get().run == run
    assert page.get_by_role("link", name="Unduh PDF").count() == 1 or run.status != "done"

    # Attendance, minutes and a decision with an action for the police unit.
    row = page.locator("tr", has_text=police_unit.name)
    row.get_by_role("checkbox").check()
    row.get_by_role("textbox").fill("AKP Contoh, Kanit PPA")
    page.get_by_role("button", name="Simpan daftar hadir").click()
    page.wait_for_load_state()
    page.get_by_label("1. Paparan data tahunan").fill("Data tahun lalu dipaparkan oleh Dinas.")
    page.get_by_role("button", name="Simpan notulen").click()
    page.wait_for_load_state()
    due = timezone.localdate() + dt.timedelta(days=14)
    form = page.locator("form#keputusan")
    form.get_by_label("Keputusan").fill("Percepat pemeriksaan perkara anak.")
    form.get_by_label("Lembaga penanggung jawab").select_option(label=police_unit.name)
    form.get_by_label("Tindak lanjut").fill("Unit PPA menjadwalkan pemeriksaan saksi.")
    form.get_by_label("Batas waktu").fill(due.isoformat())
    page.get_by_role("button", name="Simpan keputusan").click()
    page.wait_for_load_state()
    official.shot("meeting-page")
    action = FollowUpAction.objects.get()

    # The police unit finds the action in its inbox and completes it with a note.
    police = new_journey("police")
    ppage = police.page
    police.login("partner_own")
    ppage.get_by_role("link", name="Rujukan").first.click()
    ppage.wait_for_load_state()
    police.shot("inbox")
    ppage.get_by_role("link", name="Unit PPA menjadwalkan pemeriksaan saksi.").click()
    ppage.wait_for_load_state()
    ppage.get_by_label("Selesai").check()
    ppage.get_by_label("Catatan").fill("Saksi diperiksa tanggal 10; berkas dikirim ke jaksa.")
    ppage.get_by_role("button", name="Simpan").click()
    ppage.wait_for_load_state()
    police.shot("action-done")
    action.refresh_from_db()
    assert action.status == "done"

    # The minutes PDF lists the action as done.
    page.reload()
    with page.expect_download() as info:
        page.get_by_role("link", name="Unduh notulen (PDF)").click()
    target = official.dir / "notulen.pdf"
    info.value.save_as(target)
    text = pdf_text(target.read_bytes())
    assert "NOTULEN RAPAT KOORDINASI" in text and "AKP Contoh, Kanit PPA" in text
    assert "menjadwalkan" in text and "Selesai (" in text


def _next(page, number: int) -> None:
    """Save the step and check that the next one (step `number` of 6) opened."""
    page.get_by_role("button", name="Simpan & lanjut").click()
    page.wait_for_load_state()
    assert f"Langkah {number} dari 6" in page.locator(".steps__count").inner_text()


def test_task_force_report_becomes_a_case_through_the_intake(new_journey, e2e_world):
    member = new_journey("satgas", phone=True)
    page = member.page
    member.login("task_force_own")
    member.nav("Laporan Satgas")
    page.wait_for_load_state()
    page.get_by_role("link", name="Kirim laporan baru").click()
    page.wait_for_load_state()
    page.get_by_label("Apa yang terjadi?").fill(
        "Anak perempuan usia SD sering terdengar menangis dan dipukul di rumahnya."
    )
    page.get_by_label("Di mana? (kelurahan/desa)").select_option(index=1)
    page.get_by_label("Usia orang yang mungkin berisiko").select_option("6-12")
    page.get_by_label("Perempuan").check()
    page.get_by_label("Segera: perlu ditangani dalam 1-2 hari").check()
    page.get_by_label("Saya bersedia dihubungi petugas UPTD PPA").check()
    page.get_by_label("Nomor telepon/WhatsApp untuk menghubungi Anda").fill("0812-0000-2222")
    member.shot("report-form")
    page.get_by_role("button", name="Kirim laporan").click()
    page.wait_for_load_state()
    assert "Diterima" in page.locator("main").inner_text()
    report = CommunityReport.objects.get()

    officer = new_journey("intake")
    opage = officer.page
    officer.login("intake_own")
    opage.get_by_role("link", name="Laporan Satgas").first.click()
    opage.wait_for_load_state()
    officer.shot("queue")
    opage.locator("tbody a").first.click()
    opage.wait_for_load_state()
    opage.get_by_role("button", name="Mulai pengaduan dari laporan ini").click()
    opage.wait_for_load_state()
    assert "Langkah 1 dari 6" in opage.locator(".steps__count").inner_text()
    assert opage.get_by_label("Cara pengaduan").input_value() == IntakeChannel.COMMUNITY
    assert "dipukul" in opage.get_by_label("Kronologi / deskripsi kasus").input_value()
    source = opage.get_by_role("complementary", name="Sumber pengaduan")
    assert "Anak 6-12 tahun, Perempuan" in source.inner_text()
    officer.shot("intake-prefilled")
    opage.get_by_label("Jenis kasus").select_option("ampk")
    opage.get_by_label("Tempat kejadian").select_option("rumah_tangga")
    _next(opage, 2)

    victim = opage.get_by_role("group", name="Korban 1")
    assert victim.get_by_label("Jenis kelamin").input_value() == "P"  # from the report
    victim.get_by_label("Nama").fill("Melati Satgas Sintetis")
    victim.get_by_label("Usia (bila tanggal lahir tidak diketahui)").fill("8")
    victim.locator("input[name='v-0-violence_forms'][value='fisik']").check()
    officer.shot("intake-victim")
    _next(opage, 3)  # no perpetrator known yet
    _next(opage, 4)
    reporter = opage.get_by_role("group", name="Pelapor", exact=True)
    assert reporter.get_by_label("Telepon").input_value() == "0812-0000-2222"
    assert not reporter.get_by_label("Pelapor adalah korban sendiri").is_checked()
    officer.shot("intake-reporter")
    _next(opage, 5)
    _next(opage, 6)
    opage.get_by_label("Ya, setuju").check()  # statistics consent: asked, never pre-ticked
    officer.shot("intake-summary")
    opage.get_by_role("button", name="Simpan kasus").click()
    opage.wait_for_load_state()
    case = Case.objects.get(intake_token=CommunityReport.objects.get().intake_token)
    assert case.intake_channel == IntakeChannel.COMMUNITY
    officer.shot("case-page")

    # The reporter sees "being handled", never the case.
    page.goto(officer.url(f"/laporan-satgas/{report.code}/"))
    page.wait_for_load_state()
    text = page.locator("main").inner_text()
    assert "Sedang ditangani" in text
    assert case.number not in text and "Melati" not in text
