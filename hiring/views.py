"""Web views: the health check and the recruiter UI (candidates, jobs, the review queue)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.models import Q
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from candidates import selectors
from candidates.models import Candidate, Organization
from hiring import conf as hiring_conf
from hiring import live_audit, oversight, services
from hiring import selectors as hiring_selectors
from hiring.exceptions import ApplicationError, NotPermitted
from hiring.forms import DecisionForm, DisputeForm, DisputeResolveForm
from hiring.models import AdverseAction, BiasAudit, Dispute, Job, Screening
from hiring.permissions import REVIEW_ROLES, has_role
from scoring import selectors as scoring_selectors

logger = logging.getLogger(__name__)


SESSION_ORG_KEY = "renown_organization_id"


def current_organization(request: HttpRequest) -> Organization:
    """The organisation the user is working in: the one chosen, else their first.

    Http404 for a user with no membership: there is nothing for them to see.
    """
    organizations = selectors.organization_list_for_user(user=request.user)
    chosen = request.session.get(SESSION_ORG_KEY)
    organization = (
        organizations.filter(pk=chosen).first() if chosen is not None else None
    ) or organizations.first()
    if organization is None:
        raise Http404("You are not a member of any organisation.")
    return organization


@login_required
@require_POST
def organization_switch(request: HttpRequest) -> HttpResponse:
    """Switch the organisation the user works in (only to one they belong to)."""
    organization = (
        selectors.organization_list_for_user(user=request.user)
        .filter(slug=request.POST.get("organization", ""))
        .first()
    )
    if organization is None:
        raise Http404("No such organisation.")
    request.session[SESSION_ORG_KEY] = organization.pk
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("candidate-list")
    return HttpResponseRedirect(target)


@login_required
@require_GET
def candidate_list(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request)
    candidates = selectors.candidate_list(user=request.user, organization=organization)
    query = request.GET.get("q", "").strip()
    if query:
        candidates = candidates.filter(Q(name__icontains=query) | Q(email__icontains=query))
    page = Paginator(candidates.order_by("name", "id"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "hiring/candidate_list.html",
        {
            "organization": organization,
            "organizations": selectors.organization_list_for_user(user=request.user),
            "page": page,
            "query": query,
        },
    )


@login_required
@require_GET
def candidate_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    organization = current_organization(request)
    candidate = selectors.candidate_get(
        user=request.user, organization=organization, public_id=public_id
    )
    latest = scoring_selectors.score_latest_for_candidate(candidate_id=candidate.pk)
    return render(
        request,
        "hiring/candidate_detail.html",
        {
            "organization": organization,
            "organizations": selectors.organization_list_for_user(user=request.user),
            "candidate": candidate,
            "accounts": candidate.accounts.all(),
            "evidence": candidate.evidence.all(),
            "notices": candidate.notices.all(),
            "influence": latest.get("influence"),
            "reputation": latest.get("reputation"),
            "vendor_scores": [
                s for name, s in sorted(latest.items()) if name.startswith("vendor.")
            ],
            "trend": scoring_selectors.score_trend(candidate_id=candidate.pk, now=timezone.now()),
            "flags": scoring_selectors.flag_list(candidate_id=candidate.pk),
            "screenings": candidate.screenings.select_related("job").order_by("job__title"),
        },
    )


def _broker_state() -> str:
    if not settings.CELERY_BROKER_URL:
        return "embedded"
    from hiring.celery import app

    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:  # kombu raises many transport-specific errors; any means down
        logger.warning("healthz: broker unreachable", exc_info=True)
        return "down"
    return "ok"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with the state of the database and broker; 503 when the database is down.

    A broker outage alone keeps 200: the web app still serves, and the body says so.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except DatabaseError:
        logger.exception("healthz: database unreachable")
        database = "down"
    body = {"database": database, "broker": _broker_state()}
    return JsonResponse(body, status=200 if database == "ok" else 503)


# --- jobs and the review queue --------------------------------------------------------

REVIEW_TOKEN_SALT = "renown.review-started"  # noqa: S105 - a signing salt, not a secret


def _base_context(request: HttpRequest, organization: Organization) -> dict[str, Any]:
    return {
        "organization": organization,
        "organizations": selectors.organization_list_for_user(user=request.user),
        "can_decide": has_role(user=request.user, organization=organization, roles=REVIEW_ROLES),
    }


def _review_stats(organization: Organization, job: Job | None) -> list[oversight.ReviewStats]:
    window = timedelta(days=hiring_conf.get("RENOWN_AUTOMATION_BIAS_WINDOW_DAYS"))
    facts = [
        oversight.DecisionFact(reviewer, job_id, follows, seconds)
        for reviewer, job_id, follows, seconds in hiring_selectors.decision_facts(
            organization=organization, since=timezone.now() - window, job=job
        )
    ]
    limits = oversight.Thresholds(
        min_decisions=hiring_conf.get("RENOWN_AUTOMATION_BIAS_MIN_DECISIONS"),
        agreement=hiring_conf.get("RENOWN_AUTOMATION_BIAS_AGREEMENT"),
        median_seconds=hiring_conf.get("RENOWN_AUTOMATION_BIAS_MEDIAN_SECONDS"),
    )
    return oversight.review_stats(facts, limits=limits)


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    """The organisation's jobs, with how many candidates wait for a person."""
    organization = current_organization(request)
    jobs = list(hiring_selectors.job_list(user=request.user, organization=organization))
    for job in jobs:
        job.awaiting_review = hiring_selectors.review_queue(job=job).count()  # type: ignore[attr-defined]
    return render(
        request, "hiring/job_list.html", {**_base_context(request, organization), "jobs": jobs}
    )


