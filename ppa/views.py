import base64
import io
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from ppa.access import role_of
from ppa.forms import LanguageForm, LoginForm, OtpEnrolForm, OtpTokenForm
from ppa.http import AuthedRequest
from ppa.middleware import LANGUAGE_COOKIE
from ppa.models import RecoveryCodeDevice, Role, UserSession
from ppa.otp import (
    has_device,
    mark_verified,
    recovery_codes_issue,
    recovery_codes_left,
    totp_confirm,
    totp_pending,
)
from ppa.security import login_rate_exceeded, session_track, sessions_end
from ppa.services import user_set_language


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The start page: the menu of the user's role as tiles (and the admin for administrators)."""
    return render(request, "ppa/home.html", {"is_admin": role_of(request.user) == Role.ADMIN})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    form = LanguageForm(request.POST)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("home")
    response = HttpResponseRedirect(target)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            user_set_language(user=request.user, language=language)
        response.set_cookie(
            LANGUAGE_COOKIE,
            language,
            samesite="Lax",
            httponly=True,
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


# --- Accounts: login, two-factor authentication, sessions ------------------------------------


class LoginView(auth_views.LoginView):
    """Django's login with a per-address rate limit checked before any password is hashed;
    django-axes (the first authentication backend) handles lockout per account."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    # Longer input cannot be a valid account; it is refused before authentication, so it never
    # reaches the lockout tables (whose columns it would overflow: found by fuzzing).
    MAX_USERNAME, MAX_PASSWORD = 150, 1024

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if login_rate_exceeded(request):
            return render(request, "registration/rate_limited.html", status=429)
        username = request.POST.get("username", "")
        if len(username) > self.MAX_USERNAME or len(request.POST.get("password", "")) > (
            self.MAX_PASSWORD
        ):
            form = self.get_form_class()(request)
            error = LoginForm.error_messages["invalid_login"]
            return self.render_to_response(self.get_context_data(form=form, login_error=error))
        return super().post(request, *args, **kwargs)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("home")


@login_required
def account(request: AuthedRequest) -> HttpResponse:
    """The user's security page: two-factor status, recovery codes, password, sessions."""
    user = request.user
    context = {
        "has_totp": has_device(user),
        "otp_required": user.is_superuser or user.role in settings.OTP_REQUIRED_ROLES,
        "recovery_left": recovery_codes_left(user),
        "sessions": UserSession.objects.filter(user=user).order_by("-created_at"),
        "current_key": request.session.session_key,
    }
    return render(request, "accounts/account.html", context)


@login_required
def otp_setup(request: AuthedRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the code (or type the key), confirm with a code.
    A user who already has one must be verified in this session to replace it."""
    user = request.user
    if has_device(user) and not user.is_verified():
        return redirect(f"{reverse('otp_verify')}?next={reverse('otp_setup')}")
    device = totp_pending(user)
    form = OtpEnrolForm(request.POST or None, user=user, replacing=has_device(user))
    if request.method == "POST" and form.is_valid():
        if totp_confirm(user=user, device=device, token=form.cleaned_data["token"]):
            device.refresh_from_db()
            mark_verified(request, device)
            codes = recovery_codes_issue(user=user)
            return render(request, "accounts/recovery_codes.html", {"codes": codes})
        form.add_error(
            "token",
            _("Kode tidak cocok. Periksa jam di ponsel Anda dan coba kode berikutnya."),
        )
    secret = base64.b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "next": _next_url(request),
    }
    return render(request, "accounts/otp_setup.html", context)


@login_required
def otp_qr(request: AuthedRequest) -> HttpResponse:
    """The QR code of the authenticator being enrolled, as SVG (an image, not inline data)."""
    if has_device(request.user) and not request.user.is_verified():
        raise Http404
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        raise Http404
    buffer = io.BytesIO()
    segno.make(device.config_url, error="m").save(buffer, kind="svg", scale=5, border=2)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


@login_required
def otp_verify(request: AuthedRequest) -> HttpResponse:
    """The second step of login: a code from the app or a recovery code."""
    user = request.user
    if not has_device(user):
        return redirect(f"{reverse('otp_setup')}?next={_next_url(request)}")
    if user.is_verified():
        return redirect(_next_url(request))
    form = OtpTokenForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        mark_verified(request, form.device)
        if isinstance(form.device, RecoveryCodeDevice):
            messages.warning(
                request,
                _("Anda masuk dengan kode pemulihan. Sisa kode: %(n)s.")
                % {"n": recovery_codes_left(user)},
            )
        return redirect(_next_url(request))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)})


@login_required
@require_POST
def recovery_codes_new(request: AuthedRequest) -> HttpResponse:
    """New recovery codes (the old ones stop working); needs a verified session."""
    if not request.user.is_verified():
        return redirect(f"{reverse('otp_verify')}?next={reverse('account')}")
    codes = recovery_codes_issue(user=request.user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes})


@login_required
@require_POST
def logout_everywhere(request: AuthedRequest) -> HttpResponse:
    """End every session of this user, this one included."""
    user = request.user
    sessions_end(user)
    logout(request)
    messages.info(request, _("Anda telah keluar dari semua perangkat."))
    return redirect("login")


@login_required
def password_change(request: AuthedRequest) -> HttpResponse:
    """Change the password (the old one is asked again); every other session ends."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        previous_key = request.session.session_key
        user = form.save()
        update_session_auth_hash(request, user)
        session_track(request, previous_key=previous_key)
        sessions_end(user, keep=request.session.session_key)
        messages.success(request, _("Kata sandi diganti. Sesi di perangkat lain telah diakhiri."))
        return redirect("account")
    return render(request, "accounts/password_change.html", {"form": form})
