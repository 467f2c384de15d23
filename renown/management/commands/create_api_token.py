"""``python manage.py create_api_token --org SLUG --name NAME --scope read|write``.

Prints the token on its last line: it is shown this once and stored only as a digest.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from renown.api.tokens import api_token_create
from renown.management import options as read
from renown.models import Organization, TokenScope


class Command(BaseCommand):
    help = "Create an API token for an integration; prints it (once) on the last line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="The organisation's slug.")
        parser.add_argument("--name", required=True, help="Which integration uses the token.")
        parser.add_argument("--scope", required=True, choices=TokenScope.values)

    def handle(self, *args: str, **options: object) -> None:
        slug = read.text(options, "org")
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            raise CommandError(f"No organisation with slug {slug!r}.")
        try:
            token, plaintext = api_token_create(
                organization=organization,
                name=read.text(options, "name"),
                scope=read.text(options, "scope"),
                actor="command:create_api_token",
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stderr.write(
            f"Token {token.name!r} ({token.scope}) for {organization.slug}. "
            "Store it now: it is not shown again."
        )
        self.stdout.write(plaintext)
