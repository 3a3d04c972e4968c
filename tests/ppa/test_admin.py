"""Django's admin: administrators only. A signed-in user who is not one gets the app's 403 page
at once (no redirect loop through the login), and the history tables hide survivors' data."""

import pytest
from django.urls import reverse

from tests.factories import make_case
from tests.world import PERSONAS

pytestmark = pytest.mark.django_db

NOT_ADMINS = [p for p in PERSONAS if p not in ("anon", "admin")]


@pytest.mark.parametrize("path", ["/admin/", "/admin/cases/historicalcase/", "/admin/logout/"])
def test_signed_in_users_who_are_not_administrators_get_the_403_page(client, world, path):
    for persona in NOT_ADMINS:
        client.force_login(world.users[persona])
        response = client.get(path, secure=True, follow=True)
        assert len(response.redirect_chain) == 0, (persona, response.redirect_chain)
        assert response.status_code == 403, persona
        assert "Akses ditolak" in response.content.decode(), persona


def test_anonymous_users_are_sent_to_the_app_login_once(client):
    response = client.get("/admin/", secure=True, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert len(response.redirect_chain) <= 2


def test_administrators_reach_the_admin(client, world):
    client.force_login(world.users["admin"])
    assert client.get("/admin/", secure=True).status_code == 200


HISTORY_PAGES = ["/admin/cases/historicalcase/", "/admin/cases/historicalperson/"]
NAME, CHRONOLOGY = "Sentinel Wulandari", "Kronologi-sentinel-7731 di rumah"


@pytest.fixture
def recorded_case(world):
    return make_case(world.users["intake_own"], victims=[{"name": NAME}], description=CHRONOLOGY)


def test_administrators_do_not_read_names_or_chronologies_in_history(client, world, recorded_case):
    client.force_login(world.users["admin"])
    for path in HISTORY_PAGES:
        response = client.get(path, secure=True)
        assert response.status_code == 200
        page = response.content.decode()
        assert NAME not in page and CHRONOLOGY not in page, path
    person = recorded_case.people.first().history.first()
    response = client.get(f"/admin/cases/historicalperson/{person.history_id}/change/", secure=True)
    assert response.status_code == 403 and NAME not in response.content.decode()


def test_the_history_export_holds_who_and_when_but_not_the_content(client, world, recorded_case):
    client.force_login(world.users["admin"])
    for path, model in (
        ("/admin/cases/historicalcase/", recorded_case.history.model),
        ("/admin/cases/historicalperson/", recorded_case.people.first().history.model),
    ):
        rows = model.objects.values_list("history_id", flat=True)
        response = client.post(
            path, {"action": "export_csv", "_selected_action": list(rows)}, secure=True
        )
        content = response.content.decode()
        assert response.status_code == 200 and "history_user_id" in content.splitlines()[0]
        assert NAME not in content and CHRONOLOGY not in content, path


def test_staff_accounts_history_stays_readable_for_administrators(client, world):
    client.force_login(world.users["admin"])
    user = world.users["intake_own"]
    row = user.history.first()
    response = client.get(f"/admin/ppa/historicaluser/{row.history_id}/change/", secure=True)
    assert response.status_code == 200 and user.username in response.content.decode()
