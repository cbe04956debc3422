"""Forms for recording and removing an exclusion."""

from django import forms

from .choices import ExclusionReason


class ExclusionForm(forms.Form):
    """A worker, what they are kept from (the case or its household), and why."""

    worker = forms.TypedChoiceField(label="Worker", coerce=int)
    scope = forms.ChoiceField(
        label="Keep them from",
        choices=[("case", "This case"), ("household", "Every case of the household")],
        initial="case",
        widget=forms.RadioSelect,
    )
    reason = forms.ChoiceField(label="Reason", choices=ExclusionReason.choices)
    detail = forms.CharField(
        label="More about the reason",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, workers=(), has_household=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = [("", "Choose a worker")] + [
            (w.pk, f"{w.name} ({w.team.name})") for w in workers
        ]
        if not has_household:
            self.fields["scope"].choices = [("case", "This case")]

    def clean(self):
        data = super().clean()
        if data.get("reason") == ExclusionReason.OTHER and not data.get("detail", "").strip():
            self.add_error("detail", "Say what the reason is when it is “Other”.")
        return data


class ExclusionRemoveForm(forms.Form):
    """Why an exclusion no longer applies."""

    removal_reason = forms.CharField(
        label="Why it no longer applies", max_length=1000, widget=forms.TextInput
    )
