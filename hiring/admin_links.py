"""A "Renown profile" field for the host's own ModelAdmin of its candidate model.

``renown.admin`` sits in the base layer and may not read candidates, so the helper lives
here, in the top app. The host adds the mixin to its own admin::

    from hiring.admin_links import RenownProfileLinkMixin

    @admin.register(Applicant)
    class ApplicantAdmin(RenownProfileLinkMixin, admin.ModelAdmin):
        ...

and the change page gains a read-only "Renown profile" field: a link to the candidate's
Renown page for a member of the candidate's organisation, "Not linked" otherwise (the
same gate as the page and the card, so another organisation's candidate is never named).
"""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from hiring.templatetags.renown import candidate_for_host_object

FIELD = "renown_profile"
ATTRIBUTE = "_renown_profile_url"  # set on the host object for its change page


class RenownProfileLinkMixin:
    """ModelAdmin mixin: a read-only "Renown profile" field on the change page.

    If the host's admin lists ``fields`` or ``fieldsets`` itself, it names
    ``"renown_profile"`` there too (Django shows only the fields it is told of).
    """

    def get_readonly_fields(
        self, request: HttpRequest, obj: models.Model | None = None
    ) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        # A readonly callable gets only the object, but the link needs the user (the tenant
        # gate). The ModelAdmin is shared between threads, the object is this request's
        # own (the change view renders the same instance), so the answer is kept on it,
        # once however often Django asks for the fields.
        if obj is not None and not hasattr(obj, ATTRIBUTE):
            setattr(obj, ATTRIBUTE, _profile_url(request, obj))
        return fields if FIELD in fields else (*fields, FIELD)

    @admin.display(description="Renown profile")
    def renown_profile(self, obj: models.Model | None) -> str | SafeString:
        url = getattr(obj, ATTRIBUTE, None)
        if not url:
            return "Not linked"
        return format_html('<a href="{}">Open in Renown</a>', url)


def _profile_url(request: HttpRequest, obj: models.Model) -> str | None:
    if obj.pk is None:
        return None
    candidate = candidate_for_host_object(request.user, obj)
    if candidate is None:
        return None
    return reverse("renown:candidate-detail", args=[candidate.public_id])
