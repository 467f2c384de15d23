"""Reads for the hiring domain: rules, jobs, applications, the review queue and the gate's
getters (everything a caller reaches of an organisation goes through ``*_for``).

The metric histories a screening reads over scoring's tables are in
``hiring.screening.metrics``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, TypedDict
from urllib.parse import urlencode

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    IntegerField,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.http import Http404
from django.utils import timezone

from candidates.models import Candidate, SocialAccount
from candidates.selectors import UserLike, without_erased
from hiring.jurisdictions import is_nyc
from hiring.ll144 import AuditState, ll144_audit_state, one_year_after
from hiring.models import (
    AdverseAction,
    AdverseActionStatus,
    Application,
    BiasAudit,
    Decision,
    DecisionKind,
    Job,
    Outcome,
    ReviewAssignment,
    RuleAction,
    RuleStatus,
    Screening,
    ScreeningRule,
    Suggestion,
)
from hiring.permissions import AUDIT_REPORT_ROLES, RULE_ROLES
from hiring.screening.metrics import metric_source
from renown.access import Principal, scoped
from renown.json_types import JSONMapping, JSONObject
from renown.models import AuditEvent, AuditEventType, Organization
from renown.tenancy import organization_list_for_user
from scoring.models import Score, VendorScore

if TYPE_CHECKING:  # the run reads the population from here
    from hiring.screening.run import ScreeningSnapshot

# --- rules and jobs -------------------------------------------------------------------


def rule_list_active(*, job: Job) -> QuerySet[ScreeningRule]:
    """The job's live rule versions with their groups, in a stable order."""
    return ScreeningRule.objects.filter(job=job, active=True).select_related("group").order_by("id")


def rule_versions(*, rule: ScreeningRule) -> QuerySet[ScreeningRule]:
    """Every version of the rule, newest first."""
    return (
        ScreeningRule.objects.filter(lineage=rule.lineage)
        .select_related("created_by", "approved_by", "group")
        .order_by("-version")
    )


def _acknowledgements() -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        event_type=AuditEventType.WARNING_ACKNOWLEDGED,
        subject_type=ScreeningRule._meta.label_lower,
    )


def rule_acknowledgements(*, rule: ScreeningRule) -> QuerySet[AuditEvent]:
    """The acknowledgements in words of this version's serious warnings, oldest first
    (audit events; ``after["warnings"]`` lists the warnings each one answers)."""
    return _acknowledgements().filter(subject_id=str(rule.pk)).order_by("sequence", "id")


def rule_latest_version(*, rule: ScreeningRule) -> ScreeningRule:
    """The newest version of the rule's lineage."""
    latest = rule_versions(rule=rule).first()
    assert latest is not None  # noqa: S101 - the rule itself is one
    return latest


# --- what waits for whom ------------------------------------------------------------


@dataclass(frozen=True)
class AuditDue:
    """A job whose live rules are used in New York City without a bias audit within the
    year (``state``: ``hiring.ll144.ll144_audit_state``'s missing, expired or expiring)."""

    job: Job
    state: AuditState
    audited_on: date | None
    lapses_on: date | None


@dataclass(frozen=True)
class Waiting:
    """What waits for one person: screen-out drafts to approve, bias audits due."""

    rules: list[ScreeningRule]
    audits: list[AuditDue]

    def __bool__(self) -> bool:
        return bool(self.rules or self.audits)


