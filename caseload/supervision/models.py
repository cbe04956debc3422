"""Supervision: a worker's plan (how often), each supervision held, and its actions."""

from django.db import models
from django.db.models import Q

from caseload.core.models import Case, User, Worker


class SupervisionPlan(models.Model):
    """How often a worker is supervised: their own frequency, if a manager set one, and the day
    they qualified (the first year after it is every two weeks)."""

    worker = models.OneToOneField(Worker, on_delete=models.CASCADE, related_name="supervision_plan")
    every_weeks = models.PositiveSmallIntegerField(
        "own frequency (weeks)",
        null=True,
        blank=True,
        help_text="Leave blank for the default: every 4 weeks, every 2 in the first year after "
        "qualifying.",
    )
    qualified_on = models.DateField("qualified on", null=True, blank=True)
    updated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(every_weeks__isnull=True)
                | (Q(every_weeks__gte=1) & Q(every_weeks__lte=26)),
                name="supervision_every_1_to_26_weeks",
            )
        ]

    def __str__(self) -> str:
        return f"Supervision plan for {self.worker}"


class Supervision(models.Model):
    """One supervision held: whether the caseload was reviewed, the cases discussed, notes.
    At most one a day per worker."""

    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="supervisions")
    held_on = models.DateField()
    supervisor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="supervisions_held")
    caseload_reviewed = models.BooleanField("caseload reviewed", default=False)
    cases = models.ManyToManyField(Case, blank=True, related_name="supervisions")
    notes = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "held_on"], name="one_supervision_per_worker_per_day"
            )
        ]
        indexes = [models.Index(fields=["worker", "-held_on"])]

    def __str__(self) -> str:
        return f"Supervision of {self.worker} on {self.held_on:%d/%m/%Y}"


class SupervisionAction(models.Model):
    """Something agreed in supervision: who does it, by when, and when it was done."""

    supervision = models.ForeignKey(Supervision, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=300)
    owner = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="supervision_actions")
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.description
