"""``python manage.py fetch_profile NETWORK HANDLE [--json]``: one live fetch, nothing stored.

Exit status: 0 found; 2 bad input; 3 not found; 4 rate limited; 5 other provider
error; 6 refused (provider disabled, or a host Renown will not contact: a private
address, or one that is not written as a DNS name or a canonical IP address, in
the handle, the configured base URL or any redirect).
"""

from __future__ import annotations

import asyncio
import json
from typing import NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

from candidates.handles import InvalidHandle, RefusedHost, normalize_handle
from renown.http import HttpClient
from renown.management import options as read
from scoring import conf, providers
from scoring.fetching import rate_gate
from scoring.providers.base import (
    Observation,
    ProviderError,
    ProviderNotFound,
    ProviderRateLimited,
    ProviderRefused,
)
from scoring.rate_limit import ProviderRateLimiter

EXIT_FOUND, EXIT_NOT_FOUND, EXIT_RATE_LIMITED, EXIT_PROVIDER_ERROR, EXIT_REFUSED = 0, 3, 4, 5, 6


async def _fetch(network: str, handle: str) -> Observation:
    # Through the provider's rate limiter, as every fetch: a diagnostic counts too.
    async with HttpClient() as client, ProviderRateLimiter() as limiter:
        gated = client.gated(rate_gate(limiter, network))
        return await providers.get_provider(network, client=gated).fetch(handle)


class Command(BaseCommand):
    help = "Fetch one profile live through its provider and print the observation (stores nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("network", choices=sorted(conf.get("RENOWN_PROVIDERS")))
        parser.add_argument(
            "handle", help="The identifier on that network, e.g. alice.bsky.social."
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: str, **options: object) -> None:
        network = read.text(options, "network")
        given = read.text(options, "handle")
        try:
            handle = normalize_handle(network, given)
        except RefusedHost as exc:
            self._fail(EXIT_REFUSED, f"Refused: {given!r}: {exc}.")
        except InvalidHandle as exc:
            raise CommandError(
                f"{given!r} is not a {network} identifier: {exc}", returncode=2
            ) from exc
        try:
            providers.provider_class(network)
            observation = asyncio.run(_fetch(network, handle))
        except providers.ProviderDisabled as exc:
            self._fail(EXIT_REFUSED, f"Refused: {exc}.")
        except ProviderRefused as exc:
            self._fail(
                EXIT_REFUSED, f"Refused: {exc} (set RENOWN_ALLOW_PRIVATE_HOSTS=1 only for tests)."
            )
        except ProviderNotFound as exc:
            self._fail(EXIT_NOT_FOUND, f"Not found: {network} has no account {handle!r} ({exc}).")
        except ProviderRateLimited as exc:
            self._fail(
                EXIT_RATE_LIMITED,
                f"Rate limited by {network}: try again in {exc.retry_after:.0f} s.",
            )
        except ProviderError as exc:
            self._fail(EXIT_PROVIDER_ERROR, f"Provider error from {network}: {exc}.")
        if read.flag(options, "json"):
            self.stdout.write(
                json.dumps(
                    {
                        "network": network,
                        "handle": handle,
                        "observed_at": observation.observed_at.isoformat(),
                        "metrics": observation.metrics,
                    },
                    sort_keys=True,
                )
            )
            return
        self.stdout.write(f"{network} {handle} observed at {observation.observed_at.isoformat()}")
        for name, value in sorted(observation.metrics.items()):
            self.stdout.write(
                f"  {name}: {json.dumps(value) if isinstance(value, dict) else value}"
            )

    def _fail(self, code: int, message: str) -> NoReturn:
        self.stderr.write(message)
        raise SystemExit(code)
