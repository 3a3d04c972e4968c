import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean | {"DJANGO_SETTINGS_MODULE": "ppa.settings"} | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_mode_refuses_to_start_without_a_real_secret_key():
    result = run_python("import django; django.setup()", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_bad_boolean_is_refused_with_the_variable_name():
    result = run_python("import django; django.setup()", DEBUG="maybe")
    assert "DEBUG must be a boolean" in result.stderr


def test_celery_runs_eagerly_without_a_broker():
    result = run_python(
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CELERY_TASK_ALWAYS_EAGER)",
        DEBUG="1",
        CELERY_BROKER_URL="",
    )
    assert result.stdout.strip() == "True", result.stderr


def test_quick_start_migrates_and_seeds_a_fresh_sqlite_database_twice(tmp_path):
    """The first README command's steps on the embedded default, run twice (idempotent)."""
    env = {
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path}/demo.sqlite3",
        "VAR_DIR": str(tmp_path),
        "CELERY_BROKER_URL": "",
    }
    for _ in range(2):
        for args in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
            result = subprocess.run(  # noqa: S603
                [sys.executable, "manage.py", *args],
                cwd=ROOT,
                env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"} | env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert result.returncode == 0, result.stderr[-2000:]
    assert "pengaduan" in result.stdout
    assert (tmp_path / "demo-passwords.txt").read_text().count("\n") == 8

    # The demo's pages work on SQLite too (the case page and the statistics read through
    # PostgreSQL-only SQL on PostgreSQL, and fall back to plain ORM queries elsewhere).
    pages = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", SQLITE_PAGES],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        | env
        | {"ALLOWED_HOSTS": "testserver"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    # Case page, statistics, the hospital's referral inbox; the demo referrals by state.
    assert pages.stdout.split()[-5:] == [
        "200",
        "200",
        "200",
        "accepted,delivered,draft,pending_approval",
        "True",
    ], pages.stderr[-2000:]


SQLITE_PAGES = """
from django.test import Client
from django.urls import reverse
from cases.models import Case
from ppa.models import User
worker = User.objects.filter(role="case_worker").first()
official = User.objects.filter(role="official").first()
client = Client()
client.force_login(worker)
case = Case.objects.filter(agency_id=worker.agency_id).order_by("-id").first()
print(client.get(reverse("cases:detail", args=[case.code])).status_code)
client.force_login(official)
print(client.get(reverse("reports:dashboard")).status_code)
from referrals.models import Referral
hospital = User.objects.get(username="rsud")
client.force_login(hospital)
inbox = client.get(reverse("referrals:inbox"))
print(inbox.status_code)
print(",".join(sorted(Referral.objects.values_list("status", flat=True))))
waiting = Referral.objects.get(to_agency=hospital.agency)
print(reverse("referrals:detail", kwargs={"code": waiting.code}) in inbox.text)
"""


def test_manage_py_without_a_secret_key_is_development_but_the_web_entry_point_refuses():
    clean = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}
    }
    env = clean | {"DJANGO_SETTINGS_MODULE": "ppa.settings"}
    check = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stderr[-1000:]
    web = run_python("import ppa.wsgi")
    assert web.returncode != 0 and "SECRET_KEY must be set" in web.stderr
    explicit = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env | {"DEBUG": "0"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert explicit.returncode != 0 and "SECRET_KEY must be set" in explicit.stderr
