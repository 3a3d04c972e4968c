"""Test override: PostgreSQL at DATABASE_URL (no silent fallback), fast hashing, no real mail."""

import os

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "test-" + "x" * 60)
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sinergi_ppa")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("VAR_DIR", "/tmp/sinergi-ppa-test-var")  # noqa: S108 (test files only)

from ppa.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only in tests
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Unit tests run tasks inline; tests marked celery_worker start a real worker against Redis.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", True)  # noqa: F405
# Referral fault tests (tests/referrals/test_faults.py) run a real worker with these.
REFERRAL_HANDOFF_SWEEP_AFTER = env_int("REFERRAL_HANDOFF_SWEEP_AFTER", 2)  # noqa: F405
if os.environ.get("TEST_EMAIL_FILE_PATH"):  # the worker writes each e-mail sent to a file
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["TEST_EMAIL_FILE_PATH"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 (whitenoise warns otherwise)
AXES_VERBOSE = False  # the login attempts are in the axes tables; keep test output readable
LOGGING["loggers"]["axes"] = {"level": "WARNING"}  # noqa: F405
