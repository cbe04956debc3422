"""Forms for allocating: one case, or many moves at once."""

from django import forms

from caseload.core.choices import AllocationReason, OverrideReason

OVERRIDE_CHOICES = [("", "Only if it goes above a promise or bandwidth")] + OverrideReason.choices


def _override_category(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=False, choices=OVERRIDE_CHOICES)


def _override_words() -> forms.CharField:
    return forms.CharField(
        label="More about the override (needed for “Other”)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AllocateForm(forms.Form):
    """Choose a worker for a case; an override needs a written reason."""

    worker = forms.TypedChoiceField(label="Worker", coerce=int, widget=forms.RadioSelect)
    reason = forms.ChoiceField(label="Why")
    note = forms.CharField(label="More about why", required=False, max_length=1000)
    override_category = _override_category("Override reason (to go above a promise or bandwidth)")
    override_reason = _override_words()

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

    override_category = _override_category(
        "Override reason (if any move goes above a promise or bandwidth)"
    )
    override_reason = _override_words()
    note = forms.CharField(label="Note", required=False, max_length=1000)