def waiting_for(
    *, user: UserLike, organization: Organization | None = None, today: date | None = None
) -> Waiting:
    """What waits for the user, in ``organization`` or in every organisation they belong to.

    - ``rules``: for an HR admin, the screen-out drafts (``needs_second_approval``) that a
      second HR admin must approve and that the user did not write (``rule_approve``
      refuses the author), oldest first; each annotated ``acknowledged``: whether its
      serious warnings were acknowledged in words yet (if not, the approver's
      statement does it).
    - ``audits``: for an auditor, the jobs with live rules in New York City whose latest
      recorded bias audit is missing, over a year old or lapsing soon on ``today``
      (``hiring.ll144.ll144_audit_state``, the rule of the fairness warnings).

    Two queries, one per list, whatever the roles (and the auth groups' one, once per
    user object, where ``RENOWN_ROLE_GROUPS`` is set).
    """

    def jobs_where(roles: frozenset[str]) -> QuerySet[Job]:
        jobs = Job.objects.filter(
            organization__in=organization_list_for_user(user=user, roles=roles)
        )
        return jobs if organization is None else jobs.filter(organization=organization)

    today = today or timezone.localdate()
    # Screen-out: the one action a second HR admin approves (ScreeningRule.needs_second_approval).
    rules = (
        ScreeningRule.objects.filter(
            status=RuleStatus.DRAFT, action=RuleAction.SCREEN_OUT, job__in=jobs_where(RULE_ROLES)
        )
        .exclude(created_by_id=user.pk)
        .annotate(
            acknowledged=Exists(
                _acknowledgements().filter(subject_id=Cast(OuterRef("pk"), CharField()))
            )
        )
        .select_related("job__organization", "created_by")
        .order_by("created_at", "id")
    )
    # The latest recorded audit as hiring.fairness.preview.latest_bias_audit orders them.
    latest = BiasAudit.objects.filter(job=OuterRef("pk")).order_by("-audited_on", "-recorded_at")
    jobs = (
        jobs_where(AUDIT_REPORT_ROLES)
        .filter(Exists(ScreeningRule.objects.filter(job=OuterRef("pk"), active=True)))
        .annotate(last_audit_on=Subquery(latest.values("audited_on")[:1]))
        .select_related("organization")
        .order_by("title", "id")
    )
    audits = []
    for job in jobs:
        if not any(is_nyc(code) for code in job.jurisdictions):
            continue
        audited_on: date | None = job.last_audit_on
        state = ll144_audit_state(audited_on, today)
        if state != "current":
            lapses_on = one_year_after(audited_on) if audited_on is not None else None
            audits.append(AuditDue(job, state, audited_on, lapses_on))
    return Waiting(rules=list(rules), audits=audits)


class PopulationRow(TypedDict):
    candidate_id: int


def application_population(
    *, job: Job, candidate_ids: Iterable[int] | None = None
) -> QuerySet[Application, PopulationRow]:
    """The candidate ids a job's screening covers (only ``candidate_ids`` among them if given).

    Erased candidates are left out: their applications and screenings are records
    under a retention hold (hiring.privacy.services.candidate_erase), never screened again.
    """
    # NOT IN over the few erased candidates (a partial index finds them), not a join with
    # every candidate: the join costs a large screening run a third of its time.
    applications = without_erased(Application.objects.filter(job=job))
    if candidate_ids is not None:
        applications = applications.filter(candidate_id__in=list(candidate_ids))
    return applications.order_by().values("candidate_id")


def candidate_job_jurisdictions(candidate_ids: Iterable[int]) -> dict[int, set[str]]:
    """The jurisdictions of the jobs each candidate is being considered or screened for.

    Scoring's fetch gate calls this (through RENOWN_CANDIDATE_JOB_JURISDICTIONS) so
    that a New York City job asks for the Local Law 144 notice.
    """
    ids = list(candidate_ids)
    found: dict[int, set[str]] = {}
    for model in (Application, Screening):
        rows = model.objects.filter(candidate_id__in=ids).values_list(
            "candidate_id", "job__jurisdictions"
        )
        for candidate_id, jurisdictions in rows:
            found.setdefault(candidate_id, set()).update(jurisdictions or [])
    return found


def _count(queryset: QuerySet[Model]) -> Subquery:
    return Subquery(
        queryset.order_by().values("job_id").annotate(n=Count("pk")).values("n")[:1],
        output_field=IntegerField(),
    )


# --- the gate's getters: everything a caller reaches of an organisation -----------------


def job_list_for(principal: Principal) -> QuerySet[Job]:
    """The principal's organisation's jobs."""
    return scoped(Job.objects.all(), principal)


def job_for(principal: Principal, job_id: int | str) -> Job:
    """One job of the principal's organisation; Http404 otherwise."""
    try:
        pk = int(job_id)
    except (TypeError, ValueError):
        raise Http404("No such job.") from None
    job = job_list_for(principal).filter(pk=pk).select_related("organization").first()
    if job is None:
        raise Http404("No such job.")
    return job


