"""Forms for asking for a transfer and answering one."""

from django import forms

from caseload.core.choices import OverrideReason

from .choices import TransferReason

QUEUE = ""  # the accept form's choice for "put them in our queue"


class TransferForm(forms.Form):
    """Which team, why, and whether the household's other open cases go too."""

    to_team = forms.TypedChoiceField(label="Move to team", coerce=int)
    reason = forms.ChoiceField(label="Reason", choices=TransferReason.choices)
    detail = forms.CharField(
        label="More about the reason",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    whole_household = forms.BooleanField(
        label="Move the household's other open cases in this team with it", required=False
    )

    def __init__(self, *args, teams=(), siblings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_team"].choices = [("", "Choose a team")] + [
            (t.pk, f"{t.name} ({t.service.name})") for t in teams
        ]
        if siblings:
            references = ", ".join(c.reference for c in siblings)
            self.fields["whole_household"].help_text = f"Also: {references}."
            self.fields["whole_household"].initial = True
        else:
            del self.fields["whole_household"]

    def clean(self):
        data = super().clean()
        if data.get("reason") == TransferReason.OTHER and not data.get("detail", "").strip():
            self.add_error("detail", "Say what the reason is when it is “Other”.")
        return data


class AcceptForm(forms.Form):
    """Into the queue, or to a worker in the receiving team at once."""

    worker = forms.TypedChoiceField(
        label="Then",
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    override_category = forms.ChoiceField(
        label="Override reason (to go above a promise or bandwidth)",
        required=False,
        choices=[("", "Only if it goes above a promise or bandwidth")] + OverrideReason.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    override_reason = forms.CharField(
        label="More about the override (needed for “Other”)",
        required=False,
        max_length=1000,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )

    def __init__(self, *args, workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = [(QUEUE, "Put in our queue")] + [
            (w.pk, f"Allocate to {w.name}") for w in workers
        ]


class DeclineForm(forms.Form):
    """Why the receiving team says no."""

    reason = forms.CharField(label="Why you decline", max_length=1000)
