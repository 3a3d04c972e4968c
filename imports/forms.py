from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from imports.casespec import SHEETS


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Berkas"),
        help_text=_(
            "XLSX dari templat (atau CSV untuk jumlah penduduk). Diperiksa dulu: "
            "tidak ada yang disimpan sebelum Anda mengonfirmasi pratinjau."
        ),
    )


class CaseUploadForm(forms.Form):
    """A case file: one XLSX with the four sheets, or one CSV file per sheet (same headers)."""

    file = forms.FileField(
        label=_("Berkas XLSX"),
        required=False,
        help_text=_(
            "XLSX dari templat. Diperiksa dulu: tidak ada yang disimpan sebelum Anda "
            "mengonfirmasi pratinjau."
        ),
    )
    kasus = forms.FileField(label=_("atau CSV lembar kasus"), required=False)
    korban = forms.FileField(label=_("CSV lembar korban"), required=False)
    pelaku = forms.FileField(label=_("CSV lembar pelaku"), required=False)
    layanan = forms.FileField(
        label=_("CSV lembar layanan"),
        required=False,
        help_text=_(
            "Judul kolom sama dengan lembar-lembar templat XLSX. Lembar kasus dan korban wajib; "
            "pelaku dan layanan boleh dikosongkan."
        ),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        chosen = self.csv_files()
        if data.get("file") and chosen:
            raise forms.ValidationError(
                _("Pilih satu berkas XLSX atau berkas-berkas CSV, tidak keduanya.")
            )
        if not data.get("file") and not chosen and not self.errors:
            raise forms.ValidationError(
                _("Pilih berkas XLSX, atau berkas CSV untuk setiap lembar.")
            )
        return data

    def csv_files(self) -> dict[str, UploadedFile]:
        """The CSV files chosen, by sheet, in sheet order."""
        data = getattr(self, "cleaned_data", {})
        return {name: data[name] for name in SHEETS if data.get(name)}
