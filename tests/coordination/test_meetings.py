"""Coordination meetings: what the convening office, the invited agencies and the assigned
agency see and do; the overdue scan on working days; the minutes PDF; no case data."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from coordination import services
from coordination.models import ActionNotice, ActionStatus, FollowUpAction, Meeting
from reports.models import MeetingPack, ReportRun
from tests.coordination.helpers import make_decision, make_meeting
from tests.factories import make_case
from tests.reports.test_pdf import pdf_text

pytestmark = pytest.mark.django_db
WIB = ZoneInfo("Asia/Jakarta")


def test_official_creates_a_meeting_with_invitations_and_agenda(client, world):
    official = world.users["official_own"]
    client.force_login(official)
    response = client.post(
        reverse("coordination:create"),
        {
            "title": "Rakor Perlindungan Anak 2026",
            "starts_at": "2026-03-02T09:00",
            "place": "Aula Balai Kota",
            "invited": [world.agencies["police_own"].pk, world.agencies["uptd_own"].pk],
            "guests": "Kepala Desa Koto Baru\nLSM Nurani Perempuan",
            "agenda": "Paparan data\n\nRencana aksi",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("coordination:detail", kwargs={"code": meeting.code})
    assert meeting.convening_agency == world.agencies["dinas_own"]
    assert sorted(meeting.invitations.values_list("agency__name", flat=True)) == [
        "DP3AP2KB Payakumbuh",
        "UPTD PPA Payakumbuh",
        "Unit PPA Polres Payakumbuh",
    ]
    assert list(meeting.agenda.values_list("position", "title")) == [
        (1, "Paparan data"),
        (2, "Rencana aksi"),
    ]
    page = client.get(response["Location"]).content.decode()
    assert "Kepala Desa Koto Baru" in page and "Rencana aksi" in page
    assert meeting.history.count() == 1


def test_an_agency_of_another_city_cannot_be_invited(client, world):
    client.force_login(world.users["official_own"])
    response = client.post(
        reverse("coordination:create"),
        {
            "title": "Rakor",
            "starts_at": "2026-03-02T09:00",
            "place": "Aula",
            "invited": [world.agencies["police_other"].pk],
            "agenda": "Paparan data",
        },
    )
    assert response.status_code == 200  # shown again with its message
    assert "Rakor" in response.content.decode()  # the input is kept
    assert not Meeting.objects.exists()


def test_police_unit_sees_its_action_in_the_inbox_and_completes_it(client, world):
    meeting = make_meeting(world)
    _decision, action = make_decision(world, meeting)
    police = world.users["partner_own"]
    assert ActionNotice.objects.filter(user=police, kind="assigned").count() == 1
    client.force_login(police)
    inbox = client.get(reverse("referrals:inbox")).content.decode()
    assert "Unit PPA menjadwalkan pemeriksaan saksi." in inbox
    url = reverse("coordination:action", kwargs={"code": action.code})
    assert (
        client.post(url, {"status": "in_progress", "note": "Saksi dipanggil."}).status_code == 302
    )
    response = client.post(url, {"status": "done", "note": "Pemeriksaan selesai."})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.completed_at is not None
    assert list(action.updates.values_list("note", flat=True)) == [
        "Saksi dipanggil.",
        "Pemeriksaan selesai.",
    ]
    assert "Unit PPA menjadwalkan" not in client.get(reverse("referrals:inbox")).content.decode()
    # The convening official hears of each step; a done action takes no more notes.
    assert (
        ActionNotice.objects.filter(user=world.users["official_own"], kind="updated").count() == 2
    )
    assert client.post(url, {"status": "done", "note": "Lagi."}).status_code == 403
    assert action.history.count() == 3


def test_later_meeting_shows_open_actions_of_earlier_ones(client, world):
    first = make_meeting(world, days_ago=90, title="Rakor triwulan I")
    _d, open_action = make_decision(world, first)
    _d2, done_action = make_decision(world, first)
    services.action_progress(
        actor=world.users["partner_own"], action=done_action, status="done", note="Selesai."
    )
    later = make_meeting(world, title="Rakor triwulan II")
    client.force_login(world.users["official_own"])
    page = client.get(reverse("coordination:detail", kwargs={"code": later.code})).content.decode()
    section = page.split('class="coord-earlier"')[1].split("</section>")[0]
    assert "Rakor triwulan I" in section
    assert reverse("coordination:action", kwargs={"code": open_action.code}) in section
    assert reverse("coordination:action", kwargs={"code": done_action.code}) not in section


def test_overdue_action_reminds_then_escalates_on_working_days(world):
    meeting = make_meeting(world, starts_at=dt.datetime(2026, 5, 4, 9, tzinfo=WIB))
    # Due Wednesday 13 May 2026; the 14th and 15th are holidays (Ascension, cuti bersama).
    _d, action = make_decision(world, meeting, due=dt.date(2026, 5, 13))
    assert action.overdue_at == dt.datetime(2026, 5, 18, 8, tzinfo=WIB)
    assert services.actions_overdue_scan(now=dt.datetime(2026, 5, 17, 20, tzinfo=WIB)) == {
        "actions_reminded": 0,
        "actions_escalated": 0,
    }
    counts = services.actions_overdue_scan(now=dt.datetime(2026, 5, 18, 9, tzinfo=WIB))
    assert counts == {"actions_reminded": 1, "actions_escalated": 0}
    police = world.users["partner_own"]
    assert ActionNotice.objects.filter(user=police, kind="reminder").count() == 1
    # Not again the same day; the convening office hears of it one working day later.
    assert services.actions_overdue_scan(now=dt.datetime(2026, 5, 18, 12, tzinfo=WIB)) == {
        "actions_reminded": 0,
        "actions_escalated": 0,
    }
    counts = services.actions_overdue_scan(now=dt.datetime(2026, 5, 19, 9, tzinfo=WIB))
    assert counts == {"actions_reminded": 0, "actions_escalated": 1}
    heads = ActionNotice.objects.filter(kind="escalation").values_list("user__username", flat=True)
    assert list(heads) == ["official_own"]
    assert services.actions_overdue_scan(now=dt.datetime(2026, 6, 1, tzinfo=WIB)) == {
        "actions_reminded": 0,
        "actions_escalated": 0,
    }


def test_overdue_scan_mails_a_link_and_never_case_data(world, django_capture_on_commit_callbacks):
    world.users["partner_own"].email = "polisi@example.org"
    world.users["partner_own"].save()
    meeting = make_meeting(world, starts_at=dt.datetime(2026, 5, 4, 9, tzinfo=WIB))
    make_decision(world, meeting, due=dt.date(2026, 5, 13))
    with django_capture_on_commit_callbacks(execute=True):
        services.actions_overdue_scan(now=dt.datetime(2026, 5, 18, 9, tzinfo=WIB))
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["polisi@example.org"]
    assert "/rakor/tindak-lanjut/" in mail.outbox[0].body


def test_minutes_show_a_typed_case_number_but_never_the_case(client, world):
    case = make_case(world.users["case_worker_own"])
    victim = case.people.get(role="victim")
    meeting = make_meeting(world)
    client.force_login(world.users["official_own"])
    url = reverse("coordination:minutes", kwargs={"code": meeting.code})
    text = f"Kasus {case.number} dibahas: perlu pendampingan psikolog."
    assert client.post(url, {"item_1": text, "item_2": ""}).status_code == 302
    page = client.get(reverse("coordination:detail", kwargs={"code": meeting.code}))
    html = page.content.decode()
    assert case.number in html
    assert (
        victim.name not in html and reverse("cases:detail", kwargs={"code": case.code}) not in html
    )
    pdf = client.get(reverse("reports:meeting_minutes", kwargs={"code": meeting.code}))
    text = pdf_text(pdf.content)
    assert case.number in text and victim.name not in text


def test_minutes_pdf_lists_attendance_decisions_and_done_actions(client, world):
    dinas = world.agencies["dinas_own"]
    dinas.head_name, dinas.head_title = "Dra. Contoh Kepala", "Kepala Dinas PPPA"
    dinas.save()
    meeting = make_meeting(world)
    _d, action = make_decision(world, meeting)
    official = world.users["official_own"]
    invitations = {i.agency.kind: i.pk for i in meeting.invitations.select_related("agency")}
    services.attendance_record(
        actor=official,
        meeting=meeting,
        present={invitations["police_ppa"]: (True, "AKP Contoh, Kanit PPA")},
    )
    services.action_progress(
        actor=world.users["partner_own"], action=action, status="done", note="Selesai."
    )
    client.force_login(world.users["partner_own"])
    response = client.get(reverse("reports:meeting_minutes", kwargs={"code": meeting.code}))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "NOTULEN RAPAT KOORDINASI" in text and "DP3AP2KB PAYAKUMBUH" in text
    assert "AKP Contoh, Kanit PPA" in text
    assert "Percepat pemeriksaan kasus anak." in text
    # The follow-up table: the action, its agency and "Selesai (<date>)" as its status.
    assert "menjadwalkan" in text and "Selesai (" in text
    assert "Dra. Contoh Kepala" in text


def test_statistics_pack_is_generated_and_linked(client, world, django_capture_on_commit_callbacks):
    meeting = make_meeting(world)
    client.force_login(world.users["official_own"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:meeting_pack", kwargs={"code": meeting.code}),
            {"region": "13.76", "year": "2025", "edition": "public", "language": "id"},
        )
    assert response.status_code == 302
    pack = MeetingPack.objects.get(meeting=meeting)
    run = pack.run
    assert (run.edition, run.params["year_to"], run.params["region_code"]) == (
        "public",
        2025,
        "13.76",
    )
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE
    page = client.get(reverse("coordination:detail", kwargs={"code": meeting.code}))
    assert reverse("reports:run_download", kwargs={"code": run.code}) in page.content.decode()


def test_statistics_pack_may_be_a_periodic_report(
    client, world, django_capture_on_commit_callbacks
):
    meeting = make_meeting(world)
    client.force_login(world.users["official_own"])
    url = reverse("reports:meeting_pack", kwargs={"code": meeting.code})
    form = client.get(url).content.decode()
    assert 'value="triwulan"' in form and 'value="rentang"' in form
    quarter = {"region": "13.76", "period": "triwulan", "year": "2025", "period_number": "1"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, quarter | {"edition": "internal", "language": "id"})
    assert response.status_code == 302
    run = MeetingPack.objects.get(meeting=meeting).run
    assert (run.params["period"], run.params["date_from"], run.params["date_to"]) == (
        "triwulan",
        "2025-01-01",
        "2025-03-31",
    )
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE
    page = client.get(reverse("coordination:detail", kwargs={"code": meeting.code}))
    assert "Triwulan I 2025" in page.content.decode()

    a_range = {"region": "13.76", "period": "rentang", "year": "2025"}
    a_range |= {"date_from": "2025-02-10", "date_to": "2025-05-20", "edition": "public"}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, a_range | {"language": "id"}).status_code == 302
    assert MeetingPack.objects.filter(meeting=meeting, run__params__period="rentang").exists()


def test_statistics_pack_refuses_a_period_not_begun_or_without_its_number(client, world):
    meeting = make_meeting(world)
    client.force_login(world.users["official_own"])
    url = reverse("reports:meeting_pack", kwargs={"code": meeting.code})
    base = {"region": "13.76", "edition": "internal", "language": "id"}
    year = timezone.localdate().year
    for data, message in (
        ({"period": "bulan", "year": str(year)}, "Pilih bulan, triwulan atau semester ke-berapa."),
        ({"period": "semester", "year": str(year), "period_number": "3"}, "paling besar 2"),
        ({"period": "rentang", "year": str(year), "date_from": f"{year}-01-01"}, "Isi tanggal"),
    ):
        response = client.post(url, base | data)
        assert response.status_code == 400 and message in response.content.decode(), data
    if timezone.localdate().month < 12:
        response = client.post(
            url, base | {"period": "bulan", "year": str(year), "period_number": "12"}
        )
        assert "Periode ini belum dimulai." in response.content.decode()
    assert not MeetingPack.objects.exists()


def test_statistics_pack_refuses_a_region_outside_the_authority(client, world):
    meeting = make_meeting(world)
    client.force_login(world.users["official_own"])
    response = client.post(
        reverse("reports:meeting_pack", kwargs={"code": meeting.code}),
        {"region": "13.07", "year": "2025", "edition": "internal", "language": "id"},
    )
    assert response.status_code == 400
    assert "Wilayah ini di luar kewenangan Anda." in response.content.decode()
    assert not MeetingPack.objects.exists()


def test_action_for_agency_outside_the_region_is_refused(client, world):
    meeting = make_meeting(world)
    client.force_login(world.users["official_own"])
    response = client.post(
        reverse("coordination:decision", kwargs={"code": meeting.code}),
        {
            "text": "Keputusan uji.",
            "action_agency": world.agencies["police_other"].pk,
            "action_description": "Tidak boleh.",
            "action_due": "2099-01-01",
        },
    )
    assert response.status_code == 200  # shown again with its message
    assert "Keputusan uji." in response.content.decode()
    assert not FollowUpAction.objects.exists()
