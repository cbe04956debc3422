"""The product's default weighting scheme and bandwidth/promise standards (from the brief).

Used by the data migration and by `ensure_defaults()` after a database is emptied.
"""

from datetime import date

DEFAULT_SCHEME = [
    (
        "case_type",
        "Case type",
        False,
        [
            ("early_help", "Early help", 1),
            ("child_in_need", "Child in need", 2),
            ("child_protection", "Child protection", 4),
            ("looked_after", "Looked-after child", 3),
            ("care_leaver", "Care leaver", 2),
            ("adult", "Adult multiple disadvantage", 3),
        ],
    ),
    (
        "siblings",
        "Siblings held in the same household",
        False,
        [
            ("none", "None", 0),
            ("one_or_two", "One or two", 1),
            ("three_or_more", "Three or more", 2),
        ],
    ),
    (
        "travel",
        "Travel",
        False,
        [
            ("under_30", "Under 30 minutes", 0),
            ("30_60", "30 to 60 minutes", 1),
            ("over_60", "Over 60 minutes", 2),
        ],
    ),
    (
        "court",
        "Court work",
        False,
        [
            ("none", "None", 0),
            ("pre_proceedings", "Pre-proceedings", 2),
            ("care_proceedings", "Care proceedings", 4),
        ],
    ),
    (
        "extras",
        "Extra complexity",
        True,
        [
            ("interpreter", "Interpreter needed", 1),
            ("disability", "Disability or additional needs", 1),
            ("high_risk", "Exploitation or high risk", 2),
        ],
    ),
]

# kind: (band bottom, band top, caseload promise), per 1.0 FTE
DEFAULT_STANDARDS = {
    "newly_qualified": (25, 36, 12),
    "experienced": (36, 48, 15),
    "support_worker": (20, 30, 15),
    "adult_caseworker": (28, 48, 12),
    "manager": (0, 15, 5),
}


def create_defaults(Scheme, Factor, Option, Standard) -> None:  # noqa: N803 - model classes
    """Create the default scheme version 1 and the default standards if they are missing."""
    if Scheme.objects.filter(organisation__isnull=True).exists():
        return
    scheme = Scheme.objects.create(
        organisation=None,
        version=1,
        in_force_from=date(2000, 1, 1),
        note="Default scheme shipped with Caseload (after Swindon's weighted caseloads).",
    )
    for factor_order, (code, label, multiple, options) in enumerate(DEFAULT_SCHEME):
        factor = Factor.objects.create(
            scheme=scheme, code=code, label=label, multiple=multiple, order=factor_order
        )
        for order, (option_code, option_label, points) in enumerate(options):
            Option.objects.create(
                factor=factor, code=option_code, label=option_label, points=points, order=order
            )
    for kind, (bottom, top, promise) in DEFAULT_STANDARDS.items():
        Standard.objects.create(
            organisation=None,
            kind=kind,
            band_bottom=bottom,
            band_top=top,
            caseload_promise=promise,
        )


def ensure_defaults() -> None:
    """Recreate the defaults (e.g. after `flush`), using the current models."""
    from .models import Factor, FactorOption, LoadStandard, WeightingScheme

    create_defaults(WeightingScheme, Factor, FactorOption, LoadStandard)
