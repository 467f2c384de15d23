from django.apps import AppConfig


class ApplicantsConfig(AppConfig):
    """The platform's own candidates, which Renown links to (RENOWN_HOST_CANDIDATE_MODEL)."""

    name = "applicants"
    default_auto_field = "django.db.models.BigAutoField"
