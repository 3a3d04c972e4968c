import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from cases import access as cases_access
from cases.access import FieldGroup
from cases.models import Case, Deadline
from referrals import services
from referrals.grants import granted_case_ids, shared_field_groups
from referrals.models import (
    CaseGroupObjectPermission,
    HandoffOutbox,
    Notification,
    Referral,
    ReferralEvent,
    ReferralGrant,
)
from tests.factories import make_case
from tests.referrals.helpers import deliver, make_referral, make_sexual_violence_case, referral_data

pytestmark = pytest.mark.django_db


def refused(fn, message_part: str, **kwargs):
    with pytest.raises(services.ReferralError) as exc:
        fn(**kwargs)
    assert message_part in exc.value.message
    return exc.value


# --- drafting --------------------------------------------------------------------------------


def test_draft_refuses_own_agency_inactive_agency_and_dinas(world):
    worker = world.users["case_worker_own"]
    case = make_case(worker, consent_sharing=True)
    for agency, message in (
        (world.uptd, "lembaga sendiri"),
        (world.agencies["dinas_own"], "bukan lembaga layanan"),
    ):
        err = refused(
            services.referral_draft,
            message,
            actor=worker,
            case=case,
            data=referral_data(world, case, to_agency_id=agency.pk),
        )
        assert err.field == "to_agency"
    police = world.agencies["police_own"]
    police.is_active = False
    police.save(update_fields=["is_active"])
    refused(
        services.referral_draft,
        "tidak aktif",
        actor=worker,
        case=case,
        data=referral_data(world, case),
    )
    assert not Referral.objects.exists()


def test_draft_checks_services_victims_and_groups(world):
    worker = world.users["case_worker_own"]
    case = make_case(worker, consent_sharing=True)
    other_case = make_case(worker, consent_sharing=True)
    foreign_victim = other_case.people.get(role="victim").pk
    perpetrator = case.people.get(role="perpetrator").pk
    for overrides, field in (
        ({"service_codes": []}, "services"),
        ({"service_codes": ["bukan_layanan"]}, "services"),
        ({"victim_ids": [foreign_victim]}, "victims"),
        ({"victim_ids": [perpetrator]}, "victims"),
        ({"shared_groups": ["semua"]}, "shared_groups"),
        ({"reason": "   "}, "reason"),
        ({"urgency": "kapan-kapan"}, "urgency"),
        ({"accept_by": timezone.now() - dt.timedelta(hours=1)}, "accept_by"),
    ):
        with pytest.raises(services.ReferralError) as exc:
            services.referral_draft(
                actor=worker, case=case, data=referral_data(world, case, **overrides)
            )
        assert exc.value.field == field, overrides
    assert not Referral.objects.exists()


def test_without_consent_a_reason_is_required_and_logged(world):
    worker = world.users["case_worker_own"]
    case = make_case(worker, consent_sharing=False)
    refused(
        services.referral_draft,
        "belum menyetujui",
        actor=worker,
        case=case,
        data=referral_data(world, case),
    )
    referral = services.referral_draft(
        actor=worker,
        case=case,
        data=referral_data(
            world, case, consent_override_reason="Keselamatan korban terancam (UU TPKS)."
        ),
    )
    services.referral_submit(actor=worker, referral=referral)
    event = referral.events.get(kind=ReferralEvent.Kind.CONSENT_OVERRIDE)
    assert event.actor == worker
    assert event.note == "Keselamatan korban terancam (UU TPKS)."


def test_only_sending_case_workers_and_supervisors_draft(world):
    case = make_case(world.users["case_worker_own"], consent_sharing=True)
    for persona in ("intake_own", "partner_own", "case_worker_other", "official_own"):
        refused(
            services.referral_draft,
            "tidak berwenang",
            actor=world.users[persona],
            case=case,
            data=referral_data(world, case),
        )


# --- approval --------------------------------------------------------------------------------


