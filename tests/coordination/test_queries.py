"""Pinned query counts of the coordination pages, independent of the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.coordination.community import make_report
from tests.coordination.helpers import make_decision, make_meeting

pytestmark = pytest.mark.django_db


def _fill(world, meetings: int, decisions: int) -> list:
    made = []
    for i in range(meetings):
        meeting = make_meeting(world, days_ago=10 * (meetings - i), title=f"Rakor {i}")
        actions = [make_decision(world, meeting)[1] for _ in range(decisions)]
        made.append((meeting, actions))
    return made


@pytest.mark.parametrize("size", [(1, 1), (3, 3)])
def test_pages_use_a_fixed_number_of_queries(client, world, django_assert_num_queries, size):
    made = _fill(world, *size)
    meeting, actions = made[-1]
    official, police = world.users["official_own"], world.users["partner_own"]
    pages = [
        (official, reverse("coordination:list"), 7),
        (official, reverse("coordination:detail", kwargs={"code": meeting.code}), 13),
        (police, reverse("coordination:actions"), 7),
        (police, reverse("coordination:action", kwargs={"code": actions[0].code}), 4),
    ]
    for user, url, count in pages:
        client.force_login(user)
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200


COMMUNITY_PAGES = {
    "queue": 6,
    "triage detail": 3,
    "my reports": 6,
    "status": 3,
    "form": 3,
}


@pytest.mark.parametrize("count", [1, 4])
def test_community_pages_use_a_fixed_number_of_queries(client, world, count):
    reports = [make_report(world) for _ in range(count)]
    officer, member = world.users["intake_own"], world.users["task_force_own"]
    detail = reverse("community:detail", kwargs={"code": reports[0].code})
    pages = {
        "queue": (officer, reverse("community:list")),
        "triage detail": (officer, detail),
        "my reports": (member, reverse("community:list")),
        "status": (member, detail),
        "form": (member, reverse("community:create")),
    }
    counts = {}
    for name, (user, url) in pages.items():
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[name] = len(queries.captured_queries)
    assert counts == COMMUNITY_PAGES
