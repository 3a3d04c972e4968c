import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from tests.matrix import Row
from tests.security.headers import header_problems
from tests.world import PERSONAS, build_world

# URLs outside the matrix: public by design (no personal data) or Django's own admin, which
# has its own staff check and is tested in tests/ppa/test_admin.py.
PUBLIC = {"login", "logout", "set_language", "health"}


def collect_rows() -> list[Row]:
    rows: list[Row] = []
    for module in pkgutil.walk_packages(tests.__path__, "tests."):
        if module.name.endswith(".matrix") and module.name != "tests.matrix":
            rows.extend(importlib.import_module(module.name).ROWS)
    return rows


def url_names(patterns=None, prefix: str = "") -> set[str]:
    names = set()
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            names |= url_names(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            names.add(prefix + p.name)
    return names


ROWS = collect_rows()


def test_every_url_is_in_the_matrix():
    covered = {row.name for row in ROWS} | PUBLIC
    missing = sorted(url_names() - covered)
    assert not missing, f"URL patterns without a permission-matrix row: {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=[r.label for r in ROWS])
def test_matrix(row: Row, client):
    """One test per row (the world is built once), checking every persona: the status, and
    the security headers of every response (CSP, HSTS, frame denial, no-store, ...)."""
    world = build_world()
    kwargs = row.setup(world)
    url = reverse(row.name, kwargs=kwargs)
    failures = []
    for persona in PERSONAS:
        expected = row.anon if persona == "anon" else row.expect.get(persona, row.default)
        client.logout()
        if persona != "anon":
            client.force_login(world.user(persona))
        if row.method == "get":
            response = client.get(url, secure=True)
        else:
            response = client.post(url, row.data(world, kwargs), secure=True)
        if response.status_code != expected:
            failures.append(f"{persona}: expected {expected}, got {response.status_code}")
        problems = header_problems(response, authenticated=persona != "anon")
        failures += [f"{persona}: {problem}" for problem in problems]
    assert not failures, f"{row.label} {url}\n" + "\n".join(failures)
