from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class SummaryRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan pencetakan"),
        min_length=10,
        max_length=500,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Untuk apa ringkasan ini dicetak, dan kepada siapa (misalnya: permintaan Pengadilan "
            "Negeri untuk sidang). Alasan dicatat di log akses."
        ),
        error_messages={
            "required": _("Alasan pencetakan wajib diisi."),
            "min_length": _("Alasan pencetakan terlalu singkat (minimal 10 karakter)."),
            "max_length": _("Alasan pencetakan terlalu panjang (maksimal 500 karakter)."),
        },
    )
    chronology = forms.BooleanField(
        label=_("Sertakan kronologi"),
        required=False,
        help_text=_("Kronologi memuat cerita korban; sertakan hanya bila penerima memerlukannya."),
    )


class VerifyForm(forms.Form):
    referral = forms.UUIDField(
        label=_("Kode rujukan"),
        error_messages={"invalid": _("Kode rujukan tidak dikenali; salin dari surat.")},
    )
    checksum = forms.CharField(
        label=_("Checksum"),
        max_length=20,
        error_messages={"required": _("Checksum wajib diisi.")},
    )


class SignerForm(forms.Form):
    title = forms.CharField(label=_("Jabatan Anda"), max_length=120, required=False)
    nip = forms.CharField(label=_("NIP Anda"), max_length=30, required=False)


class AgencyHeadForm(forms.Form):
    head_name = forms.CharField(
        label=_("Nama kepala"),
        max_length=120,
        error_messages={"required": _("Nama kepala wajib diisi.")},
    )
    head_title = forms.CharField(
        label=_("Jabatan kepala"),
        max_length=120,
        error_messages={"required": _("Jabatan kepala wajib diisi.")},
    )
    head_nip = forms.CharField(label=_("NIP kepala"), max_length=30, required=False)


class SimfoniExportForm(forms.Form):
    period_from = forms.DateField(
        label=_("Dari tanggal pelaporan"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Tanggal awal wajib diisi."),
            "invalid": _("Tanggal tidak valid."),
        },
    )
    period_to = forms.DateField(
        label=_("Sampai tanggal pelaporan"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Tanggal akhir wajib diisi."),
            "invalid": _("Tanggal tidak valid."),
        },
    )
    only_new = forms.BooleanField(
        label=_("Hanya kasus baru dan yang berubah sejak ditandai"), required=False, initial=True
    )
    reason = forms.CharField(
        label=_("Alasan ekspor"),
        min_length=10,
        max_length=500,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Misalnya: input SIMFONI-PPA bulan Mei 2024. Alasan dicatat di log akses."),
        error_messages={
            "required": _("Alasan ekspor wajib diisi."),
            "min_length": _("Alasan ekspor terlalu singkat (minimal 10 karakter)."),
            "max_length": _("Alasan ekspor terlalu panjang (maksimal 500 karakter)."),
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        start, end = data.get("period_from"), data.get("period_to")
        if start and end and end < start:
            self.add_error("period_to", _("Tanggal akhir periode sebelum tanggal awal."))
        return data
