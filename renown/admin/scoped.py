"""The bases every Renown admin shares.

``OrganizationScopedAdmin`` is the organisation-scoped base every admin uses;
``SecretShownOnceAdmin`` shows a new secret (API token, webhook signing secret)
once in the page body.

An admin user sees an object only if their role in the object's own organisation
is one of its admin's ``view_roles`` (superusers see all); HR admins may change
them (``change_roles``), auditors and recruiters at most view. Another
organisation's object, or one the user's role there may not see, is a 404, as
everywhere else: an HR admin of A who is only a recruiter in B sees of B what a
recruiter may see, nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import quote
from django.db import transaction
from django.db.models import ForeignKey, Model, QuerySet, URLField
from django.db.models.fields.files import FieldFile
from django.db.models.options import Options
from django.forms import ModelChoiceField
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import capfirst

from renown import tenancy
from renown.json_types import JSONObject, JSONValue
from renown.models import AuditEvent, AuditEventType, Organization, Role, audit_jsonable
from renown.trail import audit_record, audit_watch

CHANGE_ROLES = frozenset({Role.HR_ADMIN})
# Every role: what a recruiter also sees in Renown's own pages (candidates, jobs, scores).
ALL_ROLES = frozenset(Role.values)
# HR admins and auditors: configuration, logs and records a recruiter has no need of
# (memberships, tokens, webhook subscriptions, raw snapshots, retention holds, the trail).
OVERSIGHT_ROLES = frozenset({Role.HR_ADMIN, Role.AUDITOR})


# Never recorded in the trail, whatever the admin: a field whose name contains one of these.
SECRET_FIELD_MARKERS = ("secret", "digest", "password", "hash")
REDACTED = "[redacted]"
WITHHELD = "[changed]"

# Where an admin view keeps its audit_watch list and the form being saved (attributes of
# this request only).
_SEEN_ATTR = "_renown_audit_seen"
_SAVING_ATTR = "_renown_audit_saving"
# What save_form leaves there for log_addition/log_change: the form, its changed fields'
# values before, and how many events the services had recorded by then.
_Saving = tuple["forms.ModelForm[Model]", dict[str, object], int]


def _audit_value(value: object) -> JSONValue:
    """A form or model value as audit data: objects by primary key, files by name."""
    if isinstance(value, Model):
        return _audit_value(value.pk)  # a UUID key as the trail stores it
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, Mapping):
        return {str(key): _audit_value(item) for key, item in value.items()}
    if isinstance(value, QuerySet | list | tuple | set | frozenset):
        items = [_audit_value(item) for item in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if value is None or isinstance(value, bool | int | float | str):
        return value
    try:
        jsonable: JSONValue = audit_jsonable(value)  # Decimal, dates, UUIDs
    except (TypeError, ValueError):
        return str(value)
    return jsonable


def admin_organization_ids(
    request: HttpRequest, roles: frozenset[str] | None = None
) -> QuerySet[Organization, int]:
    # The same tenant gate as everywhere else: the user's memberships.
    return tenancy.organization_list_for_user(user=request.user, roles=roles).values_list(
        "pk", flat=True
    )


class OrganizationScopedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Scopes a ModelAdmin to the organisations where the user's role may see its objects.

    ``organization_path`` is the lookup from the model to its Organization
    (``"candidate__organization"``); "" for Organization itself.

    ``view_roles`` are the roles that may view the admin's objects, ``change_roles``
    those that may add, change and delete them (a subset of ``view_roles``); each is
    checked against the user's role in the object's own organisation, never in
    another one. Each admin states its ``view_roles`` and says why in its docstring:
    ``ALL_ROLES`` where a recruiter sees the same data in Renown's pages,
    ``OVERSIGHT_ROLES`` where not.

    Every add, change and delete through the admin is recorded in the audit trail
    exactly once, in the object's organisation's chain: by the domain service the
    admin calls when that service records its own event (rules, memberships,
    evidence verdicts), else here as ``admin.created`` / ``admin.changed`` (the
    changed fields, before and after) / ``admin.deleted``. A bulk delete records one
    event per object. Values of fields named like a secret (``SECRET_FIELD_MARKERS``)
    are ``[redacted]``; ``audit_withheld_fields`` (personal data that would outlive
    an erasure in the append-only trail) are recorded as ``[changed]``. A change
    that changes nothing records nothing.
    """

    organization_path: str = "organization"
    view_roles: frozenset[str] = ALL_ROLES
    change_roles: frozenset[str] = CHANGE_ROLES
    audit_withheld_fields: frozenset[str] = frozenset()
    # The fields whose change the service the admin calls records itself (None: all of
    # them, whenever it records an event); the other changed fields get admin.changed.
    audit_service_fields: frozenset[str] | None = None
    # Django 6 makes https the default scheme for typed URLs; take it now.
    formfield_overrides = {URLField: {"assume_scheme": "https"}}

    def _object_org_id(self, obj: Model) -> int | None:
        if not self.organization_path:
            return int(obj.pk)
        organization = self._path_organization(obj)
        return None if organization is None else int(organization.pk)

    def _path_organization(self, obj: Model) -> Organization | None:
        """The organisation ``organization_path`` leads to from ``obj`` (None on the way)."""
        target: object = obj
        for part in self.organization_path.split("__"):
            target = getattr(target, part, None)
            if target is None:
                return None
        if not isinstance(target, Organization):
            raise TypeError(f"{type(self).__name__}.organization_path leads to no Organization")
        return target

    def _allowed(
        self, request: HttpRequest, obj: Model | None, roles: frozenset[str] | None
    ) -> bool:
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        if user.is_superuser:
            return True
        org_ids = set(admin_organization_ids(request, roles))
        if obj is None:
            return bool(org_ids)
        return self._object_org_id(obj) in org_ids

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:  # each admin's own model
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        # Only the organisations where the user's role may see these objects.
        return queryset.filter(
            **{
                f"{self.organization_path or 'pk'}__in": admin_organization_ids(
                    request, self.view_roles
                )
            }
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request, None, self.view_roles)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request, obj, self.view_roles)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request, None, self.change_roles)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request, obj, self.change_roles)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request, obj, self.change_roles)

    # ForeignKey[Any]: Django offers every foreign key of every model here.
    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any], request: HttpRequest, **kwargs: object
    ) -> ModelChoiceField[Model] | None:
        # Offer, and accept, only objects of organisations the user may change.
        if not request.user.is_superuser:
            org_ids = admin_organization_ids(request, self.change_roles)
            model = db_field.related_model
            if not isinstance(model, type):
                pass  # a recursive "self" relation: no tenant model uses one
            elif model is Organization:
                kwargs["queryset"] = Organization.objects.filter(pk__in=org_ids)
            elif hasattr(model, "organization_id"):
                kwargs["queryset"] = model._default_manager.filter(organization_id__in=org_ids)
            elif hasattr(model, "candidate_id"):
                kwargs["queryset"] = model._default_manager.filter(
                    candidate__organization_id__in=org_ids
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- the audit trail ----------------------------------------------------------

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, object] | None = None,
    ) -> HttpResponse:
        with audit_watch() as seen:
            setattr(request, _SEEN_ATTR, seen)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, object] | None = None
    ) -> HttpResponse:
        with audit_watch() as seen:  # list_editable saves pass log_change too
            setattr(request, _SEEN_ATTR, seen)
            return super().changelist_view(request, extra_context)

    def save_form(self, request: HttpRequest, form: forms.ModelForm[Model], change: bool) -> Model:
        # Before save_model: which events the services it calls record come after here.
        seen: list[AuditEvent] = getattr(request, _SEEN_ATTR, [])
        before = {name: form.initial.get(name) for name in form.changed_data} if change else {}
        saving: _Saving = (form, before, len(seen))
        setattr(request, _SAVING_ATTR, saving)
        saved: Model = super().save_form(request, form, change)
        return saved

    def log_addition(self, request: HttpRequest, obj: Model, message: object) -> LogEntry:
        entry = super().log_addition(request, obj, message)
        self._audit_saved(request, obj, message, added=True)
        return entry

    def log_change(self, request: HttpRequest, obj: Model, message: object) -> LogEntry:
        entry = super().log_change(request, obj, message)
        self._audit_saved(request, obj, message, added=False)
        return entry

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        """Deletes through ``delete_object`` and records it unless that recorded itself."""
        organization = self._audit_organization(obj, deleting=True)
        subject = (obj._meta.label_lower, str(obj.pk))
        with transaction.atomic(), audit_watch() as seen:
            self.delete_object(request, obj)
            if not seen:
                audit_record(
                    organization=organization,
                    actor=request.user,
                    event_type=AuditEventType.ADMIN_DELETED,
                    subject=subject,
                )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Model]) -> None:
        # One by one: one event per object, each through the model's own service.
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

    def delete_object(self, request: HttpRequest, obj: Model) -> None:
        """Extension point: delete through the model's service (default: ``obj.delete()``)."""
        obj.delete()

    def _audit_organization(self, obj: Model, *, deleting: bool = False) -> Organization | None:
        if not self.organization_path:
            # An organisation's own deletion goes to the deployment-wide chain: its own
            # chain would keep it (the trail protects its organisation).
            return None if deleting else obj  # type: ignore[return-value]
        return self._path_organization(obj)

    def _audit_field(self, name: str, value: object) -> JSONValue:
        if any(marker in name for marker in SECRET_FIELD_MARKERS):
            return REDACTED
        if name in self.audit_withheld_fields:
            return WITHHELD
        return _audit_value(value)

    def _audit_saved(
        self, request: HttpRequest, obj: Model, message: object, *, added: bool
    ) -> None:
        saving: _Saving | None = getattr(request, _SAVING_ATTR, None)
        seen: list[AuditEvent] = getattr(request, _SEEN_ATTR, [])
        setattr(request, _SAVING_ATTR, None)
        related = _related_changes(message)
        if saving is None:
            # Logged without a form (custom code calling log_change): recorded all the same,
            # without field values.
            audit_record(
                organization=self._audit_organization(obj),
                actor=request.user,
                event_type=AuditEventType.ADMIN_CREATED if added else AuditEventType.ADMIN_CHANGED,
                subject=obj,
                after={"related": related} if related else None,
            )
            return
        form, before_values, mark = saving
        names = list(form.fields) if added else list(form.changed_data)
        if len(seen) > mark:
            # The service the admin called recorded the change itself; what it does not
            # cover (audit_service_fields) is recorded here.
            if self.audit_service_fields is None:
                return
            names = [name for name in names if name not in self.audit_service_fields]
            if not names and not related:
                return
        elif not added and not message:
            return  # nothing changed (Django logs "No fields changed."): nothing to record
        after: JSONObject = {
            name: self._audit_field(name, form.cleaned_data.get(name))
            for name in names
            if name in form.cleaned_data
        }
        if related:
            after["related"] = related
        audit_record(
            organization=self._audit_organization(obj),
            actor=request.user,
            event_type=AuditEventType.ADMIN_CREATED if added else AuditEventType.ADMIN_CHANGED,
            subject=obj,
            before=None
            if added
            else {
                name: self._audit_field(name, value)
                for name, value in before_values.items()
                if name in names
            },
            after=after,
        )

    def _get_obj_does_not_exist_redirect(
        self, request: HttpRequest, opts: Options[Model], object_id: str
    ) -> HttpResponseRedirect:
        # Django redirects to the index with "doesn't exist"; Renown answers 404 for
        # objects outside the user's organisations, exactly as for missing ones.
        raise Http404("Not found.")


