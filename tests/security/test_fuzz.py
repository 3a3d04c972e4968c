"""Property-based fuzzing of the forms this app owns (docs/quality.md S3, S4): no input answers
500 (the test client re-raises any exception), and markup typed in comes back as text."""

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_case
from tests.world import force_login_unverified

XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
    "{{ 7*7 }}{% debug %}",
    "' OR 1=1 --",
    '=HYPERLINK("http://x")',
    "\x00\x01\x02",
    "𝕊𝕚𝕟𝕖𝕣𝕘𝕚 ٣٤٥٦٧٨",
    "a" * 5000,
]
TEXT = st.one_of(st.text(max_size=300), st.sampled_from(XSS))
EXAMPLES = 100
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
RAW = "<script>alert(1)</script>"


def no_raw_markup(response):
    assert response.status_code < 500
    assert RAW not in response.content.decode(errors="ignore")


@pytest.mark.django_db
@FUZZ
@given(username=TEXT, password=TEXT)
def test_login_form(world, username, password):
    response = Client().post(
        reverse("login"), {"username": username, "password": password}, secure=True
    )
    assert response.status_code in (200, 302, 429)
    no_raw_markup(response)


@pytest.mark.django_db
@FUZZ
@given(token=TEXT)
def test_otp_form(world, token):
    client = Client()
    force_login_unverified(client, world.users["supervisor_own"])
    response = client.post(reverse("otp_verify"), {"token": token, "next": token}, secure=True)
    assert response.status_code in (200, 302)
    if response.status_code == 302:  # never sent off-site by `next`
        assert response.headers["Location"].startswith("/")
        assert not response.headers["Location"].startswith("//")
    no_raw_markup(response)


@pytest.mark.django_db
@FUZZ
@given(token=TEXT)
def test_otp_enrolment_form(world, token):
    client = Client()
    client.force_login(world.users["case_worker_own"])
    response = client.post(reverse("otp_setup"), {"token": token}, secure=True)
    assert response.status_code == 200
    no_raw_markup(response)


@pytest.mark.django_db
@settings(
    max_examples=EXAMPLES // 2,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(old=TEXT, new1=TEXT, new2=TEXT)
def test_password_change_form(world, old, new1, new2):
    client = Client()
    client.force_login(world.users["intake_own"])
    response = client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": new1, "new_password2": new2},
        secure=True,
    )
    assert response.status_code in (200, 302)
    no_raw_markup(response)


@pytest.fixture
def case(world):
    return make_case(world.users["intake_own"])


@pytest.mark.django_db
@FUZZ
@given(reason=TEXT)
def test_export_request_form(world, case, reason):
    client = Client()
    client.force_login(world.users["case_worker_own"])
    response = client.post(
        reverse("privacy:export_request", args=[case.code]), {"reason": reason}, secure=True
    )
    assert response.status_code == 200
    no_raw_markup(response)


@pytest.mark.django_db
def test_stored_markup_in_a_name_shows_as_text_on_the_account_page(client, world):
    user = world.users["case_worker_own"]
    user.first_name = RAW
    user.save()
    client.force_login(user)
    page = client.get(reverse("account"), secure=True).content.decode()
    assert RAW not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
