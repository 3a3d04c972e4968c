"""Forms of the intake steps and of case management. Messages in Bahasa Indonesia (gettext).

Reference lists come from the database (administrators extend them); regions from the
agency's own city, so an officer picks a kecamatan and kelurahan of Payakumbuh, not of
Indonesia."""

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, cast

from django import forms
from django.conf import settings
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from cases import refcache, selectors, services
from cases.models import (
    AbhDetail,
    AmpkCategory,
    Case,
    CaseRecord,
    CaseType,
    ChildLegalRole,
    ChildMarriageDetail,
    DisabilityType,
    Document,
    Education,
    IntakeChannel,
    LegalBasis,
    LegalProcess,
    MaritalStatus,
    Occupation,
    Person,
    PersonRole,
    Place,
    ReferenceItem,
    Relationship,
    RiskLevel,
    ServiceType,
    Sex,
    Status,
    Step,
    UptdFunction,
    ViolenceForm,
    ViolenceSubtype,
)
from cases.rules import case_type_problem
from ppa.models import Agency, Region, Role, User
from ppa.regions import load_hint

DATE_INPUTS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]
BLANK: list[tuple[str, Any]] = [("", "---------")]


def date_field(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_INPUTS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Tanggal tidak valid. Gunakan format HH/BB/TTTT.")},
        **kwargs,
    )


Usage = dict[str, dict[str, int]]  # cases.selectors.choice_usage: {model label: {code: n}}


def ref_choices(model: type[ReferenceItem], usage: Usage | None = None) -> list[tuple[str, str]]:
    """(code, label) of a reference list's active entries (read once per request); with the
    agency's `usage`, its most used entries first (the reference order breaks ties)."""
    choices = [(o.code, str(o)) for o in refcache.rows(model)]
    if usage is None:
        return choices
    return selectors.by_use(choices, usage.get(model._meta.label_lower, {}))


def place_choices(usage: Usage) -> list[tuple[str, str]]:
    """SIMFONI's places, each followed by its local sub-places ("— ..."): the places most used
    first (with their sub-places' use), and within a place its most used sub-places."""
    counts = usage.get(Place._meta.label_lower, {})
    groups: dict[str, list[tuple[str, str]]] = {}
    for place in refcache.rows(Place):
        if place.parent_id is None:
            groups.setdefault(place.code, []).insert(0, (place.code, str(place)))
        else:
            groups.setdefault(place.parent_id, []).append((place.code, f"— {place}"))
    weight = {top: sum(counts.get(code, 0) for code, _ in rows) for top, rows in groups.items()}
    choices: list[tuple[str, str]] = []
    for top in sorted(groups, key=lambda top: -weight[top]):
        head, *subs = groups[top]
        choices += [head, *selectors.by_use(subs, counts)]
    return choices


def region_choices(agency: Agency) -> tuple[list, list]:
    """(kecamatan choices, kelurahan choices grouped by kecamatan) of the agency's city.

    Kelurahan codes start with their kecamatan's code, which is how the small script filters
    them; without JavaScript the groups keep the long list readable."""
    districts = _districts(agency)
    villages = refcache.cached(
        ("villages", agency.region_id),
        lambda: list(
            Region.objects.filter(parent__parent_id=agency.region_id, level=4).order_by("code")
        ),
    )
    by_district: dict[str, list] = {d.code: [] for d in districts}
    for v in villages:
        by_district.setdefault(v.parent_id or "", []).append((v.code, v.name))
    names = {d.code: d.name for d in districts}
    village_choices = BLANK + [
        (_("Kec. %s") % names.get(code, code), items) for code, items in by_district.items()
    ]
    return _district_choices(districts), village_choices


def district_choices(agency: Agency) -> list:
    """The kecamatan choices of the agency's city alone (the case list's filter needs no
    kelurahan: reading them was a hundred rows per list request)."""
    return _district_choices(_districts(agency))


def _district_choices(districts: list[Region]) -> list:
    return BLANK + [(d.code, d.name) for d in districts]


def _districts(agency: Agency) -> list[Region]:
    return refcache.cached(
        ("districts", agency.region_id),
        lambda: list(Region.objects.filter(parent_id=agency.region_id, level=3).order_by("code")),
    )


def explain_missing_regions(
    form: forms.Form, agency: Agency, districts: list, fields: tuple[str, str]
) -> None:
    """When the agency's city has no kecamatan loaded, the choices say how to load them (the
    admin page or `manage.py load_regions <code>`) instead of showing an empty list, and a
    code posted anyway is refused with the same words."""
    if len(districts) > 1:  # the blank choice and at least one kecamatan
        return
    hint = load_hint(agency.region_id, agency.region.name)
    for name in fields:
        field = cast(forms.ChoiceField, form.fields[name])
        field.help_text = hint
        field.error_messages["invalid_choice"] = hint


def check_village(form: forms.Form, district_field: str, village_field: str) -> None:
    district = form.cleaned_data.get(district_field)
    village = form.cleaned_data.get(village_field)
    if village and not district:
        form.cleaned_data[district_field] = village.rsplit(".", 1)[0]
    elif village and district and not village.startswith(district + "."):
        form.add_error(village_field, _("Kelurahan ini tidak berada di kecamatan yang dipilih."))


