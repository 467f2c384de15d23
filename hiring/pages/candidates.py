"""The candidate pages: the list, its CSV export, the candidate page, evidence and accounts."""

from __future__ import annotations

import csv
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from candidates import services as candidate_services
from candidates.models import Candidate
from candidates.selectors import candidate_for
from hiring import listing, profile
from hiring import selectors as hiring_selectors
from hiring.forms import (
    AccountForm,
    EvidenceForm,
    VerifyForm,
)
from hiring.models import Outcome
from hiring.pages.organization import base_context
from hiring.permissions import (
    EVIDENCE_ROLES,
    require_role,
)
from hiring.portal import disputes
from hiring.portal.links import portal_link_create, portal_links_revoke, portal_url
from hiring.services import evidence as evidence_services
from renown.access import principal_required, signed_in_user
from renown.csp import renown_csp
from renown.exceptions import NotPermitted
from renown.models import Organization

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
            **base_context(request, organization, waiting=True),
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


# What the candidate did through their private link, newest first, on their page.
PORTAL_ACTIONS_SHOWN = 20


def _detail_context(
    request: HttpRequest, organization: Organization, candidate: Candidate
) -> dict[str, object]:
    base = base_context(request, organization)
    return {
        **base,
        **profile.profile_context(candidate, timezone.now()),
        "can_edit": base["role"] in EVIDENCE_ROLES,
        "screenings": candidate.screenings.select_related("job").order_by("job__title"),
        "evidence_form": EvidenceForm(),
        "evidence_add_url": (
            reverse("renown:evidence-create", kwargs={"public_id": candidate.public_id})
            if base["role"] in EVIDENCE_ROLES
            else ""
        ),
        "portal_actions": candidate.portal_actions.all()[:PORTAL_ACTIONS_SHOWN],
        "portal_disputes": candidate.portal_disputes.select_related("fcra_dispute"),
        "portal_links": candidate.portal_links.filter(
            revoked_at__isnull=True, expires_at__gt=timezone.now()
        ),
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
    user = principal.member
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


def _form_problems(form: forms.BaseForm) -> ValidationError:
    return ValidationError(
        {
            (str(form.fields[name].label or name) if name in form.fields else name): errors
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
        user = signed_in_user(request)
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
        user = signed_in_user(request)
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
        user = signed_in_user(request)
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
        user = signed_in_user(request)
        evidence_services.account_decide(account=account, actor=user, verified=verified)
        if verified:
            return f"Account verified as the candidate's: {account}."
        return f"Account rejected: {account} no longer counts toward the scores."

    return _candidate_post(request, public_id, step)


@renown_csp
@login_required
def portal_links(request: HttpRequest, public_id: str) -> HttpResponse:
    """Make the candidate a private link to their own page (shown once), or withdraw them all."""

    def step(candidate: Candidate) -> str:
        user = signed_in_user(request)
        action = request.POST.get("action")
        require_role(
            user=user,
            organization=candidate.organization,
            roles=EVIDENCE_ROLES,
            action="send or withdraw a candidate's private link",
        )
        if action == "revoke":
            revoked = portal_links_revoke(candidate=candidate, actor=user)
            return f"Withdrawn: {revoked} private link{'s' if revoked != 1 else ''}."
        if action != "create":
            raise ValidationError("Choose to create a link or to withdraw them.")
        link, token = portal_link_create(candidate=candidate, actor=user)
        url = portal_url(token, request)
        return (
            f"A private link for {candidate.name}, valid until "
            f"{timezone.localtime(link.expires_at):%Y-%m-%d %H:%M}. Send it to them alone; "
            f"it is shown only now: {url}"
        )

    return _candidate_post(request, public_id, step)


@renown_csp
@login_required
def portal_dispute_answer(request: HttpRequest, public_id: str, dispute_id: int) -> HttpResponse:
    """Answer what the candidate disputed through their link (a review, not an FCRA one)."""

    def step(candidate: Candidate) -> str:
        dispute = candidate.portal_disputes.filter(pk=dispute_id).first()
        if dispute is None:
            raise Http404("No such dispute.")
        disputes.portal_dispute_answer(
            dispute=dispute, actor=signed_in_user(request), answer=request.POST.get("answer", "")
        )
        return f"Answered: the candidate reads it on their page ({dispute.about})."

    return _candidate_post(request, public_id, step)
