from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Rujukan")

    def ready(self) -> None:
        # Imported here, not at the top: these modules need the models, which Django loads
        # only after every app config. The tasks module registers the Celery task names that
        # referrals.services queues by name.
        from cases.access import register_share_source
        from referrals import grants, tasks  # noqa: F401

        register_share_source(grants)
