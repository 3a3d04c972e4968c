from django import forms
from django.utils.translation import gettext_lazy as _


class ExportRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan ekspor"),
        min_length=10,
        max_length=500,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Untuk apa data ini dikeluarkan, dan kepada siapa (misalnya: permintaan penyidik "
            "Unit PPA Polres untuk berkas perkara). Alasan dicatat di log akses."
        ),
        error_messages={
            "required": _("Alasan ekspor wajib diisi."),
            "min_length": _("Alasan ekspor terlalu singkat (minimal 10 karakter)."),
            "max_length": _("Alasan ekspor terlalu panjang (maksimal 500 karakter)."),
        },
    )
