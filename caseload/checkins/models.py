"""A worker's answer to "Is my caseload manageable?", with the load measured when they gave it."""

from django.db import models
from django.db.models import Q

from caseload.core.models import User, Worker

from .choices import Manageability


class CheckIn(models.Model):
    """One answer, at most one a day per worker (the database says so). The measured open
    cases, points, capacity and bandwidth status are those of the day, so a manager reads the
    answer beside the figures as they were."""

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="checkins")
    answered_on = models.DateField()
    answer = models.CharField(max_length=20, choices=Manageability.choices)
    note = models.TextField(
        blank=True,
        default="",
        help_text="Seen only by you and your team's managers.",
    )
    open_cases = models.PositiveIntegerField(default=0)
    weighted_load = models.PositiveIntegerField(default=0)
    capacity = models.DecimalField(max_digits=7, decimal_places=2, default=0)
    bandwidth_status = models.CharField(max_length=10, default="")
    answered_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-answered_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "answered_on"], name="one_checkin_per_worker_per_day"
            ),
            models.CheckConstraint(
                condition=Q(answer__in=Manageability.values), name="checkin_answer_known"
            ),
        ]
        indexes = [models.Index(fields=["worker", "-answered_on"])]

    def __str__(self) -> str:
        return f"{self.get_answer_display()} on {self.answered_on:%d/%m/%Y}"

    @property
    def answer_choice(self) -> Manageability:
        return Manageability(self.answer)
