"""The check-in form: one question, an optional private note."""

from django import forms

from .choices import Manageability


class CheckInForm(forms.Form):
    """ "Is my caseload manageable?"."""

    answer = forms.ChoiceField(
        label="Is your caseload manageable?",
        choices=Manageability.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose manageable, stretched or unmanageable."},
    )
    note = forms.CharField(
        label="Anything you want your manager to know (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Seen only by you and your team's managers.",
    )
