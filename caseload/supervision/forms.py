"""Forms for supervision: the record with its actions, and a worker's frequency. They list
their fields; views pass cleaned data to a service."""

from django import forms
from django.utils import timezone

from caseload.core.forms import DateInput
from caseload.core.models import Case, Worker

from .models import SupervisionPlan


class SupervisionForm(forms.Form):
    """A supervision held with the worker."""

    held_on = forms.DateField(label="Held on", widget=DateInput())
    caseload_reviewed = forms.BooleanField(
        label="The caseload was reviewed (cases, points and bandwidth)", required=False
    )
    cases = forms.ModelMultipleChoiceField(
        label="Cases discussed",
        queryset=Case.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, cases=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["held_on"].initial = timezone.localdate()
        if cases is not None:
            self.fields["cases"].queryset = cases


class ActionForm(forms.Form):
    """One action agreed; a row left empty is no action."""

    description = forms.CharField(
        label="Action",
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    owner = forms.ModelChoiceField(
        label="Owner",
        queryset=Worker.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    due_on = forms.DateField(
        label="Due on", required=False, widget=DateInput(attrs={"class": "form-control"})
    )

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if owners is not None:
            self.fields["owner"].queryset = owners

    def clean(self):
        data = super().clean()
        if data.get("description"):
            if not data.get("owner"):
                self.add_error("owner", "Say who owns this action.")
            if not data.get("due_on"):
                self.add_error("due_on", "Say when this action is due.")
        elif data.get("owner") or data.get("due_on"):
            self.add_error("description", "Say what is to be done.")
        return data


ActionFormSet = forms.formset_factory(ActionForm, extra=3, max_num=10)


class PlanForm(forms.ModelForm):
    """How often the worker is supervised."""

    class Meta:
        model = SupervisionPlan
        fields = ["every_weeks", "qualified_on"]
        widgets = {"qualified_on": DateInput()}
