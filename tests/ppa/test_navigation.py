"""The menu marks the section the user is in, once, and none on a page that does not exist."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def current(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)" aria-current="page">', html)


def test_menu_marks_the_longest_matching_section(client, world):
    client.force_login(world.users["case_worker_own"])
    assert current(client.get(reverse("cases:list")).text) == [reverse("cases:list")]
    intake = client.get(reverse("cases:intake"), follow=True).text
    assert current(intake) == [reverse("cases:intake")]  # not "Kasus" as well


def test_no_section_is_current_on_a_page_not_found(client, world):
    client.force_login(world.users["case_worker_own"])
    response = client.get(reverse("cases:list") + "tidak-ada/")
    assert response.status_code == 404
    assert current(response.text) == []
