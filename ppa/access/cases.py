"""Access to cases and everything inside them (people, records, services, documents)."""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404

from ppa.access.core import deny_unless, has_role, is_staff_of_case_owner, role_of
from ppa.models import Role

__all__ = [
    "FieldGroup",
    "CaseAccess",
    "case_access",
    "visible_cases",
    "get_case_for_user",
    "can_register_case",
]


class FieldGroup:
    """Parts of a case that a referral can share. The owning agency sees all of them."""

    INCIDENT = "incident"  # dates, place, type, forms of violence, kecamatan
    VICTIM_NEEDS = "victim_needs"  # the referred victim: sex, age group, needs, services
    VICTIM_IDENTITY = "victim_identity"  # the referred victim's name, NIK (masked), address, phone
    NARRATIVE = "narrative"  # the chronology
    PERPETRATORS = "perpetrators"
    OTHER_VICTIMS = "other_victims"
    DOCUMENTS = "documents"

    ALL = frozenset(
        {INCIDENT, VICTIM_NEEDS, VICTIM_IDENTITY, NARRATIVE, PERPETRATORS, OTHER_VICTIMS, DOCUMENTS}
    )
    DEFAULT_SHARED = frozenset({INCIDENT, VICTIM_NEEDS})


@dataclass(frozen=True)
class CaseAccess:
    can_view: bool = False
    can_edit: bool = False
    is_owner: bool = False
    field_groups: frozenset[str] = field(default_factory=frozenset)

    def shows(self, group: str) -> bool:
        return group in self.field_groups


def _granted_case_ids(user) -> QuerySet:
    """Ids of cases shared with the user's agency by an open or completed referral.

    Filled in by the referrals app (guardian direct foreign-key rows on the agency's group)."""
    from referrals.grants import granted_case_ids  # noqa: PLC0415 (import cycle)

    return granted_case_ids(user.agency_id)


def visible_cases(user) -> QuerySet:
    """Cases the user may open: their UPTD's own cases, and cases referred to their agency."""
    from cases.models import Case  # noqa: PLC0415

    if not user.is_authenticated or not user.is_active or user.agency_id is None:
        return Case.objects.none()
    if is_staff_of_case_owner(user):
        return Case.objects.filter(Q(agency_id=user.agency_id) | Q(pk__in=_granted_case_ids(user)))
    if has_role(user, Role.PARTNER) and user.agency.is_active:
        return Case.objects.filter(pk__in=_granted_case_ids(user))
    return Case.objects.none()  # officials and administrators see aggregates, not records


def case_access(user, case) -> CaseAccess:
    """What the user may do with this case, and which parts of it they may see."""
    if not user.is_authenticated or not user.is_active or user.agency_id is None:
        return CaseAccess()
    if is_staff_of_case_owner(user) and case.agency_id == user.agency_id:
        editor = role_of(user) in (Role.CASE_WORKER, Role.SUPERVISOR) or (
            role_of(user) == Role.INTAKE and case.step == "identification"
        )
        return CaseAccess(
            can_view=True,
            can_edit=editor and not case.is_closed,
            is_owner=True,
            field_groups=FieldGroup.ALL,
        )
    if has_role(user, Role.PARTNER, Role.INTAKE, Role.CASE_WORKER, Role.SUPERVISOR):
        from referrals.grants import shared_field_groups  # noqa: PLC0415

        groups = shared_field_groups(user.agency_id, case.pk)
        if groups:
            return CaseAccess(can_view=True, field_groups=frozenset(groups))
    return CaseAccess()


def get_case_for_user(user, code, *, write: bool = False):
    """The case, or 404 for anyone outside it; with write=True, 403 for read-only viewers."""
    from cases.models import Case  # noqa: PLC0415

    case = Case.objects.select_related("agency", "region", "place").filter(code=code).first()
    if case is None:
        raise Http404
    access = case_access(user, case)
    if not access.can_view:
        raise Http404
    if write:
        deny_unless(access.can_edit)
    case.access = access
    return case


def can_register_case(user) -> bool:
    return is_staff_of_case_owner(user)
