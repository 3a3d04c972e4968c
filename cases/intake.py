"""The stepped intake form: which forms each step shows, how a draft's stored input becomes
forms again, and how a complete draft becomes the arguments of `services.intake_submit`.

A draft keeps, per step, exactly what was posted (lists of strings), so a half-finished step
comes back as the officer left it, on any device, after a dropped connection."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.forms import formset_factory
from django.http import QueryDict
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import forms as f
from cases.models import IntakeDraft, LegalBasis, PersonRole
from cases.services import CaseData, PersonData, nik_mask
from ppa.dates import when
from ppa.models import Agency

STEPS = [
    ("kejadian", gettext_lazy("Pengaduan & kejadian")),
    ("korban", gettext_lazy("Korban")),
    ("terlapor", gettext_lazy("Terlapor/pelaku & hubungan")),
    ("pelapor", gettext_lazy("Pelapor & wali")),
    ("rincian", gettext_lazy("Rincian jenis kasus")),
    ("ringkasan", gettext_lazy("Persetujuan & ringkasan")),
]
STEP_KEYS = [key for key, _label in STEPS]
MAX_PEOPLE = 10
# Characters kept per posted value: well above the longest field (the chronology, 20,000), so
# the form sees an over-long value and refuses it with its message; the user's input is kept
# (a value is never cut to fit).
MAX_VALUE = 100_000

VictimFormSet = formset_factory(
    f.VictimForm,
    formset=f.VictimFormSetBase,
    extra=0,
    min_num=1,
    validate_min=True,
    max_num=MAX_PEOPLE,
    absolute_max=MAX_PEOPLE,
    validate_max=True,
    can_delete=True,
)
PerpetratorFormSet = formset_factory(
    f.PerpetratorForm,
    extra=1,
    max_num=MAX_PEOPLE,
    absolute_max=MAX_PEOPLE,
    validate_max=True,
    can_delete=True,
)
ADD_BUTTONS = {"add_victim": "v", "add_perpetrator": "p"}


def posted(querydict: QueryDict) -> dict[str, list[str]]:
    """What to keep of a POST: every field but the CSRF token and the button pressed."""
    keep = {}
    for key, values in list(querydict.lists())[:600]:
        if key in ("csrfmiddlewaretoken", "action") or len(key) > 80:
            continue
        # NUL cannot be stored by PostgreSQL; the form refuses it with a message anyway.
        keep[key] = [str(v)[:MAX_VALUE].replace("\x00", "") for v in values[:40]]
    return keep


def add_form(data: dict[str, list[str]], prefix: str) -> dict[str, list[str]]:
    """One more person form on a formset step (the 'add' button works without JavaScript)."""
    key = f"{prefix}-TOTAL_FORMS"
    try:
        total = int((data.get(key) or ["1"])[0])
    except ValueError:
        total = 1
    data = dict(data)
    data[key] = [str(min(max(total, 0) + 1, MAX_PEOPLE))]
    data.setdefault(f"{prefix}-INITIAL_FORMS", ["0"])
    return data


def initials(name: str) -> str:
    return "".join(part[0].upper() for part in name.split() if part)[:4]


@dataclass
class StepForms:
    """The forms of one step; valid when all of them are."""

    parts: dict = field(default_factory=dict)

    def is_valid(self) -> bool:
        return all(part.is_valid() for part in self.parts.values())

    def warnings(self) -> list[str]:
        """Warnings (not errors) of the step's forms, e.g. a NIK that does not match."""
        found: list[str] = []
        for part in self.parts.values():
            for form in getattr(part, "forms", [part]):
                found.extend(getattr(form, "warnings", []))
        return found

    def __getitem__(self, key: str) -> Any:
        return self.parts[key]

    def get(self, key: str) -> Any:
        return self.parts.get(key)


