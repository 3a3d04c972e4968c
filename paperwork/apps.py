from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaperworkConfig(AppConfig):
    name = "paperwork"
    verbose_name = _("Dokumen cetak")

    def ready(self) -> None:
        # The task paperwork.services queues by name is registered in every process (also when
        # tasks run eagerly); the tasks module needs the models, loaded by now.
        from paperwork import tasks  # noqa: F401

        # The builder of the SIMFONI file, made in the background by reports.jobs (reports
        # sits below paperwork: it reaches the builder only through this registration).
        from paperwork.services import simfoni_file
        from reports.jobs import register_builder
        from reports.models import ExportRun

        register_builder(ExportRun.Kind.SIMFONI, simfoni_file)
