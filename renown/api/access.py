"""What each persona may do through the API, on top of the access gate (``renown.access``).

Every API view names, per action, the personas allowed (``access``); an action
it does not name is refused. Who is calling is ``renown.access.principal_from_request``:
the token's organisation, or for a signed-in user the one they work in (the web
UI's choice); every queryset is scoped to it (``renown.access.scoped``), so another
organisation's object is a 404.
"""

from __future__ import annotations

from collections.abc import Mapping

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from renown.access import (
    AUDITOR,
    HR_ADMIN,
    PERSONAS,
    READ_TOKEN,
    RECRUITER,
    WRITE_TOKEN,
    Principal,
    principal_from_request,
)

__all__ = [
    "AUDITOR",
    "AUDITORS",
    "ERASERS",
    "HR_ADMIN",
    "PERSONAS",
    "READERS",
    "READ_TOKEN",
    "RECRUITER",
    "REVIEWERS",
    "RULE_WRITERS",
    "WRITERS",
    "WRITE_TOKEN",
    "ApiAccess",
    "Principal",
    "resolve_principal",
]

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


def resolve_principal(request: Request) -> Principal | None:
    """The caller of an API request (``renown.access.principal_from_request``)."""
    return principal_from_request(request)


class ApiAccess(BasePermission):
    """Allows an action only to the personas the view's ``access`` names for it.

    A read token may only read, whatever a view says.
    """

    message = "Your role does not allow this."

    def has_permission(self, request: Request, view: APIView) -> bool:
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