def test_nobody_approves_their_own_referral(world):
    head = world.users["supervisor_own"]
    case = make_case(head, consent_sharing=True)
    referral = services.referral_draft(actor=head, case=case, data=referral_data(world, case))
    referral = services.referral_submit(actor=head, referral=referral)
    refused(services.referral_approve, "Anda buat sendiri", actor=head, referral=referral)
    referral.refresh_from_db()
    assert referral.status == "pending_approval"
    assert not HandoffOutbox.objects.exists()


def test_case_worker_and_other_agency_supervisor_cannot_approve(world):
    referral = make_referral(world, status="pending_approval")
    for persona in ("case_worker_own", "supervisor_other", "partner_own"):
        with pytest.raises(services.ReferralError):
            services.referral_approve(actor=world.users[persona], referral=referral)
    referral.refresh_from_db()
    assert referral.status == "pending_approval"


def test_approving_a_cancelled_referral_is_refused_and_changes_nothing(world):
    referral = make_referral(world, status="pending_approval")
    services.referral_cancel(
        actor=world.users["case_worker_own"], referral=referral, reason="Korban pindah kota."
    )
    referral.refresh_from_db()
    refused(
        services.referral_approve,
        "sudah dibatalkan",
        actor=world.users["supervisor_own"],
        referral=referral,
    )
    referral.refresh_from_db()
    assert referral.status == "cancelled" and referral.approved_by is None
    assert not HandoffOutbox.objects.exists()


def test_return_and_resubmit(world):
    referral = make_referral(world, status="returned")
    assert referral.status_reason == "Lengkapi."
    worker = world.users["case_worker_own"]
    note = Notification.objects.get(user=worker, kind="returned")
    assert note.referral == referral
    referral = services.referral_submit(actor=worker, referral=referral)
    assert referral.status == "pending_approval"


def test_approval_writes_an_outbox_row_and_enqueues_after_commit(
    world, django_capture_on_commit_callbacks
):
    referral = make_referral(world, status="pending_approval")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.referral_approve(actor=world.users["supervisor_own"], referral=referral)
        # Nothing is delivered inside the approval transaction.
        assert Referral.objects.get(pk=referral.pk).status == "approved"
    assert len(callbacks) == 1
    referral.refresh_from_db()
    # Tests run Celery eagerly: the callback ran the hand-off task.
    assert referral.status == "delivered"
    outbox = HandoffOutbox.objects.get(referral=referral)
    assert outbox.enqueued_at and outbox.delivered_at and outbox.mailed_at


# --- hand-off --------------------------------------------------------------------------------


def test_delivery_grants_exactly_what_is_shared(world):
    referral = make_referral(world, status="delivered")
    partner = world.users["partner_own"]
    case = referral.case
    assert referral.accept_by > referral.delivered_at
    assert list(cases_access.visible_cases(partner)) == [case]
    found = cases_access.case_access(partner, case)
    assert found.can_view and not found.can_edit and not found.is_owner
    assert found.field_groups == FieldGroup.DEFAULT_SHARED
    assert not found.shows(FieldGroup.NARRATIVE)
    assert CaseGroupObjectPermission.objects.filter(
        group=world.agencies["police_own"].group, content_object=case
    ).exists()
    # The other city's police unit sees nothing.
    assert not cases_access.visible_cases(world.users["partner_other"]).exists()


def test_delivering_twice_grants_once_notifies_once_mails_once(world):
    police = world.agencies["police_own"]
    police.email = "uppa@example.org"
    police.save(update_fields=["email"])
    referral = make_referral(world, status="approved")
    mail.outbox.clear()
    for _ in range(3):
        deliver(referral)
    referral.refresh_from_db()
    assert referral.status == "delivered"
    assert ReferralGrant.objects.filter(referral=referral).count() == 1
    assert CaseGroupObjectPermission.objects.count() == 1
    assert referral.events.filter(kind="delivered").count() == 1
    assert (
        Notification.objects.filter(user=world.users["partner_own"], kind="delivered").count() == 1
    )
    assert len(mail.outbox) == 1


