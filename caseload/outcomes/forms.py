"""Forms for outcomes: a stage change and a review. They list their fields; views pass cleaned
data to a service."""

from django import forms
from django.utils import timezone

from caseload.core.forms import DateInput

from .choices import RATINGS, Domain, Stage


class StageForm(forms.Form):
    """The person's engagement stage from a day."""

    stage = forms.ChoiceField(label="Stage", choices=[("", "Choose")] + Stage.choices)
    started_on = forms.DateField(label="From", widget=DateInput())
    note = forms.CharField(label="Note (optional)", required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["started_on"].initial = timezone.localdate()


class ReviewForm(forms.Form):
    """Outcome ratings at a review: one field per domain, each optional."""

    reviewed_on = forms.DateField(label="Reviewed on", widget=DateInput())
    note = forms.CharField(label="Note (optional)", required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewed_on"].initial = timezone.localdate()
        for domain, label in Domain.choices:
            self.fields[domain] = forms.TypedChoiceField(
                label=label,
                choices=[("", "Not rated")] + RATINGS,
                coerce=int,
                empty_value=None,
                required=False,
            )

    def ratings(self) -> dict:
        return {domain: self.cleaned_data.get(domain) for domain in Domain.values}

    def clean(self):
        data = super().clean()
        if not any(data.get(domain) for domain in Domain.values):
            raise forms.ValidationError("Rate at least one domain.")
        return data
