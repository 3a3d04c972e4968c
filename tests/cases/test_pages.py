"""The case list and the case page: what each user sees, in a fixed number of queries."""

import datetime as dt
import re
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.access import FieldGroup
from cases.models import Case, CaseLink, CaseType, Deadline, Status, Step
from ppa.models import AccessLog, Region
from referrals import grants
from tests.factories import make_case
from tests.files import PDF

pytestmark = pytest.mark.django_db


def make_cases(actor, n: int, **kwargs) -> list[Case]:
    return [
        make_case(
            actor,
            reported_on=dt.date(2024, 1, 1) + dt.timedelta(days=i),
            incident_date=None,
            **kwargs,
        )
        for i in range(n)
    ]


# --- List ----------------------------------------------------------------------------------


def test_list_shows_own_cases_without_names(world, client):
    mine = make_case(world.users["intake_own"], victims=[{"name": "Melati Sintetis Putri"}])
    theirs = make_case(world.users["intake_other"])
    client.force_login(world.users["case_worker_own"])
    page = client.get(reverse("cases:list")).content.decode()
    assert mine.number in page and theirs.number not in page
    assert "Melati" not in page
    assert "MSP" in page  # initials


@pytest.mark.parametrize("n", [1, 30])
def test_list_query_count_does_not_grow_with_rows(world, client, django_assert_num_queries, n):
    make_cases(world.users["intake_own"], n)
    client.force_login(world.users["case_worker_own"])
    client.get(reverse("cases:list"))  # warm the session
    with django_assert_num_queries(5):
        response = client.get(reverse("cases:list"))
    assert response.status_code == 200


def test_list_filter_with_htmx_answers_the_results_only(world, client, django_assert_num_queries):
    """A filter changed with htmx gets the results part alone (same queries as the page, and
    the labels a phone shows); without htmx the same address is the whole page."""
    high = make_case(world.users["intake_own"], risk_level="high")
    low = make_case(world.users["intake_own"], risk_level="low")
    client.force_login(world.users["case_worker_own"])
    url = reverse("cases:list") + "?risiko=high"
    client.get(url)  # warm the session
    with django_assert_num_queries(5):
        part = client.get(url, HTTP_HX_REQUEST="true")
    body = part.content.decode()
    assert "<html" not in body and 'id="case-results"' not in body
    assert high.number in body and low.number not in body
    assert 'data-label="Risiko"' in body and "Tinggi" in body
    assert "HX-Request" in part["Vary"]
    page = client.get(url).content.decode()
    assert "<html" in page and 'hx-push-url="true"' in page and high.number in page
    empty = client.get(reverse("cases:list") + "?nomor=0000", HTTP_HX_REQUEST="true")
    assert "Hapus saringan" in empty.content.decode(), "an empty result says what to do"


def test_keyset_pages_cover_every_case_once_and_hide_ids(world, client):
    cases = make_cases(world.users["intake_own"], 30)
    client.force_login(world.users["case_worker_own"])
    seen, url = [], reverse("cases:list")
    for _ in range(5):
        response = client.get(url)
        seen += re.findall(r"13\.76/2024/\d{4}", response.content.decode())
        if not response.context["next_url"]:
            break
        url = reverse("cases:list") + response.context["next_url"]
        assert "setelah=" in url and str(cases[0].pk) not in url.split("setelah=")[1][:3]
    assert sorted(set(seen)) == sorted(c.number for c in cases)
    assert len(seen) == 30


def test_tampered_cursor_is_ignored(world, client):
    make_cases(world.users["intake_own"], 2)
    client.force_login(world.users["case_worker_own"])
    response = client.get(reverse("cases:list") + "?setelah=garbage")
    assert response.status_code == 200 and len(response.context["rows"]) == 2


