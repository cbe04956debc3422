from django.apps import AppConfig


class ParticipantsConfig(AppConfig):
    """People supported, their households and contacts."""

    name = "participants"
