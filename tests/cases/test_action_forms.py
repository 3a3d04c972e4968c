"""The case page's action folds: each form loads from its own address when its fold is
opened (htmx) or on a page of its own (no JavaScript), carries the version the user's page
showed, and comes back on the case page, open, with the user's input when it has errors."""

import re

import pytest
from django.urls import reverse

from cases import services
from cases.models import Case, CaseRecord
from ppa.models import AccessLog
from tests.cases.matrix import closed, closure_requested
from tests.factories import make_case

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def form_url(case: Case, action: str) -> str:
    return reverse("cases:action_form", kwargs={"code": case.code, "action": action})


def fold_urls(page: str) -> dict[str, str]:
    """The page's folds: action -> the address its form loads from."""
    return dict(re.findall(r'id="aksi-(\w+)" hx-get="([^"]+)"', page))


def without_token(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


# (the case's state, who opens it, the folds the page shows, the address the forms post to)
STATES = [
    (
        None,
        "case_worker_own",
        ["step", "record", "service", "legal", "document", "closure"],
        {"record": "cases:record", "service": "cases:service_add", "step": "cases:advance"},
    ),
    (
        None,
        "supervisor_own",
        ["step", "record", "service", "legal", "document", "assign", "closure"],
        {"assign": "cases:assign", "legal": "cases:legal_add", "closure": "cases:closure_request"},
    ),
    (
        closure_requested,
        "supervisor_own",
        ["record", "service", "legal", "document", "assign"],
        {"document": "cases:document_upload"},
    ),
    (closed, "supervisor_own", ["reopen"], {"reopen": "cases:reopen"}),
]


@pytest.mark.parametrize(("setup", "who", "folds", "posts"), STATES)
def test_each_fold_loads_its_form_which_posts_to_its_action(
    world, client, setup, who, folds, posts
):
    case = (
        Case.objects.get(code=setup(world)["code"])
        if setup
        else make_case(world.users["intake_own"])
    )
    client.force_login(world.users[who])
    page = client.get(reverse("cases:detail", kwargs={"code": case.code})).content.decode()
    urls = fold_urls(page)
    assert list(urls) == folds
    for action, url in urls.items():
        assert url == f"{form_url(case, action)}?versi={case.version}"
        response = client.get(url, **HX)
        assert response.status_code == 200
        form = response.content.decode()
        assert form.startswith("<form") and "<html" not in form
        if action in posts:
            assert f'action="{reverse(posts[action], kwargs={"code": case.code})}"' in form
        # Without JavaScript: the fold's link opens the same form on a page of its own.
        assert f'<a href="{url.replace("&", "&amp;")}">' in page
        whole = client.get(url).content.decode()
        assert "<html" in whole and "Kembali ke kasus" in whole
        assert without_token(form) in without_token(whole)


def test_supervisor_decides_a_closure_request_with_the_form_open(world, client):
    case = Case.objects.get(code=closure_requested(world)["code"])
    client.force_login(world.users["supervisor_own"])
    page = client.get(reverse("cases:detail", kwargs={"code": case.code})).content.decode()
    assert '<details class="action" id="aksi-decision" open>' in page
    assert reverse("cases:closure_decide", kwargs={"code": case.code}) in page


def test_form_keeps_the_version_the_page_showed(world, client):
    """Someone saves between the page and the opening of a fold: the form still carries the
    page's version, so sending it tells the user what changed meanwhile."""
    case = make_case(world.users["intake_own"])
    seen = case.version
    client.force_login(world.users["case_worker_own"])
    services.case_update(
        actor=world.users["supervisor_own"],
        case=case,
        version=seen,
        changes={"risk_level": "high"},
        reason="Ancaman baru",
    )
    form = client.get(f"{form_url(case, 'closure')}?versi={seen}", **HX).content.decode()
    assert f'name="version" value="{seen}"' in form
    response = client.post(
        reverse("cases:closure_request", kwargs={"code": case.code}),
        {"version": seen, "report": "Layanan selesai."},
    )
    page = response.content.decode()
    assert "Perubahan oleh orang lain" in page and "Layanan selesai." in page
    assert Case.objects.get(pk=case.pk).status == "open"
    # A missing, unreadable or future version: the case's current one.
    current = Case.objects.get(pk=case.pk).version
    for versi in ("", "?versi=abc", "?versi=0", f"?versi={current + 5}"):
        form = client.get(form_url(case, "closure") + versi, **HX).content.decode()
        assert f'name="version" value="{current}"' in form
    # A digit that is no number ("²" passes str.isdigit, not int()).
    form = client.get(form_url(case, "closure"), {"versi": "²"}, **HX).content.decode()
    assert f'name="version" value="{current}"' in form


def test_form_with_errors_comes_back_open_with_the_input(world, client):
    case = make_case(world.users["intake_own"])
    client.force_login(world.users["case_worker_own"])
    response = client.post(
        reverse("cases:record", kwargs={"code": case.code}), {"kind": "progress", "body": ""}
    )
    page = response.content.decode()
    assert '<details class="action" id="aksi-record" open>' in page
    assert "field--error" in page and not CaseRecord.objects.filter(case=case).exists()
    # The other folds still load when opened.
    assert "record" not in fold_urls(page) and "closure" in fold_urls(page)


def test_fold_not_open_to_the_user_or_the_case_state(world, client):
    case = make_case(world.users["intake_own"])
    client.force_login(world.users["supervisor_own"])
    assert client.get(form_url(case, "decision"), **HX).status_code == 404  # nothing to decide
    # As its POST: the right to reopen comes with the closed case.
    assert client.get(form_url(case, "reopen"), **HX).status_code == 403
    assert client.get(form_url(case, "unknown"), **HX).status_code == 404
    no_people = make_case(world.users["intake_own"], perpetrators=[])
    assert client.get(form_url(no_people, "legal"), **HX).status_code == 404


def test_opening_a_form_is_logged_and_runs_few_queries(world, client, django_assert_num_queries):
    """The service form: session, user with agency and device (middleware), the case, the
    victims (read once: they also tell whether the action is open), the access log row, the
    reference lists (one statement), the agencies."""
    case = make_case(world.users["intake_own"])
    client.force_login(world.users["supervisor_own"])
    url = form_url(case, "service")
    client.get(url, **HX)
    before = AccessLog.objects.filter(action=AccessLog.Action.VIEW).count()
    with django_assert_num_queries(8):
        response = client.get(url, **HX)
    assert "Korban Sintetis 1" in response.content.decode()
    assert AccessLog.objects.filter(action=AccessLog.Action.VIEW).count() == before + 1