def test_filters_are_kept_in_the_address(world, client):
    actor = world.users["intake_own"]
    high = make_case(actor, risk_level="high", district="13.76.02")
    low = make_case(actor, risk_level="low", district="13.76.01")
    client.force_login(world.users["case_worker_own"])
    page = client.get(reverse("cases:list"), {"risiko": "high"}).content.decode()
    assert high.number in page and low.number not in page
    page = client.get(reverse("cases:list"), {"kecamatan": "13.76.01"}).content.decode()
    assert low.number in page and high.number not in page
    page = client.get(reverse("cases:list"), {"nomor": high.number}).content.decode()
    assert high.number in page and low.number not in page
    page = client.get(reverse("cases:list"), {"dari": "2030-01-01"}).content.decode()
    assert high.number not in page


def test_overdue_filter_and_badge(world, client):
    actor = world.users["intake_own"]
    today = timezone.localdate()
    late = make_case(actor, reported_on=today, incident_date=None)
    done = make_case(actor, reported_on=today, incident_date=None)
    for deadline in late.deadlines.all():  # registered in time; the clock ran out since
        deadline.due_at = timezone.now() - dt.timedelta(hours=1)
        deadline.save(update_fields=["due_at"])
    for deadline in done.deadlines.all():
        services.deadline_done(actor=actor, case=done, deadline=deadline)
    # A paper file entered long after its clocks ran out is not "overdue" (recorded late).
    entered_late = make_case(actor, reported_on=dt.date(2024, 1, 1), incident_date=None)
    client.force_login(world.users["supervisor_own"])
    page = client.get(reverse("cases:list"), {"lewat": "on"}).content.decode()
    assert late.number in page and done.number not in page
    assert entered_late.number not in page
    assert "lewat batas waktu" in page


def test_worker_filter(world, client):
    actor = world.users["intake_own"]
    mine = make_case(actor)
    other = make_case(actor)
    services.case_assign(
        actor=world.users["supervisor_own"],
        case=mine,
        version=mine.version,
        worker=world.users["case_worker_own"],
    )
    client.force_login(world.users["case_worker_own"])
    page = client.get(reverse("cases:list"), {"petugas": "me"}).content.decode()
    assert mine.number in page and other.number not in page


def test_every_filter_narrows_the_list(world, client):
    """Each filter of the list's form, alone, keeps the matching case and drops the other."""
    actor = world.users["intake_own"]
    worker = world.users["case_worker_own"]
    anak = make_case(actor, case_type=CaseType.AMPK, victims=[{"birth_date": dt.date(2015, 1, 1)}])
    dewasa = make_case(actor)
    services.case_assign(
        actor=world.users["supervisor_own"], case=anak, version=anak.version, worker=worker
    )
    Case.objects.filter(pk=dewasa.pk).update(
        step=Step.ASSESSMENT, status=Status.CLOSED, closed_at=timezone.now()
    )
    client.force_login(world.users["supervisor_own"])
    for query, shown, hidden in [
        ({"petugas": str(worker.code)}, anak, dewasa),
        ({"petugas": "none"}, dewasa, anak),
        ({"jenis": CaseType.AMPK}, anak, dewasa),
        ({"tahap": Step.ASSESSMENT}, dewasa, anak),
        ({"status": Status.CLOSED}, dewasa, anak),
        ({"nomor": anak.number[-6:].lower()}, anak, dewasa),
    ]:
        page = client.get(reverse("cases:list"), query).content.decode()
        assert shown.number in page and hidden.number not in page, query


def test_percent_and_underscore_in_a_search_are_taken_literally(world, client):
    actor = world.users["intake_own"]
    make_case(actor, victims=[{"name": "Kenanga Sintetis"}])
    client.force_login(world.users["case_worker_own"])
    assert client.get(reverse("cases:list"), {"nomor": "%"}).context["rows"] == []
    client.post(reverse("cases:list"), {"nama": "K_nanga"})
    assert client.get(reverse("cases:list")).context["rows"] == []
    client.post(reverse("cases:list"), {"nama": "enanga"})
    assert len(client.get(reverse("cases:list")).context["rows"]) == 1


