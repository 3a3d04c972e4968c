"""Browser journeys: Debian's Chromium driven by Playwright against a live server on loopback.

Fixtures:
- `browser` (package): one Chromium for all the journeys, from /usr/bin/chromium (no downloaded
  browser). Missing locally: the journeys skip with a message; in CI (`REQUIRE_BROWSER=1`,
  set by .ci/run) they fail instead.
- `e2e_world`: the live server (transactional database), the base data restored, and the
  personas of tests/world.py with their known password.
- `journey`: a fresh browser context and page that records every console error, page error,
  CSP violation and answer of 500; `journey.shot(name)` saves a screenshot under
  test-artifacts/screenshots/<test>/ and runs axe-core on the page (no serious or critical
  violation allowed).
- `celery_worker_process` (session, lazy): a real `celery worker` subprocess against the test
  database and the broker in CELERY_BROKER_URL; `real_worker` turns eager tasks off for a test.
"""

import contextlib
import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import sync_playwright

from ppa.celery import app
from ppa.management.commands.load_regions import load_regions
from ppa.models import Region, User
from ppa.otp import otp_required
from ppa.services import role_groups_sync
from tests.world import PASSWORD, World, build_world

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
AXE_BLOCKING = {"serious", "critical"}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
DESK = {"width": 1366, "height": 900}  # the desk screen of the page checks (test_pages.py)


# --- the browser ------------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser():
    """Chromium for the journeys of this package, stopped when they are done: while Playwright
    runs, its asyncio loop counts as running in this thread, so Django needs
    DJANGO_ALLOW_ASYNC_UNSAFE for the test's own ORM calls, and neither may outlive the
    journeys (later tests and their subprocesses, e.g. `check --deploy`, must not see it)."""
    if not CHROMIUM.exists():
        message = (
            f"{CHROMIUM} is missing: install Debian's Chromium "
            "(apt-get install chromium chromium-driver) to run the browser journeys."
        )
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            chromium = pw.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


# --- the database -------------------------------------------------------------------------
# Journeys need committed rows (the live server and the worker use their own connections), so
# they are transactional, with Django's serialized rollback: each journey starts from a
# snapshot of the base rows (data migrations, plus the regions and role groups that
# tests/conftest.py loads) and the database is emptied after it. After the last journey the
# snapshot is loaded once more, so the tests that follow in this worker find the base rows.


@pytest.fixture(scope="session")
def base_snapshot(django_db_setup, django_db_blocker) -> str:
    with django_db_blocker.unblock():
        if not Region.objects.exists():  # an earlier transactional test emptied the database
            _flush()
            migrations_data = getattr(connection, "_test_serialized_contents", None)
            if migrations_data:
                connection.creation.deserialize_db_from_string(migrations_data)
            _load_base()
        snapshot = connection.creation.serialize_db_to_string()
    # TransactionTestCase._fixture_setup loads this before each serialized-rollback test.
    connection._test_serialized_contents = snapshot
    _cached_snapshot["value"] = snapshot
    return snapshot


_cached_snapshot: dict[str, str] = {}


def _load_base() -> None:
    load_regions(["13.76", "13.07"])
    role_groups_sync()


def _flush() -> None:
    call_command(
        "flush", interactive=False, inhibit_post_migrate=True, reset_sequences=False, verbosity=0
    )


@pytest.fixture(scope="package", autouse=True)
def _base_data_after_journeys(django_db_blocker) -> Iterator[None]:
    """After the last journey (and its flush), put the base rows back for later tests."""
    yield
    snapshot = _cached_snapshot.get("value")
    if not snapshot:
        return

    with django_db_blocker.unblock():
        if Region.objects.exists():
            return
        _flush()
        connection.creation.deserialize_db_from_string(snapshot)
        # Sequences past the restored primary keys, whatever happened to them before.
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
                cursor.execute(sql)


@pytest.fixture
def e2e_world(base_snapshot, django_db_serialized_rollback, live_server, settings) -> World:
    """The live server, the base rows, and the personas (password tests.world.PASSWORD)."""
    # Plain http on loopback (Chromium accepts Secure and __Host- cookies on localhost, so the
    # cookie settings stay as in production); an https redirect or HSTS would break it.
    settings.SECURE_SSL_REDIRECT = False
    settings.SECURE_HSTS_SECONDS = 0

    if Region.objects.filter(code__in=["13.76", "13.07"]).count() != 2:
        _load_base()  # another transactional test emptied the database before the snapshot
    return build_world()


# --- a journey: a context, a page, its listeners, screenshots and axe ---------------------


class JourneyFailure(AssertionError):
    pass


