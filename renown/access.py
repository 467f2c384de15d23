"""The access gate: who is calling, and the one way to scope a query to them.

Every way in reaches an organisation's objects through a ``Principal``: the web
pages and the API alike call ``principal_from_request`` (a signed-in user in the
organisation they work in, ``renown.tenancy.current_organization``, or an API
token in its own), and every app's getters (``candidates.selectors.candidate_for``,
``hiring.selectors.job_for``, ...) start from ``scoped``. Another organisation's
object is then simply not in the queryset: a 404, never a 403.

The API's per-action permission (``renown.api.access.ApiAccess``) sits on top.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar, cast

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from rest_framework.request import Request

from renown.models import ApiToken, Organization, Role, TokenScope
from renown.tenancy import current_organization_role

RECRUITER = Role.RECRUITER.value
HR_ADMIN = Role.HR_ADMIN.value
AUDITOR = Role.AUDITOR.value
READ_TOKEN = "read_token"  # noqa: S105 - a persona name, not a secret
WRITE_TOKEN = "write_token"  # noqa: S105 - a persona name, not a secret

PERSONAS = frozenset({RECRUITER, HR_ADMIN, AUDITOR, READ_TOKEN, WRITE_TOKEN})

_CACHE = "_renown_principal"
_M = TypeVar("_M", bound=Model)


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller: an organisation, a persona (a role, or a token's scope), and who.

    ``persona`` is one of ``PERSONAS``: a member's role (``renown.models.Role``) or
    ``read_token``/``write_token``. Exactly one of ``user`` and ``token`` is set for
    a caller that came through ``principal_from_request``.
    """

    organization: Organization
    persona: str
    user: AbstractBaseUser | None = None
    token: ApiToken | None = None

    @property
    def role(self) -> str | None:
        """The member's role in the organisation; None for a token."""
        return self.persona if self.token is None else None

    @property
    def owner_key(self) -> str:
        """Who owns stored state (idempotency keys, throttles): token:<id> or user:<id>."""
        if self.token is not None:
            return f"token:{self.token.pk}"
        return f"user:{self.user.pk if self.user is not None else ''}"

    @property
    def audit_actor(self) -> AbstractBaseUser | ApiToken:
        """Who the audit trail records: the user, or the token itself (by id and name)."""
        if self.token is not None:
            return self.token
        if self.user is None:
            raise ValueError("a principal is a user or a token")
        return self.user

    @property
    def member(self) -> AbstractBaseUser:
        """The signed-in member acting; PermissionDenied for an API token (no person)."""
        if self.user is None:
            raise PermissionDenied("This needs a signed-in member, not an API token.")
        return self.user

    @property
    def label(self) -> str:
        """How the caller is named in reasons and messages."""
        if self.token is not None:
            return f"API token {self.token.name}"
        return str(self.user.get_username()) if self.user is not None else ""


def _token_principal(token: ApiToken) -> Principal:
    persona = WRITE_TOKEN if token.scope == TokenScope.WRITE else READ_TOKEN
    return Principal(organization=token.organization, persona=persona, token=token)


def _user_principal(request: HttpRequest) -> Principal | None:
    user = request.user
    if not (user.is_authenticated and getattr(user, "is_active", False)):
        return None
    try:
        organization, role = current_organization_role(request)
    except Http404:
        return None
    if role not in Role.values:
        return None
    return Principal(
        organization=organization, persona=str(role), user=cast("AbstractBaseUser", user)
    )


def principal_from_request(request: HttpRequest | Request) -> Principal | None:
    """The caller of a Django ``HttpRequest`` or a DRF ``Request``; None for nobody.

    A DRF request authenticated by an API token is that token, in its organisation
    and scope. Otherwise the signed-in, active user, in the organisation they work in
    (``current_organization``: the one chosen in the session, else their first) and
    their role there. None when nobody is signed in, or the user belongs nowhere.
    Resolved once per request object.
    """
    cached = getattr(request, _CACHE, None)
    if cached is not None:
        return cast("Principal", cached)
    auth = getattr(request, "auth", None)  # a DRF Request's authenticator result
    if isinstance(auth, ApiToken):
        principal: Principal | None = _token_principal(auth)
    else:
        # A DRF Request authenticates and sets the user on its HttpRequest, whose session
        # says the organisation.
        principal = _user_principal(getattr(request, "_request", request))
    if principal is not None:
        setattr(request, _CACHE, principal)
    return principal


def principal_required(request: HttpRequest | Request) -> Principal:
    """``principal_from_request``, or Http404 for a caller with no organisation."""
    principal = principal_from_request(request)
    if principal is None:
        raise Http404("You are not a member of any organisation.")
    return principal


def signed_in_user(request: HttpRequest | Request) -> AbstractBaseUser:
    """The signed-in user of a request behind ``login_required`` (or the admin's login).

    Pages and the admin act for a person; the services take that person as their
    actor. PermissionDenied for an anonymous request (a view that forgot its login
    check), never an ``AnonymousUser`` passed on as an actor.
    """
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied("Sign in first.")
    return cast("AbstractBaseUser", user)


def scoped(
    queryset: QuerySet[_M], principal: Principal | Organization, path: str = "organization"
) -> QuerySet[_M]:
    """The queryset limited to the principal's organisation.

    ``path`` is the lookup from the model to its organisation (``"job__organization"``
    for a screening). Every app's getters start here, so no query reaches another
    organisation's rows. An ``Organization`` stands for a caller already resolved to
    it (a task, a command, an ATS handler that checked its signature).
    """
    organization = principal.organization if isinstance(principal, Principal) else principal
    return queryset.filter(**{path: organization})