def test_name_search_is_posted_and_never_in_the_address(world, client):
    actor = world.users["intake_own"]
    found = make_case(actor, victims=[{"name": "Kenanga Sintetis"}])
    other = make_case(actor, victims=[{"name": "Mawar Sintetis"}])
    theirs = make_case(world.users["intake_other"], victims=[{"name": "Kenanga Sintetis"}])
    client.force_login(world.users["case_worker_own"])
    response = client.post(reverse("cases:list"), {"nama": "kenanga"})
    assert response.status_code == 302 and "kenanga" not in response.url.lower()
    page = client.get(response.url).content.decode()
    assert found.number in page and other.number not in page and theirs.number not in page
    cleared = client.post(reverse("cases:list"), {"action": "clear"})
    page = client.get(cleared.url).content.decode()
    assert other.number in page


def test_the_name_field_speaks_the_users_language_and_never_holds_a_name(world, client):
    client.force_login(world.users["case_worker_own"])
    client.post(reverse("cases:list"), {"nama": "kenanga"})
    page = client.get(reverse("cases:list")).content.decode()
    field = page[page.index('<label for="id_nama"') :]
    field = field[: field.index("</div>")]
    assert "Nama orang dalam kasus" in field and 'name="nama"' in field
    assert "kenanga" not in field.lower()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(reverse("cases:list")).content.decode()
    assert "Name of a person in the case" in english


def test_partner_cannot_search_names(world, client):
    client.force_login(world.users["partner_own"])
    assert client.post(reverse("cases:list"), {"nama": "kenanga"}).status_code == 403


# --- Case page ---------------------------------------------------------------------------


def test_case_page_shows_the_case_and_logs_the_view(world, client):
    case = make_case(world.users["intake_own"], victims=[{"name": "Anggrek Sintetis"}])
    client.force_login(world.users["case_worker_own"])
    page = client.get(reverse("cases:detail", kwargs={"code": case.code})).content.decode()
    assert case.number in page and "Anggrek Sintetis" in page
    assert "Kronologi sintetis" in page
    assert "Tindak lanjut pengaduan" in page  # the clocks
    log = AccessLog.objects.get()
    assert (log.action, log.object_type, log.object_id) == ("view", "cases.case", case.pk)
    assert log.user == world.users["case_worker_own"]


def test_dates_are_indonesian(world, client):
    case = make_case(world.users["intake_own"], reported_on=dt.date(2024, 5, 8))
    client.force_login(world.users["case_worker_own"])
    page = client.get(reverse("cases:detail", kwargs={"code": case.code})).content.decode()
    assert "8 Mei 2024" in page


