from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PpaConfig(AppConfig):
    name = "ppa"
    verbose_name = _("Inti: lembaga, pengguna, wilayah")
