"""The sending UPTD prints the referral letter of an approved referral: the letter page, the
download (the original), a second download marked SALINAN, and the police unit verifying it."""

import pytest

from tests.paperwork.helpers import pdf_text
from tests.referrals.helpers import make_referral

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_case_worker_prints_the_referral_letter_and_police_verify_it(new_journey, e2e_world):
    referral = make_referral(e2e_world, status="delivered")
    worker = new_journey("letter-case-worker")
    page = worker.page
    # Tests run the PDF task eagerly inside the request (a worker would answer at once and the
    # page follow it): the first render also loads WeasyPrint.
    page.set_default_navigation_timeout(120_000)
    worker.login("case_worker_own")
    worker.goto(f"/rujukan/{referral.code}/")
    page.get_by_role("button", name="Cetak surat rujukan").click(timeout=120_000)
    page.wait_for_load_state()
    download_link = page.get_by_role("link", name="Unduh PDF")
    download_link.wait_for(state="visible", timeout=120_000)
    worker.shot("letter-ready")

    with page.expect_download() as info:
        download_link.click()
    original = worker.dir / "surat-rujukan.pdf"
    info.value.save_as(original)
    text = pdf_text(original.read_bytes())
    assert "SURAT RUJUKAN" in text and referral.case.number in text
    assert "SALINAN" not in text and "Korban Sintetis" not in text  # identity not shared
    checksum = text.split("checksum ")[1].split(".")[0]

    page.reload()
    with page.expect_download() as info:
        page.get_by_role("link", name="Unduh PDF").click()
    copy = worker.dir / "surat-rujukan-salinan.pdf"
    info.value.save_as(copy)
    assert "SALINAN" in pdf_text(copy.read_bytes())
    assert info.value.suggested_filename.endswith("-salinan.pdf")

    police = new_journey("letter-police")
    police.login("partner_own")
    police.goto("/dokumen/verifikasi/")
    police.page.get_by_label("Kode rujukan").fill(str(referral.code))
    police.page.get_by_label("Checksum").fill(checksum)
    police.page.get_by_role("button", name="Periksa").click()
    police.page.wait_for_load_state()
    assert "Surat ini asli." in police.page.inner_text("main")
    police.shot("letter-verified")
