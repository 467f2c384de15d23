"""The organisation a recruiter page works in: the switch, and the context every page shares."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from hiring import selectors as hiring_selectors
from hiring.permissions import (
    AUDIT_REPORT_ROLES,
    REFRESH_ROLES,
    REVIEW_ROLES,
    RULE_ROLES,
)
from renown import tenancy
from renown.csp import renown_csp
from renown.models import Organization, Role
from renown.tenancy import SESSION_ORG_KEY


@renown_csp
@login_required
@require_POST
def organization_switch(request: HttpRequest) -> HttpResponse:
    """Switch the organisation the user works in (only to one they belong to)."""
    organization = (
        tenancy.organization_list_for_user(user=request.user)
        .filter(slug=request.POST.get("organization", ""))
        .first()
    )
    if organization is None:
        raise Http404("No such organisation.")
    request.session[SESSION_ORG_KEY] = organization.pk
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("renown:candidate-list")
    return HttpResponseRedirect(target)


def base_context(
    request: HttpRequest, organization: Organization, *, waiting: bool = False
) -> dict[str, object]:
    """What every recruiter page shows: the organisation, the switch, the links the role allows.

    ``waiting``: also what waits for the user in the organisation (``waiting_for``: rules
    to approve, bias audits due), for the pages people land on; queried only for the
    roles anything waits for.
    """
    active = bool(getattr(request.user, "is_active", False))
    role = tenancy.membership_role(user=request.user, organization=organization) if active else None
    return {
        "organization": organization,
        "organizations": tenancy.organization_list_for_user(user=request.user),
        "role": role,
        "role_label": Role(role).label if role in Role.values else "",
        "can_decide": role in REVIEW_ROLES,
        "can_refresh": role in REFRESH_ROLES,
        "can_audit": role in AUDIT_REPORT_ROLES,
        "waiting": hiring_selectors.waiting_for(user=request.user, organization=organization)
        if waiting and role in RULE_ROLES | AUDIT_REPORT_ROLES
        else None,
        # Links to the rules' admin pages: as the admin decides (ScreeningRuleAdmin), staff
        # with the role that changes rules in this organisation; recruiters never see them.
        "can_change_rules": active
        and bool(getattr(request.user, "is_staff", False))
        and role in RULE_ROLES,
    }
