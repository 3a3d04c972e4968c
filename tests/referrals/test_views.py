import re

import pytest
from django.urls import reverse

from ppa.models import AccessLog
from referrals import selectors, services
from referrals.models import Notification, Referral
from tests.factories import make_case
from tests.referrals.helpers import make_referral

pytestmark = pytest.mark.django_db


def form_data(world, case, **overrides):
    victim = case.people.get(role="victim").pk
    return {
        "to_agency": world.agencies["police_own"].pk,
        "services": ["penegakan_hukum", "kesehatan"],
        "victims": [victim],
        "urgency": "emergency",
        "reason": "Perlu visum dan laporan polisi.",
        "shared_groups": ["incident", "victim_needs"],
        "submit": "1",
    } | overrides


def test_full_path_in_the_browser(world, login, django_capture_on_commit_callbacks):
    worker, head, partner = (
        world.users["case_worker_own"],
        world.users["supervisor_own"],
        world.users["partner_own"],
    )
    case = make_case(worker, consent_sharing=True, description="Kronologi RAHASIA-NARASI")
    client = login(worker)
    response = client.get(reverse("referrals:create", kwargs={"code": case.code}))
    assert response.status_code == 200
    # Only what is needed is shared by default.
    page = response.content.decode()
    for group, checked in (("incident", True), ("victim_needs", True), ("narrative", False)):
        found = re.search(rf'name="shared_groups" value="{group}"[^>]*checked', page)
        assert bool(found) is checked, group
    response = client.post(
        reverse("referrals:create", kwargs={"code": case.code}), form_data(world, case)
    )
    referral = Referral.objects.get()
    assert response.status_code == 302 and referral.status == "pending_approval"

    client = login(head)
    inbox = client.get(reverse("referrals:inbox") + "?tab=approval")
    assert {t["key"]: t["count"] for t in inbox.context["tabs"]}["approval"] == 1
    assert case.number in inbox.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("referrals:approve", kwargs={"code": referral.code}))
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "delivered"  # eager Celery in tests: the hand-off ran

    client = login(partner)
    inbox = client.get(reverse("referrals:inbox"))
    assert {t["key"]: t["count"] for t in inbox.context["tabs"]} == {"received": 1, "overdue": 0}
    detail = client.get(reverse("referrals:detail", kwargs={"code": referral.code}))
    page = detail.content.decode()
    assert "Perlu visum dan laporan polisi." in page
    assert "RAHASIA-NARASI" not in page and "Korban Sintetis" not in page  # not shared
    assert AccessLog.objects.filter(user=partner, object_type="referrals.referral").exists()
    assert Notification.objects.filter(user=partner, kind="delivered").count() == 1
    client.post(reverse("referrals:accept", kwargs={"code": referral.code}))
    client.post(
        reverse("referrals:action", kwargs={"code": referral.code}),
        {"action-reason": "Laporan polisi LP/123 dibuat."},
    )
    client.post(reverse("referrals:complete", kwargs={"code": referral.code}))
    referral.refresh_from_db()
    assert referral.status == "completed"

    client = login(worker)
    page = client.get(reverse("referrals:detail", kwargs={"code": referral.code})).content.decode()
    for step in ("Diajukan", "Disetujui", "Terkirim", "Diterima lembaga", "LP/123", "Selesai"):
        assert step in page, step
    panel = selectors.case_referrals(worker, case)
    assert [r.pk for r in panel] == [referral.pk] and panel.can_refer


def test_form_errors_are_next_to_the_field_and_nothing_is_saved(world, login):
    worker = world.users["case_worker_own"]
    case = make_case(worker, consent_sharing=False)
    client = login(worker)
    url = reverse("referrals:create", kwargs={"code": case.code})
    response = client.post(url, form_data(world, case, reason="", services=[]))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["reason"] == ["Alasan wajib diisi."]
    assert form.errors["services"] == ["Pilih sedikitnya satu layanan yang diminta."]
    assert form.errors["consent_override_reason"] == [
        "Isi alasan merujuk tanpa persetujuan korban."
    ]
    assert "Perlu visum dan laporan polisi." not in response.content.decode()  # reason was blanked
    assert 'value="emergency" selected' in response.content.decode()  # what was typed is kept
    # The own agency and the inactive agency are not offered.
    inactive = world.agencies["police_other"]
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    choices = list(client.get(url).context["form"].fields["to_agency"].queryset)
    assert world.uptd not in choices and inactive not in choices
    response = client.post(url, form_data(world, case, to_agency=world.uptd.pk))
    assert "to_agency" in response.context["form"].errors
    assert not Referral.objects.exists()


def test_approving_a_cancelled_referral_shows_a_message(world, login):
    referral = make_referral(world, status="pending_approval")
    login(world.users["case_worker_own"]).post(
        reverse("referrals:cancel", kwargs={"code": referral.code}),
        {"cancel-reason": "Korban pindah."},
    )
    client = login(world.users["supervisor_own"])
    response = client.post(
        reverse("referrals:approve", kwargs={"code": referral.code}), follow=True
    )
    assert "sudah dibatalkan" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "cancelled" and referral.approved_at is None


def test_decline_without_reason_stays_on_page_with_error(world, login):
    referral = make_referral(world, status="delivered")
    client = login(world.users["partner_own"])
    response = client.post(
        reverse("referrals:decline", kwargs={"code": referral.code}), {"decline-reason": " "}
    )
    assert response.status_code == 200
    assert "Alasan wajib diisi." in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "delivered"


