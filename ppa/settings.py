"""Sinergi PPA settings: one module, configured by environment variables (see README)."""

import datetime as dt
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from ppa.env import email_settings, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
_DEV_SECRET = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY == _DEV_SECRET):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters when DEBUG is off "
        '(python -c "import secrets; print(secrets.token_urlsafe(64))").'
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.forms",  # the widget templates, for FORM_RENDERER below
    "ppa.adminsite.SinergiAdminConfig",  # django.contrib.admin with ppa.adminsite's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # trigram lookups for near-duplicate names (pg_trgm)
    "template_partials",
    "guardian",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "ppa",
    "cases",
    "referrals",
    "coordination",
    "reports",
    "privacy",
    "paperwork",
    "imports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ppa.middleware.UserLocaleMiddleware",
    "ppa.middleware.NulInFieldNameMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "ppa.middleware.PartialRedirectMiddleware",
    "ppa.middleware.SessionLimitMiddleware",
    "ppa.middleware.SessionTouchMiddleware",
    "ppa.db.WriteMarkMiddleware",
    "ppa.middleware.OtpRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "ppa.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ppa.urls"
WSGI_APPLICATION = "ppa.wsgi.application"

# Form widgets render through the project's templates: templates/django/forms/widgets/attrs.html
# announces a field's maximum without letting the browser cut input silently. Select lists are
# written in Python with the same markup (ppa/renderers.py).
FORM_RENDERER = "ppa.renderers.FormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ppa.context_processors.navigation",
                "csp.context_processors.nonce",
            ],
            # `{{ value|when }}`: the one date format of the app (ppa/dates.py); `{% url %}`:
            # Django's, an address of codes put together without a resolver walk
            # (ppa/addresses.py).
            "builtins": ["ppa.templatetags.ppa_dates", "ppa.templatetags.urls_kept"],
            # `{% load i18n %}`: Django's, a constant `{% translate %}` kept per language
            # (ppa/templatetags/i18n_kept.py).
            "libraries": {"i18n": "ppa.templatetags.i18n_kept"},
        },
    }
]

# PostgreSQL only, everywhere (the demo of `make run` too: an embedded server, see
# scripts/embedded_db.py). Without DATABASE_URL, development (DEBUG) uses the local PostgreSQL
# that `make test` uses; production refuses to start, as it does without SECRET_KEY.
_LOCAL_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/sinergi_ppa"
_DATABASE_URL = env_str("DATABASE_URL", _LOCAL_DATABASE_URL if DEBUG else "")
if not _DATABASE_URL.startswith(("postgres://", "postgresql://")):
    raise ImproperlyConfigured(
        "DATABASE_URL must be a postgres:// URL (postgres://user:pass@host:5432/db); "
        "Sinergi PPA runs on PostgreSQL only."
    )
