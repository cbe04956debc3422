"""People supported, the households that link siblings, their contacts and how often they must
be seen. Names, dates of birth and notes are sensitive personal data: load them only through
`visible_to(user)`."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from caseload.core.choices import CaseType
from caseload.core.models import Case, Organisation, Team, User, Worker

from . import visits
from .choices import ContactType, VisitUnit

# Sane limits for a contact's duration and travel time: a long court day is 12 hours.
MAX_MINUTES = 720
# The longest visit interval a policy may set (in any unit).
MAX_VISIT_INTERVAL = 104
# The author may edit a contact this long after recording it; after that it is corrected.
EDIT_WINDOW = timedelta(hours=24)


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


class VisitPolicyQuerySet(models.QuerySet):
    def for_organisation(self, organisation_id) -> "VisitPolicyQuerySet":
        """The shipped defaults and the organisation's own policies (which win)."""
        return self.filter(Q(organisation__isnull=True) | Q(organisation_id=organisation_id))


class VisitPolicy(models.Model):
    """How often a case of one type must be seen. Rows without an organisation are the
    product's defaults (shipped by a data migration); an organisation's row overrides them."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visit_policies",
        help_text="Blank for the product default.",
    )
    case_type = models.CharField(max_length=20, choices=CaseType.choices)
    every = models.PositiveSmallIntegerField(
        "visit every", validators=[MinValueValidator(1), MaxValueValidator(MAX_VISIT_INTERVAL)]
    )
    unit = models.CharField(max_length=20, choices=VisitUnit.choices)
    history = HistoricalRecords()
    objects = VisitPolicyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "visit policies"
        ordering = ["case_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "case_type"], name="visit_policy_one_per_case_type"
            ),
            models.UniqueConstraint(
                fields=["case_type"],
                condition=Q(organisation__isnull=True),
                name="visit_policy_one_default_per_case_type",
            ),
            models.CheckConstraint(
                condition=Q(every__gte=1) & Q(every__lte=MAX_VISIT_INTERVAL),
                name="visit_policy_every_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_case_type_display()}: {self.frequency}"

    @property
    def frequency(self) -> visits.Frequency:
        return visits.Frequency(every=self.every, unit=self.unit)


class ContactQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ContactQuerySet":
        """Contacts on the cases the user may see: exactly `Case.objects.visible_to(user)`."""
        return self.filter(case__in=Case.objects.visible_to(user))

    def current(self) -> "ContactQuerySet":
        """The version of each contact that stands: an original with no correction, or the
        latest correction of it. Corrected versions stay in the table, never counted."""
        # `corrects__isnull=False` lets the database answer from the small partial index of
        # corrections instead of scanning every contact.
        later = Contact.objects.filter(
            corrects__isnull=False,
            corrects_id=Coalesce(OuterRef("corrects_id"), OuterRef("pk")),
            pk__gt=OuterRef("pk"),
        )
        return self.filter(~Exists(later))


class Contact(models.Model):
    """A contact with a person, or an attempt at one: when, how, whether they were seen, and
    how long it took. Never deleted; after 24 hours it is corrected by appending a new row that
    points at the original (`corrects`), and the original stays as it was."""

    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        related_name="contacts",
        db_index=False,  # led by the (case, seen, occurred_at) index below
    )
    occurred_at = models.DateTimeField("when")
    contact_type = models.CharField("type", max_length=30, choices=ContactType.choices)
    seen = models.BooleanField(
        help_text="The person was seen. An attempt that failed, a call or a message is not a visit."
    )
    seen_alone = models.BooleanField(
        "child seen alone",
        null=True,
        blank=True,
        help_text="Children's cases only, when the child was seen.",
    )
    duration_minutes = models.PositiveSmallIntegerField(
        "duration (minutes)", default=0, validators=[MaxValueValidator(MAX_MINUTES)]
    )
    travel_minutes = models.PositiveSmallIntegerField(
        "travel (minutes)", default=0, validators=[MaxValueValidator(MAX_MINUTES)]
    )
    notes = models.TextField(blank=True, default="")
    worker = models.ForeignKey(
        Worker,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
        help_text="The practitioner who made the contact.",
    )
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="contacts_recorded"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,  # the partial index below: almost every contact is an original
        related_name="corrections",
        help_text="The original contact this row corrects.",
    )
    correction_reason = models.CharField(max_length=300, blank=True, default="")
    history = HistoricalRecords()
    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__lte=MAX_MINUTES) & Q(travel_minutes__lte=MAX_MINUTES),
                name="contact_minutes_in_range",
            ),
            models.CheckConstraint(
                condition=Q(seen=True) | Q(seen_alone__isnull=True),
                name="contact_seen_alone_only_when_seen",
            ),
            models.CheckConstraint(
                condition=Q(corrects__isnull=True) | ~Q(correction_reason=""),
                name="contact_correction_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "seen", "occurred_at"]),
            models.Index(fields=["occurred_at"]),
            models.Index(
                fields=["corrects", "id"],
                condition=Q(corrects__isnull=False),
                name="contact_corrections_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_contact_type_display()} {self.occurred_at:%d/%m/%Y %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("contact_detail", args=[self.pk])

    @property
    def original_pk(self) -> int:
        return self.corrects_id or self.pk

    @property
    def is_correction(self) -> bool:
        return self.corrects_id is not None

    def editable_until(self):
        return self.recorded_at + EDIT_WINDOW


class ContactExport(models.Model):
    """A record that someone downloaded a team's contacts: who, which team, which dates, how
    many rows and whether notes were included."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="contact_exports")
    exported_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    exported_at = models.DateTimeField(default=timezone.now)
    date_from = models.DateField()
    date_to = models.DateField()
    include_notes = models.BooleanField(default=False)
    row_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-exported_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_to__gte=models.F("date_from")),
                name="contact_export_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.date_from}–{self.date_to} by {self.exported_by}"
