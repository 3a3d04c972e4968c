"""Parameters of the statistics: years, region, case type, date basis (and, for the PDF,
edition and language). Every bad value gets a message in Indonesian next to its field."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import CaseType
from ppa.models import Region, User
from reports import access
from reports.models import RECAP_FIGURES, RECAP_FORMS, RECAP_YEAR_MIN, ReportRun, YearlyRecap

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from reports.snapshot import (
    DEFAULT_YEARS,
    MAX_MONTHS,
    MAX_YEARS,
    MONTHS_IN,
    DateBasis,
    Period,
    ReportParams,
    months_between,
)

FIRST_YEAR = 2000

YEAR_MESSAGES = {
    "invalid": _("Tulis tahun dengan angka, misalnya 2023."),
    "min_value": _("Tahun paling awal yang dapat dipilih adalah %(limit_value)s."),
    "max_value": _("Tahun paling akhir yang dapat dipilih adalah %(limit_value)s."),
}


def period_number_field() -> forms.IntegerField:
    """The number of the month, quarter or half-year of a period (statistics and meeting pack)."""
    return forms.IntegerField(
        label=_("Bulan/triwulan/semester ke-"),
        required=False,
        min_value=1,
        max_value=12,
        error_messages={
            "invalid": _("Tulis nomor dengan angka, misalnya 3 untuk Maret."),
            "min_value": _("Nomor paling kecil 1."),
            "max_value": _("Nomor paling besar 12 (bulan), 4 (triwulan) atau 2 (semester)."),
        },
    )


def range_date_field(
    label: StrOrPromise, example: StrOrPromise, help_text: StrOrPromise = ""
) -> forms.DateField:
    """One end of a date range (statistics and meeting pack)."""
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=help_text,
        error_messages={"invalid": example},
    )


class PeriodChecks(forms.Form):
    """The checks of a month, quarter or half-year (`period_year`, `period_number`) and of a
    date range (`date_from`, `date_to`), shared by the dashboard and the meeting pack; the
    form sets `self.today`."""

    today: dt.date

    def _clean_period(self, data: dict) -> None:
        """A month (1-12), quarter (1-4) or half-year (1-2) of a year, not in the future."""
        year = data.get("period_year") or self.today.year
        number, size = data.get("period_number"), MONTHS_IN[Period(data["period"])]
        if number is None:
            if "period_number" not in self.errors:
                self.add_error("period_number", _("Pilih bulan, triwulan atau semester ke-berapa."))
            return
        if number > 12 // size:
            self.add_error(
                "period_number",
                _("Nomor paling besar %(n)s untuk periode ini.") % {"n": 12 // size},
            )
            return
        if (year, (number - 1) * size + 1) > (self.today.year, self.today.month):
            self.add_error("period_number", _("Periode ini belum dimulai."))
            return
        data["period_year"], data["period_number"] = year, number

    def _clean_range(self, data: dict) -> None:
        start, end = data.get("date_from"), data.get("date_to")
        if start is None or end is None:
            for name, value in (("date_from", start), ("date_to", end)):
                if value is None and name not in self.errors:
                    self.add_error(name, _("Isi tanggal awal dan akhir rentang."))
            return
        if start > end:
            self.add_error("date_from", _("Tanggal awal tidak boleh setelah tanggal akhir."))
        elif end > self.today:
            self.add_error("date_to", _("Tanggal akhir tidak boleh di masa depan."))
        elif len(months_between(start, end)) > MAX_MONTHS:
            self.add_error("date_to", _("Rentang paling panjang %(n)s bulan.") % {"n": MAX_MONTHS})


class StatisticsForm(PeriodChecks):
    """Filters of the dashboard (GET). Empty fields take their default."""

    year_from = forms.IntegerField(
        label=_("Dari tahun"), required=False, min_value=FIRST_YEAR, error_messages=YEAR_MESSAGES
    )
    year_to = forms.IntegerField(
        label=_("Sampai tahun"), required=False, min_value=FIRST_YEAR, error_messages=YEAR_MESSAGES
    )
    period = forms.ChoiceField(
        label=_("Periode"),
        required=False,
        choices=Period.choices,
        error_messages={"invalid_choice": _("Pilih periode dari daftar.")},
    )
    period_year = forms.IntegerField(
        label=_("Tahun periode"),
        required=False,
        min_value=FIRST_YEAR,
        error_messages=YEAR_MESSAGES,
        help_text=_("Untuk bulan, triwulan atau semester."),
    )
    period_number = period_number_field()
    date_from = range_date_field(_("Dari tanggal"), _("Tulis tanggal seperti 2024-03-01."))
    date_to = range_date_field(_("Sampai tanggal"), _("Tulis tanggal seperti 2024-03-31."))
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
        self.today = timezone.localdate()
        self.this_year = self.today.year
        for name in ("year_from", "year_to"):
            cast(forms.IntegerField, self.fields[name]).max_value = self.this_year
            self.fields[name].widget.attrs.update(
                {"min": FIRST_YEAR, "max": self.this_year, "inputmode": "numeric"}
            )
        self.fields["year_from"].initial = self.this_year - DEFAULT_YEARS + 1
        self.fields["year_to"].initial = self.this_year
        self.fields["region"].initial = self.authority.code
        self.fields["date_basis"].initial = DateBasis.REPORTED
        self.fields["period"].initial = Period.YEARS.value
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
        data["period"] = data.get("period") or Period.YEARS.value
        if data["period"] == Period.RANGE:
            self._clean_range(data)
        elif data["period"] != Period.YEARS:
            self._clean_period(data)
        data["region"] = data.get("region") or self.authority.code
        data["date_basis"] = data.get("date_basis") or DateBasis.REPORTED
        data["edition"] = data.get("edition") or ReportRun.Edition.INTERNAL
        return data

    def params(self) -> ReportParams:
        """The validated parameters (call after is_valid(); an unbound form gives defaults)."""
        if not self.is_bound:
            return ReportParams.default(self.authority.code)
        d = self.cleaned_data
        extra = {
            "region_code": d["region"],
            "case_type": d.get("case_type") or "",
            "date_basis": d["date_basis"],
        }
        if d["period"] == Period.RANGE:
            return ReportParams.for_range(d["date_from"], d["date_to"], **extra)
        if d["period"] != Period.YEARS:
            return ReportParams.for_period(
                d["period"], d["period_year"], d["period_number"], **extra
            )
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


class MeetingPackForm(PeriodChecks):
    """The statistics pack of a coordination meeting: the annual report of a region and year
    (the year and the years before it, as on the dashboard) or a periodic report (a month,
    quarter or half-year of that year, or a date range), internal or public edition."""

    region = forms.ChoiceField(label=_("Wilayah"))
    period = forms.ChoiceField(
        label=_("Periode"),
        required=False,
        choices=Period.choices,
        initial=Period.YEARS.value,
        error_messages={"invalid_choice": _("Pilih periode dari daftar.")},
    )
    year = forms.IntegerField(
        label=_("Tahun"),
        min_value=FIRST_YEAR,
        error_messages=YEAR_MESSAGES,
        help_text=_("Tahun laporan tahunan, atau tahun bulan/triwulan/semester."),
    )
    period_number = period_number_field()
    date_from = range_date_field(
        _("Dari tanggal"), _("Tulis tanggal seperti 2024-03-01."), _("Untuk rentang tanggal.")
    )
    date_to = range_date_field(_("Sampai tanggal"), _("Tulis tanggal seperti 2024-03-31."))
    edition = forms.ChoiceField(
        label=_("Edisi"),
        choices=ReportRun.Edition.choices,
        widget=forms.RadioSelect,
        initial=ReportRun.Edition.INTERNAL,
        error_messages={"invalid_choice": _("Pilih edisi internal atau publik.")},
    )
    language = forms.ChoiceField(
        label=_("Bahasa laporan"),
        choices=[("id", "Bahasa Indonesia"), ("en", "English")],
        initial="id",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        authority = access.statistics_authority(user)
        if authority is None:  # the view lets only users with statistics access get here
            raise PermissionDenied
        region = cast(forms.ChoiceField, self.fields["region"])
        region.choices = [
            (r.code, r.name if r.code == authority.code else f"— {r.name}")
            for r in access.statistics_regions(user)
        ]
        region.initial = authority.code
        region.error_messages["invalid_choice"] = _("Wilayah ini di luar kewenangan Anda.")
        self.today = timezone.localdate()
        this_year = self.today.year
        year = cast(forms.IntegerField, self.fields["year"])
        year.max_value = this_year
        year.validators.append(MaxValueValidator(this_year))
        year.initial = this_year
        year.widget.attrs.update({"min": FIRST_YEAR, "max": this_year})

    def clean(self) -> dict:
        data = super().clean() or self.cleaned_data
        period = data["period"] = data.get("period") or Period.YEARS.value
        if period == Period.RANGE:
            self._clean_range(data)
        elif period and period != Period.YEARS and data.get("year"):
            data["period_year"] = data["year"]
            self._clean_period(data)
        return data

    def params(self) -> ReportParams:
        d = self.cleaned_data
        if d["period"] == Period.RANGE:
            return ReportParams.for_range(d["date_from"], d["date_to"], d["region"])
        if d["period"] != Period.YEARS:
            return ReportParams.for_period(d["period"], d["year"], d["period_number"], d["region"])
        year = d["year"]
        base = ReportParams.default(d["region"], dt.date(year, 12, 31))
        return ReportParams(
            year_from=max(FIRST_YEAR, base.year_from), year_to=year, region_code=base.region_code
        )


class RegionField(forms.ModelChoiceField):
    """A region of the user's statistics regions; the kecamatan are indented under the city."""

    root = ""

    def label_from_instance(self, obj: Region) -> str:
        return obj.name if obj.code == self.root else f"— {obj.name}"


