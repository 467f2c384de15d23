"""``python manage.py renown_webhooks_sweep [--every SECONDS]``: queue due webhook deliveries.

For a host that runs no celery beat: once (from cron), or ``--every 5`` as a long-running
process in place of beat's ``webhooks.sweep``. Without a broker the deliveries are sent
by this process itself (``renown.queue``). Prints how many were queued, per run that
queued some.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from renown.management import options as read
from renown.webhooks.services import deliveries_sweep


class Command(BaseCommand):
    help = "Queue the webhook deliveries that are due (retries, lost sends); --every to repeat."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every",
            type=int,
            default=None,
            metavar="SECONDS",
            help="Sweep again every SECONDS until stopped (5 matches celery beat's schedule).",
        )

    def handle(self, *args: str, **options: object) -> None:
        every = read.optional_integer(options, "every")
        if every is not None and every < 1:
            raise CommandError("--every must be at least 1 second.")
        while True:
            queued = deliveries_sweep()
            if queued:
                self.stdout.write(f"{queued} webhook deliver{'y' if queued == 1 else 'ies'} queued")
            if every is None:
                return
            time.sleep(every)
            close_old_connections()  # a database restart must not end a long-running sweeper
