"""Statutory clocks that stop: closure ends them, reopening starts them again, a case entered
late is not escalated, the police report starts the PKDRT/TPKS protection clocks, and the
case page shows each clock's legal basis in the reader's language."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Deadline, LegalProcess, PersonRole
from referrals import services as referral_services
from referrals.models import Notification
from tests.factories import make_case
from tests.referrals.helpers import make_referral

pytestmark = pytest.mark.django_db


def today_case(actor, **kwargs):
    """A case reported today (its clocks start now, none has run out yet)."""
    today = timezone.localdate()
    return make_case(actor, reported_on=today, incident_date=today - dt.timedelta(days=1), **kwargs)


def close(world, case):
    services.case_closure_request(
        actor=world.users["case_worker_own"], case=case, version=case.version, report="Selesai."
    )
    case.refresh_from_db()
    services.case_closure_decide(
        actor=world.users["supervisor_own"], case=case, version=case.version, approve=True
    )
    case.refresh_from_db()
    return case


def test_closing_a_case_ends_its_clocks_and_the_scan_stays_quiet(world):
    case = today_case(world.users["intake_own"], victims=[{"violence_form_ids": ["seksual"]}])
    assert case.deadlines.filter(done_at__isnull=True).count() == 3
    close(world, case)
    clocks = list(case.deadlines.all())
    assert clocks and all(d.ended_by == Deadline.Ending.CASE_CLOSED for d in clocks)
    assert all(d.done_at == case.closed_at or d.done_at >= case.closed_at for d in clocks)
    # Kept in the history: the row that ended it, with the reason.
    follow_up = case.deadlines.get(kind=Deadline.Kind.FOLLOW_UP)
    assert follow_up.history.first().history_change_reason == "Berakhir karena kasus ditutup"
    later = timezone.now() + dt.timedelta(days=30)
    assert referral_services.deadline_scan(now=later) == {"reminded": 0, "overdue": 0}
    assert not Notification.objects.exists()


def test_the_closed_case_page_says_the_clock_ended_with_the_closure(world, client):
    case = close(world, today_case(world.users["intake_own"]))
    client.force_login(world.users["supervisor_own"])
    page = client.get(reverse("cases:detail", kwargs={"code": case.code})).content.decode()
    assert "Berakhir karena kasus ditutup" in page
    assert "berjalan</span>" not in page


def test_reopening_starts_again_the_duties_the_closure_ended(world):
    case = today_case(world.users["intake_own"], victims=[{"violence_form_ids": ["seksual"]}])
    police = case.deadlines.get(kind=Deadline.Kind.POLICE_REPORT_TPKS)
    services.deadline_done(actor=world.users["case_worker_own"], case=case, deadline=police)
    close(world, case)
    before = timezone.now()
    services.case_reopen(
        actor=world.users["supervisor_own"], case=case, version=case.version, reason="Berulang."
    )
    running = {d.kind: d for d in case.deadlines.filter(done_at__isnull=True)}
    # The police report was met before the closure: it is not started again.
    assert set(running) == {Deadline.Kind.FOLLOW_UP, Deadline.Kind.RESPONSE_MEDIUM_RISK}
    assert running[Deadline.Kind.RESPONSE_MEDIUM_RISK].due_at >= before + dt.timedelta(hours=6)
    # The clocks the closure ended stay as they were.
    assert case.deadlines.filter(ended_by=Deadline.Ending.CASE_CLOSED).count() == 2


def test_a_case_entered_late_is_recorded_late_and_never_escalated(world, client):
    # A paper file from 2024 entered today: every clock had run out before registration.
    case = make_case(world.users["intake_own"], victims=[{"violence_form_ids": ["seksual"]}])
    clocks = list(case.deadlines.all())
    assert clocks and all(d.late_entry and d.done_at is None for d in clocks)
    assert referral_services.deadline_scan() == {"reminded": 0, "overdue": 0}
    assert not Notification.objects.exists()
    client.force_login(world.users["case_worker_own"])
    page = client.get(reverse("cases:detail", kwargs={"code": case.code})).content.decode()
    assert "dicatat setelah batas waktu" in page
    assert "lewat batas waktu" not in page


def test_a_clock_still_running_at_registration_is_escalated_as_before(world):
    case = today_case(world.users["intake_own"])
    follow_up = case.deadlines.get(kind=Deadline.Kind.FOLLOW_UP)
    assert not follow_up.late_entry
    counts = referral_services.deadline_scan(now=follow_up.due_at + dt.timedelta(days=2))
    assert counts["overdue"] == 2  # the follow-up and the 6-hour response


def kdrt_case(actor):
    return today_case(
        actor,
        victims=[{"violence_form_ids": [], "violence_subtype_ids": ["pkdrt_fisik"]}],
        risk_level="low",
    )


def test_a_domestic_violence_report_to_the_police_starts_the_protection_clocks(world):
    worker = world.users["case_worker_own"]
    case = kdrt_case(world.users["intake_own"])
    assert not case.deadlines.filter(kind=Deadline.Kind.PROTECTION_KDRT).exists()
    perpetrator = case.people.get(role=PersonRole.PERPETRATOR)
    services.legal_step_record(
        actor=worker,
        case=case,
        perpetrator=perpetrator,
        stage=LegalProcess.Stage.REPORT,
        started_on=timezone.localdate(),
    )
    protection = case.deadlines.get(kind=Deadline.Kind.PROTECTION_KDRT)
    assert dt.timedelta(hours=23) < protection.due_at - timezone.now() <= dt.timedelta(hours=24)
    assert "Pasal 16" in protection.legal_basis
    # Protection given: its 7-day limit and the request for a court order start.
    services.deadline_done(actor=worker, case=case, deadline=protection)
    protection.refresh_from_db()
    limit = case.deadlines.get(kind=Deadline.Kind.PROTECTION_KDRT_END)
    order = case.deadlines.get(kind=Deadline.Kind.COURT_ORDER_KDRT)
    assert limit.due_at == protection.done_at + dt.timedelta(days=7)
    assert order.due_at == protection.done_at + dt.timedelta(hours=24)


def test_a_sexual_violence_case_handed_to_the_police_starts_the_tpks_protection_clock(world):
    case = today_case(
        world.users["intake_own"],
        consent_sharing=True,
        victims=[{"violence_form_ids": ["seksual"]}],
    )
    make_referral(world, status="delivered", case=case)
    assert case.deadlines.get(kind=Deadline.Kind.POLICE_REPORT_TPKS).ended_by == "met"
    assert case.deadlines.filter(kind=Deadline.Kind.PROTECTION_TPKS, done_at=None).exists()
    assert not case.deadlines.filter(kind=Deadline.Kind.PROTECTION_KDRT).exists()


def test_the_investigation_of_a_child_offender_starts_the_sppa_clocks(world):
    case = today_case(
        world.users["intake_own"],
        case_type="abh",
        perpetrators=[{"stated_age": 15}],
        victims=[{"birth_date": dt.date(2012, 1, 1)}],
    )
    services.legal_step_record(
        actor=world.users["case_worker_own"],
        case=case,
        perpetrator=case.people.get(role=PersonRole.PERPETRATOR),
        stage=LegalProcess.Stage.INVESTIGATION,
        started_on=timezone.localdate(),
    )
    kinds = set(case.deadlines.values_list("kind", flat=True))
    assert {"bapas_request", "social_report", "diversion_offer"} <= kinds


def test_the_english_case_page_translates_the_legal_basis_and_the_age(world, client):
    case = today_case(world.users["intake_own"], victims=[{"birth_date": dt.date(1970, 1, 1)}])
    reader = world.users["case_worker_own"]
    reader.language = "en"
    reader.save(update_fields=["language"])
    client.force_login(reader)
    page = client.get(reverse("cases:detail", kwargs={"code": case.code})).content.decode()
    assert "3 working days" in page
    assert "hari kerja" not in page
    age = case.people.get(role=PersonRole.VICTIM).age
    assert f"{age} years" in page
    assert f"{age} year " not in page
