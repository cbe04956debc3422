from django.apps import AppConfig


class SecurityConfig(AppConfig):
    """Access audit, sign-in protection, sessions, subject access and retention."""

    name = "security"
    verbose_name = "Security and data protection"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the sign-in and account receivers
