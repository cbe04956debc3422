"""Engagement stages and the outcome domains of the Changing Futures theory of change."""

from django.db import models


class Stage(models.TextChoices):
    """Where a person is in their engagement with the caseworker; the order matters."""

    LOCATING = "locating", "Locating"
    ENGAGING = "engaging", "Engaging"
    ENGAGED = "engaged", "Engaged"
    STABILISED = "stabilised", "Stabilised"
    STEPPING_DOWN = "stepping_down", "Stepping down"


# Stages in which a person needs less intensive work: reaching one prompts re-weighting.
LESS_INTENSIVE = (Stage.STABILISED, Stage.STEPPING_DOWN)
ORDER = {stage: index for index, stage in enumerate(Stage.values)}


class Domain(models.TextChoices):
    """The individual outcomes a Changing Futures caseworker works for."""

    HOUSING = "housing", "Housing stability"
    FINANCES = "finances", "Financial security"
    HEALTH = "health", "Physical and mental health"
    SUBSTANCES = "substances", "Substance use"
    JUSTICE = "justice", "Contact with criminal justice"
    CONNECTION = "connection", "Family and community connection"
    TRUST = "trust", "Trust in services"


# Short names for chart labels.
SHORT = {
    Domain.HOUSING: "Housing",
    Domain.FINANCES: "Finances",
    Domain.HEALTH: "Health",
    Domain.SUBSTANCES: "Substances",
    Domain.JUSTICE: "Justice",
    Domain.CONNECTION: "Connection",
    Domain.TRUST: "Trust",
}

# Every domain is rated 1 to 5, higher better: 5 is secure housing, no harmful substance use,
# no contact with criminal justice, trusting services.
RATINGS = [
    (1, "1 – serious difficulty"),
    (2, "2"),
    (3, "3 – some difficulty"),
    (4, "4"),
    (5, "5 – doing well"),
]
