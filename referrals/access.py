"""Access to referrals.

Sending side: staff of the UPTD that owns the case (intake officers may look; case workers and
supervisors act). Receiving side: staff of the receiving agency, once the referral reached
them (delivered); they see what it shares only while it is delivered, accepted or completed.
Officials and administrators see no referral records (statistics only).
"""

import uuid

from django.db.models import Q, QuerySet
from django.http import Http404

from cases.models import Case
from ppa.access import deny_unless, has_role, is_staff_of_case_owner, role_of
from ppa.models import Agency, Role, User
from referrals.models import Referral, ReferralStatus

__all__ = [
    "visible_referrals",
    "get_referral_for_user",
    "referral_side",
    "can_act_on_referral",
    "can_draft_referral",
    "can_edit_referral",
    "can_submit_referral",
    "can_approve_referral",
    "can_answer_referral",
    "can_cancel_referral",
    "can_see_referral_content",
    "is_referral_supervisor",
    "referral_target_agencies",
]

SENDING_ACTORS = (Role.CASE_WORKER, Role.SUPERVISOR)
RECEIVING_ROLES = (Role.PARTNER, Role.INTAKE, Role.CASE_WORKER, Role.SUPERVISOR)


def _active_member(user: User) -> bool:
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    return user.agency is not None and user.agency.is_active


def _receiver(user: User) -> bool:
    return _active_member(user) and has_role(user, *RECEIVING_ROLES)


def visible_referrals(user: User) -> QuerySet:
    """Referrals the user may open: sent by their UPTD, or delivered to their agency."""

    if not _active_member(user):
        return Referral.objects.none()
    received = Q(to_agency_id=user.agency_id, delivered_at__isnull=False)
    if is_staff_of_case_owner(user):
        return Referral.objects.filter(Q(from_agency_id=user.agency_id) | received)
    if _receiver(user):
        return Referral.objects.filter(received)
    return Referral.objects.none()


def referral_side(user: User, referral: Referral) -> str:
    """'sender', 'receiver' or '' (no access)."""
    if not _active_member(user):
        return ""
    if referral.from_agency_id == user.agency_id and is_staff_of_case_owner(user):
        return "sender"
    if (
        referral.to_agency_id == user.agency_id
        and referral.delivered_at is not None
        and _receiver(user)
    ):
        return "receiver"
    return ""


def get_referral_for_user(user: User, code: uuid.UUID | str, *, write: bool = False) -> Referral:
    """The referral, or 404 for anyone outside it; with write=True, 403 for those who may
    look but take no step on it (intake officers)."""

    referral = (
        Referral.objects.select_related("case", "from_agency", "to_agency", "created_by")
        .filter(code=code)
        .first()
    )
    if referral is None or not referral_side(user, referral):
        raise Http404
    if write:
        deny_unless(can_act_on_referral(user, referral))
    return referral


def can_act_on_referral(user: User, referral: Referral) -> bool:
    """May take some step on it in principle (the service then checks the state): case
    workers and supervisors of the sending UPTD, staff of the receiving agency."""
    side = referral_side(user, referral)
    return (side == "sender" and has_role(user, *SENDING_ACTORS)) or side == "receiver"


def can_draft_referral(user: User, case: Case) -> bool:
    """Case workers and supervisors of the owning UPTD, on an open case."""
    return (
        is_staff_of_case_owner(user)
        and has_role(user, *SENDING_ACTORS)
        and case.agency_id == user.agency_id
        and not case.is_closed
    )


def can_edit_referral(user: User, referral: Referral) -> bool:
    return (
        referral.status in (ReferralStatus.DRAFT, ReferralStatus.RETURNED)
        and referral_side(user, referral) == "sender"
        and has_role(user, *SENDING_ACTORS)
    )


def can_submit_referral(user: User, referral: Referral) -> bool:
    return can_edit_referral(user, referral)


def is_referral_supervisor(user: User, agency_id: int | None) -> bool:
    return (
        role_of(user) == Role.SUPERVISOR
        and user.agency_id == agency_id
        and is_staff_of_case_owner(user)
    )


def can_approve_referral(user: User, referral: Referral) -> bool:
    """A supervisor of the sending UPTD who neither drafted nor submitted it."""
    return (
        referral.status == ReferralStatus.PENDING_APPROVAL
        and is_referral_supervisor(user, referral.from_agency_id)
        and user.pk not in (referral.created_by_id, referral.submitted_by_id)
    )


def can_answer_referral(user: User, referral: Referral) -> bool:
    """Receiving staff: accept or decline a delivered referral, act on an accepted one."""
    return (
        referral.status in (ReferralStatus.DELIVERED, ReferralStatus.ACCEPTED)
        and referral_side(user, referral) == "receiver"
    )


def can_cancel_referral(user: User, referral: Referral) -> bool:
    side = referral_side(user, referral)
    if side == "sender":
        return referral.is_open and has_role(user, *SENDING_ACTORS)
    if side == "receiver":
        return referral.status in (ReferralStatus.DELIVERED, ReferralStatus.ACCEPTED)
    return False


def can_see_referral_content(user: User, referral: Referral) -> bool:
    """The reason, the victims' needs and the link to the case: the sender always, the
    receiver only while the referral shares the case."""
    side = referral_side(user, referral)
    return side == "sender" or (side == "receiver" and referral.is_shared)


def referral_target_agencies(user: User) -> QuerySet:
    """Agencies a referral may be sent to: active, not one's own, not an office above."""
    return (
        Agency.objects.filter(is_active=True)
        .exclude(Q(pk=user.agency_id))
        .exclude(kind=Agency.Kind.DP3AP2KB)
        .order_by("name")
    )
