"""People supported, and the households that link siblings. Names, dates of birth and notes
are sensitive personal data: load them only through `visible_to(user)`."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from caseload.models import Case, Organisation, Team


class HouseholdQuerySet(models.QuerySet):
    def visible_to(self, user) -> "HouseholdQuerySet":
        """Households with at least one member the user may see."""
        return self.filter(
            pk__in=Participant.objects.visible_to(user)
            .exclude(household__isnull=True)
            .values("household_id")
        )


class Household(models.Model):
    """A household: links siblings so they can be kept with one worker."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="households"
    )
    reference = models.CharField(max_length=50)
    history = HistoricalRecords()
    objects = HouseholdQuerySet.as_manager()

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="household_reference_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Household {self.reference}"


class ParticipantQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ParticipantQuerySet":
        """People with a case in, or registered by, a team the user may see."""
        teams = Team.objects.visible_to(user)
        return self.filter(
            Q(pk__in=Case.objects.filter(team__in=teams).values("participant_id"))
            | Q(registered_by_team__in=teams)
        )


class Participant(models.Model):
    """A person supported: a child or an adult."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="participants"
    )
    reference = models.CharField("local reference", max_length=50)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )
    registered_by_team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The team that recorded this person, so they can see them before a case opens.",
    )
    history = HistoricalRecords()
    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="participant_reference_unique"
            )
        ]
        indexes = [
            models.Index(fields=["family_name", "given_name"]),
            models.Index(fields=["date_of_birth"]),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("participant_detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def clean(self) -> None:
        if self.date_of_birth and self.date_of_birth > timezone.localdate():
            raise ValidationError({"date_of_birth": "Date of birth cannot be in the future."})
