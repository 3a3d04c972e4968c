"""Demo referrals for `make run`: one in each state a demo user acts on, made through the
referral services (so grants, events, notifications are the app's own). Synthetic only."""

from cases.models import Case, PersonRole, Status
from ppa.models import Agency, Role, User
from referrals import services
from referrals.models import Referral, ReferralStatus, Urgency

# (partner agency key, service, how far it goes)
PLAN = [
    (
        "police",
        "bantuan_hukum",
        ReferralStatus.ACCEPTED,
    ),  # the police accepted: shared case in their list
    (
        "hospital",
        "kesehatan",
        ReferralStatus.DELIVERED,
    ),  # waiting for the hospital's answer (user "rsud")
    (
        "legal_aid",
        "bantuan_hukum",
        ReferralStatus.PENDING_APPROVAL,
    ),  # waiting for the head (user "kepala")
    ("social", "rehabilitasi_sosial", ReferralStatus.DRAFT),  # the case manager's draft
]


def seed_referrals(agencies: dict[str, Agency]) -> int:
    """Referrals of the demo UPTD's open, shareable cases; none when it already has some."""
    uptd = agencies["uptd"]
    if Referral.objects.filter(case__agency=uptd).exists():
        return 0
    worker = User.objects.get(agency=uptd, role=Role.CASE_WORKER, username="manajer")
    head = User.objects.get(agency=uptd, role=Role.SUPERVISOR, username="kepala")
    cases = list(
        Case.objects.filter(
            agency=uptd, assigned_worker=worker, consent_sharing=True, status=Status.OPEN
        ).order_by("-reported_on", "-id")[: len(PLAN)]
    )
    made = 0
    for case, (partner, service, goal) in zip(cases, PLAN, strict=False):
        victim = case.people.filter(role=PersonRole.VICTIM).order_by("id").first()
        if victim is None:
            continue
        referral = services.referral_draft(
            actor=worker,
            case=case,
            data=services.ReferralData(
                to_agency_id=agencies[partner].pk,
                service_codes=[service],
                urgency=Urgency.NORMAL,
                reason="Rujukan contoh untuk demo: korban membutuhkan layanan lanjutan.",
                victim_ids=[victim.pk],
            ),
        )
        if goal != ReferralStatus.DRAFT:
            referral = services.referral_submit(actor=worker, referral=referral)
        if goal in (ReferralStatus.DELIVERED, ReferralStatus.ACCEPTED):
            services.referral_approve(actor=head, referral=referral)  # hand-off runs eagerly
            referral.refresh_from_db()
        if goal == ReferralStatus.ACCEPTED:
            receiver = User.objects.get(agency=agencies[partner], role=Role.PARTNER)
            services.referral_accept(actor=receiver, referral=referral)
        made += 1
    return made
