from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _append_only(sender: AppConfig, using: str, **kwargs: object) -> None:
    """After every migrate: history tables of apps added later get the trigger too."""
    # ppa.security imports the models, which cannot be imported while this module loads.
    from ppa.security import install_append_only_triggers

    install_append_only_triggers(connections[using])


class PpaConfig(AppConfig):
    name = "ppa"
    verbose_name = _("Inti: lembaga, pengguna, wilayah")

    def ready(self) -> None:
        # Signal receivers (login, history, sessions); models are loaded by now.
        # The task names services queue (ppa.tasks.load_regions), registered in every process.
        from ppa import (  # noqa: F401
            otp,
            security,
            tasks,  # noqa: F401
        )

        # Admin modules are imported by now (django.contrib.admin is ready first): register the
        # history tables that no app registered itself, read-only.
        from ppa.admin import register_history_admins

        register_history_admins()
        post_migrate.connect(_append_only, sender=self, dispatch_uid="ppa_append_only")
