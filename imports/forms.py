from django import forms
from django.utils.translation import gettext_lazy as _


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Berkas"),
        help_text=_(
            "XLSX dari templat (atau CSV untuk jumlah penduduk). Diperiksa dulu: "
            "tidak ada yang disimpan sebelum Anda mengonfirmasi pratinjau."
        ),
    )