DATABASES = {
    "default": dj_database_url.parse(
        _DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- PostgreSQL JIT off (perf) ---
# With JIT on (the PostgreSQL default), any list or statistics query whose cost estimate passes
# jit_above_cost paid 50-1,000 ms of compilation at 1M cases, and one wide statement of the
# bench generator took 100 s to compile (bench/README.md, "Why the targets are missed", 2).
# pg_trgm's `%` (near names of the duplicate warning, cases.selectors.possible_duplicates)
# at similarity 0.5 instead of the default 0.3: a one-letter typo of a two-word name stays
# above 0.6, while 0.3 matched every "Siti ..." of a province (56,878 of 2.2M people, 1.6 s at
# 1M cases; bench/README.md, "Duplicate look-up").
TRIGRAM_THRESHOLD = 0.5
DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
    f"-c jit=off -c pg_trgm.similarity_threshold={TRIGRAM_THRESHOLD}"
)
# --- Prepared statements (perf) ---
# PostgreSQL planned every statement anew: 4-6 ms of planning for the case list's statement and
# for the case page's case-and-its-places join, against 0.2-0.6 ms of execution (at 20k cases
# and at 1M alike). With server-side binding, psycopg prepares a statement on its second use on
# a connection and PostgreSQL reuses its plan (bench/README.md, "Prepared statements"). Behind
# PgBouncer in transaction mode, set DB_PREPARED_STATEMENTS=0 unless PgBouncer is 1.21 or newer
# with max_prepared_statements set (docs/scaling.md).
if env_bool("DB_PREPARED_STATEMENTS", True):
    DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = env_int("DB_PREPARE_THRESHOLD", 2)

# Optional read replica (PostgreSQL streaming replication) for statistics, dashboards,
# exports and report figures; see ppa/db.py and docs/scaling.md.
if env_str("DATABASE_REPLICA_URL", ""):
    DATABASES["replica"] = dj_database_url.parse(
        env_str("DATABASE_REPLICA_URL", ""),
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
    DATABASES["replica"]["OPTIONS"] = {"options": "-c jit=off", "connect_timeout": 2}
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["ppa.db.ReplicaRouter"]
REPLICA_MAX_LAG_SECONDS = env_int("REPLICA_MAX_LAG_SECONDS", 300)

AUTH_USER_MODEL = "ppa.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out logins before hashing
    "ppa.backends.ModelBackend",  # Django's, with the agency in the user's query
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row
GUARDIAN_AUTO_PREFETCH = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "ppa.passwords.ContextWordValidator"},
    {"NAME": "ppa.passwords.MaximumLengthValidator"},
]
# One maximum: passwords longer than this are refused where they are set (the validator above)
# and at the login before any hashing. NIST SP 800-63B asks for at least 64.
PASSWORD_MAX_LENGTH = 128
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 3600

# Bahasa Indonesia first. Source strings (msgids) are written in Indonesian, so a string
# that lacks a translation still shows in the primary language; locale/en holds English.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Jakarta"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded case documents live outside the web root and are served by an access-checked view.
PRIVATE_MEDIA_ROOT = VAR_DIR / "private"
STORAGES: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
# An uploaded image is decoded whole to check it; larger ones are refused before decoding
# (40 megapixels: any phone photo, about 120 MB of memory while checking).
DOCUMENT_MAX_PIXELS = env_int("DOCUMENT_MAX_PIXELS", 40_000_000)

# Sessions and cookies.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
# The idle expiry is renewed by SessionTouchMiddleware at most once a minute, not by a
# session write on every request (measured: that UPDATE was a large part of a list request).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_TOUCH_SECONDS = env_int("SESSION_TOUCH_SECONDS", 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# E-mail: notifications carry a case number and a link only.
_EMAIL = email_settings(env_str("EMAIL_URL", "console://" if DEBUG else "smtp://localhost"))
EMAIL_BACKEND = _EMAIL.backend
EMAIL_HOST = _EMAIL.host
EMAIL_PORT = _EMAIL.port
EMAIL_HOST_USER = _EMAIL.user
EMAIL_HOST_PASSWORD = _EMAIL.password
EMAIL_USE_SSL = _EMAIL.use_ssl
EMAIL_USE_TLS = _EMAIL.use_tls
EMAIL_TIMEOUT = _EMAIL.timeout
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Sinergi PPA <noreply@localhost>")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

# Celery: without a broker, tasks run eagerly in the web process (the embedded default).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, dict] = {}

