"""The candidate's pages: no login, the private link is the key (``links.portal_open``).

Every answer is private and never cached, tells the browser to send a ``Referer`` only
to this site (the link is a secret, and the page links out to evidence; "no-referrer"
would make Chromium send ``Origin: null`` with the page's own forms, which CSRF refuses)
and search engines to keep out. Requests are counted per client address (``RENOWN_PORTAL_RATE``, in the default
cache, as the API's are): past the rate a 429, whatever the link.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
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
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from rest_framework.throttling import SimpleRateThrottle

from hiring import conf, profile
from hiring.forms import EvidenceForm
from hiring.portal import proofs, selectors, services
from hiring.portal.confirmations import (
    USED,
    confirmation_open,
    confirmation_request,
    confirmation_run,
    masked_email,
    withdrawable,
)
from hiring.portal.disputes import STATEMENT_MAX, dispute_subjects, portal_dispute_open
from hiring.portal.links import EXPIRED, REVOKED, LinkRefused, PortalVisit, portal_open
from hiring.portal.models import ConfirmationKind, PortalActionKind
from hiring.privacy.services import candidate_export, erasure_holds
from renown.csp import renown_csp

PortalView = Callable[[HttpRequest, str], HttpResponse]


class PortalThrottle(SimpleRateThrottle):
    """``RENOWN_PORTAL_RATE`` requests per client address to the portal's pages."""

    scope = "renown-portal"

    def get_rate(self) -> str:
        return conf.get("RENOWN_PORTAL_RATE")

    def get_cache_key(self, request: HttpRequest, view: object) -> str:
        # The address the web server saw, as the login throttle counts it.
        address = str(request.META.get("REMOTE_ADDR", ""))
        return self.cache_format % {"scope": self.scope, "ident": address}


