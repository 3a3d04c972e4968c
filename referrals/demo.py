"""Demo referrals for `make run`: one in each state a demo user acts on, made through the
referral services (so grants, events, notifications are the app's own). Synthetic only."""

from cases.models import Case, PersonRole, Status
from ppa.models import Agency, Role, User
from referrals import services
from referrals.models import Referral

# (partner agency key, service, how far it goes)
PLAN = [
    ("police", "bantuan_hukum", "accepted"),  # the police accepted: shared case in their list
    ("hospital", "kesehatan", "delivered"),  # waiting for the hospital's answer (user "rsud")
    ("legal_aid", "bantuan_hukum", "pending_approval"),  # waiting for the head (user "kepala")
    ("social", "rehabilitasi_sosial", "draft"),  # the case manager's draft
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
        referral = services.referral_draft(
            actor=worker,
            case=case,
            data=services.ReferralData(
                to_agency_id=agencies[partner].pk,
                service_codes=[service],
                urgency="normal",
                reason="Rujukan contoh untuk demo: korban membutuhkan layanan lanjutan.",
                victim_ids=[victim.pk],
            ),
        )
        if goal != "draft":
            referral = services.referral_submit(actor=worker, referral=referral)
        if goal in ("delivered", "accepted"):
            services.referral_approve(actor=head, referral=referral)  # hand-off runs eagerly
            referral.refresh_from_db()
        if goal == "accepted":
            receiver = User.objects.get(agency=agencies[partner], role=Role.PARTNER)
            services.referral_accept(actor=receiver, referral=referral)
        made += 1
    return made
