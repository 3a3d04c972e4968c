from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from ppa.admin import NoWriteAdmin
from reports.models import Population, ReportRun, StatisticsRefresh


@admin.register(Population)
class PopulationAdmin(admin.ModelAdmin):
    """Population per region and year (BPS / Dukcapil), used for rates per 100,000."""

    list_display = ["region", "year", "sex", "age_band", "count", "source"]
    list_filter = ["year", "sex", "age_band"]
    search_fields = ["region__name", "region__code"]
    raw_id_fields = ["region"]
    ordering = ["region", "-year", "sex", "age_band"]


@admin.register(ReportRun)
class ReportRunAdmin(admin.ModelAdmin):
    """Read-only: runs are created from the statistics page and rendered by the worker."""

    list_display = ["requested_at", "authority", "edition", "language", "status", "progress"]
    list_filter = ["status", "edition"]
    exclude = ["figures"]
    readonly_fields = [f.name for f in ReportRun._meta.fields if f.name not in ("id", "figures")]

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(StatisticsRefresh)
class StatisticsRefreshAdmin(NoWriteAdmin):
    """Read-only: written by the nightly refresh (Celery beat, or `refresh_statistics`)."""

    list_display = ["refreshed_at", "covers_before", "duration", "rows"]
