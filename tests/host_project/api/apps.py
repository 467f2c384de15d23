from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The platform's own REST API: label `api`, which Renown must leave free."""

    name = "api"
    default_auto_field = "django.db.models.BigAutoField"