# --- Intake, step 1: complaint and incident --------------------------------------------------


class IncidentForm(forms.Form):
    intake_channel = forms.ChoiceField(
        label=_("Cara pengaduan"), choices=BLANK + IntakeChannel.choices
    )
    reported_on = date_field(_("Tanggal pelaporan"))
    incident_date = date_field(
        _("Tanggal kejadian"),
        required=False,
        help_text=_("Kosongkan bila tidak diketahui. Centang 'perkiraan' bila tidak pasti."),
    )
    incident_date_approximate = forms.BooleanField(
        label=_("Tanggal kejadian hanya perkiraan"), required=False
    )
    case_type = forms.ChoiceField(
        label=_("Jenis kasus"),
        choices=BLANK + CaseType.choices,
        help_text=_(
            "KtP: korban perempuan dewasa. AMPK: anak (di bawah 18 tahun) yang memerlukan "
            "perlindungan khusus (UU 35/2014 Pasal 59)."
        ),
    )
    risk_level = forms.ChoiceField(
        label=_("Tingkat risiko"),
        choices=BLANK + RiskLevel.choices,
        help_text=_(
            "Tinggi: ditangani segera. Sedang: ditangani paling lambat 6 jam (Permen PPPA 2/2022)."
        ),
    )
    within_authority = forms.TypedChoiceField(
        label=_("Kewenangan layanan"),
        choices=[("1", _("Dalam kewenangan UPTD")), ("0", _("Perlu dirujuk ke lembaga lain"))],
        coerce=lambda v: v == "1",
        initial="1",
    )
    place = forms.ChoiceField(label=_("Tempat kejadian"))
    description = forms.CharField(
        label=_("Kronologi / deskripsi kasus"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
        help_text=_("Tulis apa yang terjadi menurut pelapor, dengan kata-kata yang netral."),
    )
    incident_district = forms.ChoiceField(label=_("Kecamatan TKP"), required=False)
    incident_village = forms.ChoiceField(label=_("Kelurahan/desa TKP"), required=False)
    incident_address = forms.CharField(label=_("Alamat TKP"), max_length=255, required=False)

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        usage = selectors.choice_usage(agency.pk)
        cast(forms.ChoiceField, self.fields["place"]).choices = BLANK + place_choices(usage)
        districts, villages = region_choices(agency)
        cast(forms.ChoiceField, self.fields["incident_district"]).choices = districts
        cast(forms.ChoiceField, self.fields["incident_village"]).choices = villages
        self.fields["incident_village"].widget.attrs["data-filter-by"] = "incident_district"
        explain_missing_regions(self, agency, districts, ("incident_district", "incident_village"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        reported, incident = data.get("reported_on"), data.get("incident_date")
        if reported and reported > timezone.localdate():
            self.add_error("reported_on", _("Tanggal pelaporan tidak boleh di masa depan."))
        if reported and incident and incident > reported:
            self.add_error(
                "incident_date", _("Tanggal kejadian tidak boleh setelah tanggal pelaporan.")
            )
        if reported and reported < dt.date(1990, 1, 1):
            self.add_error("reported_on", _("Tanggal pelaporan terlalu lama. Periksa tahunnya."))
        if incident and incident < dt.date(1900, 1, 1):
            self.add_error("incident_date", _("Tanggal kejadian tidak masuk akal."))
        check_village(self, "incident_district", "incident_village")
        return data


# --- Intake, steps 2-4: people -----------------------------------------------------------


class PersonForm(forms.Form):
    """Identity fields shared by victims and perpetrators."""

    role = ""
    name = forms.CharField(label=_("Nama"), max_length=120)
    sex = forms.ChoiceField(label=_("Jenis kelamin"), choices=BLANK + Sex.choices, required=False)
    birth_date = date_field(_("Tanggal lahir"), required=False)
    stated_age = forms.IntegerField(
        label=_("Usia (bila tanggal lahir tidak diketahui)"),
        min_value=0,
        max_value=120,
        required=False,
        error_messages={"invalid": _("Isi usia dengan angka.")},
    )
    nik = forms.CharField(
        label=_("NIK"),
        max_length=40,
        required=False,
        help_text=_("Tidak wajib. 16 angka; hanya disimpan tersamar."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    education = forms.ChoiceField(label=_("Pendidikan"), required=False)
    occupation = forms.ChoiceField(label=_("Pekerjaan"), required=False)
    marital_status = forms.ChoiceField(label=_("Status perkawinan"), required=False)
    has_disability = forms.BooleanField(label=_("Penyandang disabilitas"), required=False)
    disability_types = forms.MultipleChoiceField(
        label=_("Jenis disabilitas"), required=False, widget=forms.CheckboxSelectMultiple
    )
    address = forms.CharField(label=_("Alamat"), max_length=255, required=False)
    address_district = forms.ChoiceField(label=_("Kecamatan"), required=False)
    address_village = forms.ChoiceField(label=_("Kelurahan/desa"), required=False)
    phone = forms.CharField(
        label=_("Telepon"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )

    def __init__(
        self, *args: Any, agency: Agency, reference_date: dt.date | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.reference_date = reference_date
        self.warnings: list[str] = []
        # The agency's most used choices first (cases.selectors.choice_usage).
        self.usage = usage = selectors.choice_usage(agency.pk)
        for name, model in (
            ("education", Education),
            ("occupation", Occupation),
            ("marital_status", MaritalStatus),
        ):
            cast(forms.ChoiceField, self.fields[name]).choices = BLANK + ref_choices(model, usage)
        cast(forms.ChoiceField, self.fields["disability_types"]).choices = ref_choices(
            DisabilityType, usage
        )
        districts, villages = region_choices(agency)
        cast(forms.ChoiceField, self.fields["address_district"]).choices = districts
        cast(forms.ChoiceField, self.fields["address_village"]).choices = villages
        explain_missing_regions(self, agency, districts, ("address_district", "address_village"))
        self.fields["address_village"].widget.attrs["data-filter-by"] = self.add_prefix(
            "address_district"
        )

    def clean_nik(self) -> str:
        nik = "".join(self.cleaned_data.get("nik", "").split())
        if nik:
            errors = services.nik_errors(nik)
            if errors:
                raise forms.ValidationError(errors)
        return nik

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        birth = data.get("birth_date")
        if birth and birth > timezone.localdate():
            self.add_error("birth_date", _("Tanggal lahir tidak boleh di masa depan."))
        elif birth and self.reference_date and birth > self.reference_date:
            self.add_error("birth_date", _("Tanggal lahir tidak boleh setelah tanggal kejadian."))
        elif birth and birth < dt.date(1900, 1, 1):
            self.add_error("birth_date", _("Tanggal lahir tidak masuk akal."))
        if data.get("nik") and "nik" not in self.errors:
            self.warnings = services.nik_warnings(
                data["nik"], sex=data.get("sex", ""), birth_date=data.get("birth_date")
            )
        if data.get("disability_types") and not data.get("has_disability"):
            data["has_disability"] = True
        check_village(self, "address_district", "address_village")
        return data

    def person_data(self, key: str) -> services.PersonData:
        d = self.cleaned_data
        return services.PersonData(
            role=self.role,
            key=key,
            name=d.get("name") or str(_("Tidak diketahui")),
            sex=d.get("sex", ""),
            birth_date=d.get("birth_date"),
            stated_age=d.get("stated_age"),
            nik=d.get("nik", ""),
            education_id=d.get("education") or None,
            occupation_id=d.get("occupation") or None,
            marital_status_id=d.get("marital_status") or None,
            has_disability=bool(d.get("has_disability")),
            disability_type_ids=list(d.get("disability_types") or []),
            address=d.get("address", ""),
            address_region_id=d.get("address_village") or d.get("address_district") or None,
            phone=d.get("phone", ""),
        )


def subtype_choices(prefix: str, usage: Usage | None = None) -> list[tuple[str, str]]:
    choices = [
        (s.code, f"{s} — {s.law}" if s.law else str(s))
        for s in refcache.rows(ViolenceSubtype)
        if s.code.startswith(prefix)
    ]
    if usage is None:
        return choices
    return selectors.by_use(choices, usage.get(ViolenceSubtype._meta.label_lower, {}))


class VictimForm(PersonForm):
    role = PersonRole.VICTIM
    violence_forms = forms.MultipleChoiceField(
        label=_("Bentuk kekerasan (SIMFONI)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Boleh lebih dari satu. Sub-bentuk di bawah otomatis dihitung ke bentuknya."),
    )
    tpks = forms.MultipleChoiceField(
        label=_("Tindak pidana kekerasan seksual (UU 12/2022 TPKS)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Pasal 4 ayat (1) UU TPKS menyebut sembilan bentuk (pelecehan seksual nonfisik dan "
            "fisik, pemaksaan kontrasepsi, pemaksaan sterilisasi, pemaksaan perkawinan, "
            "penyiksaan seksual, eksploitasi seksual, perbudakan seksual, kekerasan seksual "
            "berbasis elektronik); ayat (2) menambah antara lain perkosaan, perbuatan cabul, "
            "persetubuhan terhadap anak, pornografi anak dan pemaksaan pelacuran. Kasus "
            "kekerasan seksual wajib dilaporkan ke polisi paling lambat 3×24 jam."
        ),
    )
    pkdrt = forms.MultipleChoiceField(
        label=_("Kekerasan dalam rumah tangga (UU 23/2004 PKDRT)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Pasal 5 UU PKDRT: kekerasan fisik, psikis, seksual, dan penelantaran rumah tangga "
            "terhadap orang dalam lingkup rumah tangga (suami, istri, anak, keluarga, "
            "pekerja rumah tangga yang tinggal serumah)."
        ),
    )
    tppo = forms.MultipleChoiceField(
        label=_("Perdagangan orang (UU 21/2007 TPPO)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    ampk_categories = forms.MultipleChoiceField(
        label=_("Kategori anak memerlukan perlindungan khusus"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Hanya untuk korban anak (UU 35/2014 Pasal 59 ayat 2)."),
    )
    child_legal_role = forms.ChoiceField(
        label=_("Status anak dalam proses hukum (ABH)"),
        choices=BLANK + ChildLegalRole.choices,
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        case_type: str = "",
        reported_on: dt.date | None = None,
        **kwargs: Any,
    ) -> None:
        # `reported_on` serves the formset's case-type check (VictimFormSetBase).
        super().__init__(*args, **kwargs)
        self.case_type = case_type
        self.fields["sex"].required = True
        usage = self.usage
        cast(forms.ChoiceField, self.fields["violence_forms"]).choices = ref_choices(
            ViolenceForm, usage
        )
        for name in ("tpks", "pkdrt", "tppo"):
            choices = subtype_choices(f"{name}_", usage)
            cast(forms.ChoiceField, self.fields[name]).choices = choices
        cast(forms.ChoiceField, self.fields["ampk_categories"]).choices = ref_choices(
            AmpkCategory, usage
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        unknown_age = data.get("birth_date") is None and data.get("stated_age") is None
        if unknown_age and "birth_date" not in self.errors and "stated_age" not in self.errors:
            self.add_error(
                "birth_date", _("Isi tanggal lahir, atau perkiraan usia bila tidak tahu.")
            )
        chosen = any(data.get(f) for f in ("violence_forms", "tpks", "pkdrt", "tppo"))
        if not chosen and self.case_type in (CaseType.KTP, CaseType.TPPO):
            self.add_error("violence_forms", _("Pilih sedikitnya satu bentuk kekerasan."))
        return data

    def person_data(self, key: str) -> services.PersonData:
        person = super().person_data(key)
        d = self.cleaned_data
        person.violence_form_ids = list(d.get("violence_forms") or [])
        person.violence_subtype_ids = [
            *(d.get("tpks") or []),
            *(d.get("pkdrt") or []),
            *(d.get("tppo") or []),
        ]
        person.ampk_category_ids = list(d.get("ampk_categories") or [])
        person.child_legal_role = d.get("child_legal_role", "")
        return person


class VictimFormSetBase(forms.BaseFormSet):
    """The victims of an intake: the case type chosen on the first step must fit them."""

    def clean(self) -> None:
        super().clean()
        reported_on = self.form_kwargs.get("reported_on")
        if any(self.errors) or reported_on is None:
            return
        facts = [
            services.facts_at(
                form.cleaned_data.get("sex", ""),
                form.cleaned_data.get("birth_date"),
                form.cleaned_data.get("stated_age"),
                reported_on,
                self.form_kwargs.get("reference_date"),
            )
            for form in self.forms
            if form.has_changed() and not form.cleaned_data.get("DELETE")
        ]
        problem = case_type_problem(case_type=self.form_kwargs.get("case_type", ""), victims=facts)
        if problem:
            raise forms.ValidationError(problem, code="case_type")


class PerpetratorForm(PersonForm):
    """A reported person, with the relationship to each victim (SIMFONI counts per pair)."""

    role = PersonRole.PERPETRATOR

    def __init__(self, *args: Any, victims: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        self.fields["name"].help_text = _("Kosongkan bila tidak diketahui.")
        self.victims = list(victims)
        relationships = BLANK + ref_choices(Relationship, self.usage)
        for key, label in self.victims:
            self.fields[f"rel_{key}"] = forms.ChoiceField(
                label=_("Hubungan dengan %(victim)s") % {"victim": label},
                choices=relationships,
                help_text=_("Pilih 'Tidak diketahui' bila belum jelas."),
            )

    @property
    def relationship_fields(self) -> list[forms.BoundField]:
        return [self[f"rel_{key}"] for key, _label in self.victims]

    def links(self, key: str) -> list[tuple[str, str, str]]:
        return [(key, v, self.cleaned_data[f"rel_{v}"]) for v, _label in self.victims]


class ContactForm(forms.Form):
    """The reporter or a child's guardian."""

    name = forms.CharField(label=_("Nama"), max_length=120, required=False)
    sex = forms.ChoiceField(label=_("Jenis kelamin"), choices=BLANK + Sex.choices, required=False)
    relation_to_victim = forms.CharField(
        label=_("Hubungan dengan korban"), max_length=80, required=False
    )
    phone = forms.CharField(
        label=_("Telepon"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    address = forms.CharField(label=_("Alamat"), max_length=255, required=False)

    def is_blank(self) -> bool:
        return not any(self.cleaned_data.get(f) for f in ("name", "phone", "address"))

    def person_data(self, role: str) -> services.PersonData:
        d = self.cleaned_data
        return services.PersonData(
            role=role,
            key=role,
            name=d.get("name") or str(_("Tidak diketahui")),
            sex=d.get("sex", ""),
            relation_to_victim=d.get("relation_to_victim", ""),
            phone=d.get("phone", ""),
            address=d.get("address", ""),
        )


class ReporterForm(ContactForm):
    reporter_is_victim = forms.BooleanField(
        label=_("Pelapor adalah korban sendiri"), required=False, initial=True
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if not data.get("reporter_is_victim") and not data.get("name"):
            self.add_error("name", _("Isi nama pelapor, atau centang 'pelapor adalah korban'."))
        return data


# --- Intake, step 5: details by case type ------------------------------------------------


class TraffickingForm(forms.Form):
    recruitment = forms.CharField(label=_("Cara perekrutan"), max_length=255, required=False)
    destination_abroad = forms.BooleanField(label=_("Tujuan luar negeri"), required=False)
    destination = forms.CharField(
        label=_("Tujuan (daerah / negara)"), max_length=120, required=False
    )
    exploitation_purpose = forms.MultipleChoiceField(
        label=_("Tujuan eksploitasi"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("UU 21/2007 Pasal 1: eksploitasi seksual, kerja paksa, perbudakan, organ."),
    )
    migrant_worker = forms.BooleanField(label=_("Pekerja migran"), required=False)
    repatriation_needed = forms.BooleanField(label=_("Perlu pemulangan"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["exploitation_purpose"]).choices = subtype_choices(
            "tppo_"
        )


class AbhForm(forms.Form):
    diversion_status = forms.ChoiceField(
        label=_("Status diversi"),
        choices=AbhDetail.Diversion.choices,
        initial=AbhDetail.Diversion.PENDING,
        help_text=_("UU 11/2012 (SPPA): diversi wajib diupayakan dan selesai paling lama 30 hari."),
    )
    diversion_level = forms.CharField(
        label=_("Tingkat diversi (penyidikan, penuntutan, pengadilan)"),
        max_length=40,
        required=False,
    )
    diversion_started_on = date_field(_("Diversi dimulai"), required=False)

    def clean_diversion_started_on(self) -> Any:
        day = self.cleaned_data.get("diversion_started_on")
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("Tanggal tidak boleh di masa depan."))
        return day


class ChildMarriageForm(forms.Form):
    bride_age = forms.IntegerField(
        label=_("Usia calon/istri"), min_value=0, max_value=120, error_messages={}
    )
    groom_age = forms.IntegerField(label=_("Usia calon/suami"), min_value=0, max_value=120)
    marriage_took_place = forms.BooleanField(
        label=_("Perkawinan sudah terjadi (siri/adat)"), required=False
    )
    dispensation_requested = forms.BooleanField(
        label=_("Ada permohonan dispensasi kawin di Pengadilan Agama"), required=False
    )
    court = forms.CharField(label=_("Pengadilan"), max_length=120, required=False)
    counselling_given = forms.BooleanField(label=_("Konseling sudah diberikan"), required=False)
    recommendation = forms.ChoiceField(
        label=_("Rekomendasi UPTD"),
        choices=ChildMarriageDetail.Recommendation.choices,
        required=False,
    )
    recommendation_on = date_field(_("Tanggal rekomendasi"), required=False)
    court_outcome = forms.ChoiceField(
        label=_("Putusan pengadilan"),
        choices=ChildMarriageDetail.CourtOutcome.choices,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        bride, groom = data.get("bride_age"), data.get("groom_age")
        if bride is not None and groom is not None and bride >= 19 and groom >= 19:
            message = _(
                "Perkawinan anak: sedikitnya satu pihak berusia di bawah 19 tahun "
                "(UU 16/2019). Periksa usia, atau pilih jenis kasus lain."
            )
            self.add_error("bride_age", message)
            self.add_error("groom_age", message)
        return data


DETAIL_FORMS: dict[str, tuple[str, type[forms.Form]]] = {
    CaseType.TPPO: ("trafficking", TraffickingForm),
    CaseType.ABH: ("abh", AbhForm),
    CaseType.CHILD_MARRIAGE: ("child_marriage", ChildMarriageForm),
}


# --- Intake, step 6: consent and summary ------------------------------------------------


class ConsentForm(forms.Form):
    consent_sharing = forms.BooleanField(
        label=_("Korban/wali setuju data dibagikan ke lembaga mitra bila dirujuk"), required=False
    )
    # A choice the person makes: nothing is chosen beforehand, and an answer is required.
    consent_statistics = forms.TypedChoiceField(
        label=_("Korban/wali setuju data dipakai untuk statistik (tanpa identitas)"),
        choices=[("1", _("Ya, setuju")), ("0", _("Tidak setuju"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        error_messages={
            "required": _(
                "Tanyakan kepada korban/wali apakah datanya boleh dipakai untuk statistik "
                "(tanpa identitas), lalu pilih Ya atau Tidak."
            )
        },
    )
    legal_basis = forms.ChoiceField(
        label=_("Dasar pemrosesan data"),
        choices=LegalBasis.choices,
        initial=LegalBasis.CONSENT,
        help_text=_("UU 27/2022 (PDP): data korban adalah data pribadi yang bersifat spesifik."),
    )
    legal_basis_note = forms.CharField(
        label=_("Keterangan dasar pemrosesan"), max_length=255, required=False
    )
    link_cases = forms.MultipleChoiceField(
        label=_("Tautkan ke kasus ini"), required=False, widget=forms.CheckboxSelectMultiple
    )
    link_note = forms.CharField(label=_("Catatan tautan"), max_length=255, required=False)
    duplicates_checked = forms.BooleanField(
        label=_("Saya sudah memeriksa kemungkinan kasus ganda di atas"), required=False
    )

    def __init__(self, *args: Any, duplicates: Sequence = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.duplicates = list(duplicates)
        cast(forms.ChoiceField, self.fields["link_cases"]).choices = [
            (str(c.code), c.number) for c in self.duplicates
        ]
        if self.duplicates:
            self.fields["duplicates_checked"].required = True
            self.fields["duplicates_checked"].error_messages["required"] = _(
                "Ada kemungkinan kasus ganda. Tautkan atau nyatakan sudah diperiksa."
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        basis = data.get("legal_basis")
        if basis not in (None, "", LegalBasis.CONSENT) and not data.get("legal_basis_note"):
            self.add_error(
                "legal_basis_note", _("Jelaskan dasar pemrosesan bila bukan persetujuan.")
            )
        return data


# --- Case management ----------------------------------------------------------------------


class VersionForm(forms.Form):
    """Every write form of a case carries the version the user saw (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class CaseEditForm(IncidentForm, VersionForm):
    consent_sharing = ConsentForm.base_fields["consent_sharing"]
    consent_statistics = ConsentForm.base_fields["consent_statistics"]
    legal_basis = ConsentForm.base_fields["legal_basis"]
    legal_basis_note = ConsentForm.base_fields["legal_basis_note"]
    reason = forms.CharField(
        label=_("Alasan perubahan"),
        max_length=100,
        help_text=_("Tercatat di riwayat kasus."),
    )

    def changes(self) -> dict:
        """Field name -> value (codes for reference fields), as `services.case_update` takes."""
        d = dict(self.cleaned_data)
        d.pop("version")
        d.pop("reason")
        d["incident_district"] = d["incident_district"] or None
        d["incident_village"] = d["incident_village"] or None
        return d


# --- Correcting a person's data (the intake's person forms, with a version and a reason) -----

PERSON_FORM_KEYS = (
    "name",
    "sex",
    "birth_date",
    "stated_age",
    "nik",
    "education_id",
    "occupation_id",
    "marital_status_id",
    "has_disability",
    "disability_type_ids",
    "address",
    "address_region_id",
    "phone",
)
VICTIM_FORM_KEYS = (
    *PERSON_FORM_KEYS,
    "violence_form_ids",
    "violence_subtype_ids",
    "ampk_category_ids",
    "child_legal_role",
)
CONTACT_FORM_KEYS = ("name", "sex", "relation_to_victim", "phone", "address")


class PersonEditMixin(VersionForm):
    """What an intake person form needs to correct a registered person: the version the user
    saw, a reason for the history, and the changes as `services.person_update` takes them."""

    reason = CaseEditForm.base_fields["reason"]
    edit_keys: tuple[str, ...] = ()
    person_role: str  # set by each concrete form
    person_data: Callable[[str], services.PersonData]  # from the intake form it extends

    def stored_nik(self, masked: str) -> None:
        """The NIK is never shown in clear: the field stays blank and keeps the stored one."""
        if masked and "nik" in self.fields:
            self.fields["nik"].help_text = _(
                "Tersimpan: %(nik)s. Kosongkan bila tidak berubah; isi 16 angka untuk menggantinya."
            ) % {"nik": masked}

    def changes(self) -> dict:
        data = self.person_data(self.person_role)
        return {key: getattr(data, key) for key in self.edit_keys}


class VictimEditForm(VictimForm, PersonEditMixin):
    person_role = PersonRole.VICTIM
    edit_keys = VICTIM_FORM_KEYS


class PerpetratorEditForm(PerpetratorForm, PersonEditMixin):
    person_role = PersonRole.PERPETRATOR
    edit_keys = PERSON_FORM_KEYS


class ContactEditForm(ContactForm, PersonEditMixin):
    edit_keys = CONTACT_FORM_KEYS

    def __init__(self, *args: Any, role: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person_role = role


def person_initial(person: Person, lists: dict[str, list[str]]) -> dict:
    """The form values of a registered person (codes for reference lists; never the NIK).

    `lists` are the codes of the person's lists by field name (`selectors.person_lists`)."""
    region = person.address_region_id or ""
    village = region if region.count(".") >= 3 else ""
    district = village.rsplit(".", 1)[0] if village else region
    initial = {
        "version": person.version,
        "name": person.name,
        "sex": person.sex,
        "birth_date": person.birth_date,
        "stated_age": person.stated_age,
        "education": person.education_id or "",
        "occupation": person.occupation_id or "",
        "marital_status": person.marital_status_id or "",
        "has_disability": person.has_disability,
        "disability_types": lists["disability_types"],
        "address": person.address,
        "address_district": district,
        "address_village": village,
        "phone": person.phone,
        "relation_to_victim": person.relation_to_victim,
    }
    if person.role == PersonRole.VICTIM:
        subtypes = lists["violence_subtypes"]
        initial.update(
            child_legal_role=person.child_legal_role,
            violence_forms=lists["violence_forms"],
            tpks=[c for c in subtypes if c.startswith("tpks_")],
            pkdrt=[c for c in subtypes if c.startswith("pkdrt_")],
            tppo=[c for c in subtypes if c.startswith("tppo_")],
            ampk_categories=lists["ampk_categories"],
        )
    return initial


def person_edit_form(
    person: Person,
    case: Case,
    data: QueryDict | None = None,
    lists: dict[str, list[str]] | None = None,
) -> PersonEditMixin:
    """The intake form of the person's role, bound to `data` or filled with the stored values
    (`lists`: see `person_initial`)."""
    initial = None if data is not None else person_initial(person, lists or {})
    form: PersonEditMixin
    common: dict[str, Any] = {
        "initial": initial,
        "agency": case.agency,
        "reference_date": case.reference_date,
    }
    if person.role == PersonRole.VICTIM:
        form = VictimEditForm(data, case_type=case.case_type, **common)
    elif person.role == PersonRole.PERPETRATOR:
        form = PerpetratorEditForm(data, **common)
    else:
        form = ContactEditForm(data, initial=initial, role=person.role)
    form.stored_nik(person.nik_masked)
    return form


class StepForm(VersionForm):
    to_step = forms.ChoiceField(choices=Step.choices, widget=forms.HiddenInput)
    body = forms.CharField(
        label=_("Catatan tahap"), widget=forms.Textarea(attrs={"rows": 5}), max_length=20000
    )


class RecordForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Jenis catatan"),
        choices=[
            (CaseRecord.Kind.PROGRESS, CaseRecord.Kind.PROGRESS.label),
            (CaseRecord.Kind.IDENTIFICATION, CaseRecord.Kind.IDENTIFICATION.label),
        ],
    )
    body = forms.CharField(
        label=_("Isi catatan"), widget=forms.Textarea(attrs={"rows": 4}), max_length=20000
    )


class ClosureRequestForm(VersionForm):
    report = forms.CharField(
        label=_("Laporan terminasi"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=20000,
        help_text=_("Ringkas hasil layanan dan alasan kasus dapat ditutup."),
    )


class ClosureDecisionForm(VersionForm):
    decision = forms.ChoiceField(
        label=_("Keputusan"),
        choices=[("approve", _("Setujui terminasi")), ("return", _("Kembalikan ke manajer kasus"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Catatan / alasan"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if data.get("decision") == "return" and not data.get("reason", "").strip():
            self.add_error("reason", _("Tuliskan alasan pengembalian."))
        return data


class ReopenForm(VersionForm):
    reason = forms.CharField(
        label=_("Alasan membuka kembali"), widget=forms.Textarea(attrs={"rows": 3})
    )


class AssignForm(VersionForm):
    worker = forms.ModelChoiceField(
        label=_("Manajer kasus"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args: Any, agency_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["worker"]).queryset = User.objects.filter(
            agency_id=agency_id, role__in=[Role.CASE_WORKER, Role.SUPERVISOR], is_active=True
        ).order_by("first_name", "username")


class ServiceForm(forms.Form):
    victim = forms.ChoiceField(label=_("Korban"))
    service_type = forms.ChoiceField(label=_("Jenis layanan (SIMFONI)"))
    function = forms.ChoiceField(label=_("Fungsi layanan UPTD"), required=False)
    provider = forms.ModelChoiceField(label=_("Lembaga pemberi"), queryset=Agency.objects.none())
    given_on = date_field(_("Tanggal layanan"))
    description = forms.CharField(
        label=_("Keterangan"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    shelter_from = date_field(_("Mulai di rumah aman"), required=False)
    shelter_to = date_field(_("Selesai di rumah aman"), required=False)

    def __init__(
        self,
        *args: Any,
        victims: list[tuple[str, str]],
        agency_id: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["victim"]).choices = victims
        # The case owner's most used services first.
        usage = selectors.choice_usage(agency_id) if agency_id is not None else None
        cast(forms.ChoiceField, self.fields["service_type"]).choices = BLANK + ref_choices(
            ServiceType, usage
        )
        cast(forms.ChoiceField, self.fields["function"]).choices = BLANK + ref_choices(UptdFunction)
        cast(forms.ModelChoiceField, self.fields["provider"]).queryset = Agency.objects.filter(
            is_active=True
        ).order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        start, end = data.get("shelter_from"), data.get("shelter_to")
        if end and not start:
            self.add_error("shelter_from", _("Isi tanggal mulai tinggal di rumah aman."))
        elif start and end and end < start:
            self.add_error("shelter_to", _("Tanggal selesai harus sesudah tanggal mulai."))
        if data.get("given_on") and data["given_on"] > timezone.localdate():
            self.add_error("given_on", _("Tanggal layanan tidak boleh di masa depan."))
        return data


class LegalForm(forms.Form):
    perpetrator = forms.ChoiceField(label=_("Terlapor"))
    stage = forms.ChoiceField(label=_("Tahap proses hukum"), choices=LegalProcess.Stage.choices)
    started_on = date_field(_("Tanggal"))
    outcome = forms.ChoiceField(
        label=_("Hasil"), choices=LegalProcess.Outcome.choices, required=False
    )
    note = forms.CharField(label=_("Keterangan"), max_length=255, required=False)

    def __init__(self, *args: Any, perpetrators: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["perpetrator"]).choices = perpetrators

    def clean_started_on(self) -> Any:
        day = self.cleaned_data["started_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Tanggal tidak boleh di masa depan."))
        return day


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Jenis dokumen"), choices=Document.Kind.choices)
    file = forms.FileField(
        label=_("Berkas"),
        help_text=_("PDF, JPEG atau PNG, maksimal %(mb)s MB.")
        % {"mb": settings.DOCUMENT_MAX_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        try:
            self.content_type = services.document_check(upload)
        except services.CaseActionError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload


class ListFilterForm(forms.Form):
    """Filters of the case list: all in the query string, so a list can be bookmarked."""

    nomor = forms.CharField(label=_("Nomor register"), max_length=32, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=BLANK + Status.choices, required=False)
    jenis = forms.ChoiceField(
        label=_("Jenis kasus"), choices=BLANK + CaseType.choices, required=False
    )
    tahap = forms.ChoiceField(label=_("Tahap"), choices=BLANK + Step.choices, required=False)
    risiko = forms.ChoiceField(label=_("Risiko"), choices=BLANK + RiskLevel.choices, required=False)
    kecamatan = forms.ChoiceField(label=_("Kecamatan"), required=False)
    dari = date_field(_("Dilaporkan dari"), required=False)
    sampai = date_field(_("sampai"), required=False)
    petugas = forms.ChoiceField(label=_("Manajer kasus"), required=False)
    lewat = forms.BooleanField(label=_("Hanya yang lewat batas waktu"), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency = user.agency
        if agency is not None:
            districts, workers = selectors.list_filter_choices(agency)
            cast(forms.ChoiceField, self.fields["kecamatan"]).choices = BLANK + districts
            cast(forms.ChoiceField, self.fields["petugas"]).choices = (
                BLANK + [("me", _("Saya sendiri")), ("none", _("Belum ditetapkan"))] + workers
            )
        else:
            cast(forms.ChoiceField, self.fields["kecamatan"]).choices = BLANK
            cast(forms.ChoiceField, self.fields["petugas"]).choices = BLANK

    def fields_html(self) -> SafeString:
        """The filter fields as HTML, rendered once per process for each language, list of
        choices (the agency's kecamatan and staff) and filter values, then reused.

        Ten fields through their widget templates were a fifth of the list's CPU time. The
        HTML is a function of that key alone: the same for everyone whose form has the same
        choices and values, never anything of the user's own (the "me" choice is the words
        "Saya sendiri"), and the values are the ones in the address already. A form with
        errors is rendered every time."""
        if self.is_bound and self.errors:
            return render_to_string("cases/_list_filters.html", {"form": self})
        data = self.data if isinstance(self.data, QueryDict) else QueryDict()
        key = (
            translation.get_language(),
            self.is_bound,
            tuple((name, tuple(data.getlist(name))) for name in self.fields),
            *(
                tuple((str(v), str(label)) for v, label in self._choices(name))
                for name in ("kecamatan", "petugas")
            ),
        )
        return _kept_html(
            _FILTER_HTML, key, lambda: render_to_string("cases/_list_filters.html", {"form": self})
        )

    def _choices(self, name: str) -> list:
        return cast(list, cast(forms.ChoiceField, self.fields[name]).choices)


# Rendered filter fields by (language, bound, values, choices): ListFilterForm.fields_html;
# the name search's empty field by language: NameSearchForm.field_html.
FILTER_HTML_KEPT = 256
_FILTER_HTML: dict[tuple, SafeString] = {}
_NAME_FIELD_HTML: dict[tuple, SafeString] = {}


def _kept_html(
    kept: dict[tuple, SafeString], key: tuple, render: Callable[[], SafeString]
) -> SafeString:
    """The HTML kept under `key`, rendered first if need be; at most FILTER_HTML_KEPT kept."""
    html = kept.get(key)
    if html is None:
        if len(kept) >= FILTER_HTML_KEPT:
            kept.clear()
        html = kept[key] = render()
    return html


class NameSearchForm(forms.Form):
    nama = forms.CharField(label=_("Nama orang dalam kasus"), min_length=3, max_length=120)

    def field_html(self) -> SafeString:
        """The empty name field of the case list, rendered once per process and language (the
        field through its widget templates was a twelfth of the list's CPU time). A form sent
        back with errors never comes here: the search redirects with a message instead."""
        return _kept_html(
            _NAME_FIELD_HTML,
            (translation.get_language(),),
            lambda: render_to_string("cases/_field.html", {"field": self["nama"]}),
        )
