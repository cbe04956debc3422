"""The form on the user's API tokens page."""

from django import forms


class TokenCreateForm(forms.Form):
    """Name a new token after the client that will use it."""

    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What will use it, such as “Council data warehouse” (up to 100 characters).",
    )
