"""The deadline agenda: overdue first, one click to the case, the supervisor sees the agency's
clocks and a case worker those of the cases assigned to them; referral replies owed by the
agency; a personal iCalendar feed with a resettable secret that carries no name."""

import re

import pytest
from django.urls import reverse
from freezegun import freeze_time

from cases.services import case_assign
from paperwork.models import CalendarFeed
from tests.factories import make_case
from tests.referrals.helpers import make_referral

pytestmark = pytest.mark.django_db

# Session, user, agency, OTP device, the page's deadlines and referral replies (overdue and
# upcoming each), and the
# base layout's badges: the same for any number of rows.
QUERIES = 8

REGISTERED = "2024-05-08 03:00:00"  # 10:00 WIB, Wednesday
NEXT_DAY = "2024-05-09 03:00:00"


@pytest.fixture
def case(world):
    with freeze_time(REGISTERED):
        return make_case(world.users["case_worker_own"])  # medium risk: 6 h, and 3 working days


def test_supervisor_sees_overdue_first_with_a_link_to_the_case(client, world, case):
    with freeze_time(NEXT_DAY):
        client.force_login(world.users["supervisor_own"])
        html = client.get(reverse("paperwork:agenda")).content.decode()
    response_at = html.index("Respons kasus risiko sedang")
    follow_up_at = html.index("Tindak lanjut pengaduan")
    assert response_at < follow_up_at  # overdue (6 h) before the coming follow-up
    assert "1 batas waktu terlewati." in html and "terlewati" in html[:follow_up_at]
    assert reverse("cases:detail", kwargs={"code": case.code}) in html
    assert "Korban Sintetis" not in html


def test_case_worker_sees_only_assigned_cases(client, world, case):
    worker = world.users["case_worker_own"]
    with freeze_time(NEXT_DAY):
        client.force_login(worker)
        assert case.number not in client.get(reverse("paperwork:agenda")).content.decode()
        case_assign(
            actor=world.users["supervisor_own"], case=case, version=case.version, worker=worker
        )
        assert case.number in client.get(reverse("paperwork:agenda")).content.decode()


def test_referral_replies_owed_by_the_receiving_uptd(client, world):
    """A referral to the other city's UPTD: its supervisor owes a reply."""
    with freeze_time(REGISTERED):
        referral = make_referral(world, status="delivered", to_agency_id=world.other_uptd.pk)
    with freeze_time(NEXT_DAY):
        client.force_login(world.users["supervisor_other"])
        html = client.get(reverse("paperwork:agenda")).content.decode()
    assert "Jawaban rujukan yang diterima" in html
    assert reverse("referrals:detail", kwargs={"code": referral.code}) in html


def test_far_deadlines_wait_for_a_longer_window(client, world, case):
    with freeze_time("2024-05-08 04:00:00"):
        client.force_login(world.users["supervisor_own"])
        assert "Tindak lanjut" in client.get(reverse("paperwork:agenda")).content.decode()
    with freeze_time("2024-04-20 04:00:00"):
        client.force_login(world.users["supervisor_own"])
        week = client.get(reverse("paperwork:agenda"), {"hari": 7}).content.decode()
        month = client.get(reverse("paperwork:agenda"), {"hari": 28}).content.decode()
    assert case.number not in week and case.number in month


def test_feed_carries_kind_and_number_never_a_name(client, world, case):
    supervisor = world.users["supervisor_own"]
    with freeze_time(NEXT_DAY):
        client.force_login(supervisor)
        page = client.post(reverse("paperwork:agenda_feed_reset")).content.decode()
        url = re.search(r"http://testserver(/dokumen/agenda/[^<\s]+\.ics)", page).group(1)
        client.logout()
        feed = client.get(url)
    body = feed.content.decode()
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    assert body.startswith("BEGIN:VCALENDAR") and body.count("BEGIN:VEVENT") == 2
    assert f"Tindak lanjut pengaduan (3 hari kerja) · {case.number}" in body.replace("\\", "")
    names = [p.name for p in case.people.all()] + [
        supervisor.get_full_name(),
        world.users["case_worker_own"].get_full_name(),
        "Sintetis",
    ]
    assert not [name for name in names if name in body]
    assert str(case.code) not in body  # no link into the app either


def test_reset_makes_the_old_address_stop_working(client, world, case):
    client.force_login(world.users["supervisor_own"])
    first = client.post(reverse("paperwork:agenda_feed_reset")).content.decode()
    old = re.search(r"(/dokumen/agenda/[^<\s]+\.ics)", first).group(1)
    client.post(reverse("paperwork:agenda_feed_reset"))
    assert client.get(old).status_code == 404
    assert CalendarFeed.objects.count() == 1
    assert old.split("/")[-1].removesuffix(".ics") not in CalendarFeed.objects.get().token_hash


def test_agenda_query_count_does_not_grow_with_rows(client, world, django_assert_num_queries):
    client.force_login(world.users["supervisor_own"])
    url = reverse("paperwork:agenda")
    client.get(url)
    with freeze_time(REGISTERED):
        make_case(world.users["case_worker_own"])
    with freeze_time(NEXT_DAY):
        client.force_login(world.users["supervisor_own"])
        client.get(url)
        with django_assert_num_queries(QUERIES):
            client.get(url)
        for _ in range(3):
            with freeze_time(REGISTERED):
                make_case(world.users["case_worker_own"])
        with django_assert_num_queries(QUERIES):
            client.get(url)