def test_handoff_email_carries_case_number_and_link_only(world):
    worker = world.users["case_worker_own"]
    case = make_case(
        worker,
        consent_sharing=True,
        description="Kronologi RAHASIA-SENTINEL",
        victims=[{"name": "Sentinel Korbanita"}],
    )
    world.users["partner_own"].email = "polisi@example.org"
    world.users["partner_own"].save(update_fields=["email"])
    mail.outbox.clear()
    referral = make_referral(world, status="delivered", case=case)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["polisi@example.org"]
    text = message.subject + message.body
    assert case.number in text and str(referral.code) in text
    for secret in ("Sentinel", "RAHASIA", "Korbanita", referral.reason):
        assert secret not in text


def test_cancel_before_handoff_delivers_nothing(world):
    referral = make_referral(world, status="approved")
    services.referral_cancel(
        actor=world.users["supervisor_own"], referral=referral, reason="Salah lembaga."
    )
    deliver(referral)
    referral.refresh_from_db()
    assert referral.status == "cancelled"
    assert not ReferralGrant.objects.exists()
    assert not cases_access.visible_cases(world.users["partner_own"]).exists()


def test_delivery_to_police_meets_the_tpks_clock(world):
    case = make_sexual_violence_case(world.users["case_worker_own"])
    clock = case.deadlines.get(kind="police_report_tpks")
    make_referral(world, status="delivered", case=case)
    clock.refresh_from_db()
    assert clock.done_at is not None


# --- receiving side ------------------------------------------------------------------------


def test_accept_action_complete_and_timeline(world):
    referral = make_referral(world, status="accepted")
    partner = world.users["partner_own"]
    services.referral_record_action(actor=partner, referral=referral, note="Laporan polisi dibuat.")
    referral = services.referral_complete(actor=partner, referral=referral)
    assert referral.status == "completed"
    kinds = list(referral.events.values_list("kind", flat=True))
    assert kinds == [
        "drafted",
        "submitted",
        "approved",
        "delivered",
        "accepted",
        "action",
        "completed",
    ]
    # Completed referrals keep sharing (the partner's record of what it did stays readable).
    assert cases_access.case_access(partner, referral.case).can_view
    worker = world.users["case_worker_own"]
    assert set(Notification.objects.filter(user=worker).values_list("kind", flat=True)) >= {
        "approved",
        "delivered",
        "accepted",
        "action",
        "completed",
    }


def test_accepting_a_declined_referral_is_refused(world):
    referral = make_referral(world, status="declined")
    partner = world.users["partner_own"]
    refused(services.referral_accept, "sudah ditolak", actor=partner, referral=referral)
    referral.refresh_from_db()
    assert referral.status == "declined" and referral.accepted_at is None


def test_declining_needs_a_reason_and_removes_access(world):
    referral = make_referral(world, status="delivered")
    partner = world.users["partner_own"]
    refused(services.referral_decline, "wajib diisi", actor=partner, referral=referral, reason="")
    services.referral_decline(actor=partner, referral=referral, reason="Bukan wilayah kami.")
    assert not cases_access.visible_cases(partner).exists()
    assert not cases_access.case_access(partner, referral.case).can_view
    assert not CaseGroupObjectPermission.objects.exists()
    assert granted_case_ids(partner.agency_id).count() == 0


def test_cancel_by_receiver_removes_access_but_keeps_other_referral(world):
    case = make_case(world.users["case_worker_own"], consent_sharing=True)
    first = make_referral(world, status="accepted", case=case)
    second = make_referral(
        world,
        status="delivered",
        case=case,
        shared_groups=[FieldGroup.INCIDENT, FieldGroup.VICTIM_IDENTITY],
    )
    partner = world.users["partner_own"]
    assert shared_field_groups(partner.agency_id, case.pk) == {
        FieldGroup.INCIDENT,
        FieldGroup.VICTIM_NEEDS,
        FieldGroup.VICTIM_IDENTITY,
    }
    services.referral_cancel(actor=partner, referral=second, reason="Sudah ditangani.")
    assert shared_field_groups(partner.agency_id, case.pk) == FieldGroup.DEFAULT_SHARED
    assert cases_access.case_access(partner, case).can_view
    services.referral_cancel(actor=partner, referral=first, reason="Korban menolak.")
    assert not cases_access.case_access(partner, case).can_view


