import json
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

    # The demo's pages work on SQLite too: several views use PostgreSQL-only SQL on
    # PostgreSQL (case list, case page) and must fall back to plain ORM queries elsewhere.
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
    assert pages.returncode == 0, pages.stderr[-3000:]
    result = json.loads(pages.stdout.strip().splitlines()[-1])
    assert result["statuses"] and not [
        (who, url, code) for who, url, code in result["statuses"] if code != 200
    ]
    assert result["referrals"] == ["accepted", "delivered", "draft", "pending_approval"]
    assert result["inbox_lists_the_waiting_referral"]
    # A correction made meanwhile is what the conflict view shows (history on SQLite too).
    assert result["conflict_shows"] == ["Nama Koreksi"]


SQLITE_PAGES = """
import json
from django.test import Client
from django.urls import reverse
from ppa.models import User
from referrals.models import Referral

statuses = []
def get(username, url):
    client = Client()
    client.force_login(User.objects.get(username=username))
    response = client.get(url)
    statuses.append((username, url, response.status_code))
    return response

worker = User.objects.get(username="manajer")
own = Referral.objects.filter(case__agency_id=worker.agency_id).order_by("id").first()
case = own.case  # open, managed by this worker
for url in [
    reverse("home"), reverse("cases:list"), reverse("cases:list") + "?status=closed",
    reverse("cases:detail", args=[case.code]), reverse("cases:print", args=[case.code]),
    reverse("cases:edit", args=[case.code]), reverse("cases:drafts"),
    reverse("referrals:inbox"), reverse("referrals:notifications"),
    reverse("referrals:detail", args=[own.code]), reverse("account"),
    reverse("cases:person_edit", args=[case.code, case.people.order_by("id").first().code]),
]:
    get("manajer", url)
for url in [reverse("reports:dashboard"), reverse("reports:export_csv"),
            reverse("reports:export_xlsx")]:
    get("pejabat", url)
accepted = Referral.objects.get(status="accepted")
get("polisi", reverse("cases:list"))
get("polisi", reverse("cases:detail", args=[accepted.case.code]))
inbox = get("rsud", reverse("referrals:inbox"))
from cases import selectors, services
person = case.people.order_by("id").first()
opened = person.version
services.person_update(
    actor=worker, person=person, version=opened, changes={"name": "Nama Koreksi"}, reason="uji"
)
conflict = selectors.person_changes_since(person, opened)
waiting = Referral.objects.get(status="delivered")
get("rsud", reverse("referrals:detail", args=[waiting.code]))
print(json.dumps({
    "statuses": statuses,
    "referrals": sorted(Referral.objects.values_list("status", flat=True)),
    "inbox_lists_the_waiting_referral": reverse("referrals:detail", args=[waiting.code])
    in inbox.text,
    "conflict_shows": [new for entry in conflict for _label, _old, new in entry.changes],
}))
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
