import csv
from typing import Any

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ppa.exports import safe_cell
from ppa.models import AccessLog, Agency, HistoryOrigin, Region, User, UserSession
from ppa.security import session_store, sessions_end
from ppa.services import user_set_role


class NoWriteAdmin(admin.ModelAdmin):
    """Rows the application writes (audit, exports, refreshes): shown, never added, changed or
    deleted in the admin."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ReadOnlyAdmin(NoWriteAdmin):
    """Audit data: an administrator can read and export it, nobody can change or delete it
    (the database refuses too: ppa.security.install_append_only_triggers)."""

    actions = ["export_csv"]

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Ekspor CSV"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        return audit_csv(queryset, self.model._meta.model_name)


def audit_csv(queryset: QuerySet, name: str) -> HttpResponse:
    """The selected rows with every concrete field; text cells neutralised (safe_cell)."""
    fields = list(queryset.model._meta.concrete_fields)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    writer.writerow([f.attname for f in fields])
    for row in queryset.iterator(chunk_size=2000):
        writer.writerow([safe_cell(_csv_value(getattr(row, f.attname))) for f in fields])
    return response


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value if isinstance(value, int | float) else str(value)


admin.site.site_header = _("Sinergi PPA — administrasi")
admin.site.site_title = _("Sinergi PPA")


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "kind", "postal_code"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "region", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name"]
    raw_id_fields = ["region", "parent"]
    readonly_fields = ["group"]

    def save_model(self, request: HttpRequest, obj: Agency, form: Any, change: bool) -> None:
        if not change:
            obj.group, _created = Group.objects.get_or_create(name=f"agency:{obj.name}"[:150])
        super().save_model(request, obj, form, change)


@admin.register(User)
class UserAdmin(BaseUserAdmin, SimpleHistoryAdmin):
    actions = ["end_sessions"]
    list_display = ["username", "get_full_name", "agency", "role", "is_active"]
    list_filter = ["role", "is_active", "agency__kind"]
    raw_id_fields = ["agency"]
    fieldsets = [
        *(BaseUserAdmin.fieldsets or ()),
        (_("Lembaga dan peran"), {"fields": ["agency", "role", "language", "phone"]}),
    ]

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if obj.role:
            user_set_role(user=obj, role=obj.role, agency=obj.agency)

    @admin.action(description=_("Akhiri semua sesi pengguna terpilih"))
    def end_sessions(self, request: HttpRequest, queryset: QuerySet) -> None:
        ended = sum(sessions_end(user) for user in queryset)
        self.message_user(request, _("%(n)s sesi diakhiri.") % {"n": ended}, messages.SUCCESS)


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    """Read and export only: the access log can be neither edited nor deleted."""

    list_display = ["at", "user", "agency", "role", "action", "object_type", "object_id", "purpose"]
    list_filter = ["action", "object_type"]
    date_hierarchy = "at"


@admin.register(HistoryOrigin)
class HistoryOriginAdmin(ReadOnlyAdmin):
    list_display = ["at", "history_model", "history_pk", "agency", "role", "ip_address"]
    list_filter = ["history_model"]


@admin.register(UserSession)
class UserSessionAdmin(admin.ModelAdmin):
    """Signed-in sessions; "delete" ends them (the session itself is removed)."""

    list_display = ["user", "created_at", "ip_address", "user_agent"]
    actions = ["end"]

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Akhiri sesi terpilih"))
    def end(self, request: HttpRequest, queryset: QuerySet) -> None:
        for row in queryset:
            session_store(row.session_key).delete()
        queryset.delete()


class HistoryAdmin(ReadOnlyAdmin):
    """Every change-history table (any app): read and export only."""

    list_display = ["history_date", "history_type", "history_user", "history_id", "__str__"]
    list_filter = ["history_type"]
    date_hierarchy = "history_date"


def register_history_admins(site: admin.AdminSite = admin.site) -> list[str]:
    """Register each simple-history model not yet in the admin (apps added later too)."""
    registered = []
    for model in apps.get_models():
        is_history = model.__name__.startswith("Historical") and hasattr(model, "history_date")
        if is_history and not site.is_registered(model):
            site.register(model, HistoryAdmin)
            registered.append(model._meta.label)
    return registered
