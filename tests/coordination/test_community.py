"""Community task-force reports: sent from a short form, triaged by the UPTD PPA, turned into
an intake (prefilled, channel "laporan masyarakat/Satgas") or closed with a reason; the
reporter only ever sees the status."""

import pytest
from django.urls import reverse

from cases.models import IntakeChannel, IntakeDraft
from coordination import services
from coordination.models import CommunityReport, CommunityReportStatus
from tests.coordination.community import WHAT, make_report, village
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def test_member_sends_a_report_from_the_short_form(client, world):
    member = world.users["task_force_own"]
    client.force_login(member)
    form = client.get(reverse("community:create")).content.decode()
    assert village().name in form and "Nama" not in form.split("<form")[1].split("</form>")[0]
    response = client.post(
        reverse("community:create"),
        {
            "what_happened": WHAT,
            "village": village().code,
            "at_risk_age": "6-12",
            "at_risk_sex": "P",
            "urgency": "emergency",
            "consent_to_contact": "on",
            "contact": "0812-3456-7890",
        },
    )
    report = CommunityReport.objects.get()
    assert response.status_code == 302
    assert (report.uptd, report.task_force, report.status) == (
        world.uptd,
        world.agencies["satgas_own"],
        CommunityReportStatus.RECEIVED,
    )
    assert report.history.count() == 1


def test_contact_without_consent_is_refused_and_input_kept(client, world):
    client.force_login(world.users["task_force_own"])
    response = client.post(
        reverse("community:create"),
        {
            "what_happened": WHAT,
            "village": village().code,
            "at_risk_age": "6-12",
            "at_risk_sex": "P",
            "urgency": "normal",
            "contact": "0812-3456-7890",
        },
    )
    assert response.status_code == 200  # shown again with its message
    html = response.content.decode()
    assert "Centang persetujuan untuk dihubungi" in html and "0812-3456-7890" in html
    assert not CommunityReport.objects.exists()


def test_report_lands_in_own_uptd_queue_only(client, world):
    report = make_report(world)
    client.force_login(world.users["intake_own"])
    queue = client.get(reverse("community:list")).content.decode()
    assert reverse("community:detail", kwargs={"code": report.code}) in queue
    client.force_login(world.users["intake_other"])
    assert str(report.code) not in client.get(reverse("community:list")).content.decode()


def test_report_becomes_a_case_through_the_intake_and_the_reporter_sees_status_only(client, world):
    report = make_report(world)
    officer = world.users["intake_own"]
    client.force_login(officer)
    response = client.post(reverse("community:start_intake", kwargs={"code": report.code}))
    draft = IntakeDraft.objects.get(owner=officer)
    assert response["Location"] == reverse(
        "cases:intake_step", kwargs={"code": draft.code, "step": "kejadian"}
    )
    step = client.get(response["Location"]).content.decode()
    assert 'value="community" selected' in step and WHAT in step
    assert f'value="{village().code}" selected' in step
    report.refresh_from_db()
    assert report.status == CommunityReportStatus.IN_PROGRESS
    assert report.intake_token == draft.token

    # The officer completes the intake (the case carries the draft's token).
    case = make_case(
        officer,
        intake_token=draft.token,
        intake_channel=IntakeChannel.COMMUNITY,
        victims=[{"name": "Korban Rahasia Satgas"}],
    )
    detail = client.get(reverse("community:detail", kwargs={"code": report.code})).content.decode()
    assert reverse("cases:detail", kwargs={"code": case.code}) in detail

    client.force_login(world.users["task_force_own"])
    for url in (
        reverse("community:detail", kwargs={"code": report.code}),
        reverse("community:list"),
    ):
        html = client.get(url).content.decode()
        assert "Sedang ditangani" in html
        assert case.number not in html and "Korban Rahasia Satgas" not in html
        assert WHAT not in html and str(case.code) not in html
    assert client.get(reverse("cases:detail", kwargs={"code": case.code})).status_code in (403, 404)
    with pytest.raises(services.CoordinationError):
        services.community_report_close(actor=officer, report=report, reason="Salah.")


def test_the_intake_is_prefilled_beyond_the_first_step(client, world):
    report = make_report(world, contact="0812-3456-7890")
    member = world.users["task_force_own"]
    client.force_login(world.users["intake_own"])
    response = client.post(reverse("community:start_intake", kwargs={"code": report.code}))
    draft = IntakeDraft.objects.get(owner=world.users["intake_own"])

    def step(key: str) -> str:
        url = reverse("cases:intake_step", kwargs={"code": draft.code, "step": key})
        return client.get(url).content.decode()

    first = client.get(response["Location"]).content.decode()
    link = reverse("community:detail", kwargs={"code": report.code})
    for html in (first, step("korban"), step("pelapor")):  # a link back to the report, always
        assert f'href="{link}"' in html and "Anak 6-12 tahun, Perempuan" in html
    victim = step("korban")
    assert '<option value="P" selected>' in victim  # the sex of the person at risk
    assert "Ada isian yang perlu diperbaiki" not in victim  # no errors before the officer types
    reporter = step("pelapor")
    assert f'value="{member.get_full_name()}"' in reporter
    assert 'value="0812-3456-7890"' in reporter and world.agencies["satgas_own"].name in reporter
    assert draft.step == "kejadian"  # the drafts list opens it at the first step


def test_no_contact_without_consent_in_the_prefilled_reporter(client, world):
    report = make_report(world, contact="")
    client.force_login(world.users["intake_own"])
    client.post(reverse("community:start_intake", kwargs={"code": report.code}))
    draft = IntakeDraft.objects.get(owner=world.users["intake_own"])
    assert draft.data["pelapor"]["r-phone"] == [""]


def test_closing_needs_a_reason_and_the_reporter_sees_closed(client, world):
    report = make_report(world)
    client.force_login(world.users["supervisor_own"])
    url = reverse("community:close", kwargs={"code": report.code})
    refused = client.post(url, {"reason": ""})
    assert (
        refused.status_code == 200 and "Bidang ini tidak boleh kosong." in refused.content.decode()
    )
    assert client.post(url, {"reason": "Sudah ditangani kelurahan."}).status_code == 302
    report.refresh_from_db()
    assert report.status == CommunityReportStatus.CLOSED
    client.force_login(world.users["task_force_own"])
    html = client.get(reverse("community:detail", kwargs={"code": report.code})).content.decode()
    assert "Ditutup" in html and "Sudah ditangani kelurahan." not in html
