"""``manage.py ats_secret --org SLUG --ats NAME [--value-from-stdin] [--label L]``.

Greenhouse and Ashby let the receiver choose the secret: without ``--value-from-stdin``
a new one is made and printed on the last line, to paste into the ATS. Lever (a
signature token per webhook) and Workable (the account's API access token) issue theirs:
``--value-from-stdin`` stores the one read from standard input (never from the command
line, where it would stay in the shell's history and the process list).
"""

from __future__ import annotations

import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hiring.ats import services
from hiring.ats.connectors import connector_for
from hiring.ats.models import Ats
from hiring.management.commands._lookup import organization_from_options


class Command(BaseCommand):
    help = (
        "Set an organisation's secret for an ATS's webhooks (the old one of the same label "
        "stops working): a new one printed on the last line, or with --value-from-stdin "
        "the token the ATS issued, read from standard input."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="organisation slug")
        parser.add_argument("--ats", required=True, choices=Ats.values)
        parser.add_argument(
            "--value-from-stdin",
            action="store_true",
            help="store the secret the ATS issued (Lever's signature token, Workable's "
            "token), read from standard input",
        )
        parser.add_argument(
            "--label",
            default="",
            help="which of the ATS's webhooks the token signs (Lever issues one per "
            "webhook: store each under its own label, e.g. applicationCreated)",
        )

    def handle(self, *args: str, **options: object) -> None:
        slug, ats = str(options["org"]), str(options["ats"])
        organization = organization_from_options(options)
        connector = connector_for(ats)
        value: str | None = None
        if options["value_from_stdin"]:
            value = sys.stdin.read().strip()
            if not value:
                raise CommandError("no secret on standard input")
        elif connector.key_origin == "ats":
            raise CommandError(
                f"{connector.label} issues the secret: copy it from {connector.label}'s "
                f"webhook settings and pipe it in with --value-from-stdin "
                "(docs/integrations.md)"
            )
        try:
            secret = services.ats_secret_set(
                organization=organization,
                ats=ats,
                value=value,
                label=str(options["label"]),
                actor="command:ats_secret",
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        url = f"/api/v1/ats/{ats}/{organization.slug}/"
        label = f" ({options['label']})" if options["label"] else ""
        if value is not None:
            self.stdout.write(f"Stored {connector.label}'s webhook secret{label} for {slug}.")
            self.stdout.write(f"Endpoint: {url}")
            return
        self.stdout.write(f"New {ats} webhook secret{label} for {organization.slug}.")
        self.stdout.write(f"Endpoint: {url} (the previous secret no longer works)")
        self.stdout.write(secret)
