"""The upload form: one workbook, one zip, or several CSV files at once."""

from django import forms


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that accepts several files and cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".csv,.xlsx,.zip"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class ImportUploadForm(forms.Form):
    """Choose the files to check."""

    files = MultipleFileField(
        label="Files to import",
        help_text="An .xlsx workbook, a .zip of CSV files, or the CSV files themselves "
        "(teams.csv, workers.csv, participants.csv, cases.csv, contacts.csv).",
    )

    class Meta:
        fields = ["files"]
