from django.apps import AppConfig


class TransfersConfig(AppConfig):
    """Moving a case (or a household's open cases) to another team, which accepts or
    declines it; the holder keeps it until it is accepted."""

    name = "caseload.transfers"
    label = "transfers"
    verbose_name = "Transfers between teams"