@pytest.mark.parametrize("n", [1, 4])
def test_case_page_query_count_does_not_grow(world, client, django_assert_num_queries, n):
    """The supervisor's case page (everything shown) runs 7 queries for any number of people,
    services, legal steps, documents, records and history rows: session (in the database
    here; Redis with CACHE_URL), user with agency and second-factor device (middleware); the
    case; the access log row; everything the page shows
    (people with their lists, services, legal steps, relationships, clocks, records, documents,
    linked cases: one statement); referrals. The action forms load when their folds are
    opened (no form's choices are read for the page). The history, folded too, loads when opened:
    session, user, device, the case, the access log row and every tracked table with the
    users it names (one statement)."""
    actor = world.users["intake_own"]
    worker = world.users["case_worker_own"]
    case = make_case(
        actor,
        victims=[
            {
                "violence_subtype_ids": ["tpks_perkosaan"],
                "has_disability": True,
                "disability_type_ids": ["fisik"],
            }
        ]
        * n,
        perpetrators=[{}] * n,
    )
    for victim in case.people.filter(role="victim"):
        for _ in range(n):
            services.service_record(
                actor=actor,
                case=case,
                victim=victim,
                service_type_id="kesehatan",
                given_on=dt.date(2024, 5, 9),
                provider=world.uptd,
            )
    for perpetrator in case.people.filter(role="perpetrator"):
        for _ in range(n):
            services.legal_step_record(
                actor=worker,
                case=case,
                perpetrator=perpetrator,
                stage="report",
                started_on=dt.date(2024, 5, 10),
            )
    for i in range(n):
        case.refresh_from_db()
        services.case_update(
            actor=worker,
            case=case,
            version=case.version,
            changes={"risk_level": "high" if case.risk_level != "high" else "low"},
            reason="uji",
        )
        services.case_record_add(actor=actor, case=case, kind="progress", body="Catatan.")
        services.document_upload(
            actor=worker,
            case=case,
            kind="medical",
            upload=SimpleUploadedFile(f"visum-{i}.pdf", PDF, content_type="application/pdf"),
        )
    client.force_login(world.users["supervisor_own"])
    url = reverse("cases:detail", kwargs={"code": case.code})
    client.get(url)
    with django_assert_num_queries(7):
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("Perkosaan") == n  # the sub-form, once per victim
    assert page.count("visum") == 0  # file names never shown, only the kind
    assert len(response.context["page"].documents) == n
    history_url = reverse("cases:history", kwargs={"code": case.code})
    assert history_url in page
    with django_assert_num_queries(6):
        response = client.get(history_url, HTTP_HX_REQUEST="true")
    assert len(response.context["actions"]) >= 3 * n


def test_closed_case_page_builds_no_action_form(world, client, django_assert_num_queries):
    """A closed case shows the case worker no action (the supervisor may reopen it): the page
    builds no form, so none of the forms' choices are read. 6 queries: session (in the
    database here) and user with agency (middleware; no second-factor device for a case
    worker), the case, the access log row, the page's statement, referrals."""
    case = make_case(world.users["intake_own"])
    services.case_closure_request(
        actor=world.users["case_worker_own"], case=case, version=case.version, report="Selesai."
    )
    case.refresh_from_db()
    services.case_closure_decide(
        actor=world.users["supervisor_own"], case=case, version=case.version, approve=True
    )
    client.force_login(world.users["case_worker_own"])
    url = reverse("cases:detail", kwargs={"code": case.code})
    client.get(url)
    with django_assert_num_queries(6):
        response = client.get(url)
    page = response.content.decode()
    assert 'id="manage-title"' not in page and "<form" not in page.split("<main", 1)[-1]
    assert response.context["folds"] == []
    client.force_login(world.users["supervisor_own"])
    page = client.get(url).content.decode()
    reopen = reverse("cases:action_form", kwargs={"code": case.code, "action": "reopen"})
    assert f'hx-get="{reopen}?versi={Case.objects.get(pk=case.pk).version}"' in page


def test_history_says_who_changed_what_and_why(world, client):
    case = make_case(world.users["intake_own"], risk_level="low")
    services.case_update(
        actor=world.users["case_worker_own"],
        case=case,
        version=case.version,
        changes={"risk_level": "high"},
        reason="Ancaman baru dari terlapor",
    )
    client.force_login(world.users["supervisor_own"])
    response = client.get(reverse("cases:history", kwargs={"code": case.code}))
    action = next(
        a for a in response.context["actions"] if a.reason == "Ancaman baru dari terlapor"
    )
    assert action.who == str(world.users["case_worker_own"])
    assert action.summary == "mengubah Kasus: tingkat risiko"
    assert ("tingkat risiko", "Rendah", "Tinggi") in action.entries[0].changes
    page = response.content.decode()
    assert "Ancaman baru dari terlapor" in page and "<del>Rendah</del>" in page
    assert "<html" in page and case.number in page  # without JavaScript: a page of its own