class RecapForm(forms.ModelForm):
    """A yearly recap: the totals a source gives for a year without case-level records. Every
    count but the cases is optional; an empty one means "the source does not give it"."""

    region = RegionField(
        label=_("Wilayah"),
        queryset=Region.objects.none(),
        error_messages={"invalid_choice": _("Wilayah ini di luar kewenangan Anda.")},
    )

    class Meta:
        model = YearlyRecap
        fields = [
            "region",
            "year",
            "population",
            *RECAP_FIGURES,
            "source_document",
            "source_meeting",
            "source_date",
            "note",
        ]
        widgets = {"source_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        error_messages = {
            "cases": {"required": _("Tulis jumlah kasus (0 bila tidak ada).")},
            "population": {"required": _("Pilih cakupan rekap.")},
            "source_document": {"required": _("Tulis dokumen sumber rekap.")},
            "source_date": {
                "required": _("Tulis tanggal dokumen atau rapat."),
                "invalid": _("Tulis tanggal yang benar, misalnya 15/01/2022."),
            },
        }
        help_texts = {
            "victims": _("Kosongkan bila sumber tidak menyebutkannya (tampil 'tidak tersedia')."),
            "victims_female": _(
                "Isi keduanya atau kosongkan keduanya; jumlahnya sama dengan korban."
            ),
            "source_document": _("Misalnya: Laporan Tahunan P2TP2A 2021, hlm. 4."),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        authority = access.statistics_authority(user)
        if authority is None:  # the view lets only users with statistics access get here
            raise PermissionDenied
        region = cast(RegionField, self.fields["region"])
        region.queryset = access.statistics_regions(user)
        region.root = authority.code
        if not self.instance.pk:
            region.initial = authority.code
        this_year = timezone.localdate().year
        year = cast(forms.IntegerField, self.fields["year"])
        year.min_value, year.max_value = RECAP_YEAR_MIN, this_year
        year.validators += [MinValueValidator(RECAP_YEAR_MIN), MaxValueValidator(this_year)]
        year.error_messages.update(YEAR_MESSAGES)
        year.widget.attrs.update({"min": RECAP_YEAR_MIN, "max": this_year})
        for name, field in self.fields.items():
            if isinstance(field, forms.IntegerField) and name != "year":
                field.min_value = 0
                field.error_messages["min_value"] = _("Jumlah tidak boleh negatif.")
                field.error_messages["invalid"] = _("Tulis jumlah dengan angka, misalnya 12.")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        victims = data.get("victims")
        female, male = data.get("victims_female"), data.get("victims_male")
        if (female is None) != (male is None):
            missing = "victims_male" if male is None else "victims_female"
            self.add_error(
                missing, _("Isi korban perempuan dan laki-laki, atau kosongkan keduanya.")
            )
        elif female is not None and male is not None:
            if victims is None:
                self.add_error("victims", _("Isi jumlah korban bila rincian jenis kelamin diisi."))
            elif female + male != victims:
                self.add_error(
                    "victims_female",
                    _("Korban perempuan dan laki-laki berjumlah %(sum)s, bukan %(victims)s.")
                    % {"sum": female + male, "victims": victims},
                )
        self._check_one_in_force(data)
        for code in RECAP_FORMS:
            value = data.get("form_" + code)
            if value is not None and victims is not None and value > victims:
                self.add_error(
                    "form_" + code,
                    _("Tidak boleh lebih dari jumlah korban (%(n)s).") % {"n": victims},
                )
        return data

    def _check_one_in_force(self, data: dict[str, Any]) -> None:
        """One recap in force per region, year and population (the database says so too)."""
        region, year, population = data.get("region"), data.get("year"), data.get("population")
        if region is None or year is None or not population:
            return
        others = YearlyRecap.objects.filter(
            region=region, year=year, population=population, withdrawn_at__isnull=True
        ).exclude(pk=self.instance.pk)
        if others.exists():
            self.add_error(
                None,
                _(
                    "Sudah ada rekap untuk wilayah, tahun dan cakupan ini. Ubah rekap itu, "
                    "atau tarik dulu sebelum mencatat yang baru."
                ),
            )


class RecapWithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan penarikan"),
        max_length=300,
        error_messages={"required": _("Tulis alasan penarikan rekap.")},
    )
