"""The bias audits: the auditors' live audit page and the public published summaries."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import (
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from hiring import selectors as hiring_selectors
from hiring.fairness import live_bias_audit
from hiring.models import BiasAudit, Screening
from hiring.pages.organization import base_context
from hiring.permissions import (
    AUDIT_REPORT_ROLES,
    has_role,
)
from renown.access import principal_required
from renown.csp import renown_csp
from renown.exceptions import NotPermitted
from renown.models import Organization


@renown_csp
@require_GET
def audit_summary(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The organisation's published bias-audit summaries (6 RCNY 5-303): public, no login.

    Per job, the latest audit the organisation chose to publish: its date, the source
    of the data, the unknowns, counts, selection rates and impact ratios for every
    category (6 RCNY 5-303: none masked, however small), and the tool's distribution
    date. A category the auditor excluded from the impact ratios (5-301(d)) keeps its
    count and rate and is marked with the auditor's justification.
    """
    organization = get_object_or_404(Organization, slug=org_slug)
    latest: dict[int | None, BiasAudit] = {}
    for row in BiasAudit.objects.filter(organization=organization, published=True).order_by(
        "-audited_on", "-recorded_at"
    ):
        latest.setdefault(row.job_id, row)
    summaries = [
        {
            "audit": row,
            "individuals": row.report.get("individuals", 0),
            "unknown": row.report.get("unknown", 0),
            # 6 RCNY 5-303(a)(1): "the number of applicants ..., the selection ... rates
            # ... and the impact ratios for all categories": no category is masked here.
            "tables": live_bias_audit.display_tables(
                None,
                live_bias_audit.published_result(row),
                include_restricted=True,
                justifications={e["category"]: e["reason"] for e in row.exclusions or []},
            ),
        }
        for row in latest.values()
    ]
    return render(
        request,
        "renown/hiring/audit_summary.html",
        {"public_organization": organization, "summaries": summaries},
    )


@renown_csp
@login_required
@require_GET
def bias_audit(request: HttpRequest) -> HttpResponse:
    """Impact ratios of a job's screenings by self-identified category: auditors only."""
    principal = principal_required(request)
    organization = principal.organization
    if not has_role(user=request.user, organization=organization, roles=AUDIT_REPORT_ROLES):
        raise NotPermitted("Only the organisation's auditors read bias audits.")
    jobs = list(
        hiring_selectors.job_list_for(principal)
        .annotate(screened=Exists(Screening.objects.filter(job=OuterRef("pk"))))
        .order_by("title", "id")
    )
    job = None
    if raw := request.GET.get("job", ""):
        job = hiring_selectors.job_for(principal, raw)
    elif jobs:
        # A job nobody was screened for has nothing to audit: open on the first that has
        # screenings (in the list's order), or on the first job while none has.
        job = next((j for j in jobs if j.screened), jobs[0])
    # The same live audit as the admin's job page (hiring.fairness.live_bias_audit): auditors see
    # every count, small categories included.
    audit = live_bias_audit.job_audit(job) if job is not None else None
    return render(
        request,
        "renown/hiring/bias_audit.html",
        {
            **base_context(request, organization),
            "jobs": jobs,
            "job": job,
            "audit": audit,
            "result": audit.result if audit is not None else None,
            "tables": live_bias_audit.display_tables(audit, audit.result, include_restricted=True)
            if audit is not None
            else [],
            "classes": [label for _, label in live_bias_audit.OUTCOME_CLASSES],
        },
    )
