"""Bulk refresh: start one, follow its progress (page and JSON)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hiring import selectors as hiring_selectors
from hiring.forms import (
    RefreshForm,
)
from hiring.pages.organization import base_context
from hiring.permissions import (
    REFRESH_ROLES,
    has_role,
)
from hiring.services import refresh as refresh_services
from renown.access import principal_required
from renown.csp import renown_csp
from renown.exceptions import NotPermitted
from renown.models import Organization
from scoring import selectors as scoring_selectors
from scoring.models import RefreshCycle


def _refresh_cycle(request: HttpRequest, organization: Organization, cycle_id: int) -> RefreshCycle:
    # The tenant gate for cycles: the organisation's own, seen by a member allowed to refresh.
    if not has_role(user=request.user, organization=organization, roles=REFRESH_ROLES):
        raise NotPermitted("Only recruiters and HR admins follow refreshes.")
    cycle = RefreshCycle.objects.filter(pk=cycle_id, organization=organization).first()
    if cycle is None:
        raise Http404("No such refresh.")
    return cycle


def _progress_body(progress: scoring_selectors.RefreshProgress) -> dict[str, object]:
    settled = progress.done + progress.failed
    percent = 100 if progress.total == 0 else min(100, round(100 * settled / progress.total))
    finished = progress.status != RefreshCycle.Status.RUNNING
    return {
        "cycle": progress.cycle,
        "status": progress.status,
        "total": progress.total,
        "done": progress.done,
        "failed": progress.failed,
        "skipped": progress.skipped,
        "remaining": progress.remaining,
        "percent": 100 if finished and progress.status == RefreshCycle.Status.FINISHED else percent,
        "finished": finished,
    }


@renown_csp
@login_required
def refresh(request: HttpRequest) -> HttpResponse:
    """Start a refresh of the organisation (or of one job's candidates); list recent ones."""
    principal = principal_required(request)
    organization = principal.organization
    if not has_role(user=request.user, organization=organization, roles=REFRESH_ROLES):
        raise NotPermitted("Only recruiters and HR admins can refresh scores.")
    jobs = list(
        hiring_selectors.job_list_for(principal).order_by("title").values_list("pk", "title")
    )
    form = RefreshForm(request.POST or None, jobs=jobs)
    if request.method == "POST":
        if form.is_valid():
            job_id = form.cleaned_data["job"]
            job = hiring_selectors.job_for(principal, job_id) if job_id else None
            user = principal.member
            cycle = refresh_services.refresh_start_for(
                organization=organization, actor=user, job=job
            )
            messages.success(request, f"Refresh started: {cycle.total} account(s) to fetch.")
            return HttpResponseRedirect(
                reverse("renown:refresh-progress", kwargs={"cycle_id": cycle.pk})
            )
    elif request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    cycles = scoring_selectors.refresh_cycle_recent_with_progress(organization=organization)
    return render(
        request,
        "renown/hiring/refresh.html",
        {**base_context(request, organization), "form": form, "cycles": cycles},
    )


@renown_csp
@login_required
@require_GET
@never_cache
def refresh_progress(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """A refresh's progress bar; reloads itself while running (works without JavaScript)."""
    principal = principal_required(request)
    organization = principal.organization
    cycle = _refresh_cycle(request, organization, cycle_id)
    body = _progress_body(scoring_selectors.refresh_progress(cycle=cycle))
    return render(
        request,
        "renown/hiring/refresh_progress.html",
        {
            **base_context(request, organization),
            "cycle": cycle,
            "progress": body,
            "failures": scoring_selectors.refresh_failures(cycle=cycle)[:50],
        },
    )


@renown_csp
@login_required
@require_GET
@never_cache
def refresh_progress_json(request: HttpRequest, cycle_id: int) -> JsonResponse:
    """The progress of a refresh as JSON, for the page's script to poll."""
    principal = principal_required(request)
    organization = principal.organization
    cycle = _refresh_cycle(request, organization, cycle_id)
    return JsonResponse(_progress_body(scoring_selectors.refresh_progress(cycle=cycle)))
