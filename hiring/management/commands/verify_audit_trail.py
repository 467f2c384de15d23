"""``python manage.py verify_audit_trail [--org SLUG]``: recompute the audit chains.

Exit 0 with a one-line summary when every chain holds; exit 1 naming, per
broken chain, the first broken event (organisation, sequence, what is wrong);
exit 2 for an unknown organisation.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from renown.models import Organization
from renown.trail import audit_trail_verify


class Command(BaseCommand):
    help = (
        "Recompute every audit chain (hashes, prev_hash links, gapless sequences) and "
        "report the first broken event of each; exit 1 if any chain is broken."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", metavar="SLUG", help="Only this organisation's chain.")

    def handle(self, *args: str, **options: object) -> None:
        organization = None
        if options["org"]:
            organization = Organization.objects.filter(slug=str(options["org"])).first()
            if organization is None:
                raise CommandError(f"No organisation with slug {options['org']!r}.", returncode=2)
        chains = audit_trail_verify(organization=organization)
        verbosity = options["verbosity"]
        for chain in chains:
            if isinstance(verbosity, int) and verbosity >= 2:
                self.stdout.write(
                    f"  {chain.chain}: {chain.events} events, head #{chain.head_sequence} "
                    f"{chain.head_hash}"
                )
        broken = [chain for chain in chains if not chain.intact]
        if broken:
            raise CommandError(
                "\n".join(
                    f"Audit trail BROKEN in {chain.chain} at #{chain.broken_sequence} "
                    f"(id {chain.broken_id}): {chain.problem}"
                    for chain in broken
                ),
                returncode=1,
            )
        events = sum(chain.events for chain in chains)
        self.stdout.write(
            self.style.SUCCESS(f"Audit trail intact: {events} events in {len(chains)} chains.")
        )
