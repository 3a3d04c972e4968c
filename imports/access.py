"""Access to imports. Built on the role helpers of `ppa.access` and the case rules of
`cases.access`; no rule is restated here.

- Case imports: intake officers and case workers of an UPTD PPA (the staff who register
  cases, `cases.access.can_register_case`), into their own agency; a batch is seen by the
  staff of that agency who may import.
- Population imports: administrators (`ppa.access.has_role(user, Role.ADMIN)`).
Anyone else gets 403 on the pages and 404 for a batch they may not see.
"""

import uuid

from django.db.models import Q, QuerySet
from django.http import Http404

from cases import access as cases_access
from imports.models import ImportBatch
from ppa import access as ppa_access
from ppa.models import Role, User


def can_import_cases(user: User) -> bool:
    return cases_access.can_register_case(user) and ppa_access.has_role(
        user, Role.INTAKE, Role.CASE_WORKER
    )


def can_import_population(user: User) -> bool:
    return ppa_access.has_role(user, Role.ADMIN)


def visible_batches(user: User) -> QuerySet[ImportBatch]:
    condition = Q(pk__in=[])
    if can_import_cases(user):
        condition |= Q(kind=ImportBatch.Kind.CASES, agency_id=user.agency_id)
    if can_import_population(user):
        condition |= Q(kind=ImportBatch.Kind.POPULATION)
    return ImportBatch.objects.filter(condition)


def get_batch_for_user(user: User, code: uuid.UUID) -> ImportBatch:
    batch = (
        visible_batches(user).select_related("created_by", "confirmed_by").filter(code=code).first()
    )
    if batch is None:
        raise Http404
    return batch


def deny_unless_any_import(user: User) -> None:
    ppa_access.deny_unless(can_import_cases(user) or can_import_population(user))
