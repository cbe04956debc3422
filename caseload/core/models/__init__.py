"""The core models, in three rooms: the people and teams (`people`), the cases and who holds them
(`casework`), and what the application records about its own work (`records`)."""

from .casework import Allocation, AllocationQuerySet, Case, CaseQuerySet
from .people import (
    CapacityReduction,
    Organisation,
    ReductionType,
    Service,
    Team,
    TeamQuerySet,
    User,
    Worker,
    WorkerQuerySet,
)
from .records import (
    Flag,
    FlagQuerySet,
    FormToken,
    ImportRun,
    ImportRunQuerySet,
    Notification,
    TaskLock,
    TaskRun,
)

__all__ = [
    "Allocation",
    "AllocationQuerySet",
    "CapacityReduction",
    "Case",
    "CaseQuerySet",
    "Flag",
    "FlagQuerySet",
    "FormToken",
    "ImportRun",
    "ImportRunQuerySet",
    "Notification",
    "Organisation",
    "ReductionType",
    "Service",
    "TaskLock",
    "TaskRun",
    "Team",
    "TeamQuerySet",
    "User",
    "Worker",
    "WorkerQuerySet",
]
