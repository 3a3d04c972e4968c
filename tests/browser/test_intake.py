"""An intake officer, on a phone, registers a sexual-violence case against a child with two
perpetrators: the stepped form, a draft that survives a dropped connection and a break, and the
case page at the end."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, PersonRole
from ppa.models import User

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _next(page) -> None:
    page.get_by_role("button", name="Simpan & lanjut").click()
    page.wait_for_load_state()


def test_intake_officer_registers_a_child_sexual_violence_case_on_a_phone(new_journey):
    journey = new_journey("intake", phone=True)
    page = journey.page
    today = timezone.localdate()
    reported = today - dt.timedelta(days=1)
    incident = today - dt.timedelta(days=3)
    birth = dt.date(today.year - 9, 3, 14)

    journey.login("intake_own")
    journey.shot("home")
    journey.nav("Pengaduan baru")  # the phone's menu button, then the link
    assert "Langkah 1 dari 6" in page.locator(".steps__count").inner_text()

    # Step 1: the complaint and the incident.
    page.get_by_label("Cara pengaduan").select_option("walk_in")
    page.get_by_label("Tanggal pelaporan").fill(reported.isoformat())
    page.get_by_label("Jenis kasus").select_option("ampk")
    page.get_by_label("Tingkat risiko").select_option("high")
    page.get_by_label("Tanggal kejadian", exact=True).fill(incident.isoformat())
    page.get_by_label("Tempat kejadian").select_option("rumah_tangga")
    page.get_by_label("Kecamatan TKP").select_option(index=1)
    page.get_by_label("Kronologi / deskripsi kasus").fill(
        "Ibu korban melaporkan bahwa anaknya mengalami kekerasan seksual oleh dua orang "
        "tetangga. Kronologi sintetis untuk pengujian."
    )
    journey.shot("step1-incident")
    _next(page)

    # Step 2: the child victim; a form of sexual violence that UU TPKS names.
    assert "Langkah 2 dari 6" in page.locator(".steps__count").inner_text()
    victim = page.get_by_role("group", name="Korban 1")
    victim.get_by_label("Nama").fill("Mawar Sintetis")
    victim.get_by_label("Jenis kelamin").select_option("P")
    victim.get_by_role("textbox", name="Tanggal lahir").fill(birth.isoformat())
    victim.get_by_label("Seksual", exact=True).check()
    victim.get_by_text("Rincian menurut undang-undang").click()
    victim.get_by_label("Persetubuhan / perbuatan cabul terhadap anak").check()
    journey.shot("step2-victim")

    _next(page)

    # Step 3: two perpetrators, each with the relationship to the child.
    assert "Langkah 3 dari 6" in page.locator(".steps__count").inner_text()
    _fill_perpetrators(page)
    journey.shot("step3-perpetrators")

    # The connection drops while saving step 3: the browser shows its own error page.
    journey.context.set_offline(True)
    page.get_by_role("button", name="Simpan & lanjut").click()
    page.wait_for_load_state()
    journey.context.set_offline(False)
    journey.forgive("ERR_INTERNET_DISCONNECTED")

    # Back online, the officer finds the draft from the intake page: steps 1 and 2 are kept.
    journey.goto("/")
    page.get_by_role("link", name="Pengaduan baru").first.click()
    page.get_by_role("link", name="Anda punya 1 draf yang belum selesai.").click()
    page.wait_for_load_state()
    journey.shot("drafts")
    page.get_by_role("link", name="Lanjutkan").click()
    page.wait_for_load_state()
    assert "Langkah 3 dari 6" in page.locator(".steps__count").inner_text()
    done = page.locator(".steps__item--done").all_inner_texts()
    assert any("Korban" in d for d in done), f"the victim step is not kept: {done}"

    # The perpetrators never reached the server: typed again, then a break ("finish later").
    _fill_perpetrators(page)
    page.get_by_role("button", name="Simpan draf, lanjutkan nanti").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Lanjutkan").click()
    page.wait_for_load_state()
    second = page.get_by_role("group", name="Terlapor 2")
    assert second.get_by_label("Nama").input_value() == "Terlapor Dua Sintetis"
    _next(page)

    # Step 4: the mother reported it.
    assert "Langkah 4 dari 6" in page.locator(".steps__count").inner_text()
    reporter = page.get_by_role("group", name="Pelapor", exact=True)
    reporter.get_by_label("Pelapor adalah korban sendiri").uncheck()
    reporter.get_by_label("Nama").fill("Ibu Korban Sintetis")
    reporter.get_by_label("Hubungan dengan korban").fill("Ibu kandung")
    journey.shot("step4-reporter")
    _next(page)

    # Step 5 has nothing for this case type; step 6: consent and the summary.
    _next(page)
    assert "Langkah 6 dari 6" in page.locator(".steps__count").inner_text()
    summary = page.locator("main").inner_text()
    for expected in ("Mawar Sintetis", "Terlapor Satu Sintetis", "Terlapor Dua Sintetis"):
        assert expected in summary
    page.get_by_label("Korban/wali setuju data dibagikan ke lembaga mitra bila dirujuk").check()
    page.get_by_label("Ya, setuju").check()  # statistics consent: asked, never pre-ticked
    journey.shot("step6-summary")
    page.get_by_role("button", name="Simpan kasus").click()
    page.wait_for_load_state()

    case = Case.objects.get(agency=page_agency(journey))
    assert page.url.endswith(reverse("cases:detail", kwargs={"code": case.code}))
    assert case.number in page.locator("main").inner_text()
    assert case.people.filter(role=PersonRole.PERPETRATOR).count() == 2
    journey.shot("case-page")
    # The phone layout: nothing wider than the screen.
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the case page scrolls sideways by {overflow}px on a phone"


def _fill_perpetrators(page) -> None:
    for n, (name, age) in enumerate(
        [("Terlapor Satu Sintetis", "34"), ("Terlapor Dua Sintetis", "41")], start=1
    ):
        if n > 1 and not page.get_by_role("group", name=f"Terlapor {n}").count():
            page.get_by_role("button", name="Tambah terlapor").click()
            page.wait_for_load_state()
        person = page.get_by_role("group", name=f"Terlapor {n}")
        person.get_by_label("Hubungan dengan").select_option("tetangga")
        person.get_by_label("Nama").fill(name)
        person.get_by_label("Jenis kelamin").select_option("L")
        person.get_by_label("Usia (bila tanggal lahir tidak diketahui)").fill(age)


def page_agency(journey):
    return User.objects.get(username="intake_own").agency
