"""Forms list their fields explicitly, so a new model field is never editable by accident."""

import importlib
import inspect
from pathlib import Path

from django import forms
from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]


def _project_model_forms():
    for config in apps.get_app_configs():
        if not Path(config.path).is_relative_to(ROOT) or ".venv" in config.path:
            continue
        try:
            module = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.ModelForm) and cls.__module__ == module.__name__:
                yield cls


def test_every_model_form_lists_its_fields_and_excludes_nothing():
    found = list(_project_model_forms())
    assert found, "no model forms found: is the walk looking in the right place?"
    for form in found:
        meta = form._meta
        assert isinstance(meta.fields, list | tuple), f"{form.__name__} must list its fields"
        assert meta.exclude is None, f"{form.__name__} uses exclude"