def application_list_for(principal: Principal, *, job: Job | None = None) -> QuerySet[Application]:
    """The organisation's applications (of ``job`` if given), never an erased candidate's."""
    applications = scoped(Application.objects.all(), principal, "job__organization")
    if job is not None:
        applications = applications.filter(job=job)
    return without_erased(applications).select_related("candidate")


def screening_list_for(principal: Principal) -> QuerySet[Screening]:
    """The organisation's screenings, never an erased candidate's.

    An erased candidate's screenings are kept (EU AI Act Art. 26(6)) under a retention
    hold, for the auditor in the admin; no list or getter shows them.
    """
    screenings = scoped(Screening.objects.all(), principal, "job__organization")
    return without_erased(screenings).select_related("candidate")


def screening_for(principal: Principal, screening_id: int | str) -> Screening:
    """One screening of the organisation (not an erased candidate's); Http404 otherwise."""
    try:
        pk = int(screening_id)
    except (TypeError, ValueError):
        raise Http404("No such screening.") from None
    screening = (
        screening_list_for(principal)
        .filter(pk=pk)
        .select_related("job__organization", "candidate")
        .first()
    )
    if screening is None:
        raise Http404("No such screening.")
    return screening


def decision_list_for(
    principal: Principal, *, screening: Screening | None = None
) -> QuerySet[Decision]:
    """The organisation's decisions (on ``screening`` if given), never an erased candidate's."""
    decisions = scoped(Decision.objects.all(), principal, "job__organization")
    if screening is not None:
        decisions = decisions.filter(screening=screening)
    return without_erased(decisions).select_related("candidate")


def rule_list_for(principal: Principal, *, job: Job | None = None) -> QuerySet[ScreeningRule]:
    """The organisation's screening rules (of ``job`` if given), every version."""
    rules = scoped(ScreeningRule.objects.all(), principal, "job__organization")
    return rules.filter(job=job) if job is not None else rules


def job_list(*, user: UserLike, organization: Organization) -> QuerySet[Job]:
    """The organisation's jobs with counts for the recruiter's job list, if the user is a member.

    Each count is its own subquery: joining applications, rules and adverse actions
    at once would multiply them.
    """
    if not organization_list_for_user(user=user).filter(pk=organization.pk).exists():
        return Job.objects.none()
    job = OuterRef("pk")
    return (
        Job.objects.filter(organization=organization)
        .annotate(
            applicants=Coalesce(_count(without_erased(Application.objects.filter(job=job))), 0),
            live_rules=Coalesce(_count(ScreeningRule.objects.filter(job=job, active=True)), 0),
            open_adverse_actions=Coalesce(
                _count(
                    AdverseAction.objects.filter(job=job, status__in=AdverseActionStatus.open())
                ),
                0,
            ),
        )
        .order_by("title", "id")
    )


def screening_outcome_counts(*, jobs: Collection[Job]) -> dict[tuple[int, str], int]:
    """{(job id, outcome): candidates} for the jobs' current screenings (one query)."""
    rows = (
        without_erased(Screening.objects.filter(job__in=list(jobs)))
        .values_list("job_id", "outcome")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(job_id, outcome): n for job_id, outcome, n in rows}


def job_get(*, user: UserLike, organization: Organization, job_id: int) -> Job:
    """One job of the organisation; Http404 if the user may not see it."""
    job = (
        Job.objects.filter(
            pk=job_id,
            organization=organization,
            organization__in=organization_list_for_user(user=user),
        )
        .select_related("organization")
        .first()
    )
    if job is None:
        raise Http404("No such job.")
    return job


# --- review -----------------------------------------------------------------------------


def _latest_decision(field: str) -> Subquery:
    return Subquery(
        Decision.objects.filter(screening=OuterRef("pk"))
        .order_by("-decided_at", "-id")
        .values(field)[:1]
    )


def screening_list_with_decisions(*, job: Job) -> QuerySet[Screening]:
    """The job's screenings, each annotated with its latest decision's kind and id."""
    return Screening.objects.filter(job=job).annotate(
        latest_decision_kind=_latest_decision("kind"),
        latest_decision_id=_latest_decision("id"),
        open_adverse_action=Exists(
            AdverseAction.objects.filter(
                candidate_id=OuterRef("candidate_id"),
                job_id=OuterRef("job_id"),
                status__in=AdverseActionStatus.open(),
            )
        ),
    )


