"""Forms for allocating: one case, or many moves at once."""

from django import forms

from caseload.core.choices import AllocationReason


class AllocateForm(forms.Form):
    """Choose a worker for a case; an override needs a written reason."""

    worker = forms.TypedChoiceField(label="Worker", coerce=int, widget=forms.RadioSelect)
    reason = forms.ChoiceField(label="Why")
    override_reason = forms.CharField(
        label="Override reason (needed to go above a promise or bandwidth)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(label="Note", required=False, max_length=1000)

    def __init__(self, *args, candidates=(), reallocating=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = [(c.worker_id, c.name) for c in candidates if c.eligible]
        reasons = [
            c
            for c in AllocationReason.choices
            if (c[0] != AllocationReason.NEW) == reallocating
            and c[0] != AllocationReason.TRANSFER  # set by accepting a transfer only
        ]
        self.fields["reason"].choices = reasons
        self.fields["reason"].initial = reasons[0][0]


class MovesForm(forms.Form):
    """Confirm many moves at once (leaver, rebalance) with one override reason if needed."""

    override_reason = forms.CharField(
        label="Override reason (needed if any move goes above a promise or bandwidth)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(label="Note", required=False, max_length=1000)
