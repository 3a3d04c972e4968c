"""Lockout per account (django-axes), per-address rate limit before hashing, passwords."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.exceptions import ValidationError
from freezegun import freeze_time

from tests.security.helpers import post_login
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db


def fail(client, username, times, ip="10.0.0.1"):
    return [
        post_login(client, username, "salah-sekali-ini", REMOTE_ADDR=ip).status_code
        for _ in range(times)
    ]


def test_sixth_wrong_login_gets_the_indonesian_lockout_page(client, world):
    assert fail(client, "case_worker_own", 4) == [200] * 4
    locked = post_login(client, "case_worker_own", "salah-sekali-ini", REMOTE_ADDR="10.0.0.1")
    assert locked.status_code == 429
    assert "Akun dikunci sementara" in locked.text
    assert "30 menit" in locked.text
    assert "administrator" in locked.text


def test_right_password_during_cooloff_is_refused_and_accepted_after(client, world):
    with freeze_time("2024-05-08 08:00:00"):
        fail(client, "case_worker_own", 5)
        assert post_login(client, "case_worker_own", REMOTE_ADDR="10.0.0.1").status_code == 429
        assert "_auth_user_id" not in client.session
    with freeze_time("2024-05-08 08:29:00"):
        assert post_login(client, "case_worker_own", REMOTE_ADDR="10.0.0.1").status_code == 429
    with freeze_time("2024-05-08 08:31:00"):
        assert post_login(client, "case_worker_own", REMOTE_ADDR="10.0.0.1").status_code == 302


def test_lockout_follows_the_username_to_another_address(client, world):
    fail(client, "case_worker_own", 5, ip="10.0.0.1")
    other = post_login(client, "case_worker_own", REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 429


def test_a_colleague_behind_the_same_address_is_not_locked_out(client, world):
    fail(client, "case_worker_own", 5, ip="10.0.0.1")
    assert post_login(client, "intake_own", REMOTE_ADDR="10.0.0.1").status_code == 302


def test_administrator_unlocks_in_the_admin(client, world):
    fail(client, "case_worker_own", 5)
    attempt = AccessAttempt.objects.get(username="case_worker_own")
    admin = client.__class__()
    admin.force_login(world.users["admin"])
    page = admin.get("/admin/axes/accessattempt/", secure=True)
    assert page.status_code == 200
    response = admin.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
        secure=True,
    )
    assert response.status_code == 302
    assert post_login(client, "case_worker_own", REMOTE_ADDR="10.0.0.1").status_code == 302


def test_login_flood_from_one_address_is_cut_before_any_password_is_hashed(
    client, world, settings, monkeypatch
):
    settings.LOGIN_RATE_PER_IP = "3/300"
    hashed = []

    original = MD5PasswordHasher.verify
    monkeypatch.setattr(
        MD5PasswordHasher, "verify", lambda self, p, e: hashed.append(1) or original(self, p, e)
    )
    statuses = [
        post_login(client, f"tidak_ada_{i}", "apa-saja-panjang", REMOTE_ADDR="10.0.0.7").status_code
        for i in range(6)
    ]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3:] == [429, 429, 429]
    flood = post_login(client, "intake_own", REMOTE_ADDR="10.0.0.7")
    assert flood.status_code == 429 and "Terlalu banyak percobaan" in flood.text
    hashes_before = len(hashed)
    post_login(client, "intake_own", REMOTE_ADDR="10.0.0.7")
    assert len(hashed) == hashes_before  # refused before the backend ran
    # Another address is not affected.
    assert post_login(client, "intake_own", REMOTE_ADDR="10.0.0.8").status_code == 302


def test_unknown_user_and_wrong_password_look_the_same(client, world):
    unknown = post_login(client, "tidak_ada_orang", "salah-sekali-ini", REMOTE_ADDR="10.0.0.2")
    wrong = post_login(client, "intake_own", "salah-sekali-ini", REMOTE_ADDR="10.0.0.3")
    assert unknown.status_code == wrong.status_code == 200
    assert "Nama pengguna atau kata sandi salah" in unknown.text
    assert "Nama pengguna atau kata sandi salah" in wrong.text


@pytest.mark.parametrize(
    "password",
    [
        "sinergi-panjang-sekali",
        "S1nerg1-panjang-sekali",
        "kantor-uptd-baru-2024",
        "rahasia-dp3a-kota-kita",
        "Payakumbuh-indah-2024",
        "pay4kumbuh-indah-2024",
        "limapuluhkota-indah",
        "ppa-ku-aman-sekali",
    ],
)
def test_context_words_are_refused(world, password):
    with pytest.raises(ValidationError) as error:
        password_validation.validate_password(password)
    assert any(e.code == "password_context_word" for e in error.value.error_list)


def test_long_passphrases_pass_and_short_ones_do_not(world):
    password_validation.validate_password("kuda-laut-berenang-di-danau-toba-" + "x" * 31)  # 64
    password_validation.validate_password(PASSWORD)
    with pytest.raises(ValidationError):
        password_validation.validate_password("pendek-1234")  # 11 characters


def test_failed_logins_are_recorded_with_address_and_time(client, world):
    with freeze_time("2024-05-08 08:00:00"):
        fail(client, "intake_own", 2, ip="10.0.0.4")
    attempt = AccessAttempt.objects.get(username="intake_own")
    assert attempt.ip_address == "10.0.0.4" and attempt.failures_since_start == 2
    assert attempt.attempt_time == dt.datetime(2024, 5, 8, 8, 0, tzinfo=dt.UTC)


def test_an_overlong_user_name_is_refused_like_a_wrong_password(client, world):
    """Found by fuzzing: 5,000 characters overflowed the lockout table (an error page)."""
    response = post_login(client, "a" * 5000, "apa-saja-panjang")
    assert response.status_code == 200
    assert "Nama pengguna atau kata sandi salah" in response.text
    assert not AccessAttempt.objects.exists()
