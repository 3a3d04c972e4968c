"""Referrals for tests, driven through the real services (never written by hand)."""

import datetime as dt

from django.utils import timezone

from cases.access import FieldGroup
from cases.models import PersonRole
from referrals import services
from referrals.models import HandoffOutbox, Referral
from tests.factories import make_case
from tests.world import World


def referral_data(world: World, case, **overrides) -> services.ReferralData:
    victims = list(case.people.filter(role=PersonRole.VICTIM).values_list("pk", flat=True))
    values = {
        "to_agency_id": world.agencies["police_own"].pk,
        "service_codes": ["penegakan_hukum"],
        "urgency": "urgent",
        "reason": "Korban membutuhkan pendampingan pelaporan ke polisi.",
        "victim_ids": victims[:1],
        "shared_groups": sorted(FieldGroup.DEFAULT_SHARED),
        "consent_override_reason": "",
    } | overrides
    return services.ReferralData(**values)


def make_referral(
    world: World, *, status: str = "draft", case=None, side: str = "own", **overrides
) -> Referral:
    """A referral of a case of the `side` UPTD to the own city's police unit (unless
    `to_agency_id` says otherwise), moved to `status` by that UPTD's case worker and supervisor;
    the police unit's partner answers it."""
    worker, head = world.users[f"case_worker_{side}"], world.users[f"supervisor_{side}"]
    partner = world.users["partner_own"]
    if case is None:
        case = make_case(worker, consent_sharing=True)
    referral = services.referral_draft(
        actor=worker, case=case, data=referral_data(world, case, **overrides)
    )
    if status == "draft":
        return referral
    if status == "cancelled":
        return services.referral_cancel(actor=worker, referral=referral, reason="Tidak jadi.")
    referral = services.referral_submit(actor=worker, referral=referral)
    if status == "pending_approval":
        return referral
    if status == "returned":
        return services.referral_return(actor=head, referral=referral, comment="Lengkapi.")
    referral = services.referral_approve(actor=head, referral=referral)
    if status == "approved":
        return referral
    deliver(referral)
    referral.refresh_from_db()
    if status == "delivered":
        return referral
    if status == "declined":
        return services.referral_decline(
            actor=partner, referral=referral, reason="Di luar wilayah."
        )
    referral = services.referral_accept(actor=partner, referral=referral)
    if status == "accepted":
        return referral
    if status == "completed":
        return services.referral_complete(actor=partner, referral=referral)
    raise ValueError(status)


def make_sexual_violence_case(actor, *, reported_on: dt.date | None = None):
    """A sexual-violence case: registering it opens the 3×24 h police-report clock (reported
    today unless told, so the clock is still running)."""
    reported_on = reported_on or timezone.localdate()
    return make_case(
        actor,
        consent_sharing=True,
        victims=[{"violence_form_ids": ["seksual"]}],
        reported_on=reported_on,
        incident_date=reported_on - dt.timedelta(days=1),
    )


def deliver(referral: Referral) -> None:
    """What the hand-off task does, run inline."""
    outbox = HandoffOutbox.objects.get(referral=referral)
    services.referral_deliver(outbox_id=outbox.pk)
    services.handoff_mail(outbox_id=outbox.pk)