def _private(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _refused(request: HttpRequest, reason: str) -> HttpResponse:
    status = 410 if reason in (EXPIRED, REVOKED, USED) else 404
    return render(request, "renown/hiring/portal/refused.html", {"reason": reason}, status=status)


def _throttled(request: HttpRequest) -> HttpResponse | None:
    """A 429 page past ``RENOWN_PORTAL_RATE`` for the client's address; None within it."""
    throttle = PortalThrottle()
    if throttle.allow_request(request, None):  # type: ignore[arg-type]
        return None
    response = render(request, "renown/hiring/portal/refused.html", {"reason": "busy"}, status=429)
    response["Retry-After"] = str(math.ceil(throttle.wait() or 1))
    return response


def portal_view(view: Callable[[HttpRequest, PortalVisit], HttpResponse]) -> PortalView:
    """Throttle, open the link (a plain refusal page when it opens nothing), then ``view``."""

    @wraps(view)
    def wrapped(request: HttpRequest, token: str) -> HttpResponse:
        if (busy := _throttled(request)) is not None:
            return _private(busy)
        try:
            visit = portal_open(token, count=request.method == "GET")
        except LinkRefused as refused:
            return _private(_refused(request, refused.reason))
        return _private(view(request, visit))

    return renown_csp(never_cache(wrapped))


def _page(
    request: HttpRequest, visit: PortalVisit, evidence_form: EvidenceForm, status: int = 200
) -> HttpResponse:
    now = timezone.now()
    context = {
        **profile.profile_context(visit.candidate, now),
        "organization_name": visit.candidate.organization.name,
        "link": visit.link,
        "jobs": selectors.portal_job_uses(visit.candidate),
        **proofs.portal_proofs_context(visit, request),
        "evidence_form": evidence_form,
        "evidence_add_url": reverse("renown:portal-evidence", kwargs={"token": visit.token}),
        "disown_url": reverse("renown:portal-account-disown", kwargs={"token": visit.token}),
        "evidence_add_summary": "Add something no network measures",
        "evidence_add_note": "Talks, books, teaching, publications, awards, press, referrals, "
        "certifications: give a link or where it can be checked. It is shown to the "
        "employer as unverified, supplied by you, until a recruiter verifies it.",
        "can_edit": False,
        "erasure_url": reverse("renown:portal-erasure", kwargs={"token": visit.token}),
        "consent_url": reverse("renown:portal-consent-withdraw", kwargs={"token": visit.token}),
        "export_url": reverse("renown:portal-export", kwargs={"token": visit.token}),
        "dispute_subjects": dispute_subjects(visit),
        "dispute_url": reverse("renown:portal-dispute", kwargs={"token": visit.token}),
        "disputes": visit.candidate.portal_disputes.select_related("fcra_dispute"),
        "statement_max": STATEMENT_MAX,
        "withdrawable": [n for n in visit.candidate.notices.all() if withdrawable(n)],
        "email_on_record": masked_email(visit.candidate.email) if visit.candidate.email else "",
        "vendors_note": "A vendor score is a number another company computed, years ago for "
        "vendors that have closed (Klout closed in 2018). It cannot say what you have done "
        "since, and the vendor never explained it: it counts only as the employer's rules say.",
        "accounts_note": "“Claimed by the candidate”: you gave the account (for example in "
        "your application). “Matched by a recruiter”: a recruiter added it. “Verified by "
        "proof”: you showed it is yours. “Verified by a recruiter”: a recruiter checked it. Renown never searches for people by name.",
    }
    return render(request, "renown/hiring/portal/page.html", context, status=status)


@require_GET
@portal_view
def portal_page(request: HttpRequest, visit: PortalVisit) -> HttpResponse:
    """What Renown holds on the candidate, and why."""
    return _page(request, visit, EvidenceForm())


@require_POST
@portal_view
def portal_evidence(request: HttpRequest, visit: PortalVisit) -> HttpResponse:
    """The candidate adds offline evidence (unverified, supplied by the candidate)."""
    form = EvidenceForm(request.POST)
    if form.is_valid():
        try:
            evidence = services.portal_evidence_add(visit=visit, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                f"Added: “{evidence.title}”. The employer sees it as unverified until a "
                "recruiter checks it.",
            )
            page = reverse("renown:portal", kwargs={"token": visit.token})
            return HttpResponseRedirect(page + "#evidence-h")
    return _page(request, visit, form, status=400)


def _back(request: HttpRequest, visit: PortalVisit, done: str, anchor: str) -> HttpResponse:
    """After an action: back to the page at ``anchor``, saying what happened."""
    messages.success(request, done)
    return HttpResponseRedirect(reverse("renown:portal", kwargs={"token": visit.token}) + anchor)


def _refusal(request: HttpRequest, visit: PortalVisit, exc: ValidationError) -> HttpResponse:
    messages.error(request, "Nothing changed: " + " ".join(exc.messages))
    return HttpResponseRedirect(reverse("renown:portal", kwargs={"token": visit.token}))


@require_POST
@portal_view
def portal_account_disown(request: HttpRequest, visit: PortalVisit) -> HttpResponse:
    """The candidate says an account is not theirs: it stops counting at once."""
    try:
        account_id = int(request.POST.get("account", ""))
    except ValueError:
        raise Http404("No such account.") from None
    try:
        account = services.portal_account_disown(visit=visit, account_id=account_id)
    except ValidationError as exc:
        return _refusal(request, visit, exc)
    return _back(
        request,
        visit,
        f"{account} no longer counts: it is not fetched or scored. A recruiter at "
        f"{visit.candidate.organization.name} confirms it.",
        "#accounts-h",
    )


@require_GET
@portal_view
def portal_export(request: HttpRequest, visit: PortalVisit) -> HttpResponse:
    """Everything Renown holds on the candidate, as a JSON file (GDPR Art. 15)."""
    export = candidate_export(visit.candidate)
    services.audit_portal_request(
        visit.candidate, visit.actor, "data_export: everything Renown holds (Art. 15)", visit.link
    )
    services.record_action(
        visit.candidate,
        visit.link,
        PortalActionKind.DATA_EXPORTED,
        "Downloaded everything Renown holds on them",
        visit.candidate,
    )
    response = JsonResponse(export, json_dumps_params={"ensure_ascii": False, "indent": 2})
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="renown-data-{stamp}.json"'
    return response


def _confirmation_sent(request: HttpRequest, visit: PortalVisit, what: str) -> HttpResponse:
    return _back(
        request,
        visit,
        f"We sent a link to {masked_email(visit.candidate.email)}: open it to confirm {what}. "
        "Nothing happens until you do.",
        "#data-h",
    )


@require_POST
@portal_view
def portal_erasure(request: HttpRequest, visit: PortalVisit) -> HttpResponse:
    """Ask for erasure: a confirmation link goes to the e-mail on record."""
    try:
        confirmation_request(visit=visit, kind=ConfirmationKind.ERASURE, request=request)
    except ValidationError as exc:
        return _refusal(request, visit, exc)
    return _confirmation_sent(request, visit, "the erasure")


@require_POST
@portal_view
def portal_consent_withdraw(request: HttpRequest, visit: PortalVisit) -> HttpResponse:
    """Ask to withdraw a consent: a confirmation link goes to the e-mail on record."""
    try:
        notice_id = int(request.POST.get("notice", ""))
    except ValueError:
        notice_id = None
    try:
        confirmation_request(
            visit=visit,
            kind=ConfirmationKind.CONSENT_WITHDRAWAL,
            request=request,
            notice_id=notice_id,
        )
    except ValidationError as exc:
        return _refusal(request, visit, exc)
    return _confirmation_sent(request, visit, "the withdrawal")


@renown_csp
@never_cache
def portal_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the e-mail: GET shows what will happen (mail scanners open links, so
    nothing runs on GET), POST runs it once."""
    if (busy := _throttled(request)) is not None:
        return _private(busy)
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    try:
        confirmation = confirmation_open(token)
        if request.method == "GET":
            context = {
                "confirmation": confirmation,
                "holds": erasure_holds(confirmation.candidate)
                if confirmation.kind == ConfirmationKind.ERASURE
                else [],
            }
            response = render(request, "renown/hiring/portal/confirm.html", context)
            return _private(response)
        done = confirmation_run(confirmation=confirmation)
    except LinkRefused as refused:
        return _private(_refused(request, refused.reason))
    return _private(render(request, "renown/hiring/portal/confirmed.html", {"done": done}))


@require_POST
@portal_view
def portal_dispute(request: HttpRequest, visit: PortalVisit) -> HttpResponse:
    """The candidate disputes a score, a screening or a decision."""
    try:
        dispute = portal_dispute_open(
            visit=visit,
            subject=request.POST.get("subject", ""),
            statement=request.POST.get("statement", ""),
        )
    except ValidationError as exc:
        return _refusal(request, visit, exc)
    if dispute.fcra_dispute is not None:
        done = (
            f"Your dispute of {dispute.about} is recorded: Renown fetches and scores your data "
            f"again, and you will be told the result by "
            f"{timezone.localtime(dispute.fcra_dispute.due_at):%Y-%m-%d}."
        )
    else:
        done = f"Your dispute of {dispute.about} is recorded: a recruiter will answer here."
    return _back(request, visit, done, "#disputes-h")
