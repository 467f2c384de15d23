"""Tenancy: organisations, who belongs to which in what role, and which one they work in.

Every way in resolves the organisation here: the web pages (``current_organization``),
the API (``renown.api.access``) and the admin (``renown.admin``).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from renown.models import Membership, Organization

UserLike = AbstractBaseUser | AnonymousUser


def organization_list_for_user(
    *, user: UserLike, roles: Collection[str] | None = None
) -> QuerySet[Organization]:
    """The organisations the user is a member of, optionally only with one of ``roles``."""
    if not user.is_authenticated:
        return Organization.objects.none()
    memberships = Membership.objects.filter(user_id=user.pk)
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    return Organization.objects.filter(pk__in=memberships.values("organization_id")).order_by(
        "name"
    )


def membership_role(*, user: UserLike, organization: Organization) -> str | None:
    """The user's role in the organisation, or None when not a member."""
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.filter(user_id=user.pk, organization=organization)
        .values_list("role", flat=True)
        .first()
    )


SESSION_ORG_KEY = "renown_organization_id"


def current_organization(request: HttpRequest) -> Organization:
    """The organisation the user is working in: the one chosen, else their first.

    Http404 for a user with no membership: there is nothing for them to see.
    """
    organizations = organization_list_for_user(user=request.user)
    chosen = request.session.get(SESSION_ORG_KEY)
    organization = (
        organizations.filter(pk=chosen).first() if chosen is not None else None
    ) or organizations.first()
    if organization is None:
        raise Http404("You are not a member of any organisation.")
    return organization


def organization_create(*, slug: str, name: str) -> Organization:
    """A new organisation (tenant), with no members yet.

    Raises ValidationError when the slug is taken or malformed or the name is blank;
    nothing is written then (an existing organisation is never changed).
    """
    if Organization.objects.filter(slug=slug).exists():
        raise ValidationError(
            {"slug": f"An organisation with the slug {slug!r} already exists."}, code="slug_taken"
        )
    organization = Organization(slug=slug, name=name)
    organization.full_clean()
    try:
        with transaction.atomic():
            organization.save()
    except IntegrityError:  # made by someone else since the check above
        raise ValidationError(
            {"slug": f"An organisation with the slug {slug!r} already exists."}, code="slug_taken"
        ) from None
    return organization


def default_organization_ensure(*, using: str = "default", **kwargs: Any) -> Organization | None:
    """Make ``RENOWN_DEFAULT_ORGANIZATION`` exist (a ``post_migrate`` receiver).

    Creates it (named after its slug; rename it in the admin) when missing; an existing
    organisation is never changed. None when the setting is blank or the table is not
    there yet (a ``migrate`` that stopped short of Renown's migrations).
    """
    from renown import conf

    slug = conf.get("RENOWN_DEFAULT_ORGANIZATION")
    if not slug:
        return None
    if Organization._meta.db_table not in connections[using].introspection.table_names():
        return None
    organization, _ = Organization.objects.using(using).get_or_create(
        slug=slug, defaults={"name": slug.replace("-", " ").replace("_", " ").title()}
    )
    return organization
