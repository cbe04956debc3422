"""The dashboards' forms: which date to report on, and the period to count reasons over."""

from datetime import timedelta

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


# The team dashboard counts allocation reasons over this many days by default.
REASONS_DEFAULT_DAYS = 90


class ReasonsPeriodForm(forms.Form):
    """The period the team dashboard counts allocation reasons over (both days included)."""

    reasons_from = forms.DateField(
        label="Reasons from", required=False, widget=DateInput(attrs={"class": "form-control"})
    )
    reasons_to = forms.DateField(
        label="Reasons to", required=False, widget=DateInput(attrs={"class": "form-control"})
    )

    def clean(self):
        data = super().clean()
        since, until = data.get("reasons_from"), data.get("reasons_to")
        if since and until and until < since:
            self.add_error("reasons_to", "Reasons to: choose a day on or after “Reasons from”.")
        return data

    def period(self, today):
        """(since, until) asked for; the last REASONS_DEFAULT_DAYS days to today by default,
        and when the form is wrong."""
        given = self.cleaned_data if self.is_valid() else {}
        until = given.get("reasons_to") or today
        since = given.get("reasons_from") or until - timedelta(days=REASONS_DEFAULT_DAYS - 1)
        return since, until