def test_history_opens_on_the_case_page_and_is_logged(world, client):
    """The case page holds the folded history's address, not the history; opening it fetches
    the list alone (htmx) and logs a view of the case."""
    case = make_case(world.users["intake_own"])
    client.force_login(world.users["supervisor_own"])
    page = client.get(reverse("cases:detail", kwargs={"code": case.code})).content.decode()
    url = reverse("cases:history", kwargs={"code": case.code})
    assert f'hx-get="{url}"' in page and "mencatat kasus ini" not in page
    views_before = AccessLog.objects.filter(action=AccessLog.Action.VIEW).count()
    part = client.get(url, HTTP_HX_REQUEST="true")
    body = part.content.decode()
    assert "<html" not in body and "mencatat kasus ini" in body
    assert "HX-Request" in part["Vary"]
    assert AccessLog.objects.filter(action=AccessLog.Action.VIEW).count() == views_before + 1


def test_a_part_asked_after_the_session_ended_sends_the_whole_window_to_login(world, client):
    """htmx would put the login page inside the history fold or the list's results: the
    redirect becomes HX-Redirect, back to the asked address after signing in."""
    case = make_case(world.users["intake_own"])
    history_url = reverse("cases:history", kwargs={"code": case.code})
    for address in (history_url, reverse("cases:list") + "?risiko=high"):
        part = client.get(address, HTTP_HX_REQUEST="true")
        assert part.status_code == 200 and part.content == b""
        assert part["HX-Redirect"].startswith(reverse(settings.LOGIN_URL) + "?next=")
        assert part["HX-Redirect"].endswith("?next=" + quote(address, safe="/"))
    assert client.get(history_url).status_code == 302  # a whole page: the ordinary redirect


def test_history_is_one_entry_per_save(world, client):
    """The intake writes many rows (case, people, clocks) in one save: the reader sees one
    action, the registration, with the rows folded under it; a later edit is another."""
    case = make_case(world.users["intake_own"], risk_level="low", perpetrators=[{}])
    services.case_update(
        actor=world.users["case_worker_own"],
        case=case,
        version=case.version,
        changes={"risk_level": "high"},
        reason="Ancaman baru",
    )
    client.force_login(world.users["supervisor_own"])
    actions = client.get(reverse("cases:history", kwargs={"code": case.code})).context["actions"]
    assert [a.summary for a in actions] == ["mengubah Kasus: tingkat risiko", "mencatat kasus ini"]
    assert len(actions[1].entries) > 2  # the case, its victim, its perpetrator, ...


def test_print_summary_is_logged_as_print(world, client):
    case = make_case(world.users["intake_own"])
    client.force_login(world.users["case_worker_own"])
    response = client.get(reverse("cases:print", kwargs={"code": case.code}))
    assert response.status_code == 200
    assert "@media print" not in response.content.decode()  # styles come from app.css
    assert "RAHASIA" in response.content.decode()
    assert AccessLog.objects.get().action == AccessLog.Action.PRINT


def test_referred_partner_sees_only_the_shared_groups(world, client, monkeypatch):
    case = make_case(
        world.users["intake_own"],
        victims=[{"name": "Teratai Sintetis", "phone": "0812-SENTINEL"}],
        perpetrators=[{"name": "Terlapor Rahasia"}],
        description="KRONOLOGI-SENTINEL",
    )

    monkeypatch.setattr(
        grants, "granted_case_ids", lambda agency_id: Case.objects.filter(pk=case.pk).values("pk")
    )
    monkeypatch.setattr(
        grants,
        "shared_field_groups",
        lambda agency_id, case_id: {FieldGroup.INCIDENT, FieldGroup.VICTIM_NEEDS},
    )
    client.force_login(world.users["partner_own"])
    response = client.get(reverse("cases:detail", kwargs={"code": case.code}))
    page = response.content.decode()
    assert response.status_code == 200
    for secret in ("Teratai", "0812-SENTINEL", "Terlapor Rahasia", "KRONOLOGI-SENTINEL"):
        assert secret not in page
    assert "Riwayat perubahan" not in page
    assert client.get(reverse("cases:history", kwargs={"code": case.code})).status_code == 404
    assert "Fisik" in page  # the shared forms of violence
    # A referred partner may read but not act.
    post = client.post(
        reverse("cases:record", kwargs={"code": case.code}), {"kind": "progress", "body": "x"}
    )
    assert post.status_code == 403
    print_page = client.get(reverse("cases:print", kwargs={"code": case.code})).content.decode()
    assert "Teratai" not in print_page and "KRONOLOGI-SENTINEL" not in print_page


