"""Two factors, session ids, idle and absolute expiry, ending sessions, cookies, CSRF."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from ppa.models import RecoveryCode, Role, UserSession
from tests.security.helpers import current_code, post_login, session_cookie
from tests.world import PASSWORD, make_user, otp_enrol

pytestmark = pytest.mark.django_db


def verify(client, code, next_url="/"):
    return client.post(reverse("otp_verify"), {"token": code, "next": next_url}, secure=True)


def test_supervisor_login_asks_for_the_second_factor_everywhere(client, world):
    assert post_login(client, "supervisor_own").status_code == 302
    home = client.get("/", secure=True)
    assert home.status_code == 302
    assert home.headers["Location"].startswith(reverse("otp_verify"))
    page = client.get(home.headers["Location"], secure=True)
    assert "Verifikasi dua langkah" in page.text


def test_right_code_opens_the_session_with_a_new_id(client, world):
    user = world.users["supervisor_own"]
    before_login = session_cookie(client)
    post_login(client, "supervisor_own")
    after_login = session_cookie(client)
    assert after_login and after_login != before_login
    response = verify(client, current_code(user))
    assert response.status_code == 302 and response.headers["Location"] == "/"
    after_otp = session_cookie(client)
    assert after_otp != after_login
    assert client.get("/", secure=True).status_code == 200
    # The session list follows the new id; the old one is gone.
    assert list(UserSession.objects.filter(user=user).values_list("session_key", flat=True)) == [
        after_otp
    ]


def test_a_used_code_cannot_be_replayed(world):
    user = world.users["supervisor_own"]
    with freeze_time("2024-05-08 08:00:05"):
        first, second = Client(), Client()
        post_login(first, "supervisor_own")
        code = current_code(user)
        assert verify(first, code).status_code == 302
        post_login(second, "supervisor_own")
        refused = verify(second, code)
    assert refused.status_code == 200
    assert "sudah pernah dipakai" in refused.text
    assert second.get("/", secure=True).status_code == 302


def test_wrong_code_is_refused_with_a_message(client, world):
    post_login(client, "admin")
    response = verify(client, "000000")
    assert response.status_code == 200 and "Kode salah" in response.text


def test_enrolment_for_a_supervisor_without_an_authenticator(client, world):
    make_user("supervisor_baru", Role.SUPERVISOR, world.uptd)
    post_login(client, "supervisor_baru")
    redirect = client.get("/", secure=True)
    assert redirect.headers["Location"].startswith(reverse("otp_setup"))
    page = client.get(reverse("otp_setup"), secure=True)
    assert "Pasang verifikasi dua langkah" in page.text and 'src="/akun/autentikator/qr.svg"' in (
        page.text
    )
    qr = client.get(reverse("otp_qr"), secure=True)
    assert qr.headers["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    device = TOTPDevice.objects.get(user__username="supervisor_baru", confirmed=False)
    code = f"{totp(device.bin_key):06d}"
    done = client.post(reverse("otp_setup"), {"token": code}, secure=True)
    assert done.status_code == 200 and "Kode pemulihan" in done.text
    codes = done.context["codes"]
    assert len(codes) == 8 and all(len(c.replace("-", "")) == 24 for c in codes)
    assert client.get("/", secure=True).status_code == 200


def test_recovery_codes_are_stored_hashed_and_work_once(client, world):
    user = world.users["supervisor_own"]
    client.force_login(user)
    codes = client.post(reverse("recovery_codes_new"), secure=True).context["codes"]
    stored = list(RecoveryCode.objects.filter(device__user=user).values_list("digest", flat=True))
    assert len(stored) == 8
    for code in codes:
        plain = code.replace("-", "")
        assert all(plain not in digest and code not in digest for digest in stored)
    first, second = Client(), Client()
    post_login(first, "supervisor_own")
    assert verify(first, codes[0].lower()).status_code == 302  # case and dashes do not matter
    post_login(second, "supervisor_own")
    assert verify(second, codes[0]).status_code == 200


def test_users_of_other_roles_may_work_without_a_second_factor(client, world):
    post_login(client, "case_worker_own")
    assert client.get("/", secure=True).status_code == 200


def test_a_case_worker_who_enrolled_must_use_it(client, world):
    otp_enrol(world.users["case_worker_own"])
    post_login(client, "case_worker_own")
    assert client.get("/", secure=True).headers["Location"].startswith(reverse("otp_verify"))


def test_idle_session_expires_after_30_minutes(world):
    client = Client()
    with freeze_time("2024-05-08 08:00:00"):
        post_login(client, "case_worker_own")
    with freeze_time("2024-05-08 08:29:00"):
        assert client.get("/", secure=True).status_code == 200
    with freeze_time("2024-05-08 08:58:00"):  # 29 minutes after the last request
        assert client.get("/", secure=True).status_code == 200
    with freeze_time("2024-05-08 09:29:00"):
        assert client.get("/", secure=True).status_code == 302


def test_session_ends_after_12_hours_even_when_busy(world, settings):
    settings.SESSION_COOKIE_AGE = 24 * 3600  # take idle expiry out of the picture
    client = Client()
    with freeze_time("2024-05-08 07:00:00"):
        post_login(client, "case_worker_own")
    with freeze_time("2024-05-08 18:59:00"):
        assert client.get("/", secure=True).status_code == 200
    with freeze_time("2024-05-08 19:01:00"):
        response = client.get("/", secure=True)
    assert response.status_code == 302 and response.headers["Location"].startswith("/masuk/")


def two_sessions(username):
    first, second = Client(), Client()
    post_login(first, username)
    post_login(second, username)
    assert first.get("/", secure=True).status_code == 200
    assert second.get("/", secure=True).status_code == 200
    return first, second


def test_logout_everywhere_ends_every_session(world):
    first, second = two_sessions("case_worker_own")
    old_cookie = session_cookie(second)
    response = first.post(reverse("logout_everywhere"), secure=True)
    assert response.headers["Location"] == reverse("login")
    assert first.get("/", secure=True).status_code == 302
    assert second.get("/", secure=True).status_code == 302
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_cookie
    assert replay.get("/", secure=True).status_code == 302


def test_deactivation_ends_every_session(world):
    first, second = two_sessions("case_worker_own")
    user = world.users["case_worker_own"]
    user.is_active = False
    user.save()
    assert first.get("/", secure=True).status_code == 302
    assert not UserSession.objects.filter(user=user).exists()


def test_password_change_ends_the_other_sessions(world):
    first, second = two_sessions("case_worker_own")
    new = "kuda-laut-berenang-di-danau-toba"
    response = first.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        secure=True,
    )
    assert response.status_code == 302
    assert first.get("/", secure=True).status_code == 200
    assert second.get("/", secure=True).status_code == 302
    assert UserSession.objects.filter(user=world.users["case_worker_own"]).count() == 1


def test_password_change_refuses_a_context_word_next_to_the_field(client, world):
    client.force_login(world.users["case_worker_own"])
    bad = "sinergi-payakumbuh-2024"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": bad, "new_password2": bad},
        secure=True,
    )
    assert response.status_code == 200
    assert "tidak boleh memuat kata yang mudah ditebak" in response.text


def test_cookies_are_host_only_secure_httponly_and_samesite(client, world):
    page = client.get(reverse("login"), secure=True)
    csrf = page.cookies["__Host-csrftoken"]
    response = post_login(client, "case_worker_own")
    session = response.cookies["__Host-sessionid"]
    for cookie in (csrf, session):
        assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"
        assert cookie["path"] == "/" and not cookie["domain"]


def test_forms_refuse_a_post_without_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "intake_own", "password": PASSWORD})
    assert response.status_code == 403
    assert "Formulir kedaluwarsa" in response.text
    client.force_login(world.users["case_worker_own"])
    assert client.post(reverse("logout_everywhere"), secure=True).status_code == 403


def test_replacing_the_authenticator_asks_for_the_password_again(client, world):
    """An open, verified session alone cannot take over the second factor."""
    user = world.users["supervisor_own"]
    old = TOTPDevice.objects.get(user=user, confirmed=True)
    client.force_login(user)  # verified session (tests/world.py marks supervisors verified)
    page = client.get(reverse("otp_setup"), secure=True)
    assert page.status_code == 200 and "Kata sandi Anda" in page.text
    new = TOTPDevice.objects.get(user=user, confirmed=False)
    code = f"{totp(new.bin_key):06d}"

    refused = client.post(reverse("otp_setup"), {"token": code, "password": "salah"}, secure=True)
    assert refused.status_code == 200 and "Kata sandi salah." in refused.text
    missing = client.post(reverse("otp_setup"), {"token": code}, secure=True)
    assert "Masukkan kata sandi Anda untuk mengganti autentikator." in missing.text
    assert TOTPDevice.objects.filter(pk=old.pk, confirmed=True).exists()  # still the old one

    done = client.post(reverse("otp_setup"), {"token": code, "password": PASSWORD}, secure=True)
    assert done.status_code == 200 and "Kode pemulihan" in done.text
    assert list(TOTPDevice.objects.filter(user=user).values_list("pk", flat=True)) == [new.pk]


def _session_writes(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/kasus/", secure=True).status_code == 200
    return sum('UPDATE "django_session"' in q["sql"] for q in queries.captured_queries)


def test_the_idle_expiry_is_renewed_at_most_once_a_minute(world):
    client = Client()
    with freeze_time("2024-05-08 08:00:00"):
        post_login(client, "case_worker_own")
    with freeze_time("2024-05-08 08:00:30"):
        assert _session_writes(client) == 0  # renewed at login, 30 s ago
    with freeze_time("2024-05-08 08:01:05"):
        assert _session_writes(client) == 1  # over a minute: renewed
    with freeze_time("2024-05-08 08:01:50"):
        assert _session_writes(client) == 0
    with freeze_time("2024-05-08 08:30:30"):  # 29 min 25 s after the last renewal
        assert client.get("/", secure=True).status_code == 200
