"""The scenario form: add or remove FTE of a kind of worker, and move a share of a case type's
work elsewhere. Read from the query string (a scenario is a question, not a record)."""

from decimal import Decimal

from django import forms

from caseload.core.choices import CaseType
from weighting.choices import StandardKind

from . import projection as P

WEEKS = 12


class ScenarioForm(forms.Form):
    """What if we had more (or fewer) staff, or sent some work elsewhere?"""

    fte = forms.DecimalField(
        label="Add FTE (negative to remove)",
        required=False,
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("-50"),
        max_value=Decimal("50"),
    )
    kind = forms.ChoiceField(
        label="Of this kind of worker",
        required=False,
        choices=[("", "Choose")] + [c for c in StandardKind.choices if c[0] != "manager"],
    )
    from_week = forms.IntegerField(
        label="From week",
        required=False,
        min_value=0,
        max_value=WEEKS - 1,
        initial=0,
        help_text="0 is this week.",
    )
    case_type = forms.ChoiceField(
        label="Move work of this case type elsewhere",
        required=False,
        choices=[("", "Choose")] + CaseType.choices,
    )
    share = forms.IntegerField(label="Share moved (%)", required=False, min_value=0, max_value=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select" if select else "form-control"

    def clean(self):
        data = super().clean()
        if data.get("fte") and not data.get("kind"):
            self.add_error("kind", "Say which kind of worker the FTE is.")
        if data.get("share") and not data.get("case_type"):
            self.add_error("case_type", "Say which case type's work is moved.")
        return data

    def scenario(self, band_tops: dict) -> P.Scenario | None:
        """The scenario asked for, or None when the form asks for nothing (or is invalid)."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        changes, moves = (), ()
        if data.get("fte") and data.get("kind"):
            changes = (
                P.FteChange(
                    kind=data["kind"],
                    fte=data["fte"],
                    band_top=band_tops[data["kind"]],
                    from_week=data.get("from_week") or 0,
                ),
            )
        if data.get("share") and data.get("case_type"):
            moves = (P.Move(data["case_type"], Decimal(data["share"]) / 100),)
        if not changes and not moves:
            return None
        return P.Scenario(fte_changes=changes, moves=moves)

    def describe(self) -> str:
        """The scenario in words, for the page and the evidence pack."""
        if not self.is_valid():
            return ""
        data, parts = self.cleaned_data, []
        if data.get("fte") and data.get("kind"):
            verb = "Add" if data["fte"] > 0 else "Remove"
            parts.append(
                f"{verb} {abs(data['fte'])} FTE {StandardKind(data['kind']).label.lower()} "
                f"from week {data.get('from_week') or 0}"
            )
        if data.get("share") and data.get("case_type"):
            parts.append(
                f"move {data['share']}% of {CaseType(data['case_type']).label.lower()} work "
                "elsewhere"
            )
        text = "; ".join(parts)
        return text[:1].upper() + text[1:]
