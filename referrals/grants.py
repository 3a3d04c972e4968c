"""Cross-agency access created by referrals. Owned by the referrals app; asked by cases.access
(registered as its share source in ReferralsConfig.ready).

A delivered referral gives the receiving agency's group the guardian object permission
`cases.view_case` on the case, through the direct foreign-key model
`CaseGroupObjectPermission`, and a `ReferralGrant` row saying which field groups it shares.
Both are removed when the referral is declined or cancelled (and no other open referral of the
same case to the same agency still needs them). Reads here are SQL subqueries, never loops.
"""

from django.contrib.auth.models import Permission
from django.db.models import QuerySet

from referrals.models import SHARED_STATES, CaseGroupObjectPermission, Referral, ReferralGrant

VIEW_CASE = ("cases", "view_case")


def view_case_permission() -> Permission:
    return Permission.objects.get(content_type__app_label=VIEW_CASE[0], codename=VIEW_CASE[1])


def granted_case_ids(agency_id: int | None) -> QuerySet:
    """Ids of cases shared with the agency by a delivered, accepted or completed referral.

    A subquery for `Case.objects.filter(pk__in=...)`: guardian's direct rows on the agency's
    group, checked against a grant of a referral that is still in a sharing state."""
    if agency_id is None:
        return CaseGroupObjectPermission.objects.none().values("content_object_id")
    return CaseGroupObjectPermission.objects.filter(
        group__agency__id=agency_id,
        permission__codename=VIEW_CASE[1],
        permission__content_type__app_label=VIEW_CASE[0],
        content_object_id__in=ReferralGrant.objects.filter(
            agency_id=agency_id, referral__status__in=SHARED_STATES
        ).values("case_id"),
    ).values("content_object_id")


def shared_field_groups(agency_id: int | None, case_id: int) -> set[str]:
    """The union of field groups the agency's sharing referrals of this case grant it."""
    if agency_id is None:
        return set()
    rows = ReferralGrant.objects.filter(
        agency_id=agency_id,
        case_id=case_id,
        referral__status__in=SHARED_STATES,
        case_id__in=granted_case_ids(agency_id),
    ).values_list("field_groups", flat=True)
    groups: set[str] = set()
    for row in rows:
        groups.update(row)
    return groups


def grant_apply(*, referral: Referral) -> ReferralGrant:
    """Give the receiving agency what the referral shares (idempotent: unique rows)."""
    agency = referral.to_agency
    CaseGroupObjectPermission.objects.get_or_create(
        group_id=agency.group_id,
        permission=view_case_permission(),
        content_object_id=referral.case_id,
    )
    grant, _created = ReferralGrant.objects.get_or_create(
        referral=referral,
        agency=agency,
        defaults={"case_id": referral.case_id, "field_groups": list(referral.shared_groups)},
    )
    return grant


def grant_revoke(*, referral: Referral) -> None:
    """Take back what the referral shared; keep the guardian row only if another sharing
    referral of the same case to the same agency still needs it."""
    ReferralGrant.objects.filter(referral=referral).delete()
    still_needed = (
        ReferralGrant.objects.filter(
            agency_id=referral.to_agency_id,
            case_id=referral.case_id,
            referral__status__in=SHARED_STATES,
        )
        .exclude(referral=referral)
        .exists()
    )
    if not still_needed:
        CaseGroupObjectPermission.objects.filter(
            group__agency__id=referral.to_agency_id,
            permission__codename=VIEW_CASE[1],
            content_object_id=referral.case_id,
        ).delete()
