from django.urls import path

from . import views

urlpatterns = [
    path("scheme/", views.scheme_detail, name="scheme"),
    path("scheme/edit/", views.scheme_edit, name="scheme_edit"),
    path("scheme/versions/<int:pk>/", views.scheme_detail, name="scheme_version"),
    path("standards/", views.standards, name="standards"),
    path("cases/<int:pk>/propose/", views.case_factors_propose, name="case_factors_propose"),
    path("cases/<int:pk>/agree/", views.case_factors_agree, name="case_factors_agree"),
    path("workers/<int:worker_pk>/reductions/new/", views.reduction_add, name="reduction_add"),
    path("reduction-types/", views.reduction_types, name="reduction_types"),
    path("reduction-types/<int:pk>/", views.reduction_type_edit, name="reduction_type_edit"),
]
