from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from ppa.models import Role


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

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if user.is_superuser or user.role == Role.ADMIN:
            return
        if user.agency_id is None or not user.role:
            raise forms.ValidationError(self.error_messages["no_agency"], code="no_agency")
        if not user.agency.is_active:
            raise forms.ValidationError(
                self.error_messages["agency_inactive"], code="agency_inactive"
            )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=[("id", "Bahasa Indonesia"), ("en", "English")])
