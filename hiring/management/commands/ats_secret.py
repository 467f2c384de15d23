"""``manage.py ats_secret --org SLUG --ats greenhouse``: set a new inbound secret and print it."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hiring.ats import services
from hiring.ats.models import Ats
from renown.models import Organization


class Command(BaseCommand):
    help = (
        "Give an organisation a new secret for an ATS's webhooks (the old one stops working) "
        "and print it on the last line. Paste it into the ATS's webhook settings."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="organisation slug")
        parser.add_argument("--ats", required=True, choices=Ats.values)

    def handle(self, *args: str, **options: object) -> None:
        slug, ats = str(options["org"]), str(options["ats"])
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            raise CommandError(f"no organisation with slug {slug!r}")
        secret = services.ats_secret_set(
            organization=organization, ats=ats, actor="command:ats_secret"
        )
        url = f"/api/v1/ats/{ats}/{organization.slug}/"
        self.stdout.write(f"New {ats} webhook secret for {organization.slug}.")
        self.stdout.write(f"Endpoint: {url} (the previous secret no longer works)")
        self.stdout.write(secret)
