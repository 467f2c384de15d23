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
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from rest_framework.throttling import SimpleRateThrottle

from hiring import conf, profile
from hiring.forms import EvidenceForm
from hiring.portal import selectors, services
from hiring.portal.links import EXPIRED, REVOKED, LinkRefused, PortalVisit, portal_open
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
    status = 410 if reason in (EXPIRED, REVOKED) else 404
    return render(request, "renown/hiring/portal/refused.html", {"reason": reason}, status=status)


def portal_view(view: Callable[[HttpRequest, PortalVisit], HttpResponse]) -> PortalView:
    """Throttle, open the link (a plain refusal page when it opens nothing), then ``view``."""

    @wraps(view)
    def wrapped(request: HttpRequest, token: str) -> HttpResponse:
        throttle = PortalThrottle()
        if not throttle.allow_request(request, None):  # type: ignore[arg-type]
            wait = math.ceil(throttle.wait() or 1)
            response = render(
                request, "renown/hiring/portal/refused.html", {"reason": "busy"}, status=429
            )
            response["Retry-After"] = str(wait)
            return _private(response)
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
        "evidence_form": evidence_form,
        "evidence_add_url": reverse("renown:portal-evidence", kwargs={"token": visit.token}),
        "disown_url": reverse("renown:portal-account-disown", kwargs={"token": visit.token}),
        "evidence_add_summary": "Add something no network measures",
        "evidence_add_note": "Talks, books, teaching, publications, awards, press, referrals, "
        "certifications: give a link or where it can be checked. It is shown to the "
        "employer as unverified, supplied by you, until a recruiter verifies it.",
        "can_edit": False,
        "vendors_note": "A vendor score is a number another company computed, years ago for "
        "vendors that have closed (Klout closed in 2018). It cannot say what you have done "
        "since, and the vendor never explained it: it counts only as the employer's rules say.",
        "accounts_note": "“Claimed by the candidate”: you gave the account (for example in "
        "your application). “Matched by a recruiter”: a recruiter added it. “Verified by "
        "proof”: it was shown to be yours. Renown never searches for people by name.",
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
