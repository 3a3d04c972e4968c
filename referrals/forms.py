import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.access import FieldGroup
from cases.models import Case, Person, PersonRole, ServiceType
from ppa.models import User
from referrals import access
from referrals.models import Referral, Urgency
from referrals.services import REASON_MAX, ReferralData

FIELD_GROUP_LABELS = {
    FieldGroup.INCIDENT: _("Kejadian (tanggal, tempat, bentuk kekerasan, kecamatan)"),
    FieldGroup.VICTIM_NEEDS: _("Kebutuhan korban yang dirujuk (jenis kelamin, usia, layanan)"),
    FieldGroup.VICTIM_IDENTITY: _("Identitas korban yang dirujuk (nama, NIK tersamar, alamat)"),
    FieldGroup.NARRATIVE: _("Kronologi lengkap"),
    FieldGroup.PERPETRATORS: _("Terlapor / pelaku"),
    FieldGroup.OTHER_VICTIMS: _("Korban lain dalam kasus"),
    FieldGroup.DOCUMENTS: _("Dokumen"),
}
FIELD_GROUP_ORDER = [
    FieldGroup.INCIDENT,
    FieldGroup.VICTIM_NEEDS,
    FieldGroup.VICTIM_IDENTITY,
    FieldGroup.NARRATIVE,
    FieldGroup.PERPETRATORS,
    FieldGroup.OTHER_VICTIMS,
    FieldGroup.DOCUMENTS,
]


class VictimChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        # Initials, sex and age group: enough to choose, without the full name on the form.
        parts = [obj.initials, obj.get_sex_display(), obj.age_group]
        return " · ".join(p for p in parts if p)


class ReferralForm(forms.Form):
    to_agency: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Lembaga tujuan"),
        queryset=None,
        empty_label=_("— pilih lembaga —"),
        error_messages={"required": _("Pilih lembaga tujuan.")},
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Layanan yang diminta"),
        queryset=ServiceType.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        to_field_name="code",
        error_messages={"required": _("Pilih sedikitnya satu layanan yang diminta.")},
    )
    victims = VictimChoice(
        label=_("Korban yang dirujuk"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Pilih korban yang dirujuk.")},
    )
    urgency = forms.ChoiceField(
        label=_("Tingkat kedaruratan"), choices=Urgency.choices, initial=Urgency.NORMAL
    )
    reason = forms.CharField(
        label=_("Alasan dan kebutuhan rujukan"),
        widget=forms.Textarea,
        max_length=REASON_MAX,
        help_text=_("Dibaca lembaga tujuan. Tulis yang perlu saja; jangan salin kronologi."),
        error_messages={"required": _("Alasan wajib diisi.")},
    )
    shared_groups = forms.MultipleChoiceField(
        label=_("Bagian kasus yang dibagikan"),
        choices=[(g, FIELD_GROUP_LABELS[g]) for g in FIELD_GROUP_ORDER],
        widget=forms.CheckboxSelectMultiple,
        initial=sorted(FieldGroup.DEFAULT_SHARED),
        help_text=_("Bagikan sesedikit mungkin: bawaan hanya kejadian dan kebutuhan korban."),
        error_messages={"required": _("Pilih bagian kasus yang dibagikan.")},
    )
    accept_by = forms.DateTimeField(
        label=_("Batas waktu jawaban (opsional)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Kosongkan untuk memakai batas sesuai tingkat kedaruratan (hari kerja)."),
        error_messages={"invalid": _("Tanggal dan jam tidak valid.")},
    )
    consent_override_reason = forms.CharField(
        label=_("Alasan merujuk tanpa persetujuan korban"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Korban atau walinya belum menyetujui data dibagikan. Sebutkan dasar hukum atau "
            "alasan keselamatan; alasan ini dicatat."
        ),
    )

    def __init__(self, *args: Any, user: User, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        cast(
            forms.ModelChoiceField, self.fields["to_agency"]
        ).queryset = access.referral_target_agencies(user)
        cast(forms.ModelChoiceField, self.fields["victims"]).queryset = case.people.filter(
            role=PersonRole.VICTIM
        ).order_by("pk")
        if case.consent_sharing:
            del self.fields["consent_override_reason"]
        else:
            self.fields["consent_override_reason"].required = True
            self.fields["consent_override_reason"].error_messages["required"] = _(
                "Isi alasan merujuk tanpa persetujuan korban."
            )

    def clean_accept_by(self) -> dt.datetime | None:
        value = self.cleaned_data.get("accept_by")
        if value is not None and value <= timezone.now():
            raise forms.ValidationError(_("Batas waktu jawaban harus di masa depan."))
        return value

    def to_data(self) -> ReferralData:
        d = self.cleaned_data
        return ReferralData(
            to_agency_id=d["to_agency"].pk,
            service_codes=[s.code for s in d["services"]],
            urgency=d["urgency"],
            reason=d["reason"],
            victim_ids=[v.pk for v in d["victims"]],
            shared_groups=list(d["shared_groups"]),
            accept_by=d.get("accept_by"),
            consent_override_reason=d.get("consent_override_reason", ""),
        )

    @staticmethod
    def initial_from(referral: Referral) -> dict:
        return {
            "to_agency": referral.to_agency_id,
            "services": [s.code for s in referral.services.all()],
            "victims": [v.pk for v in referral.victims.all()],
            "urgency": referral.urgency,
            "reason": referral.reason,
            "shared_groups": referral.shared_groups,
            "accept_by": referral.accept_by,
            "consent_override_reason": referral.consent_override_reason,
        }


class ReasonForm(forms.Form):
    """Return comment, decline or cancel reason, action note."""

    reason = forms.CharField(
        label=_("Alasan"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_MAX,
        error_messages={"required": _("Alasan wajib diisi.")},
    )

    def __init__(self, *args: Any, label: str | Promise | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label:
            self.fields["reason"].label = str(label)


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Catatan (opsional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=REASON_MAX,
    )