class Wizard:
    def __init__(self, draft: IntakeDraft | None, agency: Agency) -> None:
        self.draft = draft
        self.agency = agency
        self.data: dict = dict(draft.data) if draft is not None else {}
        self._incident: dict | None = None
        self._built: dict[str, StepForms] = {}

    # --- stored input --------------------------------------------------------------------

    def stored(self, step: str) -> MultiValueDict | None:
        raw = self.data.get(step)
        if not isinstance(raw, dict):
            return None
        return MultiValueDict({k: v if isinstance(v, list) else [v] for k, v in raw.items()})

    def incident(self) -> dict:
        """Step 1's cleaned data, or {} while it is not valid."""
        if self._incident is None:
            form = f.IncidentForm(self.stored("kejadian"), agency=self.agency)
            self._incident = form.cleaned_data if form.is_bound and form.is_valid() else {}
        return self._incident

    def reference_date(self) -> dt.date | None:
        d = self.incident()
        return d.get("incident_date") or d.get("reported_on")

    def case_type(self) -> str:
        if self.incident():
            return self.incident()["case_type"]
        raw = self.data.get("kejadian") or {}
        value = (raw.get("case_type") or [""])[0]
        return value if isinstance(value, str) else ""

    def victims(self) -> list[tuple[str, str]]:
        """(key, label) of the victims entered so far, for the relationship questions."""
        raw = self.data.get("korban") or {}
        try:
            total = min(int((raw.get("v-TOTAL_FORMS") or ["1"])[0]), MAX_PEOPLE)
        except (ValueError, TypeError):
            total = 1
        result: list[tuple[str, str]] = []
        for i in range(max(total, 0)):
            name = str((raw.get(f"v-{i}-name") or [""])[0]).strip()
            if name and not (raw.get(f"v-{i}-DELETE") or [""])[0]:
                number = len(result) + 1
                label = _("korban %(n)s (%(initials)s)") % {"n": number, "initials": initials(name)}
                result.append((f"v{i}", label))
        return result

    # --- forms of a step -------------------------------------------------------------------

    def build(self, step: str, data: MultiValueDict | None = None, **extra: Any) -> StepForms:
        """The forms of a step, bound to `data` or to the stored input.

        The stored input's forms are built once per Wizard (one request): registering a
        draft validates every step, lists it in the summary and reads the people from it."""
        if data is None and not extra and step != "ringkasan":
            if step not in self._built:
                self._built[step] = self._build(step, self.stored(step))
            return self._built[step]
        return self._build(step, data if data is not None else self.stored(step), **extra)

    def _build(self, step: str, data: MultiValueDict | None, **extra: Any) -> StepForms:
        common = {"agency": self.agency, "reference_date": self.reference_date()}
        if step == "kejadian":
            initial = {"reported_on": timezone.localdate().isoformat()}
            return StepForms(
                {"incident": f.IncidentForm(data, agency=self.agency, initial=initial)}
            )
        if step == "korban":
            return StepForms(
                {
                    "victims": VictimFormSet(
                        data,
                        prefix="v",
                        form_kwargs={
                            **common,
                            "case_type": self.case_type(),
                            "reported_on": self.incident().get("reported_on"),
                        },
                    )
                }
            )
        if step == "terlapor":
            return StepForms(
                {
                    "perpetrators": PerpetratorFormSet(
                        data, prefix="p", form_kwargs={**common, "victims": self.victims()}
                    )
                }
            )
        if step == "pelapor":
            return StepForms(
                {
                    "reporter": f.ReporterForm(data, prefix="r"),
                    "guardian": f.ContactForm(data, prefix="g"),
                }
            )
        if step == "rincian":
            detail = f.DETAIL_FORMS.get(self.case_type())
            return StepForms({"detail": detail[1](data, prefix="d")} if detail else {})
        if step == "ringkasan":
            return StepForms(
                {"consent": f.ConsentForm(data, duplicates=extra.get("duplicates", []))}
            )
        raise KeyError(step)

    def invalid_steps(self) -> list[str]:
        """Steps (before the summary) whose stored input does not validate."""
        bad = []
        for step in STEP_KEYS[:-1]:
            forms = self.build(step)
            needs_input = step in ("kejadian", "korban")
            if (needs_input and self.stored(step) is None) or not forms.is_valid():
                bad.append(step)
        return bad

    # --- the result --------------------------------------------------------------------------

    def people(self) -> tuple[list[PersonData], list[tuple[str, str, str]]]:
        """People and perpetrator-victim links of a draft whose steps are valid."""
        people: list[PersonData] = []
        victims = self.build("korban")["victims"]
        victims.is_valid()
        for i, form in enumerate(victims.forms):
            if form.has_changed() and not form.cleaned_data.get("DELETE"):
                people.append(form.person_data(f"v{i}"))
        links: list[tuple[str, str, str]] = []
        perpetrators = self.build("terlapor")["perpetrators"]
        perpetrators.is_valid()
        for i, form in enumerate(perpetrators.forms):
            if form.has_changed() and not form.cleaned_data.get("DELETE"):
                people.append(form.person_data(f"p{i}"))
                links.extend(form.links(f"p{i}"))
        contacts = self.build("pelapor")
        if contacts.is_valid():
            reporter = contacts["reporter"]
            if not reporter.cleaned_data.get("reporter_is_victim") and not reporter.is_blank():
                people.append(reporter.person_data(PersonRole.REPORTER))
            if not contacts["guardian"].is_blank():
                people.append(contacts["guardian"].person_data(PersonRole.GUARDIAN))
        return people, links

    @staticmethod
    def step_people(step: str, forms: StepForms) -> list[PersonData]:
        """The people entered on a valid person step (victims or perpetrators)."""
        part, prefix = {"korban": ("victims", "v"), "terlapor": ("perpetrators", "p")}[step]
        return [
            form.person_data(f"{prefix}{i}")
            for i, form in enumerate(forms[part].forms)
            if form.has_changed() and not form.cleaned_data.get("DELETE")
        ]

    def case_data(self, consent: dict) -> CaseData:
        d = self.incident()
        return CaseData(
            intake_channel=d["intake_channel"],
            reported_on=d["reported_on"],
            incident_date=d.get("incident_date"),
            incident_date_approximate=bool(d.get("incident_date_approximate")),
            description=d["description"],
            place_id=d["place"],
            case_type=d["case_type"],
            risk_level=d["risk_level"],
            incident_address=d.get("incident_address", ""),
            incident_district_id=d.get("incident_district") or None,
            incident_village_id=d.get("incident_village") or None,
            within_authority=bool(d.get("within_authority")),
            consent_sharing=bool(consent.get("consent_sharing")),
            consent_statistics=bool(consent.get("consent_statistics")),
            legal_basis=consent.get("legal_basis") or LegalBasis.CONSENT,
            legal_basis_note=consent.get("legal_basis_note", ""),
        )

    def details(self) -> dict:
        detail = f.DETAIL_FORMS.get(self.case_type())
        if detail is None:
            return {}
        form = self.build("rincian")["detail"]
        if not form.is_valid():
            return {}
        values = dict(form.cleaned_data.items())
        for name in ("recommendation", "court_outcome"):
            if name in values and values[name] is None:
                values[name] = ""
        return {detail[0]: values}

    def source(self) -> dict | None:
        """Where a prefilled draft came from (set by the layer that started it, e.g. a community
        report): a label, a link back and the facts the steps could not hold."""
        source = self.data.get("_source")
        return source if isinstance(source, dict) else None

    def progress(self, current: str) -> list[dict]:
        valid = self.data.get("_valid") or {}
        return [
            {
                "key": key,
                "label": label,
                "number": n,
                "current": key == current,
                "done": bool(valid.get(key)) and key != current,
                "started": key in self.data,
            }
            for n, (key, label) in enumerate(STEPS, start=1)
        ]


def summary(form: forms.Form) -> list[tuple[str, str]]:
    """(label, shown value) of a valid form's filled fields, for the last step's summary."""
    rows: list[tuple[str, str]] = []
    if not hasattr(form, "cleaned_data"):
        return rows
    for name, bound in form.fields.items():
        value = form.cleaned_data.get(name)
        if value in (None, "", [], False) or name in ("DELETE", "nik"):
            continue
        choices = dict(getattr(bound, "choices", []) or [])
        flat = {}
        for key, label in choices.items():
            if isinstance(label, list | tuple):
                flat.update(dict(label))
            else:
                flat[key] = label
        if isinstance(value, list):
            shown = ", ".join(str(flat.get(v, v)) for v in value)
        elif value is True:
            shown = _("Ya")
        elif isinstance(value, dt.date):
            shown = when(value)
        else:
            shown = str(flat.get(value, flat.get(str(value), value)))
        rows.append((str(bound.label), shown))
    if form.cleaned_data.get("nik"):
        rows.append((_("NIK"), nik_mask(form.cleaned_data["nik"])))
    return rows
