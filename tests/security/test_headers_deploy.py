"""Headers, CSP, error pages and `check --deploy` with production settings (docs/quality.md S6)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import Http404, HttpResponse
from django.test import Client
from django.urls import path, reverse

from ppa.urls import urlpatterns as app_urls
from tests.security.headers import header_problems

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k3y-" + "Zq8x!Vb2#Lm9" * 6,
    "ALLOWED_HOSTS": "ppa.example.go.id",
    "CSRF_TRUSTED_ORIGINS": "https://ppa.example.go.id",
    "DJANGO_SETTINGS_MODULE": "ppa.settings",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/unused",
}


def test_check_deploy_reports_nothing_with_production_settings():
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "SESSION_"))}
    env = inherited | PRODUCTION_ENV
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_login_page_has_the_headers_and_no_inline_script(client):
    response = client.get(reverse("login"), secure=True)
    assert header_problems(response, authenticated=False) == []
    assert "<script>" not in response.text and " style=" not in response.text
    assert " on" not in response.text.replace(" only", "")  # no onclick= and friends


def crash(request):
    raise RuntimeError("NIK 1376014101900001 Nama Korban Sentinel")


def missing(request):
    raise Http404("Nama Korban Sentinel")


urlpatterns = [
    path("crash/", crash),
    path("missing/", missing),
    path("ok/", lambda r: HttpResponse()),
    *app_urls,
]


@pytest.mark.django_db
@pytest.mark.urls("tests.security.test_headers_deploy")
def test_error_pages_are_indonesian_and_show_no_data(settings):
    client = Client(raise_request_exception=False)
    server_error = client.get("/crash/", secure=True)
    assert server_error.status_code == 500
    assert "Terjadi kesalahan pada sistem" in server_error.text
    assert "Sentinel" not in server_error.text and "1376014101900001" not in server_error.text
    assert "Traceback" not in server_error.text
    not_found = client.get("/missing/", secure=True)
    assert not_found.status_code == 404
    assert "Halaman tidak ditemukan" in not_found.text and "Sentinel" not in not_found.text


@pytest.mark.django_db
def test_static_files_and_health_carry_the_headers_too(client):
    response = client.get("/health/", secure=True)
    assert header_problems(response, authenticated=False) == []
