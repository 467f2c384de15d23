"""``manage.py export_candidate --org SLUG --candidate UUID``: the Art. 15 export as JSON."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandParser

from hiring.management.commands._lookup import add_candidate_arguments, candidate_from_options
from hiring.privacy import services


class Command(BaseCommand):
    help = "Print every piece of data Renown holds on a candidate (GDPR Art. 15) as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        add_candidate_arguments(parser)

    def handle(self, *args: str, **options: object) -> None:
        candidate = candidate_from_options(options)
        self.stdout.write(json.dumps(services.candidate_export(candidate), indent=2))