# --- Referrals: hand-off queue, outbox sweep, reminders -------------------------
# Hand-offs on their own queue, so a slow PDF never delays one (worker: -Q handoff,default).
CELERY_TASK_ROUTES = {
    "referrals.tasks.handoff_deliver": {"queue": "handoff"},
    "referrals.tasks.handoff_sweep": {"queue": "handoff"},
}
# Re-enqueue an outbox row not finished this many seconds after approval (or last enqueue).
REFERRAL_HANDOFF_SWEEP_AFTER = env_int("REFERRAL_HANDOFF_SWEEP_AFTER", 120)
# Escalate to the supervisors of both agencies this many working days after the deadline.
REFERRAL_ESCALATE_WORKING_DAYS = env_int("REFERRAL_ESCALATE_WORKING_DAYS", 1)
# Remind the case worker this many seconds before a statutory clock falls due.
DEADLINE_REMIND_BEFORE = env_int("DEADLINE_REMIND_BEFORE", 12 * 3600)
CELERY_BEAT_SCHEDULE |= {
    "referrals-handoff-sweep": {"task": "referrals.tasks.handoff_sweep", "schedule": 60.0},
    "referrals-reminders-scan": {"task": "referrals.tasks.reminders_scan", "schedule": 300.0},
}

# Every handler masks NIK-like numbers, phone numbers and e-mail addresses (ppa.logging);
# Django's own loggers are routed here too (no mail_admins: error e-mails would carry data).
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_pii": {"()": "ppa.logging.MaskPiiFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_pii"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
    },
}

# --- Security: lockout, login rate, 2FA, sessions, cookies, CSP ----------------------
# django-axes: lock a username (and a username from one address) after 5 failures for 30 min.
# The database handler, not the cache one (axes #1144: a race in the cache handler).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # no endless lockout by an attacker
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_CLIENT_IP_CALLABLE = "ppa.audit.client_ip"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password"]
# Per-address ceiling on login POSTs, checked before any password hash (344 ms each):
# "<count>/<seconds>". An office behind one NAT address shares it, so keep it generous.
LOGIN_RATE_PER_IP = env_str("LOGIN_RATE_PER_IP", "30/300")
# Several web nodes must share one cache (the login rate limit lives there): CACHE_URL.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _cache,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "sinergi"),
        # A cache that does not answer within a second counts as down (sessions then read
        # PostgreSQL, ppa/sessions.py) instead of holding the request.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    if (_cache := env_str("CACHE_URL", ""))
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
# Sessions: with the shared cache, read from Redis and written to PostgreSQL and Redis
# (ppa/sessions.py: one query less on every page); without it, PostgreSQL alone, since a
# per-process cache would let one worker keep a session that another had ended.
SESSION_ENGINE = "ppa.sessions" if _cache else "django.contrib.sessions.backends.db"

# Two-factor authentication (django-otp TOTP; recovery codes are hashed, ppa.models).
# Required for these roles (and superusers); available to everyone on the account page.
OTP_REQUIRED_ROLES = ["supervisor", "admin", "data_officer"]  # the data officer exports names
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Sinergi PPA")
OTP_TOTP_THROTTLE_FACTOR = 1
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 3600)

# Cookies: __Host- names (Secure, path /, no domain) whenever cookies are Secure.
if SECURE_COOKIES:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# Content Security Policy (django-csp 4): no inline script or style; scripts need the nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
# The simple-history admin must not offer "revert" (it would rewrite records from history).
SIMPLE_HISTORY_REVERT_DISABLED = True
SILENCED_SYSTEM_CHECKS = [
    # W021 asks for HSTS preload. Preloading is a commitment for the whole registrable domain
    # (often a shared pemda domain with sites we do not run); enable with SECURE_HSTS_PRELOAD=1
    # once the domain owner agrees. HSTS itself (1 year, subdomains) is on.
    "security.W021",
    # W003: a template library name given to two modules. "i18n" is, on purpose (TEMPLATES,
    # "libraries"); tests/ppa/test_i18n_kept.py fails on any other name given twice.
    "templates.W003",
]

# Data protection (privacy app): case-record exports expire; closed cases are anonymised
# after the retention period (statistical fields kept).
CASE_EXPORT_TTL_MINUTES = env_int("CASE_EXPORT_TTL_MINUTES", 60)
RETENTION_YEARS = env_int("RETENTION_YEARS", 10)