@login_required
@require_GET
def review_queue(request: HttpRequest, job_id: int) -> HttpResponse:
    """A job's candidates waiting for a decision, and how meaningful the reviews have been."""
    organization = current_organization(request)
    job = hiring_selectors.job_get(user=request.user, organization=organization, job_id=job_id)
    queue = hiring_selectors.review_queue(job=job)
    page = Paginator(queue, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "hiring/review_queue.html",
        {
            **_base_context(request, organization),
            "job": job,
            "page": page,
            "live_rules": hiring_selectors.rule_list_active(job=job),
            "open_adverse_actions": AdverseAction.objects.filter(
                job=job, status__in=["pending", "pre_adverse_sent", "disputed"]
            ).select_related("candidate"),
            "stats": _review_stats(organization, job),
        },
    )


def _review_objects(
    request: HttpRequest, job_id: int, public_id: str
) -> tuple[Organization, Job, Candidate, Screening]:
    # The tenant gates: the organisation, the job in it, the candidate in it.
    organization = current_organization(request)
    job = hiring_selectors.job_get(user=request.user, organization=organization, job_id=job_id)
    candidate = selectors.candidate_get(
        user=request.user, organization=organization, public_id=public_id
    )
    return (
        organization,
        job,
        candidate,
        hiring_selectors.screening_get(job=job, candidate=candidate),
    )


def _review_url(job: Job, candidate: Candidate) -> str:
    return reverse("candidate-review", kwargs={"job_id": job.pk, "public_id": candidate.public_id})


@login_required
@require_GET
def candidate_review(request: HttpRequest, job_id: int, public_id: str) -> HttpResponse:
    """One candidate's screening for a job: the evidence, the decisions, the adverse-action steps."""
    organization, job, candidate, screening = _review_objects(request, job_id, public_id)
    adverse_action = hiring_selectors.adverse_action_current(job=job, candidate=candidate)
    open_dispute = (
        adverse_action.disputes.filter(status=Dispute.Status.OPEN).first()
        if adverse_action
        else None
    )
    token = signing.dumps(
        {"s": screening.pk, "u": request.user.pk, "t": timezone.now().isoformat()},
        salt=REVIEW_TOKEN_SALT,
    )
    own_stats = [
        s
        for s in _review_stats(organization, job)
        if s.warning and s.reviewer == services.audit_actor_label(request.user)
    ]
    now = timezone.now()
    return render(
        request,
        "hiring/candidate_review.html",
        {
            **_base_context(request, organization),
            "job": job,
            "candidate": candidate,
            "screening": screening,
            "reasons": hiring_selectors.screening_reasons_with_rules(screening=screening),
            "current": hiring_selectors.screening_is_current(screening=screening),
            "decisions": hiring_selectors.decision_list(screening=screening),
            "adverse_action": adverse_action,
            "notices": adverse_action.notices.all() if adverse_action else [],
            "disputes": adverse_action.disputes.all() if adverse_action else [],
            "open_dispute": open_dispute,
            "waiting_over": bool(
                adverse_action
                and adverse_action.waiting_until
                and now >= adverse_action.waiting_until
            ),
            "decision_form": DecisionForm(initial={"review_token": token}),
            "dispute_form": DisputeForm(),
            "resolve_form": DisputeResolveForm(),
            "own_warnings": own_stats,
            "fcra": services.fcra_applies(candidate),
        },
    )


def _review_started_at(request: HttpRequest, token: str, screening: Screening) -> datetime | None:
    try:
        data = signing.loads(token, salt=REVIEW_TOKEN_SALT, max_age=timedelta(hours=8))
    except signing.BadSignature:
        return None
    if data.get("s") != screening.pk or data.get("u") != request.user.pk:
        return None
    return datetime.fromisoformat(data["t"])


