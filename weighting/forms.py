"""Forms for weighting: factor choices built from a scheme version, scheme points, standards."""

from django import forms
from django.utils import timezone

from caseload.core.forms import DateInput

from .choices import StandardKind


def _factor_fields(scheme) -> dict[str, forms.Field]:
    fields: dict[str, forms.Field] = {}
    for factor in scheme.factor_list:
        choices = [
            (o.code, f"{o.label} ({o.points} point{'s' if o.points != 1 else ''})")
            for o in factor.options.all()
        ]
        if factor.multiple:
            fields[factor.code] = forms.MultipleChoiceField(
                label=factor.label,
                choices=choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        else:
            fields[factor.code] = forms.ChoiceField(
                label=factor.label, choices=choices, widget=forms.RadioSelect
            )
    return fields


class FactorChoiceForm(forms.Form):
    """Choose a case's factors under a scheme version (one field per factor)."""

    def __init__(self, *args, scheme, choices=None, **kwargs):
        initial = kwargs.pop("initial", {}) or {}
        for factor, option in choices or []:
            multiple = next((f.multiple for f in scheme.factor_list if f.code == factor), False)
            if multiple:
                initial.setdefault(factor, []).append(option)
            else:
                initial[factor] = option
        super().__init__(*args, initial=initial, **kwargs)
        self.scheme = scheme
        self.fields.update(_factor_fields(scheme))

    def chosen(self) -> list[tuple[str, str]]:
        """The cleaned choices as (factor, option) pairs."""
        pairs = []
        for factor in self.scheme.factor_list:
            value = self.cleaned_data.get(factor.code)
            for option in value if isinstance(value, list) else [value] if value else []:
                pairs.append((factor.code, option))
        return pairs


class AgreeForm(FactorChoiceForm):
    """The supervisor's view of a proposal: agree as it is, or change factors with a note."""

    note = forms.CharField(
        label="Note (needed if you change anything)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"] = self.fields.pop("note")  # keep the note last


class SchemeVersionForm(forms.Form):
    """New points for every option, and the date the new version comes into force."""

    in_force_from = forms.DateField(label="In force from", widget=DateInput())
    note = forms.CharField(label="What changed and why", max_length=300)

    def __init__(self, *args, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.scheme = scheme
        self.fields["in_force_from"].initial = timezone.localdate()
        self.option_fields = []
        for factor in scheme.factor_list:
            for option in factor.options.all():
                name = f"points__{factor.code}__{option.code}"
                self.fields[name] = forms.IntegerField(
                    label=f"{factor.label}: {option.label}",
                    min_value=0,
                    max_value=50,
                    initial=option.points,
                )
                self.option_fields.append((factor, option, name))

    def clean_in_force_from(self):
        value = self.cleaned_data["in_force_from"]
        if value < timezone.localdate():
            raise forms.ValidationError("A new version cannot start in the past.")
        return value

    def points(self) -> dict[tuple[str, str], int]:
        return {
            (factor.code, option.code): self.cleaned_data[name]
            for factor, option, name in self.option_fields
        }


class StandardForm(forms.Form):
    """Bandwidth and promise for one kind of worker."""

    band_bottom = forms.IntegerField(label="Bandwidth from", min_value=0, max_value=200)
    band_top = forms.IntegerField(label="Bandwidth to", min_value=1, max_value=200)
    caseload_promise = forms.IntegerField(label="Caseload promise", min_value=1, max_value=100)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, prefix=kind, **kwargs)
        self.kind = kind
        self.kind_label = StandardKind(kind).label

    def clean(self):
        data = super().clean()
        bottom, top = data.get("band_bottom"), data.get("band_top")
        if bottom is not None and top is not None and top <= bottom:
            self.add_error("band_top", "The top of the band must be above its bottom.")
        return data


class ReductionForm(forms.Form):
    """A capacity reduction for a worker: its type (with its default percentage and length),
    the percentage and the dates."""

    type = forms.TypedChoiceField(label="Type", coerce=int)
    percent = forms.IntegerField(
        label="Reduction (%)",
        min_value=1,
        max_value=100,
        required=False,
        help_text="Leave blank for the type's default.",
    )
    starts_on = forms.DateField(label="From", widget=DateInput())
    ends_on = forms.DateField(
        label="To",
        required=False,
        widget=DateInput(),
        help_text="Leave blank for the type's default length (open-ended if it has none).",
    )
    note = forms.CharField(label="Note", required=False, max_length=200)

    def __init__(self, *args, types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", "Choose a type")] + [
            (t.pk, _type_label(t)) for t in types
        ]

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "The reduction cannot end before it starts.")
        return data


def _type_label(kind) -> str:
    length = f"{kind.default_days} days" if kind.default_days else "open-ended"
    return f"{kind.name} ({kind.default_percent}%, at most {kind.maximum_percent}%; {length})"


class ReductionTypeForm(forms.Form):
    """A reduction type as a director keeps it."""

    name = forms.CharField(label="Name", max_length=100)
    default_percent = forms.IntegerField(label="Default (%)", min_value=1, max_value=100)
    maximum_percent = forms.IntegerField(label="Maximum (%)", min_value=1, max_value=100)
    default_days = forms.IntegerField(
        label="Default length (days)",
        min_value=1,
        max_value=3650,
        required=False,
        help_text="Leave blank if open-ended.",
    )
    active = forms.BooleanField(label="Offered for new reductions", required=False, initial=True)

    def clean(self):
        data = super().clean()
        default, maximum = data.get("default_percent"), data.get("maximum_percent")
        if default is not None and maximum is not None and default > maximum:
            self.add_error("default_percent", "The default cannot be above the maximum.")
        return data
