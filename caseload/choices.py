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
