"""Retention periods for closed cases, as plain rules: no ORM here.

A closed case is kept until the *later* of two dates: a number of years after it closed, and the
person's birthday at an age. The defaults follow common practice in English local authorities
(docs/security.md says where each comes from); each council's records manager should confirm
them and change them per case type in the admin (Security › Retention rules).
"""

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from caseload.core.choices import CaseType


@dataclass(frozen=True)
class Rule:
    """Keep for `years_after_closure` after closure and until the person is `until_age`."""

    years_after_closure: int = 0
    until_age: int | None = None
    basis: str = ""


DEFAULT_RULES: dict[str, Rule] = {
    CaseType.EARLY_HELP: Rule(6, 25, "Children's records: until the 25th birthday"),
    CaseType.CHILD_IN_NEED: Rule(6, 25, "Children's records: until the 25th birthday"),
    CaseType.CHILD_PROTECTION: Rule(6, 26, "Child protection: until the 26th birthday"),
    CaseType.LOOKED_AFTER: Rule(
        0, 75, "Looked-after children: 75 years from birth (Care Planning Regulations 2010)"
    ),
    CaseType.CARE_LEAVER: Rule(0, 75, "Care leavers were looked after: 75 years from birth"),
    CaseType.ADULT: Rule(6, None, "Adult casework: 6 years after closure"),
}


def retain_until(*, rule: Rule, closed_on: date, date_of_birth: date) -> date:
    """The first day the record may be reviewed for disposal."""
    by_closure = closed_on + relativedelta(years=rule.years_after_closure)
    if rule.until_age is None:
        return by_closure
    by_age = date_of_birth + relativedelta(years=rule.until_age)
    return max(by_closure, by_age)


def latest_dates_past_retention(*, rule: Rule, today: date) -> tuple[date, date | None]:
    """(closed on or before, born on or before): a case meeting both is past retention."""
    closed_by = today - relativedelta(years=rule.years_after_closure)
    born_by = None if rule.until_age is None else today - relativedelta(years=rule.until_age)
    return closed_by, born_by
