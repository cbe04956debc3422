"""Factories for the organisation: organisations, services, teams, workers and users."""

from decimal import Decimal

import factory

from caseload.core.models import Organisation, ReductionType, Service, Team, User, Worker


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Council {n}")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Service {n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    service = factory.SubFactory(ServiceFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    establishment_fte = Decimal("8.00")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("a-long-test-password-1")
    role = "caseworker"
    organisation = factory.SubFactory(OrganisationFactory)


class WorkerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Worker

    team = factory.SubFactory(TeamFactory)
    name = factory.Faker("name", locale="en_GB")
    role = "social_worker"
    qualified = factory.LazyAttribute(lambda w: w.role not in ("support_worker", "caseworker"))
    experience = "experienced"
    fte = Decimal("1.00")
    agency = False


class ReductionTypeFactory(factory.django.DjangoModelFactory):
    """A reduction type with no default length and a maximum of 100%."""

    class Meta:
        model = ReductionType
        django_get_or_create = ("organisation", "name")

    organisation = factory.SubFactory(OrganisationFactory)
    name = "Long-term sickness"
    default_percent = 100
    maximum_percent = 100
    default_days = None
