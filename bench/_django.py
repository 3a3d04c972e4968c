"""Django set-up shared by the bench scripts (run as `python bench/<script>.py`)."""

import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup() -> None:
    """Import path and settings for a script run from anywhere; settings come from the env."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ppa.settings")
    # Production settings (DEBUG off), plain http in-process or on loopback (as behind the
    # proxy), and Celery tasks run eagerly unless a broker is given.
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("SECURE_COOKIES", "0")
    os.environ.setdefault("CELERY_BROKER_URL", "")
    import django

    django.setup()


def command_line() -> str:
    """The command that produced a figure, as typed (relative to the repository)."""
    return " ".join([".venv/bin/python", *sys.argv])


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def median(values: list[float]) -> float:
    return statistics.median(values)
