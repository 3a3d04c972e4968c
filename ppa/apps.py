from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _append_only(sender, using, **kwargs) -> None:
    """After every migrate: history tables of apps added later get the trigger too."""
    from django.db import connections  # noqa: PLC0415

    from ppa.security import install_append_only_triggers  # noqa: PLC0415

    install_append_only_triggers(connections[using])


class PpaConfig(AppConfig):
    name = "ppa"
    verbose_name = _("Inti: lembaga, pengguna, wilayah")

    def ready(self) -> None:
        from ppa import security  # noqa: F401,PLC0415 (signal receivers)

        # Admin modules are imported by now (django.contrib.admin is ready first): register the
        # history tables that no app registered itself, read-only.
        from ppa.admin import register_history_admins  # noqa: PLC0415

        register_history_admins()
        post_migrate.connect(_append_only, sender=self, dispatch_uid="ppa_append_only")
