"""Forms for people, households, contacts, visit policies and contact exports."""

from datetime import datetime, timedelta

from django import forms
from django.utils import timezone

from caseload.core.choices import CHILDREN_CASE_TYPES
from caseload.core.forms import DateInput

from .choices import CAN_BE_SEEN, ContactType, VisitUnit
from .models import MAX_MINUTES, MAX_VISIT_INTERVAL, Household, Participant


class ParticipantForm(forms.ModelForm):
    """A person's details; the household list only offers households the user may see."""

    class Meta:
        model = Participant
        fields = ["given_name", "family_name", "date_of_birth", "reference", "household"]
        widgets = {"date_of_birth": DateInput()}
        labels = {"reference": "Local reference"}
        help_texts = {
            "reference": "Your system's reference. Leave blank and one is made for you.",
            "household": "Siblings share a household so they can be kept with one worker.",
        }

    def __init__(self, *args, households=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reference"].required = False
        self.fields["household"].queryset = (
            households if households is not None else Household.objects.none()
        )
        self.fields["household"].empty_label = "No household / not known"

    def clean_date_of_birth(self):
        dob = self.cleaned_data["date_of_birth"]
        if dob > timezone.localdate():
            raise forms.ValidationError("Date of birth cannot be in the future.")
        return dob


class ParticipantSearchForm(forms.Form):
    """Search by name or reference, and by date of birth."""

    q = forms.CharField(label="Name or reference", required=False, max_length=100)
    date_of_birth = forms.DateField(label="Date of birth", required=False, widget=DateInput())


class HouseholdForm(forms.ModelForm):
    """A household's reference."""

    class Meta:
        model = Household
        fields = ["reference"]
        help_texts = {"reference": "Leave blank and one is made for you."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reference"].required = False


class TimeInput(forms.TimeInput):
    input_type = "time"


SEEN_CHOICES = [
    ("yes", "Yes – the person was seen"),
    ("no", "No – an attempt that failed, a call or a message"),
]


def _minutes_field(label: str, *, required: bool, help_text: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=MAX_MINUTES,
        required=required,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1}),
    )


