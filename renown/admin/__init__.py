"""The plugin base's admin: the organisation-scoped bases, tenancy, API tokens, webhooks out.

Importing this package registers the base's own admins (Django's admin autodiscovery
imports ``renown.admin``); the other apps' admins build on ``OrganizationScopedAdmin``.
"""

from renown.admin.scoped import (
    ALL_ROLES,
    CHANGE_ROLES,
    OVERSIGHT_ROLES,
    OrganizationScopedAdmin,
    SecretShownOnceAdmin,
)

__all__ = [
    "ALL_ROLES",
    "CHANGE_ROLES",
    "OVERSIGHT_ROLES",
    "OrganizationScopedAdmin",
    "SecretShownOnceAdmin",
]

# Registration (imported for their @admin.register side effect).
from renown.admin import tenancy, tokens, webhooks  # noqa: F401  isort: skip
