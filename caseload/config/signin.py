"""The sign-in page: Django's own, plus the demo's sign-ins when DEMO_MODE is on (the embedded
default that `make demo` runs), so a newcomer signs in as each role without the terminal."""

from django.conf import settings
from django.contrib.auth.views import LoginView

from caseload.demo.seed import existing_logins
from security.two_factor import role_requires_two_factor


class SignInView(LoginView):
    """Username and password; in demo mode, one button per demo sign-in."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if settings.DEMO_MODE:
            context["demo_logins"] = [
                {
                    "username": login.username,
                    "description": login.description,
                    "two_step": role_requires_two_factor(login.role),
                }
                for login in existing_logins()
            ]
            context["demo_password"] = settings.DEMO_PASSWORD
        return context
