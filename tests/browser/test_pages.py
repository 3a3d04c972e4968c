"""The main pages on a phone (390×844) and a desk screen (1366×900): login, case list, case
page, intake step 1, dashboard, referral inbox. On each: a screenshot and axe-core (no serious
or critical violation), no console error (the journey fixture), no sideways scrolling on the
phone, tap targets of at least 44 px on the phone, no chart text under 11 px. And what a person
should manage on them: the menu behind its button, the list filtered in place with the address
following, the services of a long case one tap away, the year's headline and trend on a desk
screen without scrolling, a table section opened on demand."""

import datetime as dt

import pytest
from django.utils import timezone

from cases import services
from cases.models import PersonRole
from tests.browser.conftest import DESK, PHONE
from tests.factories import make_case

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# Interactive elements that are not links inside running text (WCAG 2.5.8 exempts those):
# their box, or for a checkbox or radio button the label around it, must be 44 px each way.
MEASURE_JS = """() => {
  const doc = document.documentElement;
  const out = {sideways: doc.scrollWidth - doc.clientWidth, small: [], chartText: []};
  const sel = 'a, button, summary, select, textarea, input:not([type=hidden])';
  for (const el of document.querySelectorAll(sel)) {
    if (el.closest('.skip-link') || !el.checkVisibility({visibilityProperty: true})) continue;
    let box = el;
    if (el.matches('input[type=checkbox], input[type=radio]')) box = el.closest('label') || el;
    const style = getComputedStyle(box);
    if (el.tagName === 'A' && style.display === 'inline') continue;
    const r = box.getBoundingClientRect();
    if (!r.width || !r.height || style.visibility === 'hidden') continue;
    if (r.height < 43.5 || r.width < 43.5) {
      out.small.push(`${el.tagName.toLowerCase()} "${(el.innerText || el.name || '').trim()
        .slice(0, 40)}" ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
  }
  for (const t of document.querySelectorAll('svg.chart text')) {
    const svg = t.ownerSVGElement;
    const m = svg.getScreenCTM();
    if (!m || !svg.getBoundingClientRect().width) continue;
    const px = parseFloat(getComputedStyle(t).fontSize) * m.a;
    if (px < 10.95) out.chartText.push(`"${t.textContent.slice(0, 30)}" ${px.toFixed(1)} px`);
  }
  return out;
}"""


def check(journey, label: str, *, phone: bool) -> None:
    """Screenshot, axe, and the measurements of the page as it is now."""
    journey.shot(label)
    found = journey.page.evaluate(MEASURE_JS)
    where = f"{label} ({journey.page.url})"
    assert found["chartText"] == [], f"chart text under 11 px on {where}: {found['chartText']}"
    if phone:
        assert found["sideways"] <= 0, f"{where} scrolls sideways by {found['sideways']} px"
        assert found["small"] == [], f"tap targets under 44 px on {where}: {found['small']}"


@pytest.fixture
def long_case(e2e_world):
    """A case with two victims, a perpetrator, services, notes and a correction."""
    today = timezone.localdate()
    intake, worker = e2e_world.user("intake_own"), e2e_world.user("case_worker_own")
    case = make_case(
        intake,
        reported_on=today - dt.timedelta(days=20),
        incident_date=today - dt.timedelta(days=25),
        victims=[{}, {"name": "Korban Sintetis Dua", "birth_date": dt.date(2012, 1, 5)}],
        description="Kronologi sintetis yang panjang. " * 40,
    )
    for victim in case.people.filter(role=PersonRole.VICTIM):
        for service in ("pengaduan", "kesehatan", "bantuan_hukum"):
            services.service_record(
                actor=worker,
                case=case,
                victim=victim,
                service_type_id=service,
                given_on=today - dt.timedelta(days=10),
                provider=worker.agency,
            )
    for n in range(3):
        services.case_record_add(
            actor=worker, case=case, kind="progress", body=f"Catatan perkembangan {n + 1}."
        )
    case.refresh_from_db()
    services.case_update(
        actor=worker,
        case=case,
        version=case.version,
        changes={"risk_level": "high"},
        reason="Ancaman baru dari terlapor",
    )
    for n in range(4):  # more rows for the list
        make_case(intake, reported_on=today - dt.timedelta(days=3 + n), risk_level="low")
    return case


