"""Choices for contacts and visit policies."""

from django.db import models

from . import visits


class ContactType(models.TextChoices):
    """How a contact was made."""

    HOME_VISIT = "home_visit", "Home visit"
    OFFICE = "office", "Office"
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video call"
    MESSAGE = "message", "Message (text, email, letter)"
    MULTI_AGENCY_MEETING = "multi_agency_meeting", "Multi-agency meeting"
    COURT = "court", "Court"


# A person can only be *seen* where they are in front of the worker or on camera: a phone call
# or a message is engagement work, but it never resets "last seen"
# (see docs/decisions/0010-contacts-and-visits.md).
CAN_BE_SEEN = (
    ContactType.HOME_VISIT,
    ContactType.OFFICE,
    ContactType.VIDEO,
    ContactType.MULTI_AGENCY_MEETING,
    ContactType.COURT,
)


class VisitUnit(models.TextChoices):
    """The unit a visit frequency is counted in; values match `participants.visits`."""

    WORKING_DAYS = visits.WORKING_DAYS, "working days"
    DAYS = visits.DAYS, "days"
    WEEKS = visits.WEEKS, "weeks"
