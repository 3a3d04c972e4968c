import json
import os
import subprocess
import sys
from pathlib import Path

from tests.scripts import load_script, server_folder

ROOT = Path(__file__).resolve().parents[2]
embedded_db = load_script("embedded_db")


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


def embedded(action: str, data: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """scripts/embedded_db.py, as `make run` calls it, on a data folder of the test's own."""
    return subprocess.run(  # noqa: S603
        [sys.executable, "scripts/embedded_db.py", action, "--data", str(data)],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"} | env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_quick_start_runs_the_demo_on_the_embedded_postgresql_and_keeps_it(tmp_path):
    """The first README command's steps (start the embedded server, migrate, seed, stop) on a
    fresh data folder, twice: the second run restarts the server on the same data, finds the
    demo there and adds nothing (idempotent). Then the demo's pages on that server."""
    with server_folder() as folder:
        _quick_start(folder / "postgres", tmp_path)


def _quick_start(data: Path, tmp_path: Path) -> None:
    env = {"VAR_DIR": str(tmp_path), "CELERY_BROKER_URL": ""}
    outputs = []
    for _ in range(2):
        result = embedded("seed", data, env)
        assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
        outputs.append(result.stdout)
        assert not embedded_db.is_running(embedded_db.server_for(data))  # stopped after it
    assert "new synthetic cases: 0" not in outputs[0]
    assert "new synthetic cases: 0" in outputs[1]  # the data survived the restart
    assert "pengaduan" in outputs[1]  # the demo accounts are printed
    assert (tmp_path / "demo-passwords.txt").read_text().count("\n") == 8

    started = embedded("start", data, env)
    try:
        assert started.returncode == 0, started.stderr[-2000:]
        url = started.stdout.strip().splitlines()[-1]
        pages = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "shell", "-c", DEMO_PAGES],
            cwd=ROOT,
            env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
            | env
            | {"DEBUG": "1", "DATABASE_URL": url, "ALLOWED_HOSTS": "testserver"},
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        embedded("stop", data, env)
    assert pages.returncode == 0, pages.stderr[-3000:]
    result = json.loads(pages.stdout.strip().splitlines()[-1])
    assert result["statuses"] and not [
        (who, url, code) for who, url, code in result["statuses"] if code != 200
    ]
    assert result["referrals"] == ["accepted", "delivered", "draft", "pending_approval"]
    assert result["inbox_lists_the_waiting_referral"]
    # A correction made meanwhile is what the conflict view shows.
    assert result["conflict_shows"] == ["Nama Koreksi"]
    # The demo has production's triggers and runs what needs PostgreSQL.
    assert result["audit_log_refuses_delete"]
    assert result["anonymised_name"] == "Anonim"


DEMO_PAGES = """
import json
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from cases.models import Case, Person, Status
from ppa.models import User
from privacy.services import case_anonymise
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
get("pejabat", reverse("reports:dashboard"))
for url in [reverse("reports:export_csv"), reverse("reports:export_xlsx")]:
    # No broker (as `make run`): the file is made at once; request, progress page, download.
    client = Client()
    client.force_login(User.objects.get(username="pejabat"))
    page = client.post(url, follow=True)
    statuses.append(("pejabat", url, page.status_code))
    status_url = page.text.split('data-report-status-url="')[1].split('"')[0]
    status = client.get(status_url).json()
    assert status["status"] == "done", status
    get("pejabat", status["download_url"])
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
refused = False
try:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM ppa_accesslog")
except DatabaseError:
    refused = True
closed = Case.objects.filter(status=Status.CLOSED).order_by("id").first()
case_anonymise(case=closed)
print(json.dumps({
    "statuses": statuses,
    "referrals": sorted(Referral.objects.values_list("status", flat=True)),
    "inbox_lists_the_waiting_referral": reverse("referrals:detail", args=[waiting.code])
    in inbox.text,
    "conflict_shows": [new for entry in conflict for _label, _old, new in entry.changes],
    "audit_log_refuses_delete": refused,
    "anonymised_name": Person.objects.filter(case=closed).order_by("id").first().name,
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
