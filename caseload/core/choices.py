"""Choices used across the organisation, cases and allocation."""

from django.db import models


class AccessRole(models.TextChoices):
    """What a user may do in Caseload (distinct from their job role)."""

    CASEWORKER = "caseworker", "Caseworker"
    MANAGER = "manager", "Team manager"
    DIRECTOR = "director", "Director"
    ADMINISTRATOR = "administrator", "Administrator"


class WorkerRole(models.TextChoices):
    """A worker's job role."""

    SOCIAL_WORKER = "social_worker", "Social worker"
    ADVANCED_PRACTITIONER = "advanced_practitioner", "Advanced practitioner"
    SUPPORT_WORKER = "support_worker", "Support worker"
    CASEWORKER = "caseworker", "Caseworker"
    TEAM_MANAGER = "team_manager", "Team manager"
    HEAD_OF_SERVICE = "head_of_service", "Head of service"


MANAGER_ROLES = (WorkerRole.TEAM_MANAGER, WorkerRole.HEAD_OF_SERVICE)


class ExperienceBand(models.TextChoices):
    """Experience band used for bandwidth and the caseload promise."""

    NEWLY_QUALIFIED = "newly_qualified", "Newly qualified"
    EXPERIENCED = "experienced", "Experienced"


class ReductionStatus(models.TextChoices):
    """Where a capacity reduction is in its life; the scheduled job moves it on
    (`weighting.scoring.reduction_status` says which it should be on a day)."""

    SCHEDULED = "scheduled", "Scheduled"
    IN_FORCE = "in_force", "In force"
    ENDED = "ended", "Ended"


# The reduction types an organisation starts with (a director changes them after):
# (name, default percent, maximum percent, default length in days or None for open-ended).
DEFAULT_REDUCTION_TYPES = (
    ("Protected ASYE caseload", 20, 40, 365),
    ("Training or study", 10, 50, 90),
    ("Phased return", 50, 80, 28),
    ("Trade union duties", 10, 50, None),
    ("Lead responsibilities", 10, 30, None),
    ("Long-term sickness", 100, 100, None),
    ("Maternity, adoption or shared parental leave", 100, 100, 365),
    ("Other", 10, 100, None),
)


class CaseType(models.TextChoices):
    """The kind of work a case is."""

    EARLY_HELP = "early_help", "Early help"
    CHILD_IN_NEED = "child_in_need", "Child in need"
    CHILD_PROTECTION = "child_protection", "Child protection"
    LOOKED_AFTER = "looked_after", "Looked-after child"
    CARE_LEAVER = "care_leaver", "Care leaver"
    ADULT = "adult", "Adult multiple disadvantage"


CHILDREN_CASE_TYPES = (
    CaseType.EARLY_HELP,
    CaseType.CHILD_IN_NEED,
    CaseType.CHILD_PROTECTION,
    CaseType.LOOKED_AFTER,
)


class NeedLevel(models.TextChoices):
    """Level of need; the order matters (low < medium < high)."""

    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class CaseStatus(models.TextChoices):
    """Where a case is in its life."""

    AWAITING_ALLOCATION = "awaiting_allocation", "Awaiting allocation"
    ALLOCATED = "allocated", "Allocated"
    CLOSED = "closed", "Closed"


class Court(models.TextChoices):
    """Court work on a case."""

    NONE = "none", "None"
    PRE_PROCEEDINGS = "pre_proceedings", "Pre-proceedings"
    CARE_PROCEEDINGS = "care_proceedings", "Care proceedings"


class ClosureReason(models.TextChoices):
    """Why a case was closed."""

    NEEDS_MET = "needs_met", "Needs met / plan completed"
    STEPPED_DOWN = "stepped_down", "Stepped down to universal services"
    TRANSFERRED = "transferred", "Transferred to another authority"
    MOVED_AWAY = "moved_away", "Moved away"
    DISENGAGED = "disengaged", "Disengaged / declined support"
    AGED_OUT = "aged_out", "Reached the age limit"
    OTHER = "other", "Other"


class AllocationReason(models.TextChoices):
    """Why a case went to a worker."""

    NEW = "new", "New case"
    ESCALATION = "escalation", "Escalation"
    STEP_DOWN = "step_down", "Step-down"
    LEAVER = "leaver", "Worker leaving or absent"
    REBALANCE = "rebalance", "Rebalancing the team"
    WORKER_REQUEST = "worker_request", "Worker request"
    TRANSFER = "transfer", "Transferred from another team"
    OTHER = "other", "Other"


class OverrideReason(models.TextChoices):
    """Why an allocation goes above the worker's promise or bandwidth; free text says more."""

    NOBODY_ELSE_ELIGIBLE = "nobody_else", "Nobody eligible has room"
    SIBLINGS_TOGETHER = "siblings", "Keeps siblings with one worker"
    CONTINUITY = "continuity", "Continuity: the worker knows the family"
    SKILLS = "skills", "Needs this worker's skills or experience"
    SHORT_TERM = "short_term", "Short-term, until a worker returns or starts"
    URGENT = "urgent", "Urgent: the case cannot wait"
    OTHER = "other", "Other"


class FlagKind(models.TextChoices):
    """Conditions the background jobs watch for."""

    ABOVE_PROMISE = "above_promise", "Above caseload promise"
    ABOVE_BANDWIDTH = "above_bandwidth", "Above bandwidth"
    UNALLOCATED_TOO_LONG = "unallocated_too_long", "Waiting too long for allocation"
    VISIT_OVERDUE = "visit_overdue", "Visit overdue"
    ASSESSMENT_STALE = "assessment_stale", "Case factors stale"
    ASSESSMENT_NEEDS_REVIEW = "assessment_needs_review", "Case factors need review"
    NEEDS_REALLOCATION = "needs_reallocation", "Needs reallocation"
    CHECKIN_UNMANAGEABLE_TWICE = (
        "checkin_unmanageable_twice",
        "Said unmanageable twice in a row",
    )
    CHECKIN_UNMANAGEABLE_IN_BAND = (
        "checkin_unmanageable_in_band",
        "Says unmanageable while not above band",
    )
    SUPERVISION_OVERDUE = "supervision_overdue", "Supervision overdue"


WORKER_FLAGS = (
    FlagKind.ABOVE_PROMISE,
    FlagKind.ABOVE_BANDWIDTH,
    FlagKind.CHECKIN_UNMANAGEABLE_TWICE,
    FlagKind.CHECKIN_UNMANAGEABLE_IN_BAND,
    FlagKind.SUPERVISION_OVERDUE,
)


class TaskOutcome(models.TextChoices):
    """How a background run ended."""

    RUNNING = "running", "Running"
    OK = "ok", "Finished"
    SKIPPED = "skipped", "Skipped (another run held the lock)"
    FAILED = "failed", "Failed"
    LOST = "lost", "Lost (its worker stopped before it finished)"


class ImportStatus(models.TextChoices):
    """Where an import run is: checked (a dry run), then imported in the background."""

    CHECKING = "checking", "Checking the files"
    PROBLEMS = "problems", "Problems found: nothing imported"
    CHECKED = "checked", "Checked: ready to import"
    QUEUED = "queued", "Waiting to import"
    IMPORTING = "importing", "Importing"
    DONE = "done", "Imported"
    FAILED = "failed", "Failed: nothing imported"


# An import a worker is waiting for or working on; it has stopped if its heartbeat goes stale.
IMPORT_IN_PROGRESS = (ImportStatus.CHECKING, ImportStatus.QUEUED, ImportStatus.IMPORTING)