class Journey:
    """One person's browser session. Records problems; `finish()` fails if there were any."""

    def __init__(
        self, browser, base_url: str, name: str, *, phone: bool = False, viewport=None
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.name = name
        self.problems: list[str] = []
        self.allowed_statuses: dict[str, int] = {}
        self.shots: list[Path] = []
        self.axe_report: list[dict] = []
        self.dir = ARTIFACTS / "screenshots" / name
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True, exist_ok=True)
        options = {
            "viewport": viewport or (PHONE if phone else DESKTOP),
            "locale": "id-ID",
            "timezone_id": "Asia/Jakarta",
            "accept_downloads": True,
        }
        if phone:
            options |= {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}
        self.context = browser.new_context(**options)
        self.context.set_default_timeout(30_000)  # a loaded 2-core machine took over 15 s
        self.page = self.context.new_page()
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda exc: self.problems.append(f"JavaScript error: {exc}"))
        self.page.on("response", self._on_response)

    # listeners
    def _on_console(self, msg) -> None:
        if msg.type not in ("error", "assert"):
            return
        text = msg.text
        status = re.search(r"status of (\d{3})", text)
        url = (msg.location or {}).get("url", "")
        if status and self.allowed_statuses.get(url) == int(status.group(1)):
            return  # the expected "not found" of a page we meant to visit
        self.problems.append(f"console {msg.type} on {self.page.url}: {text} ({url})")

    def _on_response(self, response) -> None:
        path = response.url.removeprefix(self.base_url)
        if response.status >= 500:
            self.problems.append(f"HTTP {response.status} for {response.request.method} {path}")
        elif response.status == 404 and "/static/" in response.url:
            self.problems.append(f"missing static file {path}")

    # navigation
    def url(self, path: str) -> str:
        return path if path.startswith("http") else self.base_url + path

    def goto(self, path: str, *, expect_status: int = 200):
        full = self.url(path)
        if expect_status != 200:
            self.allowed_statuses[full] = expect_status
        response = self.page.goto(full)
        assert response is not None
        assert response.status == expect_status, (
            f"{path}: expected {expect_status}, got {response.status}"
        )
        return response

    def login(self, username: str, password: str = PASSWORD) -> None:
        """Through the real login form, as a person would."""
        page = self.page
        if "/masuk/" not in page.url:
            self.goto("/masuk/")
        device = _second_factor_device(username)
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(password)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        assert "/masuk/" not in page.url, f"login of {username} failed: {self.visible_text()}"
        if device is not None:  # the second step: a code from the authenticator app
            token = page.locator("#id_token")
            token.wait_for()
            code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
            token.fill(f"{code:0{device.digits}d}")
            self.shot(f"second-factor-{username}")
            page.locator("main form button[type=submit]").first.click()
            page.wait_for_load_state()
            assert page.locator("#id_token").count() == 0, f"2FA of {username} failed"

    def nav(self, name: str) -> None:
        """Follow a link of the main menu, opening it first where it sits behind the "Menu"
        button (phones), as a person would."""
        button = self.page.locator(".menu__button")
        if button.is_visible() and not self.page.locator(".menu[open]").count():
            button.click()
        self.page.locator(".nav").get_by_role("link", name=name, exact=True).click()
        self.page.wait_for_load_state()

    def forgive(self, text: str) -> None:
        """Drop recorded problems caused on purpose (e.g. a connection cut by the test)."""
        self.problems = [p for p in self.problems if text not in p]

    def visible_text(self) -> str:
        return self.page.locator("main").inner_text()

    # evidence
    def shot(self, label: str, *, axe: bool = True) -> Path:
        """Screenshot of the whole page, then the accessibility check of what it shows."""
        self.page.wait_for_load_state()
        path = self.dir / f"{len(self.shots) + 1:02d}-{label}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.shots.append(path)
        if axe:
            self.check_a11y(label)
        return path

    def check_a11y(self, label: str) -> None:
        page = self.page
        if not page.evaluate("() => typeof window.axe === 'object'"):
            # Evaluated by the DevTools protocol, so the page's CSP does not block it and the
            # app never serves axe.
            page.evaluate(AXE_SOURCE.get())
        # From the top of the page, so that what a sticky bar covers does not depend on where
        # the last click left the page (axe's target-size rule counts covered targets).
        page.evaluate("() => window.scrollTo(0, 0)")
        result = page.evaluate(
            """async (tags) => {
                const r = await window.axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                          resultTypes: ['violations']});
                return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(' '),
                                                          html: n.html.slice(0, 200),
                                                          summary: n.failureSummary}))}));
            }""",
            AXE_TAGS,
        )
        self.axe_report.append({"page": label, "url": page.url, "violations": result})
        for v in result:
            if v["impact"] in AXE_BLOCKING:
                nodes = "; ".join(f"{n['target']} {n['html']}" for n in v["nodes"])
                self.problems.append(
                    f"axe {v['impact']} {v['id']} on '{label}' ({page.url}): {v['help']}: {nodes}"
                )

    def finish(self, *, failed: bool = False) -> None:
        if failed and not self.page.is_closed():
            with contextlib.suppress(Exception):  # evidence only; the test failed already
                self.page.screenshot(path=str(self.dir / "failure.png"), full_page=True)
        (self.dir / "axe.json").write_text(json.dumps(self.axe_report, indent=1))
        self.context.close()
        if self.problems:
            raise JourneyFailure(
                f"{len(self.problems)} problem(s) in journey {self.name}:\n"
                + "\n".join(self.problems)
            )


