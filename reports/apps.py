from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Statistik dan laporan")

    def ready(self) -> None:
        # The Celery task names reports.services queues by name are registered in every process
        # (also when tasks run eagerly); the tasks module needs the models, loaded by now.
        from reports import tasks  # noqa: F401

        # The coordination tables of the annual report (they build on reports.selectors' Row
        # and Table, so reports.selectors cannot import them: see register_tables).
        from reports.coordination_stats import coordination_tables
        from reports.selectors import register_tables

        register_tables(coordination_tables)

        # The builder of the statistics downloads (reports.jobs: one machinery for the PDF and
        # the long downloads).
        from reports.exports import statistics_file
        from reports.jobs import register_builder
        from reports.models import ExportRun

        register_builder(ExportRun.Kind.STATISTICS, statistics_file)
