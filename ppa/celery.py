import logging.config
import os

from celery import Celery
from celery.signals import setup_logging
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ppa.settings")

app = Celery("ppa")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def use_django_logging(**_kwargs: object) -> None:
    """Workers and beat log through settings.LOGGING, whose every handler masks personal data
    (ppa.logging.MaskPiiFilter), instead of Celery's own unfiltered handlers; what is printed
    to standard output (the console e-mail backend, stray prints) goes through it too."""
    logging.config.dictConfig(settings.LOGGING)
    if app.conf.worker_redirect_stdouts:
        app.log.redirect_stdouts(app.conf.worker_redirect_stdouts_level)
