"""The provider registry: network -> provider class, from RENOWN_PROVIDERS.

Classes are imported lazily by dotted path (healthchecks' TRANSPORTS, DRF's
import strings), so a host project can swap or add a provider by setting.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from renown.http import HttpClient
from scoring import conf
from scoring.providers.base import Provider


class ProviderDisabled(Exception):
    """The provider is switched off in this deployment or not configured."""


@cache
def _import(path: str) -> type[Provider]:
    cls = import_string(path)
    if not (isinstance(cls, type) and issubclass(cls, Provider)):
        raise ImproperlyConfigured(f"{path} is not a Provider subclass")
    return cls


def provider_class(network: str) -> type[Provider]:
    """The class configured for ``network``; ProviderDisabled if none or switched off."""
    if network in conf.get("RENOWN_DISABLED_PROVIDERS"):
        raise ProviderDisabled(f"the {network} provider is disabled in this deployment")
    path = conf.get("RENOWN_PROVIDERS").get(network)
    if path is None:
        raise ProviderDisabled(f"no provider is configured for {network}")
    return _import(path)


def provider_class_ignoring_switch(network: str) -> type[Provider]:
    """The configured class even when switched off (to show its terms); KeyError if none."""
    return _import(conf.get("RENOWN_PROVIDERS")[network])


def base_url(network: str) -> str | None:
    """The provider's base URL: RENOWN_PROVIDER_URL_<NETWORK>, else its public default.

    None means "no fixed host" (Mastodon: each handle names its own instance).
    """
    name = f"RENOWN_PROVIDER_URL_{network.upper()}"
    value = getattr(settings, name, None) or conf.DEFAULTS.get(name)
    return str(value) if value else None


def default_base_url(network: str) -> str | None:
    """The public URL the provider uses when no setting points it elsewhere."""
    value = conf.DEFAULTS.get(f"RENOWN_PROVIDER_URL_{network.upper()}")
    return value if isinstance(value, str) and value else None


def blendable_networks() -> list[str]:
    """Networks whose data may flow into a cross-platform score: enabled, and terms allow it."""
    allowed = []
    for network in conf.get("RENOWN_PROVIDERS"):
        try:
            cls = provider_class(network)
        except (ProviderDisabled, ImportError):
            continue
        if cls.terms.may_blend:
            allowed.append(network)
    return allowed


def get_provider(network: str, *, client: HttpClient) -> Provider:
    """An instance of the provider for ``network`` that talks through ``client``."""
    return provider_class(network)(base_url=base_url(network), client=client)
