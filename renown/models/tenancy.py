"""The tenant (an employer), its members and their roles: everything hangs off one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Organization(TimeStampedModel):
    """The tenant: an employer using the hiring platform. Everything hangs off one."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    is_demo = models.BooleanField(
        default=False,
        help_text="Synthetic demo data: no real person is described here.",
    )
    # How `manage.py demo` knows the demo exists and what it was built from: `make run`
    # builds it only when this is blank and never deletes anything when it is not.
    demo_definition = models.CharField(
        max_length=100,
        blank=True,
        help_text="The demo definition the demo data was built from; blank when never built.",
    )
    demo_built_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the demo data was built: what was made or changed after is someone's work.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} (demo)" if self.is_demo else self.name


class Role(models.TextChoices):
    RECRUITER = "recruiter", "Recruiter"
    HR_ADMIN = "hr_admin", "HR admin"
    AUDITOR = "auditor", "Auditor"


class Membership(TimeStampedModel):
    """A user's role in one organisation; a user may belong to several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"], name="membership_unique_user_org"
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} · {self.get_role_display()}"
