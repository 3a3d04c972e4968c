from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from coordination.models import FollowUpAction, Meeting


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ["title", "starts_at", "convening_agency"]
    readonly_fields = ["code", "created_by"]


@admin.register(FollowUpAction)
class FollowUpActionAdmin(SimpleHistoryAdmin):
    list_display = ["description", "agency", "due_date", "status"]
    list_filter = ["status"]
    readonly_fields = ["code"]
