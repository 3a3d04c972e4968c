"""Parameters of the statistics: years, region, case type, date basis (and, for the PDF,
edition and language). Every bad value gets a message in Indonesian next to its field."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import CaseType
from ppa.models import Region, User
from reports import access
from reports.models import ReportRun
from reports.selectors import DEFAULT_YEARS, MAX_YEARS, DateBasis, ReportParams

FIRST_YEAR = 2000

YEAR_MESSAGES = {
    "invalid": _("Tulis tahun dengan angka, misalnya 2023."),
    "min_value": _("Tahun paling awal yang dapat dipilih adalah %(limit_value)s."),
    "max_value": _("Tahun paling akhir yang dapat dipilih adalah %(limit_value)s."),
}


class StatisticsForm(forms.Form):
    """Filters of the dashboard (GET). Empty fields take their default."""

    year_from = forms.IntegerField(
        label=_("Dari tahun"), required=False, min_value=FIRST_YEAR, error_messages=YEAR_MESSAGES
    )
    year_to = forms.IntegerField(
        label=_("Sampai tahun"), required=False, min_value=FIRST_YEAR, error_messages=YEAR_MESSAGES
    )
    region = forms.ChoiceField(label=_("Wilayah"), required=False)
    case_type = forms.ChoiceField(
        label=_("Jenis kasus"),
        required=False,
        choices=[("", _("Semua jenis kasus")), *CaseType.choices],
        error_messages={"invalid_choice": _("Pilih jenis kasus dari daftar.")},
    )
    date_basis = forms.ChoiceField(
        label=_("Tahun dihitung menurut"),
        required=False,
        choices=[
            (DateBasis.REPORTED, _("Tanggal pelaporan (standar SIMFONI)")),
            (DateBasis.INCIDENT, _("Tanggal kejadian")),
        ],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Pilih tanggal pelaporan atau tanggal kejadian.")},
    )
    edition = forms.ChoiceField(
        label=_("Edisi"),
        required=False,
        choices=ReportRun.Edition.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Pilih edisi internal atau publik.")},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        authority = access.statistics_authority(user)
        if authority is None:  # the views let only users with statistics access get here
            raise PermissionDenied
        self.authority: Region = authority
        # Both forms of the dashboard (filters and PDF) list the same regions: ask once.
        regions = getattr(user, "_statistics_regions", None)
        if regions is None:
            regions = list(access.statistics_regions(user))
            user._statistics_regions = regions  # type: ignore[attr-defined]
        cast(forms.ChoiceField, self.fields["region"]).choices = [
            (r.code, r.name if r.code == self.authority.code else f"— {r.name}") for r in regions
        ]
        self.fields["region"].error_messages["invalid_choice"] = _(
            "Wilayah ini di luar kewenangan Anda. Pilih %(authority)s atau wilayah di dalamnya."
        ) % {"authority": self.authority.name}
        self.this_year = timezone.localdate().year
        for name in ("year_from", "year_to"):
            cast(forms.IntegerField, self.fields[name]).max_value = self.this_year
            self.fields[name].widget.attrs.update(
                {"min": FIRST_YEAR, "max": self.this_year, "inputmode": "numeric"}
            )
        self.fields["year_from"].initial = self.this_year - DEFAULT_YEARS + 1
        self.fields["year_to"].initial = self.this_year
        self.fields["region"].initial = self.authority.code
        self.fields["date_basis"].initial = DateBasis.REPORTED
        self.fields["edition"].initial = ReportRun.Edition.INTERNAL

    def clean_year_to(self) -> int | None:
        year = self.cleaned_data.get("year_to")
        if year is not None and year > self.this_year:
            raise forms.ValidationError(
                _("Tahun akhir tidak boleh di masa depan (tahun ini %(year)s).")
                % {"year": self.this_year}
            )
        return year

    def clean(self) -> dict:
        data = super().clean() or self.cleaned_data
        if data.get("year_to") is None and "year_to" not in self.errors:
            data["year_to"] = self.this_year
        if data.get("year_from") is None and "year_from" not in self.errors and data.get("year_to"):
            data["year_from"] = max(FIRST_YEAR, data["year_to"] - DEFAULT_YEARS + 1)
        year_from, year_to = data.get("year_from"), data.get("year_to")
        if year_from and year_to and year_from > year_to:
            self.add_error(
                "year_from",
                _("Tahun awal (%(a)s) tidak boleh setelah tahun akhir (%(b)s).")
                % {"a": year_from, "b": year_to},
            )
        elif year_from and year_to and year_to - year_from + 1 > MAX_YEARS:
            self.add_error("year_from", _("Rentang paling panjang %(n)s tahun.") % {"n": MAX_YEARS})
        data["region"] = data.get("region") or self.authority.code
        data["date_basis"] = data.get("date_basis") or DateBasis.REPORTED
        data["edition"] = data.get("edition") or ReportRun.Edition.INTERNAL
        return data

    def params(self) -> ReportParams:
        """The validated parameters (call after is_valid(); an unbound form gives defaults)."""
        if not self.is_bound:
            return ReportParams.default(self.authority.code)
        d = self.cleaned_data
        return ReportParams(
            year_from=d["year_from"],
            year_to=d["year_to"],
            region_code=d["region"],
            case_type=d.get("case_type") or "",
            date_basis=d["date_basis"],
        )

    @property
    def chosen_edition(self) -> str:
        if not self.is_bound:
            return ReportRun.Edition.INTERNAL
        return self.cleaned_data.get("edition") or ReportRun.Edition.INTERNAL


class ReportRunForm(StatisticsForm):
    """The PDF request (POST): the same filters, plus edition and language."""

    language = forms.ChoiceField(
        label=_("Bahasa laporan"),
        choices=[("id", "Bahasa Indonesia"), ("en", "English")],
        initial="id",
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": _("Pilih Bahasa Indonesia atau English."),
            "required": _("Pilih bahasa laporan."),
        },
    )
