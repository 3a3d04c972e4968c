"""A page asked for while the database cannot be reached: 503, a short "try again in a moment"
page in the user's language with Retry-After, logged as an outage (a warning), not a defect.
The shared PostgreSQL is not touched: the connection is made to fail as a restart makes it."""

import logging

import pytest
from django.db import connection
from django.db.utils import OperationalError
from django.test import Client
from django.urls import reverse

from ppa.middleware import LANGUAGE_COOKIE

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError(
            'connection failed: connection to server at "127.0.0.1", port 5432 failed: '
            "Connection refused"
        )

    def down() -> None:
        monkeypatch.setattr(connection, "cursor", refuse)
        monkeypatch.setattr(connection, "ensure_connection", refuse)

    return down


def _get(client: Client, path: str):
    return client.get(path, secure=True)


def test_a_signed_in_page_answers_503_while_the_database_is_down(world, database_down, caplog):
    client = Client(raise_request_exception=False)
    client.force_login(world.users["case_worker_own"])
    database_down()
    with caplog.at_level(logging.INFO):
        response = _get(client, reverse("cases:list"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Coba lagi sebentar lagi" in page
    assert "Terjadi kesalahan pada sistem" not in page  # not the defect page
    outage = [r for r in caplog.records if r.getMessage() == "Database unavailable: answered 503"]
    assert outage and all(r.levelno == logging.WARNING for r in outage)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_the_page_is_in_english_for_an_english_reader(world, database_down):
    """Who the user is cannot be read; the language cookie the app sets says it."""
    client = Client(raise_request_exception=False)
    client.force_login(world.users["case_worker_own"])
    client.cookies[LANGUAGE_COOKIE] = "en"
    database_down()
    response = _get(client, reverse("cases:list"))
    assert response.status_code == 503
    assert "Please try again in a moment" in response.content.decode()


def test_other_server_errors_keep_the_error_page(world, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("a defect")

    monkeypatch.setattr("ppa.views.render", boom)
    client = Client(raise_request_exception=False)
    client.force_login(world.users["case_worker_own"])
    response = _get(client, reverse("account"))
    assert response.status_code == 500
    assert "Retry-After" not in response
