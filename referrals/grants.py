"""Cross-agency access created by referrals. Owned by the referrals app; asked by ppa.access.

Until referrals exist, nothing is shared with another agency."""

from django.db.models import QuerySet


def granted_case_ids(agency_id: int) -> QuerySet:
    from cases.models import Case  # noqa: PLC0415

    return Case.objects.none().values("pk")


def shared_field_groups(agency_id: int, case_id: int) -> set[str]:
    return set()