class ContactForm(forms.Form):
    """Log a contact in a few seconds: when, how, whether the person was seen, how long.
    `seen_alone` is only offered on children's cases."""

    occurred_on = forms.DateField(label="Date", widget=DateInput())
    occurred_time = forms.TimeField(label="Time", widget=TimeInput(format="%H:%M"))
    contact_type = forms.ChoiceField(
        label="Type", choices=ContactType.choices, widget=forms.RadioSelect
    )
    seen = forms.TypedChoiceField(
        label="Seen",
        choices=SEEN_CHOICES,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    seen_alone = forms.BooleanField(label="The child was seen alone", required=False)
    duration_minutes = _minutes_field(
        "Duration (minutes)", required=True, help_text="0 to 720. Time with or about the person."
    )
    travel_minutes = _minutes_field(
        "Travel (minutes)", required=False, help_text="0 to 720, there and back."
    )
    notes = forms.CharField(
        label="Notes", required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        now = timezone.localtime()
        self.fields["occurred_on"].initial = now.date()
        self.fields["occurred_time"].initial = now.strftime("%H:%M")
        if case is not None and case.case_type not in CHILDREN_CASE_TYPES:
            del self.fields["seen_alone"]

    def clean_travel_minutes(self):
        return self.cleaned_data.get("travel_minutes") or 0

    def clean(self):
        data = super().clean()
        day, moment = data.get("occurred_on"), data.get("occurred_time")
        if day and moment is not None:
            occurred_at = datetime.combine(day, moment, tzinfo=timezone.get_current_timezone())
            if occurred_at > timezone.now():
                self.add_error(
                    "occurred_time" if day == timezone.localdate() else "occurred_on",
                    "A contact cannot be in the future.",
                )
            data["occurred_at"] = occurred_at
        if data.get("seen") and data.get("contact_type") not in (None, *CAN_BE_SEEN):
            label = ContactType(data["contact_type"]).label.lower()
            self.add_error(
                "seen", f"A {label} cannot count as seeing the person: choose No, or another type."
            )
        if not data.get("seen"):
            data["seen_alone"] = None
        elif "seen_alone" in self.fields:
            data["seen_alone"] = bool(data.get("seen_alone"))
        return data

    def contact_fields(self) -> dict:
        """The cleaned values in the shape the contact services take."""
        data = self.cleaned_data
        return {
            "occurred_at": data["occurred_at"],
            "contact_type": data["contact_type"],
            "seen": data["seen"],
            "seen_alone": data.get("seen_alone"),
            "duration_minutes": data["duration_minutes"],
            "travel_minutes": data["travel_minutes"],
            "notes": data["notes"],
        }

    @classmethod
    def initial_from(cls, contact) -> dict:
        """Initial values for editing or correcting an existing contact."""
        moment = timezone.localtime(contact.occurred_at)
        return {
            "occurred_on": moment.date(),
            "occurred_time": moment.strftime("%H:%M"),
            "contact_type": contact.contact_type,
            "seen": "yes" if contact.seen else "no",
            "seen_alone": bool(contact.seen_alone),
            "duration_minutes": contact.duration_minutes,
            "travel_minutes": contact.travel_minutes,
            "notes": contact.notes,
        }


class ContactCorrectionForm(ContactForm):
    """A correction: the whole contact as it should read, and why."""

    correction_reason = forms.CharField(
        label="Why is it being corrected?",
        max_length=300,
        help_text="For example: wrong date, the child was not seen alone, wrong type.",
    )

    field_order = ["correction_reason"]


class VisitPolicyForm(forms.Form):
    """How often each case type must be seen: a number and a unit per case type."""

    def __init__(self, *args, rows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = list(rows)
        for row in self.rows:
            self.fields[f"{row.case_type}_every"] = forms.IntegerField(
                label=f"{row.label}: visit every",
                min_value=1,
                max_value=MAX_VISIT_INTERVAL,
                initial=row.frequency.every,
                widget=forms.NumberInput(attrs={"class": "form-control policy-number"}),
            )
            self.fields[f"{row.case_type}_unit"] = forms.ChoiceField(
                label=f"{row.label}: unit",
                choices=VisitUnit.choices,
                initial=row.frequency.unit,
                widget=forms.Select(attrs={"class": "form-select w-auto"}),
            )

    def bound_rows(self):
        """(row, every field, unit field) for the template's table."""
        return [
            (row, self[f"{row.case_type}_every"], self[f"{row.case_type}_unit"])
            for row in self.rows
        ]

    def policies(self) -> list[tuple[str, int, str]]:
        """(case type, every, unit) for each case type."""
        return [
            (
                row.case_type,
                self.cleaned_data[f"{row.case_type}_every"],
                self.cleaned_data[f"{row.case_type}_unit"],
            )
            for row in self.rows
        ]


class ContactExportForm(forms.Form):
    """A team and a date range; notes only for those allowed to take them."""

    team = forms.ModelChoiceField(queryset=None, empty_label=None)
    date_from = forms.DateField(label="From", widget=DateInput())
    date_to = forms.DateField(label="To", widget=DateInput())
    include_notes = forms.BooleanField(
        label="Include notes",
        required=False,
        help_text="Notes are sensitive personal data: include them only if you need them.",
    )

    file_format = forms.ChoiceField(
        label="File",
        choices=[
            ("xlsx", "Excel (XLSX): headings people read, dates as dates"),
            ("csv", "CSV: column names for other systems"),
        ],
        initial="xlsx",
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, teams=None, notes_allowed=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        today = timezone.localdate()
        self.fields["date_from"].initial = today - timedelta(days=27)
        self.fields["date_to"].initial = today
        if not notes_allowed:
            del self.fields["include_notes"]

    def clean(self):
        data = super().clean()
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", "The end date must be on or after the start date.")
        if date_to and date_to > timezone.localdate():
            self.add_error("date_to", "The end date cannot be in the future.")
        data.setdefault("include_notes", False)
        # A form posted without the choice (an older page, a script) gets the CSV it always did.
        data["file_format"] = data.get("file_format") or "csv"
        return data