# The queue's order: what needs a person most first (issue 19). A value within the band
# is a coin toss, missing or stale data a gap to fill, a flag a question, a below of a
# review rule a judgement; a suggested rejection (below a screen-out rule) comes last.
QUEUE_PRIORITY = Case(
    When(outcome=Outcome.NEAR_THRESHOLD, then=Value(0)),
    When(outcome=Outcome.INSUFFICIENT_DATA, then=Value(1)),
    When(outcome=Outcome.FLAGGED, then=Value(2)),
    When(outcome=Outcome.BELOW, suggestion=Suggestion.REVIEW, then=Value(3)),
    default=Value(4),
    output_field=IntegerField(),
)
QUEUE_ORDER = ("priority", "evaluated_at", "id")

# Why a screening waits (the queue's "reason" filter): {value: words}.
QUEUE_WHY = {
    "reject": "Renown suggests a rejection",
    "review": "Renown asks for a review",
    "hold": "On hold",
    "withdrawn": "Rejection withdrawn",
}


def _latest_decisions(job: Job) -> QuerySet[Decision]:
    """Each screening's latest decision (the job's decisions that no later one follows)."""
    later = Decision.objects.filter(screening_id=OuterRef("screening_id")).filter(
        Q(decided_at__gt=OuterRef("decided_at"))
        | Q(decided_at=OuterRef("decided_at"), id__gt=OuterRef("id"))
    )
    return Decision.objects.filter(job=job).filter(~Exists(later))


def _withdrawn() -> Exists:
    return Exists(
        AdverseAction.objects.filter(
            decision_id=OuterRef("id"), status=AdverseActionStatus.WITHDRAWN
        )
    )


def review_queue(*, job: Job) -> QuerySet[Screening]:
    """Screenings waiting for a person: the machine suggests review or a rejection, and
    nobody decided yet (or the last decision was a hold, or a rejection later withdrawn).

    What needs a person most comes first (``QUEUE_PRIORITY``: near the line, missing or
    stale data, flagged, below a review rule, the rest), then the oldest screening.
    Each row carries its candidate, its assignment (``ReviewAssignment``) and its latest
    decision's kind and id.

    Those a decision closed (advanced; rejected, not withdrawn) are one set the database
    reads once (it grows with the decisions, not with the queue): 10,000 waiting rows
    are filtered without a lookup each.
    """
    closed = _latest_decisions(job).filter(
        Q(kind=DecisionKind.ADVANCE) | (Q(kind=DecisionKind.REJECT) & ~_withdrawn())
    )
    # An erased candidate's screening is a record under a retention hold, not work.
    return (
        without_erased(screening_list_with_decisions(job=job))
        .filter(suggestion__in=[Suggestion.REVIEW, Suggestion.REJECT])
        .exclude(pk__in=closed.values("screening_id"))
        .annotate(priority=QUEUE_PRIORITY)
        .select_related("candidate")
        # The assignment is read for the rows shown only (a join here would be made for
        # every waiting row before the sort: at 10,000 rows the planner loops on it).
        .prefetch_related(
            Prefetch("assignment", queryset=ReviewAssignment.objects.select_related("assignee"))
        )
        .order_by(*QUEUE_ORDER)
    )


