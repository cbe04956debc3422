"""Forms for security pages."""

from django import forms


class SubjectAccessSearchForm(forms.Form):
    """Find the person a subject access request is about."""

    reference = forms.CharField(
        label="Local reference or family name", max_length=100, strip=True
    )