def _related_changes(message: object) -> list[dict[str, str]]:
    """The inline objects added, changed or deleted, by kind only (never their names)."""
    if not isinstance(message, Iterable) or isinstance(message, str):
        return []
    related = []
    for entry in message:
        for action in ("added", "changed", "deleted"):
            detail = entry.get(action) if isinstance(entry, Mapping) else None
            if isinstance(detail, Mapping) and "name" in detail:
                related.append({action: str(detail["name"])})
    return related


# Where save_model leaves a new object's secret for response_add (an attribute of
# this request's object only, never a field that is saved).
_SHOWN_ONCE_ATTR = "_renown_secret_for_page"


class SecretShownOnceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Shows a new secret once, in the body of the page that answers, never in a message.

    Messages travel in Django's signed but readable cookie (or the session), where
    the secret would outlive the page. Extension point for every admin that hands
    out a secret: on creation ``save_model`` calls ``keep_secret_for_page(obj,
    secret)`` and ``response_add`` answers with ``admin/secret_shown.html``; an
    action returns ``self.secrets_shown(request, [(obj, secret), …], title=…)``.
    The admin's views are ``never_cache`` (no-store), so the page is not kept either.

    ``shown_columns`` are the (heading, attribute or method) pairs shown beside
    each secret, the first one linking to the object; callers ``select_related``
    what they name, so the template runs no query. ``shown_usage`` is one
    sentence saying how the receiver uses the secret (may be ``format_html``).
    """

    shown_columns: Sequence[tuple[str, str]] = (("Name", "name"),)
    shown_usage: str = ""

    def keep_secret_for_page(self, obj: Model, secret: str) -> None:
        setattr(obj, _SHOWN_ONCE_ATTR, secret)

    def response_add(
        self, request: HttpRequest, obj: Model, post_url_continue: str | None = None
    ) -> HttpResponse:
        secret: str | None = getattr(obj, _SHOWN_ONCE_ATTR, None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        title = f"{capfirst(self.opts.verbose_name)} created"
        return self.secrets_shown(request, [(obj, secret)], title=title)

    def secrets_shown(
        self,
        request: HttpRequest,
        shown: Sequence[tuple[Model, str]],
        *,
        title: str,
        note: str = "",
    ) -> TemplateResponse:
        """The page listing each (object, secret) once; ``note`` follows the usage sentence."""
        opts = self.opts
        rows = []
        for obj, secret in shown:
            cells = []
            for _heading, name in self.shown_columns:
                value = getattr(obj, name)
                cells.append(value() if callable(value) else value)
            change_url = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)]
            )
            rows.append({"change_url": change_url, "cells": cells, "secret": secret})
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": title,
            "headings": [heading for heading, _name in self.shown_columns],
            "rows": rows,
            "usage": self.shown_usage,
            "note": note,
            "changelist_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        }
        return TemplateResponse(request, "admin/renown/secret_shown.html", context)
