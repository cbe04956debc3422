"""Daily snapshots of the figures, for trends over the last twelve months."""

from django.db import models


class ScopeSnapshot(models.Model):
    """One scope's figures (organisation, service or team) on one day. Taking the day's
    snapshot again replaces it, so the daily job is idempotent."""

    organisation = models.ForeignKey(
        "caseload.Organisation", on_delete=models.CASCADE, related_name="snapshots"
    )
    taken_on = models.DateField()
    scope = models.CharField(max_length=20)  # organisation, service or team
    scope_key = models.CharField(max_length=40, help_text="organisation:ID, service:ID or team:ID")
    scope_name = models.CharField(max_length=200)
    figures = models.JSONField(default=dict)
    distribution = models.JSONField(default=list, help_text="Case holders' open case counts.")
    # The scope above (organisation:ID for a service, service:ID for a team), so a dashboard
    # reads its services' or teams' rows by an index. The two fields after it are the
    # dashboards' too; all three are null where not recorded (a team's check-ins and bins: its
    # dashboard is live) and in rows taken before they were.
    parent_key = models.CharField(max_length=40, null=True, blank=True)
    bins = models.JSONField(
        null=True,
        blank=True,
        help_text="Case holders by open cases held, in the dashboard's bins (label, holders).",
    )
    checkins = models.JSONField(
        null=True,
        blank=True,
        help_text="An organisation's or a service's answers to 'is my caseload manageable?' "
        "month by month over the last 12 months.",
    )
    taken_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["scope_key", "taken_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope_key", "taken_on"], name="one_snapshot_per_scope_per_day"
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "scope_key", "taken_on"]),
            models.Index(fields=["parent_key", "taken_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.scope_key} {self.taken_on}"


class WorkerSnapshot(models.Model):
    """One worker's cases and points on one day."""

    worker = models.ForeignKey(
        "caseload.Worker", on_delete=models.CASCADE, related_name="snapshots"
    )
    team = models.ForeignKey("caseload.Team", on_delete=models.CASCADE, related_name="+")
    taken_on = models.DateField()
    open_cases = models.PositiveIntegerField()
    weighted_load = models.PositiveIntegerField()
    capacity = models.DecimalField(max_digits=7, decimal_places=2)
    promise = models.PositiveSmallIntegerField()
    above_promise = models.BooleanField()
    above_bandwidth = models.BooleanField()

    class Meta:
        ordering = ["worker", "taken_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "taken_on"], name="one_worker_snapshot_per_day"
            )
        ]
        indexes = [models.Index(fields=["team", "taken_on"])]

    def __str__(self) -> str:
        return f"worker:{self.worker_id} {self.taken_on}"