def test_other_agency_cannot_answer(world):
    referral = make_referral(world, status="delivered")
    for persona in ("partner_other", "case_worker_own", "official_own"):
        with pytest.raises(services.ReferralError):
            services.referral_accept(actor=world.users[persona], referral=referral)
    referral.refresh_from_db()
    assert referral.status == "delivered"


def test_closed_referral_cannot_be_cancelled(world):
    referral = make_referral(world, status="completed")
    refused(
        services.referral_cancel,
        "tidak dapat dibatalkan",
        actor=world.users["case_worker_own"],
        referral=referral,
        reason="x",
    )


def test_granted_case_ids_is_one_sql_subquery(world, django_assert_num_queries):
    make_referral(world, status="delivered")
    partner = world.users["partner_own"]
    with django_assert_num_queries(1):
        assert len(list(Case.objects.filter(pk__in=granted_case_ids(partner.agency_id)))) == 1


# --- reminders, escalation, statutory clocks --------------------------------------------------


def test_unanswered_referral_reminds_then_escalates_once(world):
    referral = make_referral(world, status="delivered")
    partner = world.users["partner_own"]
    mail.outbox.clear()
    assert services.referral_reminders_scan(now=referral.accept_by - dt.timedelta(minutes=1)) == {
        "reminded": 0,
        "escalated": 0,
    }
    later = referral.accept_by + dt.timedelta(minutes=1)
    assert services.referral_reminders_scan(now=later)["reminded"] == 1
    assert services.referral_reminders_scan(now=later)["reminded"] == 0
    assert Notification.objects.filter(user=partner, kind="reminder").count() == 1
    much_later = referral.accept_by + dt.timedelta(days=6)
    assert services.referral_reminders_scan(now=much_later)["escalated"] == 1
    assert services.referral_reminders_scan(now=much_later)["escalated"] == 0
    heads = Notification.objects.filter(kind="escalation").values_list("user__username", flat=True)
    assert list(heads) == ["supervisor_own"]  # the police unit has no supervisor account


def test_deadline_scan_reminds_worker_then_tells_supervisor(world):
    worker = world.users["case_worker_own"]
    case = make_sexual_violence_case(worker)
    clock = case.deadlines.get(kind="police_report_tpks")
    assert "TPKS" in clock.legal_basis
    Deadline.objects.exclude(pk=clock.pk).delete()  # the case's other clocks

    def notified(kind):
        return set(
            Notification.objects.filter(deadline=clock, kind=kind).values_list(
                "user__username", flat=True
            )
        )

    assert services.deadline_scan(now=clock.due_at - dt.timedelta(days=2)) == {
        "reminded": 0,
        "overdue": 0,
    }
    assert services.deadline_scan(now=clock.due_at - dt.timedelta(hours=1))["reminded"] == 1
    assert notified("deadline_reminder") == {"case_worker_own"}
    assert services.deadline_scan(now=clock.due_at + dt.timedelta(minutes=1))["overdue"] == 1
    assert services.deadline_scan(now=clock.due_at + dt.timedelta(minutes=2))["overdue"] == 0
    assert notified("deadline_overdue") == {"case_worker_own", "supervisor_own"}
    assert Deadline.objects.get(pk=clock.pk).escalated_at is not None


def test_a_clock_met_in_time_is_not_reported(world):
    case = make_sexual_violence_case(world.users["case_worker_own"])
    clock = case.deadlines.get(kind="police_report_tpks")
    make_referral(world, status="delivered", case=case)  # handed to the police
    services.deadline_scan(now=clock.due_at + dt.timedelta(hours=1))
    assert not Notification.objects.filter(deadline=clock).exists()


def test_run_periodic_command_delivers_what_was_not_enqueued(world):
    referral = make_referral(world, status="approved")  # on_commit never ran in this test
    out = StringIO()
    call_command("run_periodic", "--sweep-after", "0", stdout=out)
    assert "handoff re-enqueued=1" in out.getvalue()
    referral.refresh_from_db()
    assert referral.status == "delivered"
    call_command("run_periodic", "--sweep-after", "0", stdout=out)
    assert out.getvalue().count("handoff re-enqueued=0") == 1
