from django.conf import settings

from ppa.otp import totp_pending
from tests.matrix import Row, everyone
from tests.world import PERSONAS


def _pending_authenticators(world) -> dict:
    for user in world.users.values():
        totp_pending(user)
    return {}


def _enrolled(status: int, other: int) -> dict[str, int]:
    """`status` for personas with an authenticator (the roles that must use two factors:
    supervisors, SIMFONI data officers, the administrator), `other` for the rest."""
    return {
        p: status if p.rsplit("_", 1)[0] in settings.OTP_REQUIRED_ROLES else other
        for p in PERSONAS
        if p != "anon"
    }


ROWS = [
    Row("home", expect=everyone(200)),
    Row("account", expect=everyone(200)),
    # Already verified (or nothing to verify): sent on to the page asked for, or to enrolment.
    Row("otp_verify", expect=everyone(302)),
    Row("otp_setup", expect=everyone(200)),
    Row("otp_qr", expect=everyone(200), setup=_pending_authenticators),
    Row("recovery_codes_new", method="post", expect=_enrolled(200, 302)),
    Row("password_change", expect=everyone(200)),
    Row("logout_everywhere", method="post", expect=everyone(302)),
]
