"""``manage.py ats_connect --org SLUG --ats NAME``: store how Renown reads the ATS's API.

The credentials come on standard input, never on the command line: one ``field=value``
per line (``client_id=...`` and ``client_secret=...`` for Greenhouse Harvest v3's OAuth
2.0 client credentials; ``api_key=...`` for Lever and Ashby; ``token=...`` and
``subdomain=...`` for Workable), or a JSON object of the same fields. A single line
without ``=`` is taken as the one field of an ATS that needs one (the API key).
They are encrypted at rest; the trail records which fields were given, never their values.
"""

from __future__ import annotations

import json
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hiring.ats import services
from hiring.ats.connectors import connector_for
from hiring.ats.models import Ats
from hiring.management.commands._lookup import organization_from_options


def parse_credentials(text: str, fields: tuple[str, ...]) -> dict[str, str]:
    """``field=value`` lines, a JSON object, or one bare value for a one-field ATS."""
    text = text.strip()
    if not text:
        raise CommandError(f"no credentials on standard input (expected {', '.join(fields)})")
    if text.startswith("{"):
        try:
            found = json.loads(text)
        except ValueError:
            raise CommandError("standard input starts with '{' but is not JSON") from None
        if not isinstance(found, dict) or not all(isinstance(v, str) for v in found.values()):
            raise CommandError("the JSON must be an object of text values")
        return {str(k): v for k, v in found.items()}
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) == 1 and "=" not in lines[0] and len(fields) == 1:
        return {fields[0]: lines[0]}
    credentials: dict[str, str] = {}
    for number, line in enumerate(lines, start=1):
        name, sep, value = line.partition("=")
        if not sep:
            raise CommandError(f"line {number}: expected field=value ({', '.join(fields)})")
        credentials[name.strip()] = value.strip()
    return credentials


class Command(BaseCommand):
    help = (
        "Store an organisation's API credentials for an ATS, read from standard input "
        "(field=value lines or a JSON object); they are encrypted at rest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="organisation slug")
        parser.add_argument("--ats", required=True, choices=Ats.values)

    def handle(self, *args: str, **options: object) -> None:
        slug, ats = str(options["org"]), str(options["ats"])
        organization = organization_from_options(options)
        connector = connector_for(ats)
        credentials = parse_credentials(sys.stdin.read(), connector.credential_fields)
        try:
            services.ats_connect(
                organization=organization,
                ats=ats,
                credentials=credentials,
                actor="command:ats_connect",
            )
        except ValidationError as exc:
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            raise CommandError(problems) from None
        self.stdout.write(
            f"Stored {connector.label} API credentials ({', '.join(connector.credential_fields)}) "
            f"for {slug}."
        )
