import pytest
from django.urls import reverse

from tests.world import force_login_unverified

pytestmark = pytest.mark.django_db


def test_menu_waits_until_the_second_factor_is_done(client, world):
    supervisor = world.users["supervisor_own"]
    force_login_unverified(client, supervisor)
    page = client.get(reverse("otp_verify")).content.decode()
    assert reverse("referrals:inbox") not in page
    client.force_login(supervisor)  # verified (see tests/conftest.py)
    assert reverse("referrals:inbox") in client.get(reverse("home")).content.decode()
