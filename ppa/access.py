"""Role helpers shared by every object type's rules."""

from django.core.exceptions import PermissionDenied

from ppa.models import Role


def role_of(user) -> str:
    """The user's role, or "" for anonymous and inactive users and users without a role."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ""
    return user.role


def has_role(user, *roles: str) -> bool:
    return role_of(user) in roles


def is_staff_of_case_owner(user) -> bool:
    """Intake officers, case workers and supervisors of an UPTD PPA (the case owners)."""
    return (
        has_role(user, Role.INTAKE, Role.CASE_WORKER, Role.SUPERVISOR)
        and user.agency_id is not None
        and user.agency.is_case_owner
        and user.agency.is_active
    )


def deny_unless(allowed: bool) -> None:
    """Raise 403 when a user who may see something tries an action they may not take."""
    if not allowed:
        raise PermissionDenied
