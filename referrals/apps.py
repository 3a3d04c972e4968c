from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Rujukan")

    def ready(self) -> None:
        # Imported here, not at the top: the grants module needs the models, which Django
        # loads only after every app config (the documented place is ready()).
        from cases.access import register_share_source
        from referrals import grants

        register_share_source(grants)
