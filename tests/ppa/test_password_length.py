"""One maximum password length, enforced where a password is set and where it is used."""

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.world import PASSWORD

pytestmark = pytest.mark.django_db

# Passes every other rule: long, not common, no context word, not like the user's name.
BASE = "Kuda-lari-di-bukit-hijau-"


def _long(length: int) -> str:
    return (BASE * (length // len(BASE) + 1))[:length]


def _change(client: Client, new: str):
    return client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        secure=True,
    )


def test_a_password_over_the_maximum_is_refused_with_a_message(client, world):
    user = world.users["intake_own"]
    client.force_login(user)
    too_long = _long(settings.PASSWORD_MAX_LENGTH + 1)
    response = _change(client, too_long)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"paling banyak {settings.PASSWORD_MAX_LENGTH} karakter" in page
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_ten_thousand_characters_are_refused_too(client, world):
    client.force_login(world.users["intake_own"])
    response = _change(client, _long(10_000))
    assert response.status_code == 200
    assert "paling banyak" in response.content.decode()


def test_the_longest_allowed_password_can_be_set_and_used_to_log_in(client, world):
    user = world.users["intake_own"]
    client.force_login(user)
    longest = _long(settings.PASSWORD_MAX_LENGTH)
    assert _change(client, longest).status_code == 302
    fresh = Client()
    response = fresh.post(
        reverse("login"), {"username": user.username, "password": longest}, secure=True
    )
    assert response.status_code == 302, "a password that could be set can be used"


def test_the_validator_applies_everywhere_a_password_is_set(world):
    """The admin's forms and createsuperuser call the same validators."""
    with pytest.raises(ValidationError) as refused:
        validate_password(_long(settings.PASSWORD_MAX_LENGTH + 1))
    assert refused.value.error_list[0].code == "password_too_long"
