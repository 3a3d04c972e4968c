"""Access to cases and everything inside them (people, records, services, documents).

Cases of another agency become visible through shares that a layer above (referrals) owns:
it registers a `CaseShareSource` when the app loads (`register_share_source`), so this module
asks for shared cases without importing the layer that grants them (docs/architecture.md).
"""

import functools
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from django.core.exceptions import EmptyResultSet
from django.db.models import Q, QuerySet
from django.http import Http404

from cases.models import Case, Document, IntakeDraft, Person, PersonRole, Step
from ppa.access import deny_unless, has_role, is_staff_of_case_owner, role_of
from ppa.models import Role, User
from ppa.rows import JoinedRows

__all__ = [
    "FieldGroup",
    "CaseAccess",
    "case_access",
    "visible_cases",
    "visible_case_parts",
    "get_case_for_user",
    "can_register_case",
    "can_search_names",
    "can_review_data_quality",
    "get_draft_for_user",
    "get_person_for_user",
    "person_field_groups",
    "get_document_for_user",
    "can_export_case_records",
    "CaseShareSource",
    "register_share_source",
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
    """What one user may do with one case.

    - can_edit: change the registered facts, upload documents, mark clocks done (case workers
      and supervisors; an intake officer only while the case is at identification).
    - can_manage: move the case through the steps, record services, legal process and notes,
      ask for closure (case workers and supervisors).
    - can_supervise: assign the case worker, approve or return a closure, reopen (supervisor).
    None of them is granted on a closed case, except can_reopen.
    """

    can_view: bool = False
    can_edit: bool = False
    is_owner: bool = False
    field_groups: frozenset[str] = field(default_factory=frozenset)
    can_manage: bool = False
    can_supervise: bool = False
    can_reopen: bool = False

    def shows(self, group: str) -> bool:
        return group in self.field_groups


class CaseShareSource(Protocol):
    """Where cases shared with another agency come from (the referrals app's grants)."""

    def granted_case_ids(self, agency_id: int | None) -> QuerySet:
        """Ids of the cases shared with the agency: a subquery for `pk__in`."""
        ...

    def shared_field_groups(self, agency_id: int | None, case_id: int) -> Iterable[str]:
        """The field groups of the case the agency may see (empty: none)."""
        ...


class _NoShares:
    """Before a share source registers (or without one): no case is shared."""

    def granted_case_ids(self, agency_id: int | None) -> QuerySet:
        return Case.objects.none().values("pk")

    def shared_field_groups(self, agency_id: int | None, case_id: int) -> Iterable[str]:
        return ()


_shares: CaseShareSource = _NoShares()


def register_share_source(source: CaseShareSource) -> None:
    """Called once by the app that shares cases (referrals, in its AppConfig.ready)."""
    global _shares  # noqa: PLW0603 (one registration at start-up)
    _shares = source
    _granted_sql.cache_clear()


def _granted_case_ids(user: User) -> QuerySet:
    """Ids of cases shared with the user's agency by an open or completed referral."""
    return _shares.granted_case_ids(user.agency_id)


def visible_cases(user: User) -> QuerySet:
    """Cases the user may open: their UPTD's own cases, and cases referred to their agency."""

    if not user.is_authenticated or not user.is_active or user.agency_id is None:
        return Case.objects.none()
    if is_staff_of_case_owner(user):
        return Case.objects.filter(Q(agency_id=user.agency_id) | Q(pk__in=_granted_case_ids(user)))
    if has_role(user, Role.PARTNER) and user.agency is not None and user.agency.is_active:
        return Case.objects.filter(pk__in=_granted_case_ids(user))
    return Case.objects.none()  # officials and administrators see aggregates, not records


def visible_case_parts(user: User) -> list[tuple[str, list]]:
    """`visible_cases` as separate SQL conditions on the table `"cases_case"` whose union is
    the same set of cases: the agency's own cases (UPTD staff only), then the cases referred to
    the agency. Each is `(sql, params)`; a part that can hold no case is left out.

    For the case list's statement (`cases.selectors.case_list`): PostgreSQL cannot walk the
    index `cases_case_agency_list` for `agency_id = X OR id IN (...)` and scans every case
    (bench/README.md: 1 s at 1M cases); each part on its own pages through an index. Empty for
    users who see no records."""

    if not user.is_authenticated or not user.is_active or user.agency_id is None:
        return []
    parts: list[tuple[str, list]] = []
    if is_staff_of_case_owner(user):
        parts.append(('"cases_case"."agency_id" = %s', [user.agency_id]))
    elif not (has_role(user, Role.PARTNER) and user.agency is not None and user.agency.is_active):
        return []
    granted = _granted_sql()
    if granted is None:  # no share source, or one that knows no case can be shared
        return parts
    sql, params, slots = granted
    agency_params = list(params)
    for slot in slots:
        agency_params[slot] = user.agency_id
    parts.append((sql, agency_params))
    return parts


# Marks where the agency's id goes among the parameters of the compiled subquery: no agency
# has a negative id, and the subquery's other parameters (states, permission names) are text.
_ANY_AGENCY = -1


@functools.cache
def _granted_sql() -> tuple[str, tuple, tuple[int, ...]] | None:
    """The referred-cases condition of `visible_case_parts`, compiled once per process (and
    again after a share source registers): `(sql, params, slots)`, the agency's id going into
    `params` at each slot. Compiling the ORM's subquery on every request was a tenth of the
    case list's time."""
    try:
        granted, params = _shares.granted_case_ids(_ANY_AGENCY).query.sql_with_params()
    except EmptyResultSet:
        return None
    slots = tuple(i for i, value in enumerate(params) if value == _ANY_AGENCY)
    return f'"cases_case"."id" IN ({granted})', tuple(params), slots


def case_access(user: User, case: Case) -> CaseAccess:
    """What the user may do with this case, and which parts of it they may see."""
    if not user.is_authenticated or not user.is_active or user.agency_id is None:
        return CaseAccess()
    if is_staff_of_case_owner(user) and case.agency_id == user.agency_id:
        role = role_of(user)
        manager = role in (Role.CASE_WORKER, Role.SUPERVISOR)
        editor = manager or (role == Role.INTAKE and case.step == Step.IDENTIFICATION)
        supervisor = role == Role.SUPERVISOR
        return CaseAccess(
            can_view=True,
            can_edit=editor and not case.is_closed,
            is_owner=True,
            field_groups=FieldGroup.ALL,
            can_manage=manager and not case.is_closed,
            can_supervise=supervisor and not case.is_closed,
            can_reopen=supervisor and case.is_closed,
        )
    if has_role(user, Role.PARTNER, Role.INTAKE, Role.CASE_WORKER, Role.SUPERVISOR):
        groups = frozenset(_shares.shared_field_groups(user.agency_id, case.pk))
        if groups:
            return CaseAccess(can_view=True, field_groups=groups)
    return CaseAccess()


# The case with what its page shows and its access needs, in a statement written once
# per process (ppa.rows: compiling the ORM's version was half of this function's time).
_CASE_BY_CODE = JoinedRows(
    Case,
    ("agency", "region", "place", "incident_district", "incident_village", "assigned_worker"),
    't."code" = %s',
)


def get_case_for_user(
    user: User, code: uuid.UUID | str, *, write: bool = False, need: str = ""
) -> Case:
    """The case, or 404 for anyone outside it; with write=True, 403 for read-only viewers.

    `need` names a stronger right ("edit", "manage", "supervise", "reopen"): 403 without it."""

    try:
        case = _CASE_BY_CODE.get(code if isinstance(code, uuid.UUID) else uuid.UUID(code))
    except ValueError:
        case = None
    if case is None:
        raise Http404
    access = case_access(user, case)
    if not access.can_view:
        raise Http404
    if write:
        need = need or "edit"
    if need:
        deny_unless(getattr(access, f"can_{need}"))
    case.access = access
    return case


def person_field_groups(role: str) -> frozenset[str]:
    """The field groups a person's data belongs to (see the case page): a victim's block needs
    the victim's needs, their identity and the incident (forms of violence); a perpetrator's
    the perpetrators; a reporter's or guardian's the victim's identity."""
    if role == PersonRole.VICTIM:
        return frozenset({FieldGroup.VICTIM_NEEDS, FieldGroup.VICTIM_IDENTITY, FieldGroup.INCIDENT})
    if role == PersonRole.PERPETRATOR:
        return frozenset({FieldGroup.PERPETRATORS})
    return frozenset({FieldGroup.VICTIM_IDENTITY})


def get_person_for_user(
    user: User, code: uuid.UUID | str, person_code: uuid.UUID | str
) -> tuple[Case, Person]:
    """(case, person) for a user who may change the person's data.

    404 for anyone outside the case and for a person not in it, 403 for read-only viewers of
    the case and for a user who may not see every field group of the person's data."""
    case = get_case_for_user(user, code, need="edit")
    person = case.people.filter(code=person_code).first()
    if person is None:
        raise Http404
    deny_unless(person_field_groups(person.role) <= case.access.field_groups)
    person.case = case
    return case, person


def can_register_case(user: User) -> bool:
    return is_staff_of_case_owner(user)


def can_search_names(user: User) -> bool:
    """Staff of an UPTD may look cases up by a person's name (only in their own cases)."""
    return is_staff_of_case_owner(user)


def can_review_data_quality(user: User) -> bool:
    """Supervisors of an UPTD review their own agency's cases whose data breaks a rule."""
    return is_staff_of_case_owner(user) and has_role(user, Role.SUPERVISOR)


def get_draft_for_user(user: User, code: uuid.UUID | str) -> IntakeDraft:
    """An intake draft, for its owner only (404 for anyone else)."""

    draft = IntakeDraft.objects.filter(code=code, owner_id=user.pk).first()
    if draft is None or not can_register_case(user) or draft.agency_id != user.agency_id:
        raise Http404
    return draft


def get_document_for_user(user: User, code: uuid.UUID | str) -> Document:
    """A case document, for users who may see the case and its documents (404 otherwise)."""

    document = Document.objects.select_related("case").filter(code=code).first()
    if document is None:
        raise Http404
    access = case_access(user, document.case)
    if not access.can_view or not access.shows(FieldGroup.DOCUMENTS):
        raise Http404
    document.case.access = access
    return document


def can_export_case_records(user: User, case: Case) -> bool:
    """Case workers and supervisors of the owning agency may export a case's records (with a
    stated reason, logged, expiring: see the privacy app). `case` comes from get_case_for_user."""
    return case.access.is_owner and has_role(user, Role.CASE_WORKER, Role.SUPERVISOR)
