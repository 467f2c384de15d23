"""The candidate claims and proves accounts through their link; the public proof page.

The two actions go through ``portal_view`` (throttle, open the link) and answer with a
redirect to the page's proof part and a message saying what happened: a bad handle, a
code not found, a provider that failed are said in words, never a server error. The
proof page is public and needs no link: it shows a code, the account it proves and,
for Mastodon, the ``rel="me"`` link back that lets the instance verify a profile field
linking here. It names no person and no organisation.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from candidates.models import Network
from hiring.portal import proofs
from hiring.portal.links import PortalVisit
from hiring.portal.models import AccountProof
from hiring.portal.views import portal_view
from renown.csp import renown_csp


class AccountClaimForm(forms.Form):
    """An account the candidate says is theirs."""

    network = forms.ChoiceField(label="Network", choices=Network.choices)
    handle = forms.CharField(label="Your account", max_length=255)


def _back(visit: PortalVisit) -> HttpResponseRedirect:
    page = reverse("renown:portal", kwargs={"token": visit.token})
    return HttpResponseRedirect(page + "#proofs-h")


def _words(exc: ValidationError) -> str:
    return " ".join(str(message) for message in exc.messages)


@require_POST
@portal_view
def portal_account_claim(request: HttpRequest, visit: PortalVisit) -> HttpResponse:
    """The candidate names an account of theirs (attached as claimed by the candidate)."""
    form = AccountClaimForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not added: choose a network and give your account on it.")
        return _back(visit)
    try:
        account = proofs.portal_account_claim(visit=visit, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, f"Not added: {_words(exc)}")
        return _back(visit)
    if account.network in proofs.PROOF_NETWORKS:
        messages.success(
            request, f"Added {account}. To show it is yours, place its proof code below."
        )
    else:
        messages.success(request, f"Added {account}, as claimed by you.")
    return _back(visit)


class AccountProveForm(forms.Form):
    """Which of the candidate's accounts to check (the button's value)."""

    account = forms.IntegerField(min_value=1)


@require_POST
@portal_view
def portal_account_prove(request: HttpRequest, visit: PortalVisit) -> HttpResponse:
    """Check now: look for one account's proof code in its public profile."""
    form = AccountProveForm(request.POST)
    if not form.is_valid():
        raise Http404("No such account.")
    try:
        account = proofs.portal_account_get(visit=visit, account_id=form.cleaned_data["account"])
        check = proofs.portal_account_prove(visit=visit, account=account)
    except proofs.AccountNotYours:
        raise Http404("No such account.") from None
    except ValidationError as exc:
        messages.error(request, _words(exc))
        return _back(visit)
    if check.proved:
        messages.success(request, f"{account} is now verified by proof. {check.message}")
    else:
        messages.error(request, check.message)
    return _back(visit)


@renown_csp
@require_GET
def proof_page(request: HttpRequest, code: str) -> HttpResponse:
    """A proof code's public page: the account it proves, and the rel="me" link back."""
    proof = (
        AccountProof.objects.filter(
            code=code.lower(), account__network="mastodon", account__candidate__erased_at=None
        )
        .select_related("account")
        .first()
    )
    if proof is None:
        raise Http404("No such proof code.")
    return render(
        request,
        "renown/hiring/portal/proof_page.html",
        {
            "proof": proof,
            "handle": proof.account.handle,
            "profile_url": proofs.mastodon_profile_url(proof.account.handle),
        },
    )
