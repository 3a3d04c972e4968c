from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ppa.models import AccessLog, Agency, Region, User
from ppa.services import user_set_role

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

    def save_model(self, request, obj, form, change):
        if not change:
            from django.contrib.auth.models import Group

            obj.group, _created = Group.objects.get_or_create(name=f"agency:{obj.name}"[:150])
        super().save_model(request, obj, form, change)


@admin.register(User)
class UserAdmin(BaseUserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "get_full_name", "agency", "role", "is_active"]
    list_filter = ["role", "is_active", "agency__kind"]
    raw_id_fields = ["agency"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Lembaga dan peran"), {"fields": ["agency", "role", "language", "phone"]}),
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.role:
            user_set_role(user=obj, role=obj.role, agency=obj.agency)


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read and export only: the access log can be neither edited nor deleted."""

    list_display = ["at", "user", "agency", "role", "action", "object_type", "object_id", "purpose"]
    list_filter = ["action", "object_type"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