def _second_factor_device(username: str):
    """A confirmed authenticator for a user who must use one (set up as the user would have
    done once), or None when the app asks for no second factor."""
    user = User.objects.get(username=username)
    if not otp_required(user):
        return None
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="e2e", confirmed=True)


class _AxeSource:
    _text: str | None = None

    def get(self) -> str:
        if self._text is None:
            self._text = AXE_JS.read_text(encoding="utf-8")
        return self._text


AXE_SOURCE = _AxeSource()


@pytest.fixture
def journey(browser, e2e_world, live_server, request):
    """One desktop session for the test; `new_journey` starts more (other people, a phone)."""
    j = Journey(browser, live_server.url, request.node.name)
    yield j
    j.finish(failed=_failed(request))


@pytest.fixture
def new_journey(browser, e2e_world, live_server, request):
    """Start further sessions (another person, or a phone) inside one test."""
    started: list[Journey] = []

    def start(who: str, *, phone: bool = False, viewport=None) -> Journey:
        j = Journey(
            browser, live_server.url, f"{request.node.name}-{who}", phone=phone, viewport=viewport
        )
        started.append(j)
        return j

    yield start
    failures = []
    for j in started:
        try:
            j.finish(failed=_failed(request))
        except JourneyFailure as exc:
            failures.append(str(exc))
    if failures:
        raise JourneyFailure("\n".join(failures))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.e2e_call_failed = report.failed
    return report


def _failed(request) -> bool:
    return getattr(request.node, "e2e_call_failed", False)


# --- a real Celery worker -------------------------------------------------------------------


def _worker_queues() -> list[str]:
    queues = {app.conf.task_default_queue or "celery"}
    for route in (app.conf.task_routes or {}).values():
        if isinstance(route, dict) and route.get("queue"):
            queues.add(route["queue"])
    for q in app.conf.task_queues or []:
        queues.add(getattr(q, "name", str(q)))
    return sorted(queues)


@pytest.fixture
def celery_worker_process(django_db_setup) -> Iterator[subprocess.Popen]:
    """`celery worker` (solo pool) on the test database and the test broker, for one test.

    One at a time per broker, across xdist workers: each test database has its own worker,
    and two workers on the same queues would take each other's tasks. (The lock is needed
    because `--dist loadgroup` does not group with pytest 9 and xdist 3.8: xdist sets
    `item._nodeid`, which pytest 9 no longer reads.)"""
    lock_path = Path("/tmp") / (  # noqa: S108 (a lock file, no data)
        "sinergi-e2e-worker-" + re.sub(r"\W", "_", settings.CELERY_BROKER_URL) + ".lock"
    )
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield from _run_worker()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _run_worker() -> Iterator[subprocess.Popen]:
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    broker = settings.CELERY_BROKER_URL
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "ppa.settings_test",
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": broker,
    }
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    ARTIFACTS.mkdir(exist_ok=True)
    name = os.environ.get("PYTEST_XDIST_WORKER", "main")
    log = (ARTIFACTS / f"celery-worker-{name}.log").open("a")
    start = log.tell()

    with app.connection_for_write() as conn:  # stale messages from an earlier run
        for queue in _worker_queues():
            try:
                conn.default_channel.queue_purge(queue)
            except Exception:  # noqa: S112 (a queue that does not exist yet)
                continue
    proc = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "ppa",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-Q",
            ",".join(_worker_queues()),
            "-n",
            f"e2e-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_until_ready(proc, log, start)
        yield proc
    finally:
        # Also when it never became ready: a worker left running would take later runs' tasks.
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def _wait_until_ready(proc: subprocess.Popen, log, start: int) -> None:
    # A worker starts in a few seconds on a quiet machine; a loaded CI machine took over 30.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"celery worker exited ({proc.returncode}); see {log.name}")
        if "ready." in Path(log.name).read_text(errors="replace")[start:]:
            return
        time.sleep(0.2)
    raise RuntimeError(f"celery worker not ready in 120 s; see {log.name}")


@pytest.fixture
def real_worker(celery_worker_process, settings) -> Iterator[subprocess.Popen]:
    """Tasks queued by the live server go to Redis and run in the worker subprocess."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    yield celery_worker_process
    app.conf.task_always_eager = eager
