from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Statistik dan laporan")

    def ready(self) -> None:
        # The Celery task names reports.services queues by name are registered in every process
        # (also when tasks run eagerly); the tasks module needs the models, loaded by now.
        from reports import tasks  # noqa: F401
