"""``python manage.py renown_link_host [--batch N] [--relink ID]``: link every host record.

Reconciles what bypassed the save/delete signals (``QuerySet.update()``, raw SQL, bulk
loads): creates the missing candidates, updates those whose mapped values differ,
erases those whose host record is gone (``hiring.hostlink.host_reconcile``). Idempotent:
a second run changes nothing and says so. Exit status 0, or 1 when a record failed (each
is logged); nothing to do when no host model is configured.
"""

from __future__ import annotations

import sys
from typing import TextIO

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from candidates.hostlink import host_model
from hiring.hostlink import host_reconcile, host_relink


class Command(BaseCommand):
    help = "Link every record of RENOWN_HOST_CANDIDATE_MODEL to a Renown candidate and reconcile."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--relink",
            metavar="OBJECT_ID",
            help="Let one host record whose person was erased through Renown be linked again "
            "(they asked to be screened again), then reconcile.",
        )
        parser.add_argument(
            "--batch",
            type=int,
            default=500,
            help="Host records read (with their links) per batch (default 500).",
        )

    def handle(self, *args: str, **options: object) -> None:
        batch = options["batch"]
        if not isinstance(batch, int) or batch < 1:
            raise CommandError("--batch must be at least 1.", returncode=2)
        model = host_model()
        if options["relink"] is not None:
            if model is None:
                raise CommandError("No host candidate model (RENOWN_HOST_CANDIDATE_MODEL).")
            content_type = ContentType.objects.get_for_model(model)
            if not host_relink(content_type=content_type, object_id=str(options["relink"])):
                raise CommandError(
                    f"{model._meta.label} {options['relink']!r} was not erased through Renown: "
                    "nothing to relink."
                )
        total = model._default_manager.count() if model is not None else 0
        # The raw stream under Django's OutputWrapper: tqdm redraws with "\r".
        stream: TextIO = getattr(self.stderr, "_out", sys.stderr)
        with tqdm(total=total, unit="record", desc="link host", file=stream) as bar:
            result = host_reconcile(batch=batch, progress=lambda n: bar.update(n) and None)
        self.stdout.write(result.summary())
        if result.failed:
            raise CommandError(
                f"{result.failed} record(s) failed (see the log); the next run retries them.",
                returncode=1,
            )
