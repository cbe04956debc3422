"""Import pages, under /imports/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.import_list, name="import_list"),
    path("template/", views.import_template, name="import_template"),
    path("<int:pk>/", views.import_detail, name="import_detail"),
    path("<int:pk>/import/", views.import_confirm, name="import_confirm"),
    path("<int:pk>/retry/", views.import_retry, name="import_retry"),
]
