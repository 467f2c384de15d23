"""``python manage.py create_organization --slug SLUG --name NAME``: a new organisation.

A slug that is taken is refused and nothing changes, so a script can tell by the exit
status whether it made the organisation. Its people get their roles with ``renown_grant``
(or in the admin).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from renown.management import options as read
from renown.tenancy import organization_create


class Command(BaseCommand):
    help = "Create an organisation (an employer); give its people their roles with renown_grant."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--slug", required=True, help="Its short name in commands and URLs, e.g. acme."
        )
        parser.add_argument("--name", required=True, help="Its name as people read it.")

    def handle(self, *args: str, **options: object) -> None:
        try:
            organization = organization_create(
                slug=read.text(options, "slug"),
                name=read.text(options, "name"),
                actor="command:create_organization",
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(f"Organisation {organization.slug!r} ({organization.name}) created.")
