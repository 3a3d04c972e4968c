"""State changes of the core: agencies, users and roles."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.mail import send_mail
from django.db import transaction

from ppa.models import Agency, Region, Role, User

# Model permissions per role (app_label.codename); the admin and Django's checks use them.
# Object access to cases is decided by ppa.access, not by these.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.INTAKE: ["cases.add_case", "cases.view_case", "cases.add_person"],
    Role.CASE_WORKER: [
        "cases.view_case",
        "cases.change_case",
        "cases.add_caserecord",
        "cases.add_servicegiven",
        "cases.add_document",
    ],
    Role.SUPERVISOR: ["cases.view_case", "cases.change_case", "cases.add_caserecord"],
    Role.PARTNER: ["cases.view_case"],
    Role.OFFICIAL: [],
    # Community task-force members only send reports and follow their status.
    Role.TASK_FORCE: ["coordination.add_communityreport"],
    Role.DATA_OFFICER: [],
    Role.ADMIN: [
        "ppa.view_agency",
        "ppa.add_agency",
        "ppa.change_agency",
        "ppa.view_user",
        "ppa.add_user",
        "ppa.change_user",
        "ppa.view_region",
        "ppa.view_accesslog",
    ],
}


def role_groups_sync() -> dict[str, Group]:
    """Create the role groups with their model permissions (idempotent)."""
    groups = {}
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=f"role:{role}")
        wanted: list[Permission] = []
        for dotted in perms:
            app_label, codename = dotted.split(".")
            wanted.extend(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)
        groups[role] = group
    return groups


@transaction.atomic
def agency_create(
    *, name: str, kind: str, region: Region, short_name: str = "", **fields: object
) -> Agency:
    """An agency with its own group (referral grants are given to the group)."""
    group, _created = Group.objects.get_or_create(name=f"agency:{name}"[:150])
    return Agency.objects.create(
        name=name, kind=kind, region=region, short_name=short_name, group=group, **fields
    )


@transaction.atomic
def user_set_role(*, user: User, role: str, agency: Agency | None) -> User:
    """Give the user one role in one agency: the fields, the role group and the agency group."""
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
    user.role, user.agency = role, agency
    user.save(update_fields=["role", "agency"])
    groups = [Group.objects.get_or_create(name=f"role:{role}")[0]]
    if agency is not None:
        groups.append(agency.group)
    user.groups.set(groups)
    return user


def user_set_language(*, user: User, language: str) -> None:
    if language in ("id", "en") and user.language != language:
        user.language = language
        user.save(update_fields=["language"])


def agency_staff(agency_id: int, roles: Iterable[str]) -> list[User]:
    """The active users of an agency with one of the roles, in a stable order."""
    users = User.objects.filter(agency_id=agency_id, role__in=list(roles), is_active=True)
    return list(users.order_by("pk"))


def mail_plain(subject: str, body: str, recipients: Iterable[str]) -> int:
    """A plain e-mail to the distinct non-empty addresses. Callers put a code or a title and a
    link in it, never a person's name or a narrative."""
    to = sorted({r for r in recipients if r})
    if not to:
        return 0
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to, fail_silently=False)