def test_medium_risk_starts_a_six_hour_clock(world):
    case = make_case(
        world.users["intake_own"], risk_level="medium", reported_on=dt.date(2024, 5, 8)
    )
    deadline = case.deadlines.get(kind=Deadline.Kind.RESPONSE_MEDIUM_RISK)
    follow_up = case.deadlines.get(kind=Deadline.Kind.FOLLOW_UP)
    started = deadline.due_at - dt.timedelta(hours=6)
    assert started.astimezone(dt.timezone(dt.timedelta(hours=7))).date() == dt.date(2024, 5, 8)
    # 8 May 2024 is a Wednesday: three working days later is Monday 13 May.
    assert follow_up.due_at.astimezone(dt.timezone(dt.timedelta(hours=7))).date() == dt.date(
        2024, 5, 13
    )


def test_case_page_shows_every_part_of_the_case(world, client):
    """Each part the page reads in its one statement shows with its labels: the people's
    reference rows and region, relationships, services (type, function, provider), legal
    steps, records with their author, documents, linked cases and the type-specific details
    (with their list)."""
    actor = world.users["intake_own"]
    worker = world.users["case_worker_own"]
    earlier = make_case(actor)
    case = make_case(
        actor,
        victims=[
            {
                "education_id": "sd",
                "occupation_id": "pelajar",
                "address_region_id": "13.76.01",
                "has_disability": True,
                "disability_type_ids": ["intelektual"],
            }
        ],
        relationship="keluarga",
    )
    CaseLink.objects.create(
        case=case, linked_case=earlier, note="Pengaduan sebelumnya", created_by=actor
    )
    services.case_details_set(
        case=case,
        details={
            "trafficking": {
                "recruitment": "Tawaran kerja",
                "exploitation_purpose": ["tppo_kerja_paksa"],
            }
        },
    )
    victim = case.people.get(role="victim")
    perpetrator = case.people.get(role="perpetrator")
    services.service_record(
        actor=worker,
        case=case,
        victim=victim,
        service_type_id="bantuan_hukum",
        function_id="penjangkauan",
        given_on=dt.date(2024, 5, 9),
        provider=world.uptd,
    )
    services.legal_step_record(
        actor=worker,
        case=case,
        perpetrator=perpetrator,
        stage="inquiry",
        started_on=dt.date(2024, 5, 10),
    )
    services.case_record_add(actor=worker, case=case, kind="progress", body="Kunjungan rumah.")
    services.document_upload(
        actor=worker,
        case=case,
        kind="medical",
        upload=SimpleUploadedFile("visum.pdf", PDF, content_type="application/pdf"),
    )
    client.force_login(world.users["supervisor_own"])
    page = client.get(reverse("cases:detail", kwargs={"code": case.code})).content.decode()
    for shown in (
        "SD/sederajat",
        "Pelajar",
        Region.objects.get(code="13.76.01").name,
        "Intelektual",
        "Keluarga/Saudara (Korban Sintetis 1)",
        "Bantuan Hukum",
        "Penjangkauan korban",
        world.uptd.short_name or world.uptd.name,
        "Penyelidikan",
        "Kunjungan rumah.",
        str(worker),
        "Visum",
        earlier.number,
        "Pengaduan sebelumnya",
        "Tawaran kerja",
        "TPPO: kerja paksa / perbudakan",
    ):
        assert shown in page, shown