def _post_step(
    request: HttpRequest,
    job_id: int,
    public_id: str,
    step: Callable[[Job, Candidate, Screening], str],
) -> HttpResponse:
    """Run one review step from a POST, after the tenant gates; back to the review page."""
    _, job, candidate, screening = _review_objects(request, job_id, public_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        done = step(job, candidate, screening)
    except NotPermitted:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return HttpResponseRedirect(_review_url(job, candidate))


def _open_adverse_action(job: Job, candidate: Candidate) -> AdverseAction:
    adverse_action = hiring_selectors.adverse_action_current(job=job, candidate=candidate)
    if adverse_action is None:
        raise ApplicationError("There is no rejection under way for this candidate.")
    return adverse_action


@login_required
def decision_create(request: HttpRequest, job_id: int, public_id: str) -> HttpResponse:
    """Record a decision (advance / reject / hold) with its reason."""

    def step(job: Job, candidate: Candidate, screening: Screening) -> str:
        form = DecisionForm(request.POST)
        if not form.is_valid():
            raise ValidationError("Choose a decision and give a reason.")
        user: Any = request.user
        decision = services.decision_record(
            screening=screening,
            reviewer=user,
            kind=form.cleaned_data["kind"],
            reason=form.cleaned_data["reason"],
            review_started_at=_review_started_at(
                request, form.cleaned_data["review_token"], screening
            ),
        )
        if hasattr(decision, "adverse_action"):
            return "Rejection recorded. Next: send the pre-adverse notice (FCRA)."
        return f"Decision recorded: {decision.get_kind_display().lower()}."

    return _post_step(request, job_id, public_id, step)


@login_required
def pre_adverse_notice_send(request: HttpRequest, job_id: int, public_id: str) -> HttpResponse:
    """Send the pre-adverse notice with the copy of the data and the Summary of Rights."""

    def step(job: Job, candidate: Candidate, screening: Screening) -> str:
        user: Any = request.user
        services.adverse_action_send_pre_adverse(
            adverse_action=_open_adverse_action(job, candidate), actor=user
        )
        return "Pre-adverse notice sent. The waiting period has started."

    return _post_step(request, job_id, public_id, step)


@login_required
def dispute_create(request: HttpRequest, job_id: int, public_id: str) -> HttpResponse:
    """Record the candidate's dispute: the data are re-fetched, re-scored and re-screened."""

    def step(job: Job, candidate: Candidate, screening: Screening) -> str:
        form = DisputeForm(request.POST)
        if not form.is_valid():
            raise ValidationError("Write down what the candidate disputes.")
        user: Any = request.user
        dispute = services.dispute_open(
            adverse_action=_open_adverse_action(job, candidate),
            actor=user,
            statement=form.cleaned_data["statement"],
        )
        return (
            "Dispute recorded; the reinvestigation has started. Resolve it by "
            f"{timezone.localtime(dispute.due_at):%Y-%m-%d}."
        )

    return _post_step(request, job_id, public_id, step)


@login_required
def dispute_resolve(request: HttpRequest, job_id: int, public_id: str) -> HttpResponse:
    """Resolve the open dispute (confirmed or corrected) and tell the candidate."""

    def step(job: Job, candidate: Candidate, screening: Screening) -> str:
        form = DisputeResolveForm(request.POST)
        if not form.is_valid():
            raise ValidationError("Choose the result and say what the reinvestigation found.")
        dispute = (
            _open_adverse_action(job, candidate).disputes.filter(status=Dispute.Status.OPEN).first()
        )
        if dispute is None:
            raise ApplicationError("No dispute is open.")
        user: Any = request.user
        services.dispute_resolve(
            dispute=dispute,
            actor=user,
            resolution=form.cleaned_data["resolution"],
            note=form.cleaned_data["note"],
        )
        return "Dispute resolved; the candidate has been told the result."

    return _post_step(request, job_id, public_id, step)


@login_required
def final_notice_send(request: HttpRequest, job_id: int, public_id: str) -> HttpResponse:
    """Send the final adverse-action notice once the waiting period is over."""

    def step(job: Job, candidate: Candidate, screening: Screening) -> str:
        user: Any = request.user
        services.adverse_action_send_final(
            adverse_action=_open_adverse_action(job, candidate), actor=user
        )
        return "Final adverse-action notice sent."

    return _post_step(request, job_id, public_id, step)


@require_GET
def audit_summary(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The organisation's published bias-audit summaries (6 RCNY 5-303): public, no login.

    Per job, the latest audit the organisation chose to publish: its date, the source
    of the data, the unknowns, counts, selection rates and impact ratios for every
    category, and the tool's distribution date. Categories of fewer than 5 people read
    "fewer than 5" (no counts or rates): a public page must not single anyone out.
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
            "tables": live_audit.display_tables(
                None, live_audit.published_result(row), include_restricted=False
            ),
        }
        for row in latest.values()
    ]
    return render(
        request,
        "hiring/audit_summary.html",
        {"public_organization": organization, "summaries": summaries},
    )
