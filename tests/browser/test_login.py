"""The first minutes of every user: the login page, a wrong password, the language switch."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_login_page_language_switch_and_home(journey):
    page = journey.page

    journey.goto("/")
    assert "/masuk/" in page.url, "an anonymous visitor is sent to the login page"
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.get_by_role("heading", level=1).inner_text() == "Masuk ke Sinergi PPA"
    journey.shot("login")

    page.locator("#id_username").fill("intake_own")
    page.locator("#id_password").fill("bukan-sandinya-2024")
    page.locator("main form button[type=submit]").click()
    alert = page.get_by_role("alert")
    assert "Nama pengguna atau kata sandi salah" in alert.inner_text()
    assert page.locator("#id_username").input_value() == "intake_own", "the name is kept"
    journey.shot("login-wrong-password")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert "/masuk/" in page.url, "the switch stays on the same page"
    assert page.locator("html").get_attribute("lang") == "en"
    switch_back = page.get_by_role("button", name="Bahasa Indonesia")
    assert switch_back.is_visible()
    journey.shot("login-english")

    switch_back.click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "id"

    journey.login("intake_own")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Selamat datang")
    journey.shot("home-intake")

    page.get_by_role("button", name="Keluar").click()
    page.wait_for_load_state()
    assert "/masuk/" in page.url, "after logging out the person is back at the login page"
