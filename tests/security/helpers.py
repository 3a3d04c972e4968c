from django.conf import settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.world import PASSWORD


def post_login(client, username: str, password: str = PASSWORD, **extra):
    return client.post(
        reverse("login"), {"username": username, "password": password}, secure=True, **extra
    )


def current_code(user) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def session_cookie(client) -> str:
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return cookie.value if cookie else ""
