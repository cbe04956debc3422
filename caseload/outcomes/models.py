"""A person's engagement stage over time and their outcome ratings at each review."""

from django.db import models
from django.db.models import Q

from caseload.core.models import Case, User

from .choices import Domain, Stage


class StageChange(models.Model):
    """The case entered a stage on a day. The latest is the stage now; history is kept. At most
    one a day per case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stage_changes")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    started_on = models.DateField()
    note = models.CharField(max_length=300, blank=True, default="")
    recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    prompted_reweighting = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "started_on"], name="one_stage_per_case_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} from {self.started_on:%d/%m/%Y}"


class OutcomeReview(models.Model):
    """A review point: the person's outcomes rated, domain by domain. One a day per case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="outcome_reviews")
    reviewed_on = models.DateField()
    note = models.CharField(max_length=300, blank=True, default="")
    recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reviewed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "reviewed_on"], name="one_outcome_review_per_case_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"Outcome review on {self.reviewed_on:%d/%m/%Y}"


class OutcomeRating(models.Model):
    """One domain's rating at a review: 1 (serious difficulty) to 5 (doing well)."""

    review = models.ForeignKey(OutcomeReview, on_delete=models.CASCADE, related_name="ratings")
    domain = models.CharField(max_length=20, choices=Domain.choices)
    rating = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(fields=["review", "domain"], name="one_rating_per_domain"),
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="rating_between_1_and_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_domain_display()}: {self.rating}"
