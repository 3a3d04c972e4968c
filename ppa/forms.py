from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from ppa.models import Role, User
from ppa.otp import verify


class LoginForm(AuthenticationForm):
    """Login that also refuses accounts that cannot work: no agency, or an inactive agency."""

    error_messages = {
        "invalid_login": _(
            "Nama pengguna atau kata sandi salah. Periksa kembali; huruf besar dan kecil dibedakan."
        ),
        "inactive": _("Akun ini tidak aktif. Hubungi administrator lembaga Anda."),
        "no_agency": _(
            "Akun ini belum terhubung dengan lembaga mana pun. Hubungi administrator lembaga Anda."
        ),
        "agency_inactive": _("Lembaga akun ini tidak aktif. Hubungi administrator."),
    }

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if user.is_superuser or user.role == Role.ADMIN:
            return
        if user.agency is None or not user.role:
            raise forms.ValidationError(self.error_messages["no_agency"], code="no_agency")
        if not user.agency.is_active:
            raise forms.ValidationError(
                self.error_messages["agency_inactive"], code="agency_inactive"
            )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=[("id", "Bahasa Indonesia"), ("en", "English")])


class OtpTokenForm(forms.Form):
    """A six-digit code from the authenticator app, or a recovery code."""

    token = forms.CharField(
        label=_("Kode verifikasi"),
        max_length=64,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
        error_messages={"required": _("Masukkan kode dari aplikasi autentikator.")},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.device = None

    def clean_token(self) -> str:
        token = self.cleaned_data["token"]
        self.device = verify(self.user, token)
        if self.device is None:
            raise forms.ValidationError(
                _(
                    "Kode salah, sudah pernah dipakai, atau terlalu banyak percobaan. "
                    "Tunggu sebentar lalu coba kode yang baru."
                ),
                code="invalid_token",
            )
        return token


class OtpEnrolForm(forms.Form):
    token = forms.CharField(
        label=_("Kode dari aplikasi"),
        max_length=10,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"required": _("Masukkan kode enam angka dari aplikasi autentikator.")},
    )

    password = forms.CharField(
        label=_("Kata sandi Anda"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Masukkan kata sandi Anda untuk mengganti autentikator.")},
    )

    def __init__(self, *args: Any, user: User, replacing: bool, **kwargs: Any) -> None:
        """`replacing`: the user already has an authenticator; replacing it asks for the
        password again, so an open session alone cannot take over the second factor."""
        super().__init__(*args, **kwargs)
        self.user = user
        if not replacing:
            del self.fields["password"]

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit() or len(token) != 6:
            raise forms.ValidationError(_("Kode terdiri dari enam angka."), code="format")
        return token

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Kata sandi salah."), code="password")
        return password
