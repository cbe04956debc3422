"""Forms for cases and workers. Each lists its fields; views pass cleaned data to a service."""

from django import forms
from django.utils import timezone

from caseload.core.choices import CaseType, ClosureReason, Court, NeedLevel
from caseload.core.forms import DateInput
from caseload.core.models import Case, Team, Worker


class CaseCreateForm(forms.ModelForm):
    """Open a case for a participant in one of the user's teams."""

    class Meta:
        model = Case
        fields = [
            "team",
            "case_type",
            "need_level",
            "court",
            "opened_on",
            "expected_end",
            "reference",
        ]
        widgets = {"opened_on": DateInput(), "expected_end": DateInput()}
        labels = {"reference": "Case reference (optional)"}
        help_texts = {"reference": "Leave blank and one is made for you."}

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams if teams is not None else Team.objects.none()
        self.fields["opened_on"].initial = timezone.localdate()
        if teams is not None and teams.count() == 1:
            self.fields["team"].initial = teams.first()

    def clean_opened_on(self):
        opened_on = self.cleaned_data["opened_on"]
        if opened_on > timezone.localdate():
            raise forms.ValidationError("A case cannot open in the future.")
        return opened_on


class CaseUpdateForm(forms.Form):
    """Change what kind of case this is. A plain form, not bound to the case, so the service
    compares the case as saved with what the user asked for."""

    case_type = forms.ChoiceField(label="Case type", choices=[("", "Choose")] + CaseType.choices)
    need_level = forms.ChoiceField(
        label="Level of need", choices=[("", "Choose")] + NeedLevel.choices
    )
    court = forms.ChoiceField(label="Court work", choices=[("", "Choose")] + Court.choices)
    expected_end = forms.DateField(
        label="Expected to end",
        required=False,
        widget=DateInput(),
        help_text="When the work is planned to end (used by the forecast); leave blank if not "
        "planned yet.",
    )

    def __init__(self, *args, case: Case, **kwargs):
        kwargs.setdefault("initial", {name: getattr(case, name) for name in self.base_fields})
        super().__init__(*args, **kwargs)


class CaseCloseForm(forms.Form):
    """Close a case with a date and a reason."""

    closed_on = forms.DateField(label="Closed on", widget=DateInput())
    closure_reason = forms.ChoiceField(
        label="Reason for closing", choices=[("", "Choose a reason")] + ClosureReason.choices
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["closed_on"].initial = timezone.localdate()

    def clean_closed_on(self):
        closed_on = self.cleaned_data["closed_on"]
        if closed_on > timezone.localdate():
            raise forms.ValidationError("A case cannot close in the future.")
        if self.case and closed_on < self.case.opened_on:
            raise forms.ValidationError(
                f"A case cannot close before it opened ({self.case.opened_on:%d/%m/%Y})."
            )
        return closed_on


class WorkerUpdateForm(forms.ModelForm):
    """What a manager may change about a worker in their team."""

    class Meta:
        model = Worker
        fields = [
            "fte",
            "experience",
            "agency",
            "caseload_promise",
            "caseload_promise_reason",
            "leave_date",
        ]
        widgets = {"leave_date": DateInput()}
