"""Two web nodes share no local state: one user served by two gunicorn instances in turn.

Sessions and lockouts live in PostgreSQL, the login rate limit in the shared Redis cache
(CACHE_URL), uploads and generated reports under VAR_DIR (a path every node mounts). A load
balancer may send each request to either node; here they alternate. Each runs with the
production gunicorn settings (ppa/gunicorn_conf.py: the app imported once, before the fork).
"""

import io
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, OpenerDirector, Request, build_opener

import pytest
from django.conf import settings
from django.db import connections
from pypdf import PdfWriter

from cases.models import Document
from reports.models import ReportRun
from tests.factories import make_case
from tests.referrals.conftest import restore_seed_data
from tests.world import PASSWORD, World, build_world

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _node_env(prefix: str) -> dict[str, str]:
    db = connections["default"].settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "ppa.settings_test",
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CACHE_URL": settings.CELERY_BROKER_URL,  # the shared Redis
        "CACHE_KEY_PREFIX": prefix,  # this test's own keys only
        "LOGIN_RATE_PER_IP": "6/300",
        "SECURE_COOKIES": "0",
        "VAR_DIR": str(settings.VAR_DIR),  # the path both nodes mount
    }


@dataclass
class Node:
    base: str
    proc: subprocess.Popen


@pytest.fixture
def nodes() -> Iterator[tuple[Node, Node]]:
    env = _node_env(f"two-nodes-{uuid.uuid4().hex[:8]}")
    started = []
    for _ in range(2):
        port = _free_port()
        proc = subprocess.Popen(  # noqa: S603 (fixed arguments)
            [
                *(sys.executable, "-m", "gunicorn", "-c", "python:ppa.gunicorn_conf"),
                *("ppa.wsgi", "-w", "1", "-b", f"127.0.0.1:{port}"),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        started.append(Node(f"http://127.0.0.1:{port}", proc))
    try:
        for node in started:
            _wait_until_up(node)
        yield started[0], started[1]
    finally:
        for node in started:
            os.killpg(node.proc.pid, signal.SIGTERM)
            node.proc.wait(timeout=20)


def _wait_until_up(node: Node) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with build_opener().open(node.base + "/health/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn at {node.base} did not answer in 60 s")


class Browser:
    """One person's browser: one cookie jar for both nodes (cookies ignore the port)."""

    def __init__(self) -> None:
        self.jar = CookieJar()
        self.opener: OpenerDirector = build_opener(HTTPCookieProcessor(self.jar))

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name.endswith("csrftoken"))

    def get(self, url: str) -> tuple[int, bytes]:
        status, body, _final = self.fetch(url)
        return status, body

    def fetch(self, url: str) -> tuple[int, bytes, str]:
        """Status, body and the address after redirects."""
        try:
            with self.opener.open(url, timeout=30) as response:
                return response.status, response.read(), response.geturl()
        except HTTPError as error:
            return error.code, error.read(), url

    def post(self, url: str, data: dict[str, str], files: dict | None = None) -> int:
        if files:
            body, content_type = _multipart(data | {"csrfmiddlewaretoken": self.csrf()}, files)
        else:
            body = urlencode(data | {"csrfmiddlewaretoken": self.csrf()}).encode()
            content_type = "application/x-www-form-urlencoded"
        request = Request(  # noqa: S310 (loopback test server)
            url, data=body, headers={"Content-Type": content_type, "Referer": url}
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status
        except HTTPError as error:
            return error.code


def _multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(value.encode() + b"\r\n")
    for name, (filename, content) in files.items():
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
        )
        out.write(content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def _login(browser: Browser, node: Node, username: str, password: str) -> int:
    browser.get(node.base + "/masuk/")
    return browser.post(node.base + "/masuk/", {"username": username, "password": password})


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def world() -> World:
    restore_seed_data()  # an earlier transactional test may have flushed it
    return build_world()


def test_a_session_upload_and_report_made_on_one_node_serve_on_the_other(nodes, world):
    a, b = nodes
    worker = world.users["case_worker_own"]
    case = make_case(worker)
    browser = Browser()
    assert _login(browser, a, worker.username, PASSWORD) == 200  # redirected to the home page
    status, page = browser.get(f"{b.base}/kasus/")
    assert status == 200 and case.number.encode() in page

    upload = {"file": ("visum.pdf", _pdf())}
    assert browser.post(f"{a.base}/kasus/{case.code}/dokumen/", {"kind": "medical"}, upload) == 200
    document = Document.objects.get(case=case)
    status, body = browser.get(f"{b.base}/kasus/dokumen/{document.code}/")
    assert status == 200 and body.startswith(b"%PDF-")

    official = world.users["official_own"]
    other = Browser()
    assert _login(other, b, official.username, PASSWORD) == 200
    region = world.uptd.region.code
    params = {
        "region": region,
        "year_from": "2024",
        "year_to": "2024",
        "edition": "internal",
        "language": "id",
    }
    assert other.post(f"{b.base}/statistik/laporan/", params) == 200
    run = ReportRun.objects.get()
    assert run.status == ReportRun.Status.DONE  # rendered in node B's request (no broker)
    status, body = other.get(f"{a.base}/statistik/laporan/{run.code}/unduh/")
    assert status == 200 and body.startswith(b"%PDF-")


def test_login_rate_limit_counts_across_nodes(nodes, world):
    a, b = nodes
    attacker = Browser()
    statuses = [
        _login(attacker, (a, b)[i % 2], f"tidak-ada-{i}", "salah-sandi-panjang") for i in range(7)
    ]
    assert statuses[:6] == [200] * 6  # the login form again, with its message
    assert statuses[6] == 429  # the 7th over both nodes: LOGIN_RATE_PER_IP is 6 per window


def test_lockout_counts_across_nodes(nodes, world):
    a, b = nodes
    victim = world.users["intake_own"]
    guesser = Browser()
    statuses = [  # AXES_FAILURE_LIMIT is 5: alternating nodes, the 5th locks the account
        _login(guesser, (a, b)[i % 2], victim.username, f"tebakan-salah-{i}") for i in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]
    browser = Browser()
    assert _login(browser, a, victim.username, PASSWORD) == 429  # locked on the other node too
    _status, _page, final = browser.fetch(f"{a.base}/kasus/")
    assert "/masuk/" in final  # still signed out, on the other node too
