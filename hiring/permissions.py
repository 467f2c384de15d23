"""Who may do what in hiring, by membership role: one place, checked by every service.

HR admins change rules (and a second HR admin approves screen-out rules);
recruiters decide on screenings and walk rejections through the adverse-action
steps; auditors read. Roles come from the user's membership in the object's
organisation, through the one tenant gate (``candidates.selectors``).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from renown.exceptions import NotPermitted
from renown.models import Organization, Role
from renown.tenancy import membership_role

RULE_ROLES = frozenset({Role.HR_ADMIN})
REVIEW_ROLES = frozenset({Role.RECRUITER})
EVIDENCE_ROLES = frozenset({Role.RECRUITER, Role.HR_ADMIN})
REFRESH_ROLES = frozenset({Role.RECRUITER, Role.HR_ADMIN})
AUDIT_REPORT_ROLES = frozenset({Role.AUDITOR})
READ_ROLES = frozenset({Role.RECRUITER, Role.HR_ADMIN, Role.AUDITOR})

User = AbstractBaseUser | AnonymousUser


def has_role(*, user: User | None, organization: Organization, roles: frozenset[str]) -> bool:
    """Whether the user is an active member of the organisation with one of ``roles``."""
    if user is None or not user.is_authenticated or not getattr(user, "is_active", False):
        return False
    return membership_role(user=user, organization=organization) in roles


def require_role(
    *, user: User | None, organization: Organization, roles: frozenset[str], action: str
) -> None:
    """Raise NotPermitted (a PermissionDenied) unless the user has one of ``roles``."""
    if not has_role(user=user, organization=organization, roles=roles):
        names = " or ".join(sorted(Role(r).label for r in roles))
        raise NotPermitted(f"Only a {names} of {organization.name} can {action}.")