@dataclass(frozen=True)
class QueueFilters:
    """The review queue's filters, as the page's query string carries them."""

    state: str = ""  # an Outcome value
    why: str = ""  # a QUEUE_WHY key
    assigned: str = ""  # "me", "none" or "" (everyone's)

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> QueueFilters:
        """The filters in ``query``; an unknown value is no filter (a stale bookmark)."""
        state = query.get("state", "")
        why = query.get("why", "")
        assigned = query.get("assigned", "")
        return cls(
            state=state if state in Outcome.values else "",
            why=why if why in QUEUE_WHY else "",
            assigned=assigned if assigned in ("me", "none") else "",
        )

    def query(self, **changes: str) -> str:
        """The query string of these filters (with ``changes``), "" for none."""
        values = {"state": self.state, "why": self.why, "assigned": self.assigned, **changes}
        return urlencode({k: v for k, v in values.items() if v})

    def apply(
        self, queue: QuerySet[Screening], *, job: Job, user: UserLike, state: bool = True
    ) -> QuerySet[Screening]:
        if state and self.state:
            queue = queue.filter(outcome=self.state)
        undecided = ~Exists(Decision.objects.filter(screening_id=OuterRef("pk")))
        if self.why == "reject":
            queue = queue.filter(undecided, suggestion=Suggestion.REJECT)
        elif self.why == "review":
            queue = queue.filter(undecided, suggestion=Suggestion.REVIEW)
        elif self.why in ("hold", "withdrawn"):
            # The queue holds no other latest decisions: a hold, or a withdrawn rejection.
            kind = DecisionKind.HOLD if self.why == "hold" else DecisionKind.REJECT
            latest = _latest_decisions(job).filter(kind=kind)
            queue = queue.filter(pk__in=latest.values("screening_id"))
        assigned = ReviewAssignment.objects.filter(screening_id=OuterRef("pk"))
        if self.assigned == "me":
            queue = queue.filter(Exists(assigned.filter(assignee_id=user.pk)))
        elif self.assigned == "none":
            queue = queue.filter(~Exists(assigned))
        return queue


def review_queue_filtered(
    *, job: Job, filters: QueueFilters, user: UserLike
) -> QuerySet[Screening]:
    return filters.apply(review_queue(job=job), job=job, user=user)


def review_queue_counts(*, job: Job, filters: QueueFilters, user: UserLike) -> dict[str, int]:
    """How many wait in each state (outcome), under the other filters: one query."""
    queue = filters.apply(review_queue(job=job), job=job, user=user, state=False)
    rows = queue.order_by().values("outcome").annotate(n=Count("id")).values_list("outcome", "n")
    return dict(rows)


def review_queue_neighbours(
    *, job: Job, filters: QueueFilters, user: UserLike, screening: Screening
) -> tuple[Screening | None, Screening | None, int | None, int]:
    """The screenings before and after ``screening`` in the filtered queue, its place
    (1-based; None when it no longer waits there, e.g. just decided) and the queue's
    length. Neighbours are found by the queue's order, so "next" after a decision is the
    one that followed it. A constant six queries."""
    priority, evaluated_at, pk = (
        Screening.objects.filter(pk=screening.pk)
        .annotate(priority=QUEUE_PRIORITY)
        .values_list(*QUEUE_ORDER)
        .get()
    )
    queue = review_queue_filtered(job=job, filters=filters, user=user)
    after = (
        Q(priority__gt=priority)
        | Q(priority=priority, evaluated_at__gt=evaluated_at)
        | Q(priority=priority, evaluated_at=evaluated_at, pk__gt=pk)
    )
    previous = queue.exclude(after).exclude(pk=pk).reverse().first()
    following = queue.filter(after).first()
    place = queue.exclude(after).count() if queue.filter(pk=pk).exists() else None
    return previous, following, place, queue.count()


def screening_get(*, job: Job, candidate: Candidate) -> Screening:
    """The candidate's screening for the job (both already through the tenant gate)."""
    screening = Screening.objects.filter(job=job, candidate=candidate).select_related("run").first()
    if screening is None:
        raise Http404("This candidate has not been screened for this job.")
    return screening


def _rule_id(reason: JSONMapping) -> int:
    """The id of the rule a screening's reason names (0: none)."""
    rule = reason.get("rule", 0)
    if not isinstance(rule, int | float | str):
        raise TypeError(f"a reason names its rule by id, not {rule!r}")  # as int() would
    return int(rule)


def screening_reasons_with_rules(
    *, screening: Screening
) -> list[tuple[JSONMapping, ScreeningRule | None]]:
    """Each reason of the screening beside the rule version it names (one query)."""
    reasons: list[JSONMapping] = screening.reasons  # read as they are: one may name no rule
    rules = ScreeningRule.objects.select_related("group").in_bulk(
        [_rule_id(reason) for reason in reasons if "rule" in reason]
    )
    return [(reason, rules.get(_rule_id(reason))) for reason in reasons]


def screening_is_current(*, screening: Screening) -> bool:
    """Whether the screening used exactly the rule versions live now."""
    live = ScreeningRule.objects.filter(job_id=screening.job_id, active=True)
    live_ids = {str(pk) for pk in live.values_list("pk", flat=True)}
    return bool(live_ids) and live_ids == set(screening.rule_versions)


