"""Who is calling (a member of one organisation in a role, or a token) and what they may do.

Every API view names, per action, the personas allowed (``access``); an action
it does not name is refused. The organisation is the token's, or for a signed-in
user the one they work in (the web UI's choice, ``hiring.views.current_organization``);
every queryset is filtered by it, so another organisation's object is a 404.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from django.contrib.auth.models import AbstractBaseUser
from django.http import Http404
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from renown.models import ApiToken, Organization, Role, TokenScope
from renown.tenancy import membership_role

RECRUITER = "recruiter"
HR_ADMIN = "hr_admin"
AUDITOR = "auditor"
READ_TOKEN = "read_token"  # noqa: S105 - a persona name, not a secret
WRITE_TOKEN = "write_token"  # noqa: S105 - a persona name, not a secret

PERSONAS = frozenset({RECRUITER, HR_ADMIN, AUDITOR, READ_TOKEN, WRITE_TOKEN})
# Everyone of the organisation may read its records (demographic data excepted).
READERS = PERSONAS
# Those who keep candidates and jobs up to date: people who recruit, and ATS integrations.
WRITERS = frozenset({RECRUITER, HR_ADMIN, WRITE_TOKEN})
# Rules and their preview: HR admins only, never a token.
RULE_WRITERS = frozenset({HR_ADMIN})
# A decision on a screening is a person's: recruiters (hiring.permissions.REVIEW_ROLES).
REVIEWERS = frozenset({RECRUITER})
# Aggregates over self-identification: auditors only, never a token.
AUDITORS = frozenset({AUDITOR})
# Erasing a candidate: an HR admin, or the ATS that holds the request.
ERASERS = frozenset({HR_ADMIN, WRITE_TOKEN})


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller: an organisation, a persona, and the user or token behind it."""

    organization: Organization
    persona: str
    user: AbstractBaseUser | None = None
    token: ApiToken | None = None

    @property
    def owner_key(self) -> str:
        """Who owns stored state (idempotency keys, throttles): token:<id> or user:<id>."""
        if self.token is not None:
            return f"token:{self.token.pk}"
        return f"user:{self.user.pk if self.user is not None else ''}"

    @property
    def audit_actor(self) -> AbstractBaseUser | str:
        """Who the audit trail records: the user, or ``token:<id> <name>`` for a token."""
        if self.token is not None:
            return f"token:{self.token.pk} {self.token.name}"
        if self.user is None:
            raise ValueError("a principal is a user or a token")
        return self.user

    @property
    def label(self) -> str:
        if self.token is not None:
            return f"API token {self.token.name}"
        return str(self.user.get_username()) if self.user is not None else ""


def resolve_principal(request: Request) -> Principal | None:
    """The caller of ``request``, or None when it is not signed in or has no organisation."""
    cached = getattr(request, "_renown_principal", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    principal: Principal | None = None
    if isinstance(request.auth, ApiToken):
        token = request.auth
        persona = WRITE_TOKEN if token.scope == TokenScope.WRITE else READ_TOKEN
        principal = Principal(organization=token.organization, persona=persona, token=token)
    elif request.user.is_authenticated and getattr(request.user, "is_active", False):
        from renown.tenancy import current_organization

        try:
            organization = current_organization(request._request)
        except Http404:
            return None
        role = membership_role(user=request.user, organization=organization)
        if role in Role.values:
            user = cast("AbstractBaseUser", request.user)
            principal = Principal(organization=organization, persona=str(role), user=user)
    request._renown_principal = principal  # type: ignore[attr-defined]
    return principal


class ApiAccess(BasePermission):
    """Allows an action only to the personas the view's ``access`` names for it.

    A read token may only read, whatever a view says.
    """

    message = "Your role does not allow this."

    def has_permission(self, request: Request, view: Any) -> bool:
        principal = resolve_principal(request)
        if principal is None:
            return False
        if principal.persona == READ_TOKEN and request.method not in SAFE_METHODS:
            self.message = "A read token may only read."
            return False
        access: Mapping[str, frozenset[str]] = getattr(view, "access", {})
        action = getattr(view, "action", None)
        if action is None:
            return True  # a method the URL does not route: the view answers 405
        allowed = access.get(action, frozenset())
        if principal.persona not in allowed:
            self.message = "Your role does not allow this."
            return False
        return True
