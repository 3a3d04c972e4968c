"""Access rules, core: the role helpers every app's access module builds on.

Access is decided per layer, next to what it guards, and nowhere else:
- `ppa.access` (this module): roles, `deny_unless`;
- `cases.access`: cases, people, drafts, documents, field groups, case-record exports;
- `referrals.access`: referrals; `reports.access`: statistics and report runs.

Conventions:
- `visible_*(user)` returns a queryset filtered in SQL (never a Python loop over rows).
- `get_*_for_user(user, code)` returns the object or raises Http404 for anyone who may not
  know that it exists; with `write=True` it raises PermissionDenied (403) for someone who may
  see it but not change it.
- `can_*(user, ...)` answers a yes/no question for templates and services.
"""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from ppa.models import Role, User


def role_of(user: User | AnonymousUser | None) -> str:
    """The user's role, or "" for anonymous and inactive users and users without a role."""
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return ""
    return user.role


def has_role(user: User | AnonymousUser | None, *roles: str) -> bool:
    return role_of(user) in roles


def is_staff_of_case_owner(user: User) -> bool:
    """Intake officers, case workers and supervisors of an UPTD PPA (the case owners)."""
    if not has_role(user, Role.INTAKE, Role.CASE_WORKER, Role.SUPERVISOR):
        return False
    agency = user.agency
    return agency is not None and agency.is_case_owner and agency.is_active


def deny_unless(allowed: bool) -> None:
    """Raise 403 when a user who may see something tries an action they may not take."""
    if not allowed:
        raise PermissionDenied
