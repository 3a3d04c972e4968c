import pytest
from django.urls import reverse

from ppa.models import Agency, Role
from ppa.services import user_set_role
from tests.world import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def post_login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_page_is_indonesian_by_default(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "Masuk ke Sinergi PPA" in response.text
    assert response.headers["Content-Language"] == "id"


def test_wrong_password_says_so_in_indonesian_and_does_not_log_in(client, world):
    response = post_login(client, "intake_own", "salah-sekali")
    assert response.status_code == 200
    assert "Nama pengguna atau kata sandi salah" in response.text
    assert "_auth_user_id" not in client.session


def test_inactive_user_is_refused(client, world):
    user = world.users["case_worker_own"]
    user.is_active = False
    user.save()
    response = post_login(client, "case_worker_own", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_user_without_agency_is_told_to_contact_the_administrator(client, world):
    user = make_user("tanpa_lembaga", Role.ADMIN, None)
    user.role = ""
    user.save()
    response = post_login(client, "tanpa_lembaga", PASSWORD)
    assert "belum terhubung dengan lembaga" in response.text
    assert "_auth_user_id" not in client.session


def test_user_of_an_inactive_agency_is_refused(client, world):
    Agency.objects.filter(pk=world.other_uptd.pk).update(is_active=False)
    response = post_login(client, "intake_other", PASSWORD)
    assert "Lembaga akun ini tidak aktif" in response.text
    assert "_auth_user_id" not in client.session


def test_good_login_lands_on_home(client, world):
    response = post_login(client, "intake_own", PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("home")
    page = client.get(reverse("home"))
    assert "Selamat datang" in page.text
    assert page.headers["Cache-Control"] == "no-store"


def test_english_is_switchable_per_user_and_kept(client, world):
    user = world.users["intake_own"]
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "en"
    page = client.get(reverse("home"))
    assert "Welcome" in page.text
    assert page.headers["Content-Language"] == "en"


def test_set_language_refuses_an_offsite_redirect(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response.headers["Location"] == reverse("home")


def test_role_change_keeps_one_role_group(world):
    user = world.users["intake_own"]
    user_set_role(user=user, role=Role.SUPERVISOR, agency=world.uptd)
    names = set(user.groups.values_list("name", flat=True))
    assert names == {"role:supervisor", world.uptd.group.name}