# --- Reports -------------------------------------------------------------------------
# The annual PDF renders on its own queue ("pdf", served by worker-pdf in docker-compose.yml) so
# a slow report never delays a referral hand-off; time limits stop a runaway WeasyPrint job.
CELERY_TASK_ROUTES |= {"reports.tasks.render_report_run": {"queue": "pdf"}}
REPORTS_PDF_SOFT_TIME_LIMIT = env_int("REPORTS_PDF_SOFT_TIME_LIMIT", 240)
REPORTS_PDF_TIME_LIMIT = env_int("REPORTS_PDF_TIME_LIMIT", 300)
# A rendering worker writes a heartbeat every REPORTS_HEARTBEAT_SECONDS; a running run whose
# heartbeat is older than REPORTS_HEARTBEAT_STALE lost its worker and is made again.
REPORTS_HEARTBEAT_SECONDS = env_int("REPORTS_HEARTBEAT_SECONDS", 5)
REPORTS_HEARTBEAT_STALE = env_int("REPORTS_HEARTBEAT_STALE", 30)
# Pending PDF runs (broker down) and running ones without a heartbeat (worker died) are sent
# again by this sweep (one indexed query on the unfinished runs).
CELERY_BEAT_SCHEDULE["reports-sweep-runs"] = {
    "task": "reports.tasks.sweep_report_runs",
    "schedule": 15.0,
}
# Nightly statistics aggregates of every case registered before the day starts
# (reports.services.statistics_refresh); the day's new cases are counted live.
CELERY_BEAT_SCHEDULE["reports-refresh-statistics"] = {
    "task": "reports.tasks.refresh_statistics",
    "schedule": crontab(hour=1, minute=30),
}
# The previous month's report for every office, made on the first working day of the month
# (the task checks the day against the working-day calendar; it runs every morning).
CELERY_BEAT_SCHEDULE["reports-monthly"] = {
    "task": "reports.tasks.produce_monthly_reports",
    "schedule": crontab(hour=6, minute=0),
}
# Fonts embedded in the PDF (Debian fonts-dejavu-core, installed in the Dockerfile).
REPORTS_FONT_DIR = env_str("REPORTS_FONT_DIR", "/usr/share/fonts/truetype/dejavu")

# --- Coordination meetings: overdue follow-up actions ---------------------------------------
# The scan runs beside the referral reminders (same working-day calendar, same escalation
# delay REFERRAL_ESCALATE_WORKING_DAYS). Wired here, above both apps: referrals never
# imports coordination. `manage.py run_periodic` runs every entry of PERIODIC_SCANS too.
CELERY_BEAT_SCHEDULE["coordination-actions-scan"] = {
    "task": "coordination.tasks.actions_overdue_scan",
    "schedule": 300.0,
}
PERIODIC_SCANS = ["coordination.services.actions_overdue_scan"]

# --- Printed documents (referral letters, case summaries): rendered on the PDF queue -------
CELERY_TASK_ROUTES |= {"paperwork.tasks.render_printed_document": {"queue": "pdf"}}
CELERY_BEAT_SCHEDULE["paperwork-sweep-documents"] = {
    "task": "paperwork.tasks.sweep_printed_documents",
    "schedule": 60.0,
}

# --- Imports of earlier records (imports app, docs/imports.md) ---------------------------
# An uploaded file larger than this is refused before it is read (50,000 case rows with their
# people are about 10 MB as XLSX).
IMPORTS_MAX_BYTES = env_int("IMPORTS_MAX_BYTES", 40 * 1024 * 1024)
# An XLSX is a zip of XML: refused before opening when its members declare more than this in
# total, or one member expands more than IMPORTS_MAX_RATIO times (a "zip bomb").
IMPORTS_MAX_UNCOMPRESSED = env_int("IMPORTS_MAX_UNCOMPRESSED", 600 * 1024 * 1024)
IMPORTS_MAX_RATIO = env_int("IMPORTS_MAX_RATIO", 100)
