"""Reads of referrals. `case_referrals` feeds the referral panel on the case page
(templates/referrals/_case_panel.html). Every read starts from `referrals.access`."""

import datetime as dt

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from cases.models import Case
from ppa import access as ppa_access
from ppa.models import Role, User
from ppa.rows import JoinedRows
from referrals import access
from referrals.models import (
    SHARED_STATES,
    Notification,
    Referral,
    ReferralEvent,
    ReferralStatus,
)

S = ReferralStatus
TABS = ("approval", "sent", "received", "overdue")


def _tab_filters(user: User, now: dt.datetime) -> dict[str, Q]:
    mine = user.agency_id
    overdue = Q(status=S.DELIVERED, accept_by__lt=now)
    filters = {
        "sent": Q(from_agency_id=mine),
        "received": Q(to_agency_id=mine),
        "overdue": overdue,
    }
    if access.is_referral_supervisor(user, mine):
        filters["approval"] = (
            Q(from_agency_id=mine, status=S.PENDING_APPROVAL)
            & ~Q(created_by_id=user.pk)
            & ~Q(submitted_by_id=user.pk)
        )
    return filters


def inbox_tabs(user: User) -> list[str]:
    """The tabs this user sees: partners only receive; sending staff also send."""
    if access.is_referral_supervisor(user, user.agency_id):
        return list(TABS)
    if ppa_access.is_staff_of_case_owner(user) and user.role != Role.INTAKE:
        return ["sent", "received", "overdue"]
    if ppa_access.is_staff_of_case_owner(user):
        return ["sent", "received"]
    return ["received", "overdue"]


def inbox_counts(user: User, tabs: list[str]) -> dict[str, int]:
    """All tab counts in one aggregate query."""
    filters = _tab_filters(user, timezone.now())
    return access.visible_referrals(user).aggregate(
        **{tab: Count("pk", filter=filters[tab]) for tab in tabs if tab in filters}
    )


def inbox_rows(user: User, tab: str) -> QuerySet:
    filters = _tab_filters(user, timezone.now())
    order = ["accept_by", "pk"] if tab == "overdue" else ["-created_at", "-pk"]
    return (
        access.visible_referrals(user)
        .filter(filters.get(tab, Q(pk__in=[])))
        .select_related("case", "from_agency", "to_agency")
        .order_by(*order)
    )


def referral_timeline(referral: Referral) -> list[ReferralEvent]:
    return list(referral.events.select_related("actor", "agency").order_by("at", "pk"))


class ReferralList(list):
    """The panel's referrals, plus whether the user may start a new one."""

    can_refer: bool = False


# The case page's referrals with their receiving agency, in statements written once per
# process (ppa.rows: the ORM compiled this query on every case page).
_CASE_REFERRALS = JoinedRows(Referral, ("to_agency",), 't."case_id" = %s')
_SHARED_CASE_REFERRALS = JoinedRows(
    Referral, ("to_agency",), 't."case_id" = %s AND t."to_agency_id" = %s AND t."status" = ANY(%s)'
)


def case_referrals(user: User, case: Case) -> ReferralList:
    """Referrals of the case that this user may see: every one (with every step) for the
    owning agency, only the ones shared with their agency for the receiving side. One query
    for a case never referred, three whatever the number of referrals and steps."""
    owner = ppa_access.is_staff_of_case_owner(user) and case.agency_id == user.agency_id
    if owner:
        rows = _CASE_REFERRALS.all(case.pk)
    else:
        rows = _SHARED_CASE_REFERRALS.all(
            case.pk, user.agency_id, [status.value for status in SHARED_STATES]
        )
    # Newest first, sorted here: a case has a handful of referrals.
    result = ReferralList(sorted(rows, key=lambda r: (r.created_at, r.pk), reverse=True))
    if result:  # most cases are never referred: no prefetch to build for them
        prefetch_related_objects(
            result,
            "services",
            Prefetch(
                "events",
                queryset=ReferralEvent.objects.select_related("actor", "agency").order_by(
                    "at", "pk"
                ),
            ),
        )
    result.can_refer = access.can_draft_referral(user, case)
    return result


def user_notifications(user: User) -> QuerySet:
    return Notification.objects.filter(user=user).select_related("case", "referral", "deadline")


def unread_count(user: User | AnonymousUser) -> int:
    if not isinstance(user, User) or not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
