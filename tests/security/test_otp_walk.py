"""Every URL, for a supervisor and an administrator who signed in with a password but have
not given the second factor: sent to the verification page (docs/quality.md A1 #4, S5)."""

import pytest
from django.urls import reverse

from tests.test_permission_matrix import PUBLIC, ROWS, url_names
from tests.world import build_world, force_login_unverified

# Reachable before the second factor: signing in and out, the OTP pages, the language.
EXEMPT = {"login", "logout", "otp_verify", "otp_setup", "otp_qr", "set_language"}
WALK = [row for row in ROWS if row.name not in EXEMPT]


@pytest.mark.django_db
@pytest.mark.parametrize("row", WALK, ids=[r.label for r in WALK])
def test_unverified_supervisor_and_admin_are_sent_to_the_second_factor(row, client):
    world = build_world()
    kwargs = row.setup(world)
    url = reverse(row.name, kwargs=kwargs)
    failures = []
    for persona in ("supervisor_own", "supervisor_other", "admin"):
        client.logout()
        force_login_unverified(client, world.user(persona))
        if row.method == "get":
            response = client.get(url, secure=True)
        else:
            response = client.post(url, row.data(world, kwargs), secure=True)
        location = response.headers.get("Location", "")
        if response.status_code != 302 or not location.startswith(reverse("otp_verify")):
            failures.append(f"{persona}: {response.status_code} {location}")
    assert not failures, f"{row.label} {url}\n" + "\n".join(failures)


@pytest.mark.django_db
def test_admin_site_needs_the_second_factor_too(client, world):
    force_login_unverified(client, world.users["admin"])
    for path in ("/admin/", "/admin/ppa/accesslog/", "/admin/axes/accessattempt/"):
        response = client.get(path, secure=True)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith(reverse("otp_verify")), path


@pytest.mark.django_db
def test_the_admin_login_is_the_application_login(client):
    response = client.get("/admin/login/?next=/admin/", secure=True)
    assert response.status_code == 302
    assert response.headers["Location"] == "/masuk/?next=/admin/"


def test_every_url_pattern_is_walked():
    walked = {row.name for row in WALK} | EXEMPT | PUBLIC
    assert url_names() <= walked
