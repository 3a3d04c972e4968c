"""Sessions in the shared cache (CACHE_URL set, ppa/sessions.py): no session query per page,
and logout, "log out everywhere", deactivation and the idle limit still end a session, also
when the cache is down."""

import time
import uuid

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.security.helpers import post_login, session_cookie
from tests.security.test_otp_sessions import two_sessions

pytestmark = pytest.mark.django_db


def redis_cache(location: str) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": f"test-sessions-{uuid.uuid4().hex[:8]}",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


@pytest.fixture
def cached_sessions(settings):
    settings.CACHES = redis_cache(django_settings.CELERY_BROKER_URL)
    settings.SESSION_ENGINE = "ppa.sessions"
    return settings


def session_queries(client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        status = client.get(url, secure=True).status_code
    return status, [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]]


def test_a_signed_in_page_reads_no_session_row(cached_sessions, world):
    client = Client()
    post_login(client, "case_worker_own")
    assert session_queries(client, reverse("cases:list")) == (200, [])


def test_without_a_shared_cache_sessions_stay_in_postgresql(settings, world):
    """`make run` and single-process set-ups: no per-process copy a worker could keep."""
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    client = Client()
    post_login(client, "case_worker_own")
    status, reads = session_queries(client, reverse("cases:list"))
    assert status == 200 and len(reads) == 1


def test_logout_ends_the_cached_session(cached_sessions, world):
    client = Client()
    post_login(client, "case_worker_own")
    cookie = session_cookie(client)
    assert client.get("/", secure=True).status_code == 200
    client.post(reverse("logout"), secure=True)
    replay = Client()
    replay.cookies[django_settings.SESSION_COOKIE_NAME] = cookie
    assert replay.get("/", secure=True).status_code == 302


def test_logout_everywhere_and_deactivation_end_cached_sessions(cached_sessions, world):
    first, second = two_sessions("case_worker_own")
    first.post(reverse("logout_everywhere"), secure=True)
    assert first.get("/", secure=True).status_code == 302
    assert second.get("/", secure=True).status_code == 302
    first, second = two_sessions("case_worker_own")
    user = world.users["case_worker_own"]
    user.is_active = False
    user.save()
    assert second.get("/", secure=True).status_code == 302


def test_idle_limit_holds_in_the_cache(cached_sessions, world):
    cached_sessions.SESSION_COOKIE_AGE = 2
    client = Client()
    post_login(client, "case_worker_own")
    assert client.get("/", secure=True).status_code == 200
    time.sleep(3)
    assert client.get("/", secure=True).status_code == 302


def test_with_the_cache_down_pages_read_postgresql_and_logout_refuses(cached_sessions, world):
    client = Client()
    post_login(client, "case_worker_own")
    cookie = session_cookie(client)
    cached_sessions.CACHES = redis_cache("redis://127.0.0.1:1/0")  # nothing listens there
    status, reads = session_queries(client, reverse("cases:list"))
    assert status == 200 and len(reads) == 1
    # Ending the session must not leave a copy in the cache for when it comes back: refused.
    with pytest.raises(redis.exceptions.ConnectionError):
        client.post(reverse("logout"), secure=True)
    cached_sessions.CACHES = redis_cache(django_settings.CELERY_BROKER_URL)
    replay = Client()
    replay.cookies[django_settings.SESSION_COOKIE_NAME] = cookie
    assert replay.get("/", secure=True).status_code == 200, "still signed in, as the error said"
