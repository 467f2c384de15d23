"""Jobs and the review queue: decisions, disputes and the adverse-action notices."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_GET, require_POST

from candidates.models import Candidate
from candidates.selectors import candidate_for
from hiring import conf as hiring_conf
from hiring import oversight, services
from hiring import selectors as hiring_selectors
from hiring.forms import (
    DecisionForm,
    DisputeForm,
    DisputeResolveForm,
    QueueBulkForm,
)
from hiring.models import (
    AdverseAction,
    DecisionKind,
    Dispute,
    Job,
    Outcome,
    Screening,
    ScreeningRule,
    Suggestion,
)
from hiring.pages.organization import base_context
from hiring.permissions import REVIEW_ROLES, has_role
from hiring.screening.reasons import ScreeningReason
from renown.access import principal_required, signed_in_user
from renown.csp import renown_csp
from renown.exceptions import ApplicationError, NotPermitted
from renown.models import Organization
from renown.trail import audit_actor_label

REVIEW_TOKEN_SALT = "renown.review-started"  # noqa: S105 - a signing salt, not a secret


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
        {
            **base_context(request, organization, waiting=True),
            "jobs": jobs,
            "outcomes": Outcome.choices,
        },
    )


@dataclass(frozen=True)
class QueueRow:
    """One screening as the queue shows it: the state, the value against the line, why."""

    screening: Screening
    state: str
    measure: str  # "vendor:klout 33.00 (line ≥ 35.00)", or "no value"
    why: str  # the reason in a few words
    assignee: str  # "" when nobody has it

    @property
    def last_decision(self) -> str:
        """The latest decision in words ("On hold", "Rejection withdrawn"), "" for none."""
        kind = getattr(self.screening, "latest_decision_kind", None)
        if kind == DecisionKind.HOLD:
            return "On hold"
        if kind == DecisionKind.REJECT:
            return "Rejection withdrawn"  # the only rejection still in the queue
        return "" if kind is None else DecisionKind(kind).label


def _why(reason: ScreeningReason, screening: Screening) -> str:
    outcome = reason.get("outcome")
    if outcome == Outcome.NEAR_THRESHOLD:
        return f"within the near band (±{reason.get('band') or '0'}): noise decides"
    if outcome == Outcome.INSUFFICIENT_DATA:
        if reason.get("data_at"):
            return f"data too old or outside the window (newest {str(reason['data_at'])[:10]})"
        return "no data"
    if outcome == Outcome.FLAGGED:
        return "flagged: look at the evidence"
    if outcome == Outcome.BELOW:
        if screening.suggestion == Suggestion.REJECT:
            return "below a screen-out rule: Renown suggests a rejection"
        return "below a review rule"
    return str(reason.get("reason", ""))[:80]


def _person(user: AbstractBaseUser) -> str:
    full = getattr(user, "get_full_name", lambda: "")()
    return str(full or user.get_username())


def queue_rows(screenings: list[Screening]) -> list[QueueRow]:
    """The page's rows: each screening's deciding reason (the first whose outcome is the
    screening's) against its rule's line. One query for the rules of the whole page."""
    reasons: list[list[ScreeningReason]] = [s.reasons for s in screenings]
    rule_ids = {int(r.get("rule", 0)) for rs in reasons for r in rs}
    rules = ScreeningRule.objects.in_bulk(rule_ids)
    rows = []
    for screening, found in zip(screenings, reasons, strict=True):
        deciding = next((r for r in found if r.get("outcome") == screening.outcome), None)
        rule = rules.get(int(deciding.get("rule", 0))) if deciding else None
        if deciding is None or rule is None:
            measure, why = "—", ""
        else:
            value = deciding.get("value")
            line = f"line {rule.get_operator_display()} {rule.threshold}"
            measure = (
                f"{rule.metric} {value} ({line})" if value is not None else f"no value ({line})"
            )
            why = _why(deciding, screening)
        assignment = getattr(screening, "assignment", None)
        rows.append(
            QueueRow(
                screening=screening,
                state=screening.get_outcome_display(),
                measure=measure,
                why=why,
                assignee=_person(assignment.assignee) if assignment else "",
            )
        )
    return rows


class _CountedPaginator(Paginator):  # type: ignore[type-arg]
    """A paginator told the count (the queue's counts per state hold it)."""

    def __init__(self, object_list: QuerySet[Screening, int], per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._count = count

    @cached_property
    def count(self) -> int:
        return self._count


def _queue_page(
    request: HttpRequest, job: Job, form: QueueBulkForm | None = None, status: int = 200
) -> HttpResponse:
    principal = principal_required(request)
    organization = principal.organization
    filters = hiring_selectors.QueueFilters.from_query(request.GET)
    queue = hiring_selectors.review_queue_filtered(job=job, filters=filters, user=request.user)
    counts = hiring_selectors.review_queue_counts(job=job, filters=filters, user=request.user)
    # The counts per state already say how many match: no second count of the queue.
    matching = counts.get(filters.state, 0) if filters.state else sum(counts.values())
    # The page's ids in the queue's order (a narrow sort), then those rows in full.
    ids = queue.prefetch_related(None).values_list("pk", flat=True)
    page = _CountedPaginator(ids, 50, count=matching).get_page(request.GET.get("page"))
    shown = {s.pk: s for s in queue.order_by().filter(pk__in=list(page.object_list))}
    screenings = [shown[pk] for pk in page.object_list if pk in shown]
    states = [  # in the queue's order
        (state.value, state.label, counts.get(state.value, 0))
        for state in (
            Outcome.NEAR_THRESHOLD,
            Outcome.INSUFFICIENT_DATA,
            Outcome.FLAGGED,
            Outcome.BELOW,
        )
    ]
    selected: set[int] = set()
    if form is not None and form.is_bound:
        selected = set(form.cleaned_data.get("screening", []))
    return render(
        request,
        "renown/hiring/review_queue.html",
        {
            **base_context(request, organization),
            "job": job,
            "page": page,
            "rows": queue_rows(screenings),
            "filters": filters,
            "query": filters.query(),
            "states": states,
            "all_states": sum(counts.values()),
            "why_choices": list(hiring_selectors.QUEUE_WHY.items()),
            "form": form or QueueBulkForm(),
            "selected": selected,
            "may_decide": has_role(
                user=request.user, organization=organization, roles=REVIEW_ROLES
            ),
            "live_rules": hiring_selectors.rule_list_active(job=job),
            "open_adverse_actions": hiring_selectors.adverse_action_open_list(job=job),
            "stats": _review_stats(organization, job),
        },
        status=status,
    )


@renown_csp
@login_required
@require_GET
def review_queue(request: HttpRequest, job_id: int) -> HttpResponse:
    """A job's candidates waiting for a decision, what needs a person most first, with
    filters, counts per state and the multi-select; how meaningful the reviews have been."""
    principal = principal_required(request)
    return _queue_page(request, hiring_selectors.job_for(principal, job_id))


@renown_csp
@login_required
@require_POST
def review_queue_bulk(request: HttpRequest, job_id: int) -> HttpResponse:
    """Advance or hold the selected with one reason, or assign them: back to the queue
    with its filters; on an error, the queue again with the selection and the reason."""
    principal = principal_required(request)
    job = hiring_selectors.job_for(principal, job_id)
    form = QueueBulkForm(request.POST)
    user = signed_in_user(request)
    if form.is_valid():
        ids = form.cleaned_data["screening"]
        action = form.cleaned_data["action"]
        try:
            if action in ("advance", "hold"):
                done = services.decision_bulk_record(
                    job=job, screening_ids=ids, reviewer=user, kind=action,
                    reason=form.cleaned_data["reason"],
                )  # fmt: skip
                verb = "advanced" if action == "advance" else "held"
                messages.success(
                    request,
                    f"{len(done)} candidate{'s' if len(done) != 1 else ''} {verb}, each "
                    "decision recorded under your name with your reason.",
                )
            else:
                changed = services.review_assign(
                    job=job, screening_ids=ids, actor=user,
                    assignee=user if action == "assign" else None,
                )  # fmt: skip
                messages.success(
                    request,
                    f"{changed} assigned to you." if action == "assign" else f"{changed} released.",
                )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            url = reverse("renown:review-queue", args=[job.pk])
            query = hiring_selectors.QueueFilters.from_query(request.GET).query()
            return HttpResponseRedirect(f"{url}?{query}" if query else url)
    return _queue_page(request, job, form, status=400)


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
    filters = hiring_selectors.QueueFilters.from_query(request.GET)
    previous, following, place, waiting = hiring_selectors.review_queue_neighbours(
        job=job, filters=filters, user=request.user, screening=screening
    )
    return render(
        request,
        "renown/hiring/candidate_review.html",
        {
            "queue_query": filters.query(),
            "queue_previous": previous,
            "queue_next": following,
            "queue_place": place,
            "queue_waiting": waiting,
            **base_context(request, organization),
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
            "outside_form": DecisionForm(
                auto_id="outside_%s", initial={"review_token": token, "outside_renown": True}
            ),
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
    # Back to the candidate, in the queue as it was filtered (its "next" still works).
    query = hiring_selectors.QueueFilters.from_query(request.GET).query()
    url = _review_url(job, candidate)
    return HttpResponseRedirect(f"{url}?{query}" if query else url)


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
            if form.has_error("reason") and request.POST.get("outside_renown"):
                raise ValidationError(
                    "Say why you reject outside Renown: it is part of the record."
                )
            raise ValidationError("Choose a decision and give a reason.")
        user = signed_in_user(request)
        decision = services.decision_record(
            screening=screening,
            reviewer=user,
            kind=form.cleaned_data["kind"],
            reason=form.cleaned_data["reason"],
            review_started_at=_review_started_at(
                request, form.cleaned_data["review_token"], screening
            ),
            outside_renown=form.cleaned_data["outside_renown"],
            attested=form.cleaned_data["attested"],
        )
        if decision.outside_renown:
            return "Rejection outside Renown recorded with your attestation: no FCRA steps follow."
        if hasattr(decision, "adverse_action"):
            return "Rejection recorded. Next: send the pre-adverse notice (FCRA)."
        return f"Decision recorded: {decision.get_kind_display().lower()}."

    return _post_step(request, job_id, public_id, step)


@renown_csp
@login_required
def pre_adverse_notice_send(request: HttpRequest, job_id: int, public_id: str) -> HttpResponse:
    """Send the pre-adverse notice with the copy of the data and the Summary of Rights."""

    def step(job: Job, candidate: Candidate, screening: Screening) -> str:
        user = signed_in_user(request)
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
        user = signed_in_user(request)
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
        user = signed_in_user(request)
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
        user = signed_in_user(request)
        services.adverse_action_send_final(
            adverse_action=_open_adverse_action(job, candidate), actor=user
        )
        return "Final adverse-action notice sent."

    return _post_step(request, job_id, public_id, step)