@pytest.mark.parametrize("size", ["phone", "desk"])
def test_case_worker_pages(new_journey, long_case, size):
    phone = size == "phone"
    journey = new_journey(size, viewport=PHONE if phone else DESK, phone=phone)
    page = journey.page

    journey.goto("/masuk/")
    check(journey, "login", phone=phone)
    journey.login("case_worker_own")

    # The header is one row; on a phone the menu opens from its button, without JavaScript.
    header = page.locator(".topbar").bounding_box()
    assert header and header["height"] <= 64, f"header {header}"
    if phone:
        assert not page.locator(".nav").is_visible()
        page.locator(".menu__button").click()
        assert page.locator(".nav").get_by_role("link", name="Kasus").is_visible()
        journey.shot("menu-open", axe=False)
    journey.nav("Kasus")
    check(journey, "case-list", phone=phone)

    # A filter updates the results in place (no new page) and the address follows it.
    page.evaluate("() => { window.samePage = true; }")
    page.locator(".filters > summary").first.click()
    with page.expect_response(lambda r: "risiko=high" in r.url):
        page.get_by_label("Risiko").select_option("high")
    page.wait_for_url("**/kasus/?*risiko=high*")
    assert page.evaluate("() => window.samePage === true"), "the page was not reloaded"
    page.locator("#case-results").get_by_text(long_case.number).wait_for()
    assert page.locator("#case-results tbody tr").count() == 1
    check(journey, "case-list-filtered", phone=phone)
    page.go_back()
    page.wait_for_url("**/kasus/")
    page.locator("#case-results tbody tr").nth(4).wait_for()

    # The case page: its services one tap away from the index that stays on screen.
    journey.goto(f"/kasus/{long_case.code}/")
    check(journey, "case-page", phone=phone)
    page.locator(".case-index").get_by_role("link", name="Layanan").click()
    heading = page.locator("#services-title")
    page.wait_for_function(
        "() => { const r = document.querySelector('#services-title').getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= innerHeight; }"
    )
    assert heading.is_visible() and page.locator(".case-index").is_visible()
    assert page.locator("table.services tbody tr").count() == 6
    journey.shot("case-page-services", axe=False)
    page.locator("#history > summary").click()
    history = page.locator("#history .history__item")
    assert "mengubah Kasus: tingkat risiko" in history.first.inner_text()
    assert "Ancaman baru dari terlapor" in history.first.inner_text()

    journey.goto("/kasus/pengaduan/")
    check(journey, "intake-step-1", phone=phone)
    assert page.get_by_label("Tanggal pelaporan").get_attribute("type") == "date"

    journey.goto("/rujukan/")
    check(journey, "inbox", phone=phone)


@pytest.mark.parametrize("size", ["phone", "desk"])
def test_official_dashboard(new_journey, long_case, size):
    phone = size == "phone"
    journey = new_journey(size, viewport=PHONE if phone else DESK, phone=phone)
    page = journey.page
    journey.login("official_own")
    journey.nav("Statistik")
    check(journey, "dashboard", phone=phone)

    figures = page.locator(".headline__figure")
    assert figures.count() == 3 and "Kasus" in figures.first.inner_text()
    if not phone:  # the year's headline and its trend, without scrolling
        trend = page.locator(".chart-box--trend").bounding_box()
        assert trend and trend["y"] + trend["height"] <= DESK["height"], trend
    assert page.locator("#t-victims_form").count() == 1  # a top breakdown, in the page

    # Another section's tables load when it is opened, and stay downloadable.
    section = page.locator("#s-victims")
    assert section.locator("#t-victims_sex").count() == 0
    section.locator("summary").click()
    section.locator("#t-victims_sex").wait_for(state="attached")
    section.get_by_role("button", name="Unduh CSV").wait_for()
    check(journey, "dashboard-section-open", phone=phone)