def decision_list(*, screening: Screening) -> QuerySet[Decision]:
    """The screening's decisions, newest first, with any adverse action."""
    return screening.decisions.select_related("adverse_action").order_by("-decided_at", "-id")


def adverse_action_open_list(*, job: Job) -> QuerySet[AdverseAction]:
    """The job's open adverse actions (the job already through the gate), never an
    erased candidate's: those are records under a retention hold."""
    actions = AdverseAction.objects.filter(job=job, status__in=AdverseActionStatus.open())
    return without_erased(actions).select_related("candidate")


def adverse_action_current(*, job: Job, candidate: Candidate) -> AdverseAction | None:
    """The candidate's newest adverse action for the job (open or not), with notices."""
    return (
        AdverseAction.objects.filter(job=job, candidate=candidate)
        .select_related("decision")
        .prefetch_related("notices", "disputes")
        .order_by("-created_at", "-id")
        .first()
    )


def decision_facts(
    *, organization: Organization, since: datetime, job: Job | None = None
) -> list[tuple[str, int, bool | None, float | None]]:
    """(reviewer, job id, follows_machine, seconds) of the organisation's recent decisions."""
    decisions = Decision.objects.filter(job__organization=organization, decided_at__gte=since)
    if job is not None:
        decisions = decisions.filter(job=job)
    return list(
        decisions.values_list("reviewer_label", "job_id", "follows_machine", "review_seconds")
    )


# --- the copy of the data (consumer report) ------------------------------------------


class ConsumerReport(TypedDict):
    """The copy of the data a decision used (``AdverseAction.report``, the notices)."""

    screened_at: str | None
    outcome: str
    rules: list[dict[str, object]]  # each reason of the screening, its rule named
    scores: list[JSONObject]
    vendor_scores: list[dict[str, str]]
    accounts: list[dict[str, str]]


def consumer_report(*, decision: Decision) -> ConsumerReport:
    """What Renown held and used about the candidate for this decision, in plain data.

    The copy of the report that goes with the pre-adverse notice
    (15 U.S.C. 1681b(b)(3)(A)(i)): each rule with the value used and why, the
    scores behind them with what each input contributed, the vendor scores, and
    the accounts the data came from.
    """
    snapshot: ScreeningSnapshot = decision.screening_snapshot
    rule_ids = [int(r) for r in snapshot.get("rule_versions", {})]
    rules = {r.pk: r for r in ScreeningRule.objects.filter(pk__in=rule_ids)}
    candidate_id = decision.candidate_id
    scorers = sorted({r.metric for r in rules.values() if metric_source(r.metric).kind == "scorer"})
    scores: list[JSONObject] = []
    for scorer in scorers:
        score = (
            Score.objects.filter(candidate_id=candidate_id, scorer=scorer)
            .order_by("-as_of", "-id")
            .first()
        )
        if score is not None:
            scores.append(
                {
                    "scorer": score.scorer,
                    "version": score.scorer_version,
                    "value": str(score.value),
                    "scale": f"{score.scale_min}-{score.scale_max}",
                    "as_of": score.as_of.isoformat(),
                    "components": score.components,
                }
            )
    return {
        "screened_at": snapshot.get("evaluated_at"),
        "outcome": decision.machine_outcome,
        "rules": [
            {
                **reason,
                "rule": str(rules[int(reason["rule"])]) if int(reason["rule"]) in rules else "",
            }
            for reason in snapshot.get("reasons", [])
        ],
        "scores": scores,
        "vendor_scores": [
            {
                "vendor": v.vendor_name or v.vendor,
                "value": str(v.value),
                "scale": f"{v.scale_min}-{v.scale_max}",
                "as_of": v.as_of.isoformat(),
            }
            for v in VendorScore.objects.filter(candidate_id=candidate_id).order_by(
                "vendor", "-as_of"
            )
        ],
        "accounts": [
            {"network": a.network, "handle": a.handle, "verification": a.verification}
            for a in SocialAccount.objects.filter(candidate_id=candidate_id).order_by(
                "network", "handle"
            )
        ],
    }
