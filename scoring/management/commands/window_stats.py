"""``python manage.py window_stats --org SLUG | --all | --slide``: the window statistics.

Renown keeps, per candidate and scorer, for each window (7, 30, 90, 180 and 365 days) the
statistics a rule reads (``scoring.window_stats``), up to date as scores are written.

- ``--org SLUG`` rebuilds an organisation's from the score history (idempotent; run
  it after loading scores by hand, e.g. raw SQL or a restore), with progress, and
  the latest-value rows of scorers, vendors and raw metrics with them (after
  loading vendor scores or snapshots by hand, or changing the blendable providers);
- ``--all`` does the same for every organisation;
- ``--slide`` refreshes the candidates whose window lost a day (what the hourly
  ``scoring.window_stats_slide`` task does under celery beat), for hosts without beat.

Exit status: 0 when done; 2 for bad input (an unknown organisation, or statistics
switched off with ``RENOWN_WINDOW_STATS = False``).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from renown.management import options as read
from renown.models import Organization
from scoring import window_stats


class Command(BaseCommand):
    help = "Rebuild (--org, --all) or slide (--slide) the window statistics screenings read."

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--org", help="Rebuild this organisation's statistics (its slug).")
        which.add_argument("--all", action="store_true", help="Rebuild every organisation's.")
        which.add_argument(
            "--slide", action="store_true", help="Refresh the windows that lost a day."
        )

    def handle(self, *args: str, **options: object) -> None:
        if not window_stats.statistics_enabled():
            raise CommandError(
                "Window statistics are switched off (RENOWN_WINDOW_STATS = False).", returncode=2
            )
        if read.flag(options, "slide"):
            pairs = window_stats.window_stats_slide()
            self.stdout.write(f"Slid {pairs} candidate-scorer pairs to today's windows.")
            return
        slug = read.optional_text(options, "org")
        if slug:
            organization = Organization.objects.filter(slug=slug).first()
            if organization is None:
                raise CommandError(f"No organisation with slug {slug!r}.", returncode=2)
            organizations = [organization]
        else:
            organizations = list(Organization.objects.order_by("slug"))
        for organization in organizations:
            self._rebuild(organization)

    def _rebuild(self, organization: Organization) -> None:
        with tqdm(
            total=None, unit="candidates", desc=organization.slug, file=self.stderr,
            disable=None, dynamic_ncols=True,
        ) as bar:  # fmt: skip

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.n = done
                bar.refresh()

            pairs = window_stats.window_stats_rebuild(organization=organization, progress=progress)
        self.stdout.write(
            f"{organization.slug}: rebuilt the window statistics of {pairs} "
            "candidate-scorer pairs from the score history."
        )
