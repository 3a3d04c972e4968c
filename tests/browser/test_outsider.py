"""Someone from another agency who learns a case's address gets nothing: the same 404 page as
for an address that never existed, with nothing of the case on it."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import make_case

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_outsider_from_another_agency_gets_the_not_found_page(journey, e2e_world):
    case = make_case(
        e2e_world.user("intake_own"),
        victims=[
            {
                "name": "Melati Sintetis",
                "sex": "P",
                "birth_date": dt.date(2013, 4, 2),
                "violence_form_ids": ["seksual"],
            }
        ],
    )
    address = reverse("cases:detail", kwargs={"code": case.code})
    page = journey.page

    journey.login("case_worker_other")
    journey.goto(address, expect_status=404)
    html = page.content()
    for secret in (case.number, "Melati", "Sintetis"):
        assert secret not in html, f"the 404 page shows {secret!r}"
    assert page.locator("html").get_attribute("lang") == "id"
    outsider_sees = page.locator("body").inner_text()
    journey.shot("not-found-for-outsider")

    never_existed = address.replace(str(case.code), "00000000-0000-4000-8000-000000000000")
    journey.goto(never_existed, expect_status=404)
    assert page.locator("body").inner_text() == outsider_sees, (
        "the page must not tell an existing case from one that never existed"
    )
