from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = _("Impor data")

    def ready(self) -> None:
        # The task names imports.services queues are registered in every process (also when
        # tasks run eagerly); the tasks module needs the models, loaded by now.
        from imports import tasks  # noqa: F401
