"""What every app's forms share: the date picker, and service errors shown on the form."""

from django import forms
from django.core.exceptions import ValidationError


class DateInput(forms.DateInput):
    """A browser date picker. Its value must be ISO (yyyy-mm-dd) whatever the locale, or the
    browser shows the field empty and a saved or default date is lost on submit."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs, format=format)


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Attach a service's ValidationError to the form, by field where it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
