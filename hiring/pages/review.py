"""Web views: the recruiter UI (candidates, jobs, the review queue)."""

from __future__ import annotations

import csv
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from candidates import services as candidate_services
from candidates.models import Candidate
from candidates.selectors import candidate_for
from hiring import charts, listing, oversight, services
from hiring import conf as hiring_conf
from hiring import selectors as hiring_selectors
from hiring.fairness import live_bias_audit
from hiring.forms import (
    AccountForm,
    DecisionForm,
    DisputeForm,
    DisputeResolveForm,
    EvidenceForm,
    RefreshForm,
    VerifyForm,
)
from hiring.models import AdverseAction, BiasAudit, Dispute, Job, Outcome, Screening
from hiring.permissions import (
    AUDIT_REPORT_ROLES,
    EVIDENCE_ROLES,
    REFRESH_ROLES,
    REVIEW_ROLES,
    has_role,
)
from hiring.services import evidence as evidence_services
from hiring.services import refresh as refresh_services
from renown import tenancy
from renown.access import principal_required
from renown.csp import renown_csp
from renown.exceptions import ApplicationError, NotPermitted
from renown.models import Organization
from renown.tenancy import SESSION_ORG_KEY
from renown.trail import audit_actor_label
from scoring import conf as scoring_conf
from scoring import selectors as scoring_selectors
from scoring.models import FlagKind, RefreshCycle

logger = logging.getLogger(__name__)


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


PAGE_SIZE = 50


