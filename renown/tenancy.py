"""Tenancy: organisations, who belongs to which in what role, and which one they work in.

Every way in resolves the organisation here: the web pages and the API through
``renown.access.principal_from_request`` (``current_organization_role``), and the
admin (``renown.admin``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest

from renown.models import AuditEvent, AuditEventType, Membership, Organization, Role
from renown.trail import AuditActor, audit_record

UserLike = AbstractBaseUser | AnonymousUser


def group_role(*, user: UserLike) -> str | None:
    """The role the user's auth groups give them (``RENOWN_ROLE_GROUPS``), or None.

    A group-derived role applies in ``RENOWN_DEFAULT_ORGANIZATION`` only: auth groups
    are not per organisation, and a host that maps groups is one employer. A user in
    the groups of two or more roles gets none from groups: the roles do not nest (an
    auditor reads demographic aggregates an HR admin may not, a recruiter decides where
    neither may), so no order would be safe; an explicit membership settles it. One query
    per user object: the answer is kept on it, so a request (whose ``request.user`` lives
    as long as the request) asks the database once however many checks it makes.
    """
    from renown import conf

    mapping = conf.get("RENOWN_ROLE_GROUPS")
    if not mapping or not conf.get("RENOWN_DEFAULT_ORGANIZATION") or not user.is_authenticated:
        return None
    groups = getattr(user, "groups", None)  # a custom user model may have no groups
    if groups is None:
        return None
    key = tuple(sorted(mapping.items()))
    cached: tuple[tuple[tuple[str, str], ...], str | None] | None = getattr(
        user, _GROUP_ROLE_ATTR, None
    )
    if cached is not None and cached[0] == key:
        return cached[1]
    role_by_group = {group: role for role, group in mapping.items()}
    names = groups.filter(name__in=role_by_group).values_list("name", flat=True)
    roles = {role_by_group[name] for name in names}
    role = roles.pop() if len(roles) == 1 else None
    setattr(user, _GROUP_ROLE_ATTR, (key, role))
    return role


# Where group_role keeps its answer on the user object (for that object's lifetime only).
_GROUP_ROLE_ATTR = "_renown_group_role"


def organization_list_for_user(
    *, user: UserLike, roles: Collection[str] | None = None
) -> QuerySet[Organization]:
    """The organisations the user is a member of, optionally only with one of ``roles``.

    A member by an explicit membership, or of ``RENOWN_DEFAULT_ORGANIZATION`` by an auth
    group (``group_role``) when they have no explicit membership there: that wins.
    """
    from renown import conf

    if not user.is_authenticated:
        return Organization.objects.none()
    memberships = Membership.objects.filter(user_id=user.pk)
    matching = memberships.filter(role__in=roles) if roles is not None else memberships
    member_of = Q(pk__in=matching.values("organization_id"))
    role = group_role(user=user)
    if role is not None and (roles is None or role in roles):
        member_of |= Q(slug=conf.get("RENOWN_DEFAULT_ORGANIZATION")) & ~Q(
            pk__in=memberships.values("organization_id")
        )
    return Organization.objects.filter(member_of).order_by("name")


def membership_role(*, user: UserLike, organization: Organization) -> str | None:
    """The user's role in the organisation, or None when not a member.

    Their explicit membership's role; else, in ``RENOWN_DEFAULT_ORGANIZATION``, the role
    their auth groups give them (``group_role``).
    """
    from renown import conf

    if not user.is_authenticated:
        return None
    explicit = (
        Membership.objects.filter(user_id=user.pk, organization=organization)
        .values_list("role", flat=True)
        .first()
    )
    if explicit is not None:
        return explicit
    if organization.slug and organization.slug == conf.get("RENOWN_DEFAULT_ORGANIZATION"):
        return group_role(user=user)
    return None


@dataclass(frozen=True)
class Granted:
    """What ``membership_grant`` did: the membership, the role before (None: new), a change."""

    membership: Membership
    before: str | None
    changed: bool


def membership_grant(
    *, organization: Organization, user: AbstractBaseUser, role: str, actor: AuditActor = None
) -> Granted:
    """Give the user ``role`` in the organisation (see ``Granted``).

    Idempotent: the same role again changes nothing and records nothing. A new
    membership is recorded as ``membership.granted`` with its role; a changed role
    with the role before and after. Raises ValueError for an unknown role.
    """
    if role not in Role.values:
        raise ValueError(f"Unknown role {role!r}: choose one of {', '.join(Role.values)}.")
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update()
            .filter(user_id=user.pk, organization=organization)
            .first()
        )
        if membership is not None and membership.role == role:
            return Granted(membership, role, changed=False)
        before = membership.role if membership is not None else None
        if membership is None:
            membership = Membership.objects.create(
                user_id=user.pk, organization=organization, role=role
            )
        else:
            membership.role = role
            membership.save(update_fields=["role", "updated_at"])
        audit_record(
            organization=organization,
            actor=actor,
            event_type=AuditEventType.MEMBERSHIP_GRANTED,
            subject=membership,
            before={"role": before} if before is not None else None,
            after={"user": user.get_username(), "role": role},
        )
    return Granted(membership, before, changed=True)


def membership_revoke(
    *, organization: Organization, user: AbstractBaseUser, actor: AuditActor = None
) -> bool:
    """Take the user's membership of the organisation away; whether they had one.

    Recorded as ``membership.revoked`` with the role they had. A role that comes from
    an auth group (``RENOWN_ROLE_GROUPS``) is not a membership: take them out of the group.
    """
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update()
            .filter(user_id=user.pk, organization=organization)
            .first()
        )
        if membership is None:
            return False
        audit_record(
            organization=organization,
            actor=actor,
            event_type=AuditEventType.MEMBERSHIP_REVOKED,
            subject=membership,
            before={"user": user.get_username(), "role": membership.role},
        )
        membership.delete()
    return True


SESSION_ORG_KEY = "renown_organization_id"


def current_organization(request: HttpRequest) -> Organization:
    """The organisation the user is working in: the one chosen, else their first.

    Http404 for a user with no membership: there is nothing for them to see.
    """
    return current_organization_role(request)[0]


def current_organization_role(request: HttpRequest) -> tuple[Organization, str | None]:
    """``current_organization`` and the user's role in it (``membership_role``), at once.

    The role comes in the same query as the organisation (one more, for the auth
    groups, only for a member of ``RENOWN_DEFAULT_ORGANIZATION`` by group alone).
    """
    from renown import conf

    user = request.user
    if not user.is_authenticated:
        raise Http404("You are not a member of any organisation.")
    explicit = Membership.objects.filter(user_id=user.pk, organization=OuterRef("pk"))
    organizations = organization_list_for_user(user=user).annotate(
        member_role=Subquery(explicit.values("role")[:1])
    )
    chosen = request.session.get(SESSION_ORG_KEY)
    organization = (
        organizations.filter(pk=chosen).first() if chosen is not None else None
    ) or organizations.first()
    if organization is None:
        raise Http404("You are not a member of any organisation.")
    role: str | None = organization.member_role  # type: ignore[attr-defined]
    if role is None and organization.slug == conf.get("RENOWN_DEFAULT_ORGANIZATION"):
        role = group_role(user=user)
    return organization, role


def organization_create(
    *, slug: str, name: str, actor: AuditActor = None, is_demo: bool = False
) -> Organization:
    """A new organisation (tenant), with no members yet; its trail opens with the creation.

    Raises ValidationError when the slug is taken or malformed or the name is blank;
    nothing is written then (an existing organisation is never changed).
    """
    if Organization.objects.filter(slug=slug).exists():
        raise ValidationError(
            {"slug": f"An organisation with the slug {slug!r} already exists."}, code="slug_taken"
        )
    organization = Organization(slug=slug, name=name, is_demo=is_demo)
    organization.full_clean()
    try:
        with transaction.atomic():
            organization.save()
            audit_record(
                organization=organization,
                actor=actor,
                event_type=AuditEventType.ORGANIZATION_CREATED,
                subject=organization,
                after={"slug": slug, "name": name, "is_demo": is_demo},
            )
    except IntegrityError:  # made by someone else since the check above
        raise ValidationError(
            {"slug": f"An organisation with the slug {slug!r} already exists."}, code="slug_taken"
        ) from None
    return organization


def default_organization_ensure(*, using: str = "default", **kwargs: object) -> Organization | None:
    """Make ``RENOWN_DEFAULT_ORGANIZATION`` exist (a ``post_migrate`` receiver).

    Creates it (named after its slug; rename it in the admin) when missing; an existing
    organisation is never changed. None when the setting is blank or the table is not
    there yet (a ``migrate`` that stopped short of Renown's migrations).
    """
    from renown import conf

    slug = conf.get("RENOWN_DEFAULT_ORGANIZATION")
    if not slug:
        return None
    connection = connections[using]
    tables = connection.introspection.table_names()
    if Organization._meta.db_table not in tables:
        return None
    existing = Organization.objects.using(using).filter(slug=slug).first()
    if existing is not None:
        return existing
    name = slug.replace("-", " ").replace("_", " ").title()
    if not _audit_trail_ready(using):
        # A `migrate` to an earlier Renown migration: the trail cannot take the event yet.
        return Organization.objects.using(using).create(slug=slug, name=name)
    return organization_create(slug=slug, name=name, actor="command:migrate")


def _audit_trail_ready(using: str) -> bool:
    """Whether the audit table has every column the model writes (a full ``migrate``)."""
    connection = connections[using]
    table = AuditEvent._meta.db_table
    if table not in connection.introspection.table_names():
        return False
    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, table)}
    return {f.column for f in AuditEvent._meta.concrete_fields} <= columns
