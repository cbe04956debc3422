"""Ship the brief's default visit frequencies as the product-wide policies (organisation blank).

Child protection every 10 working days, looked-after every 6 weeks, child in need, early help
and adult every 4 weeks. Care leavers are not in the brief: every 8 weeks, which directors can
change (docs/decisions/0010-contacts-and-visits.md).
"""

from django.db import migrations

DEFAULTS = [
    ("child_protection", 10, "working_days"),
    ("looked_after", 6, "weeks"),
    ("child_in_need", 4, "weeks"),
    ("early_help", 4, "weeks"),
    ("adult", 4, "weeks"),
    ("care_leaver", 8, "weeks"),
]


def add_defaults(apps, schema_editor):
    VisitPolicy = apps.get_model("participants", "VisitPolicy")
    for case_type, every, unit in DEFAULTS:
        VisitPolicy.objects.update_or_create(
            organisation=None, case_type=case_type, defaults={"every": every, "unit": unit}
        )


def remove_defaults(apps, schema_editor):
    VisitPolicy = apps.get_model("participants", "VisitPolicy")
    VisitPolicy.objects.filter(organisation=None).delete()


class Migration(migrations.Migration):
    dependencies = [("participants", "0002_contacts_and_visit_policies")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
