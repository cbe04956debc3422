"""The dashboards' one form: which date to report on."""

from django import forms
from django.utils import timezone

from caseload.core.forms import DateInput


class AsOfForm(forms.Form):
    """Figures on a past date come from allocation history; the future has no figures."""

    on = forms.DateField(
        label="Figures on",
        required=False,
        widget=DateInput(),
        help_text="Leave blank for today. A past date uses who held which case on that day.",
    )

    def clean_on(self):
        on = self.cleaned_data.get("on")
        if on and on > timezone.localdate():
            raise forms.ValidationError("Figures on: choose today or a date in the past.")
        return on

    def date(self):
        """The date asked for, or today when the form is blank or wrong."""
        if self.is_valid() and self.cleaned_data.get("on"):
            return self.cleaned_data["on"]
        return timezone.localdate()
