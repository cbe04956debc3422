"""The product's default weighting scheme and bandwidth/promise standards (from the brief)."""

from django.db import migrations

from weighting.defaults import create_defaults


def forwards(apps, schema_editor):
    create_defaults(
        apps.get_model("weighting", "WeightingScheme"),
        apps.get_model("weighting", "Factor"),
        apps.get_model("weighting", "FactorOption"),
        apps.get_model("weighting", "LoadStandard"),
    )


def remove_defaults(apps, schema_editor):
    apps.get_model("weighting", "WeightingScheme").objects.filter(organisation=None).delete()
    apps.get_model("weighting", "LoadStandard").objects.filter(organisation=None).delete()


class Migration(migrations.Migration):
    dependencies = [("weighting", "0001_initial")]
    operations = [migrations.RunPython(forwards, remove_defaults)]
