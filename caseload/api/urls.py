"""The API under /api/ (endpoints, schema and docs), and the user's API tokens page."""

from django.urls import path

from . import endpoints, views

urlpatterns = [
    path("api/schema/", endpoints.SchemaView.as_view(), name="api_schema"),
    path("api/docs/", endpoints.DocsView.as_view(), name="api_docs"),
    path("api/me/", endpoints.MeView.as_view(), name="api_me"),
    path("api/scheme/", endpoints.SchemeView.as_view(), name="api_scheme"),
    path("api/teams/", endpoints.TeamListView.as_view(), name="api_team_list"),
    path("api/teams/<int:pk>/", endpoints.TeamDetailView.as_view(), name="api_team_detail"),
    path("api/teams/<int:pk>/queue/", endpoints.TeamQueueView.as_view(), name="api_team_queue"),
    path(
        "api/workers/<int:pk>/caseload/",
        endpoints.WorkerCaseloadView.as_view(),
        name="api_worker_caseload",
    ),
    path("api/cases/", endpoints.CaseListView.as_view(), name="api_case_list"),
    path("api/cases/<int:pk>/", endpoints.CaseDetailView.as_view(), name="api_case_detail"),
    path(
        "api/cases/<int:pk>/contacts/",
        endpoints.ContactCreateView.as_view(),
        name="api_case_contact_create",
    ),
    path(
        "api/cases/<int:pk>/factors/",
        endpoints.FactorsProposeView.as_view(),
        name="api_case_factors_propose",
    ),
    path("api/figures/", endpoints.FiguresView.as_view(), name="api_figures"),
    path("account/api-tokens/", views.api_tokens, name="api_tokens"),
    path("account/api-tokens/revoke/", views.api_token_revoke, name="api_token_revoke"),
]
