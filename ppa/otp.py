"""Two-factor authentication: who needs it, enrolment, verification and recovery codes."""

import base64
import secrets

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from ppa.models import RecoveryCode, RecoveryCodeDevice, User, recovery_digest
from ppa.security import session_track

RECOVERY_CODE_COUNT = 8


ENROLLED_SESSION_KEY = "ppa_otp_enrolled"


def otp_required(user: User, session: SessionBase | None = None) -> bool:
    """Supervisors, administrators and superusers must use a second factor; others who
    enrolled one must use it too. With a session, whether the user enrolled is read from it
    (set at login and at enrolment), saving a query on every request."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.role in settings.OTP_REQUIRED_ROLES:
        return True
    if session is None:
        return has_device(user)
    if ENROLLED_SESSION_KEY not in session:
        session[ENROLLED_SESSION_KEY] = has_device(user)
    return bool(session[ENROLLED_SESSION_KEY])


def has_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def new_recovery_code() -> str:
    """120 random bits as 24 base32 characters in groups of four (ASVS 6.5.2: ≥ 112 bits,
    so a plain hash is enough)."""
    raw = base64.b32encode(secrets.token_bytes(15)).decode()
    return "-".join(raw[i : i + 4] for i in range(0, 24, 4))


@transaction.atomic
def recovery_codes_issue(*, user: User) -> list[str]:
    """Replace the user's recovery codes; the new codes are shown once and never stored."""
    device, _created = RecoveryCodeDevice.objects.get_or_create(
        user=user, defaults={"name": "recovery", "confirmed": True}
    )
    device.codes.all().delete()
    codes = [new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, digest=recovery_digest(code)) for code in codes
    )
    return codes


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(device__user=user, used_at__isnull=True).count()


def totp_pending(user: User) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled (a fresh secret if none)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


@transaction.atomic
def totp_confirm(*, user: User, device: TOTPDevice, token: str) -> bool:
    """Confirm enrolment with a first code; any older authenticator is removed."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    if not device.verify_token(token):
        return False
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


def verify(user: User, token: str) -> Device | None:
    """The confirmed device (authenticator, then recovery codes) accepting `token`, or None.
    Replayed TOTP codes are refused (TOTPDevice.last_t); each failure adds a delay."""
    token = (token or "").strip()
    if not token or len(token) > 64:
        return None
    for device in devices_for_user(user, confirmed=True):
        with transaction.atomic():
            locked = type(device).objects.select_for_update().get(pk=device.pk)
            if locked.verify_token(token):
                return locked
    return None


def mark_verified(request: HttpRequest, device: Device) -> None:
    """Record the second factor in the session and give the session a new id."""
    previous_key = request.session.session_key
    request.session[ENROLLED_SESSION_KEY] = True
    otp_login(request, device)
    request.session.cycle_key()
    session_track(request, previous_key=previous_key)


def is_verified(request: HttpRequest) -> bool:
    user = request.user
    return (
        bool(request.session.get(DEVICE_ID_SESSION_KEY))
        and isinstance(user, User)
        and user.is_verified()
    )


@receiver(user_logged_in)
def _on_login(sender: object, request: HttpRequest | None, user: User, **kwargs: object) -> None:
    """Note at login whether the user has a second factor (read by the OTP middleware)."""
    if request is None or not hasattr(request, "session"):
        return
    request.session[ENROLLED_SESSION_KEY] = has_device(user)
