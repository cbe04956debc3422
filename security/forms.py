"""Forms for security pages."""

from django import forms


class SubjectAccessSearchForm(forms.Form):
    """Find the person a subject access request is about."""

    reference = forms.CharField(label="Local reference or family name", max_length=100, strip=True)


class TwoFactorCodeForm(forms.Form):
    """The six-digit code from an authenticator app."""

    code = forms.CharField(
        label="Code from your authenticator app",
        min_length=6,
        max_length=8,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
