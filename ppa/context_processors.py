from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ppa.access import role_of
from ppa.addresses import code_url
from ppa.models import Role, User
from ppa.otp import otp_required

# (url name, label, roles that see the link). Links whose view does not exist yet are skipped.
NAV = [
    ("cases:list", _("Kasus"), {Role.INTAKE, Role.CASE_WORKER, Role.SUPERVISOR, Role.PARTNER}),
    ("cases:intake", _("Pengaduan baru"), {Role.INTAKE, Role.CASE_WORKER, Role.SUPERVISOR}),
    ("referrals:inbox", _("Rujukan"), {Role.CASE_WORKER, Role.SUPERVISOR, Role.PARTNER}),
    ("reports:dashboard", _("Statistik"), {Role.OFFICIAL, Role.SUPERVISOR}),
    ("cases:data_quality", _("Kualitas data"), {Role.SUPERVISOR}),
    ("coordination:list", _("Rakor"), {Role.OFFICIAL, Role.SUPERVISOR, Role.PARTNER}),
    (
        "community:list",
        _("Laporan Satgas"),
        {Role.INTAKE, Role.CASE_WORKER, Role.SUPERVISOR, Role.TASK_FORCE},
    ),
    ("prevention:list", _("Pencegahan"), {Role.SUPERVISOR, Role.OFFICIAL, Role.TASK_FORCE}),
    ("paperwork:agenda", _("Agenda"), {Role.CASE_WORKER, Role.SUPERVISOR}),
    ("paperwork:simfoni", _("Ekspor SIMFONI"), {Role.SUPERVISOR, Role.DATA_OFFICER}),
    # Officials have no referral inbox (which links the notifications for the others): the
    # monthly report's notification is reached from here.
    ("referrals:notifications", _("Notifikasi"), {Role.OFFICIAL}),
    ("imports:index", _("Impor data"), {Role.INTAKE, Role.CASE_WORKER}),
    ("imports:population", _("Impor penduduk"), {Role.ADMIN}),
]


def navigation(request: HttpRequest) -> dict[str, list[dict[str, Any]]]:
    user = getattr(request, "user", None)
    role = role_of(user)
    if not role or not isinstance(user, User):
        return {"nav_links": []}
    if not user.is_verified() and otp_required(user, request.session):
        return {"nav_links": []}  # the menu waits until the second factor is done
    links: list[dict[str, Any]] = []
    for name, label, roles in NAV:
        if role not in roles:
            continue
        links.append({"url": code_url(name), "label": label, "active": False})
    # The current section: the longest link the page's address starts with (the intake under
    # /kasus/pengaduan/ is "Pengaduan baru", not also "Kasus"); none on a page not found.
    if getattr(request, "resolver_match", None) is not None:
        current = [link for link in links if request.path.startswith(link["url"])]
        if current:
            max(current, key=lambda link: len(link["url"]))["active"] = True
    return {"nav_links": links}