@renown_csp
@login_required
@require_GET
def candidate_list(request: HttpRequest) -> HttpResponse:
    """The organisation's candidates: search, filter by job, outcome and flags, sort by any score."""
    principal = principal_required(request)
    organization = principal.organization
    query, problems = listing.list_query_parse(
        params=request.GET, user=request.user, organization=organization
    )
    pages = listing.candidate_pages(user=request.user, organization=organization, query=query)
    page = Paginator(pages, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "renown/hiring/candidate_list.html",
        {
            **_base_context(request, organization),
            "page": page,
            "rows": listing.candidate_rows(
                candidates=list(page), job=query.job, scorer=query.scorer
            ),
            "query": query,
            "problems": problems,
            "jobs": hiring_selectors.job_list_for(principal).order_by("title", "id"),
            "outcomes": Outcome.choices,
            "flag_filters": listing.FLAG_FILTERS,
            "sorts": listing.SORTS,
            "sort_label": dict(listing.SCORE_COLUMNS).get(query.scorer, ""),
            "querystring": params.urlencode(),
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@renown_csp
@login_required
@require_GET
@never_cache
def candidate_list_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The current filtered list as CSV (same filters and order), formula cells defused."""
    principal = principal_required(request)
    organization = principal.organization
    query, _ = listing.list_query_parse(
        params=request.GET, user=request.user, organization=organization
    )
    pages = listing.candidate_pages(user=request.user, organization=organization, query=query)
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(line) for line in listing.candidate_csv_lines(pages=pages, job=query.job)),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="candidates-{stamp}.csv"'
    return response


TRAJECTORY_DAYS = 180
# Normalised (0-100) readings further apart than this are called a disagreement.
DISAGREEMENT_POINTS = Decimal(25)


def _trajectory(candidate: Candidate, now: datetime) -> dict[str, Any]:
    trend = scoring_selectors.score_trend(candidate_id=candidate.pk, now=now, days=TRAJECTORY_DAYS)
    flags = list(scoring_selectors.flag_list(candidate_id=candidate.pk))
    chart = None
    if trend is not None:
        chart = charts.trajectory_chart(
            [(p.at, p.value) for p in trend.points],
            start=now - timedelta(days=TRAJECTORY_DAYS),
            end=now,
            scale=(0.0, 100.0),
            median=trend.trend.median,
            episodes=[charts.EpisodeSpan(e.kind, e.start, e.end) for e in trend.episodes],
            flags=[(f.observed_on, f.get_kind_display()) for f in flags],
        )
    return {
        "trend": trend,
        "chart": chart,
        "flags": flags,
        "disagreement_flags": [f for f in flags if f.kind == FlagKind.DISAGREEMENT],
        "trajectory_days": TRAJECTORY_DAYS,
    }


def _disagreement(
    influence: Any, vendors: list[scoring_selectors.VendorComparison]
) -> tuple[Decimal, str, str] | None:
    readings = [(f"{v.vendor}", v.normalised) for v in vendors if v.normalised is not None]
    if influence is not None:
        readings.append(("Renown influence", influence.value))
    if len(readings) < 2:
        return None
    low = min(readings, key=lambda r: r[1])
    high = max(readings, key=lambda r: r[1])
    spread = Decimal(high[1]) - Decimal(low[1])
    return (spread, low[0], high[0]) if spread > DISAGREEMENT_POINTS else None


def _detail_context(
    request: HttpRequest, organization: Organization, candidate: Candidate
) -> dict[str, Any]:
    now = timezone.now()
    latest = scoring_selectors.score_latest_for_candidate(candidate_id=candidate.pk)
    vendors = scoring_selectors.vendor_comparison(candidate_id=candidate.pk)
    influence = latest.get("influence")
    base = _base_context(request, organization)
    return {
        **base,
        "candidate": candidate,
        "can_edit": base["role"] in EVIDENCE_ROLES,
        "account_metrics": scoring_selectors.account_metrics(candidate_id=candidate.pk, now=now),
        "evidence": candidate.evidence.select_related("verified_by"),
        "notices": candidate.notices.all(),
        "influence": influence,
        "reputation": latest.get("reputation"),
        "vendors": vendors,
        "disagreement": _disagreement(influence, vendors),
        "snapshot_max_age_days": scoring_conf.get("RENOWN_SNAPSHOT_MAX_AGE_DAYS"),
        **_trajectory(candidate, now),
        "screenings": candidate.screenings.select_related("job").order_by("job__title"),
        "evidence_form": EvidenceForm(),
        "account_form": AccountForm(),
    }


@renown_csp
@login_required
@require_GET
def candidate_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """One candidate: scores explained, 180-day trajectory, accounts, evidence, notices, flags.

    Every view is recorded (who, when) for the organisation's auditors.
    """
    principal = principal_required(request)
    organization = principal.organization
    candidate = candidate_for(principal, public_id)
    user: Any = request.user
    candidate_services.candidate_view_record(candidate=candidate, viewer=user)
    return render(
        request,
        "renown/hiring/candidate_detail.html",
        _detail_context(request, organization, candidate),
    )


def _candidate_post(
    request: HttpRequest, public_id: str, step: Callable[[Candidate], str]
) -> HttpResponse:
    """Run one change to a candidate from a POST, after the tenant gate; back to their page."""
    principal = principal_required(request)
    candidate = candidate_for(principal, public_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        done = step(candidate)
    except NotPermitted:
        raise
    except ValidationError as exc:
        problems = (
            [f"{name}: {' '.join(errors)}" for name, errors in exc.message_dict.items()]
            if hasattr(exc, "error_dict")
            else exc.messages
        )
        messages.error(request, "Not saved. " + " ".join(problems))
    else:
        messages.success(request, done)
    return HttpResponseRedirect(
        reverse("renown:candidate-detail", kwargs={"public_id": candidate.public_id})
    )


def _form_problems(form: Any) -> ValidationError:
    return ValidationError(
        {
            (form.fields[name].label if name in form.fields else name): errors
            for name, errors in form.errors.items()
        }
    )


@renown_csp
@login_required
def evidence_create(request: HttpRequest, public_id: str) -> HttpResponse:
    """Add offline evidence (unverified) to the candidate."""

    def step(candidate: Candidate) -> str:
        form = EvidenceForm(request.POST)
        if not form.is_valid():
            raise _form_problems(form)
        user: Any = request.user
        evidence_services.evidence_record_by_recruiter(
            candidate=candidate, actor=user, **form.cleaned_data
        )
        return "Evidence added. It counts once someone verifies it."

    return _candidate_post(request, public_id, step)


@renown_csp
@login_required
def evidence_verify(request: HttpRequest, public_id: str, evidence_id: int) -> HttpResponse:
    """Verify or reject one piece of the candidate's evidence."""

    def step(candidate: Candidate) -> str:
        evidence = candidate.evidence.filter(pk=evidence_id).first()
        if evidence is None:
            raise Http404("No such evidence.")
        form = VerifyForm(request.POST)
        if not form.is_valid():
            raise ValidationError("Choose verify or reject.")
        verified = form.cleaned_data["decision"] == "verify"
        user: Any = request.user
        evidence_services.evidence_decide(evidence=evidence, actor=user, verified=verified)
        return f"Evidence {'verified' if verified else 'rejected'}: “{evidence.title}”."

    return _candidate_post(request, public_id, step)


@renown_csp
@login_required
def account_create(request: HttpRequest, public_id: str) -> HttpResponse:
    """Attach an account the recruiter matched to the candidate."""

    def step(candidate: Candidate) -> str:
        form = AccountForm(request.POST)
        if not form.is_valid():
            raise _form_problems(form)
        user: Any = request.user
        account = evidence_services.account_match_by_recruiter(
            candidate=candidate,
            actor=user,
            network=form.cleaned_data["network"],
            handle=form.cleaned_data["handle"],
        )
        return f"Account added: {account}. It is fetched at the next refresh."

    return _candidate_post(request, public_id, step)


@renown_csp
@login_required
def account_verify(request: HttpRequest, public_id: str, account_id: int) -> HttpResponse:
    """Verify one of the candidate's accounts as theirs, or reject it."""

    def step(candidate: Candidate) -> str:
        account = candidate.accounts.filter(pk=account_id).first()
        if account is None:
            raise Http404("No such account.")
        form = VerifyForm(request.POST)
        if not form.is_valid():
            raise ValidationError("Choose verify or reject.")
        verified = form.cleaned_data["decision"] == "verify"
        user: Any = request.user
        evidence_services.account_decide(account=account, actor=user, verified=verified)
        if verified:
            return f"Account verified as the candidate's: {account}."
        return f"Account rejected: {account} no longer counts toward the scores."

    return _candidate_post(request, public_id, step)


# --- jobs and the review queue --------------------------------------------------------

REVIEW_TOKEN_SALT = "renown.review-started"  # noqa: S105 - a signing salt, not a secret


def _base_context(request: HttpRequest, organization: Organization) -> dict[str, Any]:
    """What every recruiter page shows: the organisation, the switch, the links the role allows."""
    active = bool(getattr(request.user, "is_active", False))
    role = tenancy.membership_role(user=request.user, organization=organization) if active else None
    return {
        "organization": organization,
        "organizations": tenancy.organization_list_for_user(user=request.user),
        "role": role,
        "can_decide": role in REVIEW_ROLES,
        "can_refresh": role in REFRESH_ROLES,
        "can_audit": role in AUDIT_REPORT_ROLES,
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


@renown_csp
@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    """The organisation's jobs, with how many candidates wait for a person."""
    principal = principal_required(request)
    organization = principal.organization
    jobs = list(hiring_selectors.job_list(user=request.user, organization=organization))
    by_outcome = hiring_selectors.screening_outcome_counts(jobs=jobs)
    for job in jobs:
        job.awaiting_review = hiring_selectors.review_queue(job=job).count()  # type: ignore[attr-defined]
        job.outcomes = [  # type: ignore[attr-defined]
            (value, label, by_outcome.get((job.pk, value), 0)) for value, label in Outcome.choices
        ]
    return render(
        request,
        "renown/hiring/job_list.html",
        {**_base_context(request, organization), "jobs": jobs, "outcomes": Outcome.choices},
    )


@renown_csp
@login_required
@require_GET
def review_queue(request: HttpRequest, job_id: int) -> HttpResponse:
    """A job's candidates waiting for a decision, and how meaningful the reviews have been."""
    principal = principal_required(request)
    organization = principal.organization
    job = hiring_selectors.job_for(principal, job_id)
    queue = hiring_selectors.review_queue(job=job)
    page = Paginator(queue, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "renown/hiring/review_queue.html",
        {
            **_base_context(request, organization),
            "job": job,
            "page": page,
            "live_rules": hiring_selectors.rule_list_active(job=job),
            "open_adverse_actions": hiring_selectors.adverse_action_open_list(job=job),
            "stats": _review_stats(organization, job),
        },
    )


def _review_objects(
    request: HttpRequest, job_id: int, public_id: str
) -> tuple[Organization, Job, Candidate, Screening]:
    # The tenant gates: the organisation, the job in it, the candidate in it.
    principal = principal_required(request)
    organization = principal.organization
    job = hiring_selectors.job_for(principal, job_id)
    candidate = candidate_for(principal, public_id)
    return (
        organization,
        job,
        candidate,
        hiring_selectors.screening_get(job=job, candidate=candidate),
    )


def _review_url(job: Job, candidate: Candidate) -> str:
    return reverse(
        "renown:candidate-review", kwargs={"job_id": job.pk, "public_id": candidate.public_id}
    )


@renown_csp
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
        if s.warning and s.reviewer == audit_actor_label(request.user)
    ]
    now = timezone.now()
    return render(
        request,
        "renown/hiring/candidate_review.html",
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


@renown_csp
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


@renown_csp
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


@renown_csp
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


@renown_csp
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


@renown_csp
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


@renown_csp
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
            "tables": live_bias_audit.display_tables(
                None, live_bias_audit.published_result(row), include_restricted=False
            ),
        }
        for row in latest.values()
    ]
    return render(
        request,
        "renown/hiring/audit_summary.html",
        {"public_organization": organization, "summaries": summaries},
    )


# --- bulk refresh -------------------------------------------------------------------


def _refresh_cycle(request: HttpRequest, organization: Organization, cycle_id: int) -> RefreshCycle:
    # The tenant gate for cycles: the organisation's own, seen by a member allowed to refresh.
    if not has_role(user=request.user, organization=organization, roles=REFRESH_ROLES):
        raise NotPermitted("Only recruiters and HR admins follow refreshes.")
    cycle = RefreshCycle.objects.filter(pk=cycle_id, organization=organization).first()
    if cycle is None:
        raise Http404("No such refresh.")
    return cycle


def _progress_body(progress: scoring_selectors.RefreshProgress) -> dict[str, Any]:
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
            user: Any = request.user
            cycle = refresh_services.refresh_start_for(
                organization=organization, actor=user, job=job
            )
            messages.success(request, f"Refresh started: {cycle.total} account(s) to fetch.")
            return HttpResponseRedirect(
                reverse("renown:refresh-progress", kwargs={"cycle_id": cycle.pk})
            )
    elif request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    cycles = scoring_selectors.refresh_cycle_list_with_progress(
        RefreshCycle.objects.filter(organization=organization).order_by("-started_at")[:10]
    )
    return render(
        request,
        "renown/hiring/refresh.html",
        {**_base_context(request, organization), "form": form, "cycles": cycles},
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
            **_base_context(request, organization),
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


# --- bias audit (auditors) ------------------------------------------------------------


@renown_csp
@login_required
@require_GET
def bias_audit(request: HttpRequest) -> HttpResponse:
    """Impact ratios of a job's screenings by self-identified category: auditors only."""
    principal = principal_required(request)
    organization = principal.organization
    if not has_role(user=request.user, organization=organization, roles=AUDIT_REPORT_ROLES):
        raise NotPermitted("Only the organisation's auditors read bias audits.")
    jobs = list(hiring_selectors.job_list_for(principal).order_by("title", "id"))
    job = None
    if raw := request.GET.get("job", ""):
        job = hiring_selectors.job_for(principal, raw)
    elif jobs:
        job = jobs[0]
    # The same live audit as the admin's job page (hiring.fairness.live_bias_audit): auditors see
    # every count, small categories included.
    audit = live_bias_audit.job_audit(job) if job is not None else None
    return render(
        request,
        "renown/hiring/bias_audit.html",
        {
            **_base_context(request, organization),
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