def test_declined_referral_hides_its_content_from_the_receiver(world, login):
    referral = make_referral(world, status="declined")
    page = (
        login(world.users["partner_own"])
        .get(reverse("referrals:detail", kwargs={"code": referral.code}))
        .content.decode()
    )
    assert referral.reason not in page
    assert "Di luar wilayah." in page  # their own reason stays on the timeline


@pytest.mark.parametrize("n", [1, 6])
def test_inbox_query_count_is_fixed(world, login, django_assert_num_queries, n):
    for _ in range(n):
        make_referral(world, status="delivered")
    for persona, tab in (("supervisor_own", "sent"), ("partner_own", "received")):
        client = login(world.users[persona])
        # session, user with agency, tab counts (one aggregate), page count, rows, unread
        # notifications, session save (3), the agency's open rakor follow-ups; supervisors
        # +1: their two-factor device check
        with django_assert_num_queries(11 if persona == "supervisor_own" else 10):
            response = client.get(reverse("referrals:inbox") + f"?tab={tab}")
        assert len(response.context["page"].object_list) == n
        assert response.context["unread"] >= n  # "delivered" (and for the sender, "approved")


def test_inbox_tab_and_counts_update_in_place(world, login, django_assert_num_queries):
    """htmx asks for the tabs and the list only (a tab opened, or the counts refreshed):
    fewer queries than the page (no notifications count, no rakor follow-ups), the counts
    current, and the same address still gives the whole page without JavaScript."""
    make_referral(world, status="delivered")
    client = login(world.users["partner_own"])
    url = reverse("referrals:inbox") + "?tab=received"
    client.get(url)  # warm the session
    # session, user with agency, tab counts, page count, rows (no session save: just renewed)
    with django_assert_num_queries(5):
        part = client.get(url, HTTP_HX_REQUEST="true")
    body = part.content.decode()
    assert "<html" not in body and 'id="inbox-part"' in body
    assert 'hx-trigger="every 120s"' in body and 'data-count="received">1<' in body
    assert "HX-Request" in part["Vary"]
    assert "<html" in client.get(url).content.decode()


@pytest.mark.parametrize("actions", [0, 8])
def test_detail_query_count_is_fixed(world, login, django_assert_num_queries, actions):
    referral = make_referral(world, status="accepted")
    for i in range(actions):
        services.referral_record_action(
            actor=world.users["partner_own"], referral=referral, note=f"Tindakan {i}"
        )
    client = login(world.users["case_worker_own"])
    # session, user with agency, referral, access log, services, victims, timeline, session
    # save (3)
    with django_assert_num_queries(10):
        response = client.get(reverse("referrals:detail", kwargs={"code": referral.code}))
    assert len(response.context["events"]) == 5 + actions


@pytest.mark.parametrize("n", [1, 5])
def test_case_panel_and_notifications_query_counts(world, login, django_assert_num_queries, n):
    worker = world.users["case_worker_own"]
    case = make_case(worker, consent_sharing=True)
    for _ in range(n):
        make_referral(world, status="accepted", case=case)
    with django_assert_num_queries(3):
        panel = selectors.case_referrals(worker, case)
        html = __import__("django.template.loader", fromlist=["x"]).render_to_string(
            "referrals/_case_panel.html", {"case": case, "referrals": panel}
        )
    assert html.count("referral-panel__item") == n
    partner = world.users["partner_own"]
    assert len(selectors.case_referrals(partner, case)) == n
    client = login(worker)
    with django_assert_num_queries(7):
        response = client.get(reverse("referrals:notifications"))
    assert len(response.context["page"].object_list) >= n


def test_receiving_agency_sees_only_what_is_shared_on_the_case_page(world, login):
    worker = world.users["case_worker_own"]
    case = make_case(
        worker,
        consent_sharing=True,
        description="Kronologi SENTINEL-NARASI",
        victims=[{"name": "Sentinel Korbanita"}, {"name": "Sentinel Lainnya"}],
        perpetrators=[{"name": "Sentinel Terlapor"}],
    )
    referral = make_referral(world, status="delivered", case=case)
    partner = world.users["partner_own"]
    page = login(partner).get(reverse("cases:detail", kwargs={"code": case.code}))
    assert page.status_code == 200
    html = page.content.decode()
    for secret in ("SENTINEL-NARASI", "Korbanita", "Sentinel Lainnya", "Sentinel Terlapor"):
        assert secret not in html, secret
    assert str(referral.code) in html  # its referral is on the panel
    assert reverse("referrals:create", kwargs={"code": case.code}) not in html
    owner_html = login(worker).get(reverse("cases:detail", kwargs={"code": case.code}))
    owner_html = owner_html.content.decode()
    assert reverse("referrals:create", kwargs={"code": case.code}) in owner_html
    assert "Terkirim ke lembaga tujuan" in owner_html  # every step on the case's timeline


def test_case_panel_shows_the_receiving_unit_only_what_was_handed_to_it(world):
    """The owner sees every referral of the case; the police unit only the ones delivered to
    it (not a draft, not one waiting for the supervisor)."""
    worker = world.users["case_worker_own"]
    case = make_case(worker, consent_sharing=True)
    delivered = make_referral(world, status="delivered", case=case)
    waiting = make_referral(world, status="pending_approval", case=case)
    draft = make_referral(world, status="draft", case=case)
    mine = {r.pk for r in selectors.case_referrals(worker, case)}
    assert mine == {delivered.pk, waiting.pk, draft.pk}
    theirs = selectors.case_referrals(world.users["partner_own"], case)
    assert [r.pk for r in theirs] == [delivered.pk]
    assert theirs[0].to_agency.name == delivered.to_agency.name
