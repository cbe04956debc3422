"""Who may hold which case: pure rules, no database.

Child protection, looked-after, court and high-need cases need a social-work qualified holder.
Support workers hold low- or medium-need child-in-need and early-help cases only.
Adult multiple-disadvantage caseworkers hold high-need adult cases: that is the programme's design
(see docs/decisions/0004-eligibility.md). A worker excluded from a case or its household
(caseload.exclusions) holds none of them (docs/decisions/0013-fairness-exclusions-transfers.md).
"""

from .choices import CaseType, Court, NeedLevel, WorkerRole

NEEDS_QUALIFIED_TYPES = {CaseType.CHILD_PROTECTION, CaseType.LOOKED_AFTER}
SUPPORT_WORKER_TYPES = {CaseType.CHILD_IN_NEED, CaseType.EARLY_HELP}
SUPPORT_WORKER_NEEDS = {NeedLevel.LOW, NeedLevel.MEDIUM}


def needs_qualified_holder(*, case_type: str, need_level: str, court: str) -> bool:
    """Whether only a social-work qualified worker may hold the case."""
    return (
        case_type in NEEDS_QUALIFIED_TYPES
        or court != Court.NONE
        or (need_level == NeedLevel.HIGH and case_type != CaseType.ADULT)
    )


# Said first, whatever else is true: a manager recorded that this worker must not hold it.
EXCLUDED = "Excluded: a manager has recorded that this worker must not hold this case."


def ineligibility_reason(
    *,
    case_type: str,
    need_level: str,
    court: str,
    role: str,
    qualified: bool,
    excluded: bool = False,
) -> str | None:
    """Why a worker may not hold the case, in words a manager understands; None if they may.
    `excluded`: an exclusion in force keeps this worker from the case or its household."""
    if excluded:
        return EXCLUDED
    if role == WorkerRole.SUPPORT_WORKER:
        if case_type not in SUPPORT_WORKER_TYPES:
            return "Support workers hold child-in-need and early-help cases only."
        if need_level not in SUPPORT_WORKER_NEEDS:
            return "Support workers hold low- and medium-need cases only."
        if court != Court.NONE:
            return "Cases with court work need a social-work qualified holder."
        return None
    needs_qualified = needs_qualified_holder(
        case_type=case_type, need_level=need_level, court=court
    )
    if needs_qualified and not qualified:
        if court != Court.NONE:
            return "Cases with court work need a social-work qualified holder."
        if need_level == NeedLevel.HIGH:
            return "High-need cases need a social-work qualified holder."
        return "Child protection and looked-after cases need a social-work qualified holder."
    return None
