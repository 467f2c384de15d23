"""``manage.py erase_candidate --org SLUG --candidate UUID --actor LABEL``: GDPR Art. 17."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from hiring.management.commands._lookup import add_candidate_arguments, candidate_from_options
from hiring.privacy import services


class Command(BaseCommand):
    help = (
        "Erase a candidate's profile data; what the law makes the employer keep stays "
        "pseudonymised under a retention hold (see the README)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_candidate_arguments(parser)
        parser.add_argument(
            "--actor", required=True, help="who asked, for the audit trail (e.g. 'dpo:jane')"
        )

    def handle(self, *args: str, **options: object) -> None:
        candidate = candidate_from_options(options)
        result = services.candidate_erase(candidate=candidate, actor=str(options["actor"]))
        if result.already_erased:
            self.stdout.write("Already erased; nothing changed.")
        for kind, count in result.deleted.items():
            self.stdout.write(f"deleted {kind}: {count}")
        if result.hold_until is None:
            self.stdout.write("Nothing had to be kept: the candidate is deleted entirely.")
        else:
            self.stdout.write(
                f"Kept pseudonymised under a retention hold until {result.hold_until:%Y-%m-%d}."
            )
