from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from coordination import access
from coordination.models import (
    ActionStatus,
    AgendaItem,
    AtRiskAge,
    AtRiskSex,
    Decision,
    Invitation,
    Meeting,
    PreventionKind,
    PreventionTopic,
    ReportUrgency,
)
from coordination.services import (
    NOTE_MAX,
    ActionData,
    CommunityReportData,
    MeetingData,
    PreventionData,
)
from ppa.models import Agency, Region, User

TEXT_MAX = 4000


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Judul rapat"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("Tanggal dan jam"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=_("Tempat"), max_length=200)
    invited = forms.ModelMultipleChoiceField(
        label=_("Lembaga yang diundang"),
        queryset=Agency.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    guests = forms.CharField(
        label=_("Undangan lain (satu per baris)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text=_("Misalnya kepala desa, tokoh agama, LSM yang belum terdaftar di aplikasi."),
    )
    agenda = forms.CharField(
        label=_("Acara rapat (satu per baris)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency = user.agency
        invited = cast(forms.ModelMultipleChoiceField, self.fields["invited"])
        invited.queryset = access.invitable_agencies(agency) if agency else Agency.objects.none()

    def data_object(self) -> MeetingData:
        c = self.cleaned_data
        return MeetingData(
            title=c["title"],
            starts_at=c["starts_at"],
            place=c["place"],
            invited=list(c["invited"]),
            guests=c["guests"],
            agenda=c["agenda"].splitlines(),
        )


class AttendanceForm(forms.Form):
    """One checkbox and one name field per invitation (fields named by position, not id)."""

    def __init__(self, *args: Any, invitations: Iterable[Invitation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invitations = list(invitations)
        for i, inv in enumerate(self.invitations):
            self.fields[f"present_{i}"] = forms.BooleanField(
                label=inv.agency.name, required=False, initial=bool(inv.attended)
            )
            self.fields[f"who_{i}"] = forms.CharField(
                label=_("Nama dan jabatan yang hadir"),
                required=False,
                max_length=200,
                initial=inv.representative,
                widget=forms.TextInput(
                    attrs={
                        "aria-label": _("Yang hadir dari %(agency)s") % {"agency": inv.agency.name}
                    }
                ),
            )

    def rows(self) -> list[tuple[Invitation, forms.BoundField, forms.BoundField]]:
        return [
            (inv, self[f"present_{i}"], self[f"who_{i}"]) for i, inv in enumerate(self.invitations)
        ]

    def present(self) -> dict[int, tuple[bool, str]]:
        c = self.cleaned_data
        return {
            inv.pk: (c[f"present_{i}"], c[f"who_{i}"]) for i, inv in enumerate(self.invitations)
        }


class MinutesForm(forms.Form):
    def __init__(self, *args: Any, items: Iterable[AgendaItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"item_{item.position}"] = forms.CharField(
                label=f"{item.position}. {item.title}",
                widget=forms.Textarea(attrs={"rows": 4}),
                required=False,
                max_length=TEXT_MAX,
                initial=item.minutes,
            )

    def minutes(self) -> dict[int, str]:
        return {item.pk: self.cleaned_data[f"item_{item.position}"] for item in self.items}


class ActionFields(forms.Form):
    action_agency = forms.ModelChoiceField(
        label=_("Lembaga penanggung jawab"),
        queryset=Agency.objects.none(),
        empty_label=_("— pilih lembaga —"),
        required=False,
    )
    action_description = forms.CharField(
        label=_("Tindak lanjut"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
    action_due = forms.DateField(
        label=_("Batas waktu"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        required=False,
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies = access.invitable_agencies(meeting.convening_agency) | Agency.objects.filter(
            pk=meeting.convening_agency_id
        )
        agency_field = cast(forms.ModelChoiceField, self.fields["action_agency"])
        agency_field.queryset = agencies.order_by("name")

    def clean(self) -> dict[str, Any]:
        c = super().clean() or self.cleaned_data
        parts = [c.get("action_agency"), c.get("action_description"), c.get("action_due")]
        if any(parts) and not all(parts):
            for name, value in zip(
                ("action_agency", "action_description", "action_due"), parts, strict=True
            ):
                if not value and name not in self.errors:
                    self.add_error(name, _("Lengkapi tindak lanjut: lembaga, isi dan batas waktu."))
        return c

    def action(self) -> ActionData | None:
        c = self.cleaned_data
        if not c.get("action_agency"):
            return None
        return ActionData(
            agency=c["action_agency"],
            description=c["action_description"],
            due_date=c["action_due"],
        )


class DecisionForm(ActionFields):
    agenda_item = forms.ModelChoiceField(
        label=_("Acara"), queryset=AgendaItem.objects.none(), required=False
    )
    text = forms.CharField(
        label=_("Keputusan"), widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT_MAX
    )
    field_order = ["agenda_item", "text", "action_agency", "action_description", "action_due"]

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, meeting=meeting, **kwargs)
        cast(forms.ModelChoiceField, self.fields["agenda_item"]).queryset = meeting.agenda.all()


class ActionForm(ActionFields):
    decision = forms.ModelChoiceField(
        label=_("Keputusan"), queryset=Decision.objects.none(), empty_label=_("— pilih keputusan —")
    )
    field_order = ["decision", "action_agency", "action_description", "action_due"]

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, meeting=meeting, **kwargs)
        decision_field = cast(forms.ModelChoiceField, self.fields["decision"])
        decision_field.queryset = meeting.decisions.order_by("id")

    def clean(self) -> dict[str, Any]:
        c = super().clean() or self.cleaned_data
        if not self.errors and not c.get("action_agency"):
            self.add_error("action_agency", _("Pilih lembaga penanggung jawab."))
        return c


class ProgressForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (ActionStatus.IN_PROGRESS, ActionStatus.IN_PROGRESS.label),
            (ActionStatus.DONE, ActionStatus.DONE.label),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Catatan"), widget=forms.Textarea(attrs={"rows": 3}), max_length=NOTE_MAX
    )


# --- Community task-force reports -------------------------------------------------------------


def _village_label(village: Region) -> str:
    district = village.parent.name if village.parent is not None else ""
    return f"{village.name} (Kec. {district})"


class CommunityReportForm(forms.Form):
    """The short form a task-force member fills in on a phone. No name is asked for."""

    what_happened = forms.CharField(
        label=_("Apa yang terjadi?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("Singkat saja. Nama orang tidak perlu ditulis."),
    )
    village = forms.ChoiceField(label=_("Di mana? (kelurahan/desa)"))
    at_risk_age = forms.ChoiceField(
        label=_("Usia orang yang mungkin berisiko"), choices=AtRiskAge.choices
    )
    at_risk_sex = forms.ChoiceField(
        label=_("Jenis kelamin orang yang mungkin berisiko"),
        choices=AtRiskSex.choices,
        widget=forms.RadioSelect,
    )
    urgency = forms.ChoiceField(
        label=_("Seberapa mendesak?"), choices=ReportUrgency.choices, widget=forms.RadioSelect
    )
    consent_to_contact = forms.BooleanField(
        label=_("Saya bersedia dihubungi petugas UPTD PPA"), required=False
    )
    contact = forms.CharField(
        label=_("Nomor telepon/WhatsApp untuk menghubungi Anda"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    def __init__(self, *args: Any, villages: list[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.villages = {v.code: v for v in villages}
        choices: list[tuple[str, str | Promise]] = [("", _("— pilih kelurahan/desa —"))]
        choices += [(v.code, _village_label(v)) for v in villages]
        cast(forms.ChoiceField, self.fields["village"]).choices = choices

    def clean(self) -> dict[str, Any]:
        c = super().clean() or self.cleaned_data
        if c.get("contact") and not c.get("consent_to_contact"):
            self.add_error(
                "consent_to_contact",
                _("Centang persetujuan untuk dihubungi, atau kosongkan nomor kontak."),
            )
        return c

    def data_object(self) -> CommunityReportData:
        c = self.cleaned_data
        return CommunityReportData(
            what_happened=c["what_happened"],
            village=self.villages[c["village"]],
            at_risk_age=c["at_risk_age"],
            at_risk_sex=c["at_risk_sex"],
            urgency=c["urgency"],
            contact=c["contact"],
            consent_to_contact=c["consent_to_contact"],
        )


class CloseReportForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan penutupan"), widget=forms.Textarea(attrs={"rows": 2}), max_length=NOTE_MAX
    )


# --- Prevention activities ---------------------------------------------------------------------

COUNT_MAX = 100000


class PreventionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Jenis kegiatan"), choices=PreventionKind.choices)
    held_on = forms.DateField(
        label=_("Tanggal"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    region = forms.ChoiceField(label=_("Tempat (kecamatan atau kelurahan/desa)"))
    place = forms.CharField(label=_("Nama tempat"), max_length=200, required=False)
    target_group = forms.CharField(
        label=_("Sasaran"),
        max_length=200,
        help_text=_("Misalnya siswa SMP, orang tua, tokoh agama, perangkat desa."),
    )
    topics = forms.MultipleChoiceField(
        label=_("Topik"), choices=PreventionTopic.choices, widget=forms.CheckboxSelectMultiple
    )
    girls = forms.IntegerField(
        label=_("Peserta anak perempuan"), min_value=0, max_value=COUNT_MAX, initial=0
    )
    boys = forms.IntegerField(
        label=_("Peserta anak laki-laki"), min_value=0, max_value=COUNT_MAX, initial=0
    )
    women = forms.IntegerField(
        label=_("Peserta perempuan dewasa"), min_value=0, max_value=COUNT_MAX, initial=0
    )
    men = forms.IntegerField(
        label=_("Peserta laki-laki dewasa"), min_value=0, max_value=COUNT_MAX, initial=0
    )

    def __init__(self, *args: Any, regions: list[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.regions = {r.code: r for r in regions}
        choices: list[tuple[str, str | Promise]] = [("", _("— pilih wilayah —"))]
        choices += [
            (r.code, r.name if r.level == Region.Level.DISTRICT else f"— {r.name}") for r in regions
        ]
        cast(forms.ChoiceField, self.fields["region"]).choices = choices

    def clean(self) -> dict[str, Any]:
        c = super().clean() or self.cleaned_data
        counts = [c.get(k) for k in ("girls", "boys", "women", "men")]
        if all(v is not None for v in counts) and not any(counts):
            self.add_error("girls", _("Isi jumlah peserta."))
        return c

    def data_object(self) -> PreventionData:
        c = self.cleaned_data
        return PreventionData(
            kind=c["kind"],
            held_on=c["held_on"],
            region=self.regions[c["region"]],
            place=c["place"],
            target_group=c["target_group"],
            topics=c["topics"],
            girls=c["girls"],
            boys=c["boys"],
            women=c["women"],
            men=c["men"],
        )
