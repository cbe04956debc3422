"""Forms for people and households."""

from django import forms
from django.utils import timezone

from caseload.forms import DateInput

from .models import Household, Participant


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
