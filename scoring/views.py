"""Admin-side views of scoring: the providers, their terms and whether they are on."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from scoring import conf, providers
from scoring.providers.base import ProviderTerms


@dataclass(frozen=True)
class ProviderRow:
    network: str
    enabled: bool
    reason: str
    base_url: str
    terms: ProviderTerms | None


def provider_rows() -> list[ProviderRow]:
    """Every configured provider with its terms and state, for admins."""
    rows = []
    for network in sorted(conf.get("RENOWN_PROVIDERS")):
        base = providers.base_url(network) or "each handle's own instance"
        try:
            cls = providers.provider_class(network)
        except providers.ProviderDisabled as exc:
            terms = None
            with contextlib.suppress(ImportError, KeyError):
                terms = providers.provider_class_ignoring_switch(network).terms
            rows.append(ProviderRow(network, False, str(exc), base, terms))
            continue
        except ImportError as exc:
            rows.append(ProviderRow(network, False, f"cannot be loaded: {exc}", base, None))
            continue
        rows.append(ProviderRow(network, True, "", base, cls.terms))
    return rows


def provider_list(request: HttpRequest) -> HttpResponse:
    """The providers page of the admin (any staff member may read it)."""
    context = {
        **admin.site.each_context(request),
        "title": "Providers and their terms",
        "rows": provider_rows(),
    }
    return TemplateResponse(request, "admin/renown_scoring/providers.html", context)
