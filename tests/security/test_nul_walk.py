"""NUL bytes in field names and in values, posted to every URL of the app, never answer 500.

The walk reuses the permission matrix (every URL pattern has a row there, and a test fails on
one without), so a form added later is covered without touching this file. For each URL a
persona who may use it opens the page, the form's field names are read from the HTML, and
then: a POST with a NUL in a field name is refused with 400; a POST with NUL in every value
is answered without a server error (forms say "Karakter null tidak diizinkan")."""

import re

import pytest
from django.urls import reverse

from tests.matrix import Row
from tests.test_permission_matrix import ROWS
from tests.world import build_world

FIELD_NAME = re.compile(r'\bname="([^"]+)"')
OK_STATUSES = {200, 204, 302, 303, 400, 403, 404, 405, 409, 410, 429}


def _usable(row: Row) -> str | None:
    """A persona for whom the URL answers (not 403/404), or None."""
    for persona, status in row.expect.items():
        if status < 400:
            return persona
    return None


def _by_url() -> list[Row]:
    """One row per URL name: the first with a persona who can use it, GET rows first."""
    chosen: dict[str, Row] = {}
    for row in sorted(ROWS, key=lambda r: r.method != "get"):
        if row.name not in chosen and _usable(row) is not None:
            chosen[row.name] = row
    return list(chosen.values())


WALK = _by_url()


def test_the_walk_reaches_the_forms():
    names = {row.name for row in WALK}
    assert {"cases:intake", "cases:intake_step", "password_change", "referrals:create"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize("row", WALK, ids=[r.label for r in WALK])
def test_nul_in_field_names_and_values(row: Row, client):
    world = build_world()
    kwargs = row.setup(world)
    url = reverse(row.name, kwargs=kwargs)
    client.force_login(world.user(_usable(row)))
    names = {"note", "reason", "name"}
    data = row.data(world, kwargs) if row.method == "post" else {}
    if row.method == "get":
        page = client.get(url, secure=True)
        assert page.status_code < 500
        if page.get("Content-Type", "").startswith("text/html"):
            names |= set(FIELD_NAME.findall(page.content.decode(errors="ignore")))
    names -= {"csrfmiddlewaretoken"}

    response = client.post(url, {**data, "x\x00y": "1"}, secure=True)
    assert response.status_code == 400, f"NUL in a field name: {response.status_code}"
    response = client.post(url, {"q": "1"}, QUERY_STRING="a%00b=1", secure=True)
    assert response.status_code == 400, f"NUL in a query-string name: {response.status_code}"

    nul_values = {**data, **dict.fromkeys(names, "a\x00b")}
    response = client.post(url, nul_values, secure=True)
    assert response.status_code in OK_STATUSES, f"NUL in values: {response.status_code}"
