"""The platform's URLs: its own pages and API, Django's admin, and Renown under /renown/."""

from django.contrib import admin
from django.urls import include, path

from applicants import views as applicant_views
from hostsite import views

urlpatterns = [
    path("", views.home, name="home"),
    path("applicants/<int:pk>/", applicant_views.applicant_detail, name="applicant-detail"),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("renown/", include("renown.urls")),
]
