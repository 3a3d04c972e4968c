"""Input that cannot break anything, posted to every URL of the app: NUL bytes in field names
and in values never answer 500, and text longer than a field's maximum is refused with the
form's message, never silently cut.

The walk reuses the permission matrix (every URL pattern has a row there, and a test fails on
one without), so a form added later is covered without touching this file. For each URL a
persona who may use it opens the page, the form's field names are read from the HTML, and
then: a POST with a NUL in a field name is refused with 400; a POST with NUL in every value
is answered without a server error (forms say "Karakter null tidak diizinkan")."""

import re
from html import unescape

import pytest
from django.urls import reverse

from tests.matrix import Row
from tests.test_permission_matrix import ROWS
from tests.world import build_world

FIELD_NAME = re.compile(r'\bname="([^"]+)"')
# A text field with a maximum: <input ... data-maxlength="N" ... name="x">.
MAX_FIELD = re.compile(r"<(?:input|textarea)\b[^>]*>")
# Rendered as data-maxlength (templates/django/forms/widgets/attrs.html): a `maxlength` would
# let the browser cut a longer paste without a word.
MAXLENGTH = re.compile(r'\bdata-maxlength="(\d+)"')
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


FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
VALUE = re.compile(r'\bvalue="([^"]*)"')
ACTION = re.compile(r'\baction="([^"]+)"')


def _forms(html: str, url: str) -> list[tuple[str, str, dict[str, str], dict[str, int]]]:
    """Each form of the page: its method and target, its hidden fields (name -> value:
    management forms, versions) and its text fields with a maximum (name -> maxlength)."""
    found = []
    for attrs, body in FORM.findall(html):
        method = "get" if 'method="get"' in attrs.lower() else "post"
        action = ACTION.search(attrs)
        target = unescape(action.group(1)) if action else url
        hidden, limited = {}, {}
        for tag in MAX_FIELD.findall(body):
            name = FIELD_NAME.search(tag)
            if not name:
                continue
            if 'type="hidden"' in tag:
                value = VALUE.search(tag)
                hidden[name.group(1)] = value.group(1) if value else ""
            elif limit := MAXLENGTH.search(tag):
                limited[name.group(1)] = int(limit.group(1))
        if limited:
            found.append((method, target, hidden, limited))
    return found


GET_PAGES = [row for row in WALK if row.method == "get"]
# The case list's name search is refused with a message after a redirect and not shown back:
# a searched name is kept only in the session, never in a page address or a form.
REDIRECTED = {("cases:list", "nama")}


@pytest.mark.django_db
@pytest.mark.parametrize("row", GET_PAGES, ids=[r.label for r in GET_PAGES])
def test_over_long_text_is_refused_with_the_message_and_kept(row: Row, client):
    world = build_world()
    kwargs = row.setup(world)
    url = reverse(row.name, kwargs=kwargs)
    client.force_login(world.user(_usable(row)))
    page = client.get(url, secure=True)
    if not page.get("Content-Type", "").startswith("text/html"):
        return  # a download, no form
    assert " maxlength=" not in page.content.decode(), "the browser would cut input silently"
    for method, target, hidden, limited in _forms(page.content.decode(), url):
        for name, limit in limited.items():
            too_long = "k" * (limit + 1)
            data = {**hidden, name: too_long}
            send = client.get if method == "get" else client.post
            response = send(target, data, secure=True, follow=(row.name, name) in REDIRECTED)
            assert response.status_code == 200, f"{name}: {response.status_code} (accepted?)"
            html = response.content.decode()
            messages = (f"paling banyak {limit} karakter", f"maksimal {limit} karakter")
            assert any(m in html for m in messages), f"{name}: no message"
            if (row.name, name) not in REDIRECTED:
                assert too_long in html, f"{name}: the input is not kept"
