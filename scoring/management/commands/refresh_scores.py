"""``python manage.py refresh_scores [--org SLUG]``: refresh accounts and rescore, with progress.

Exit status: 0 when the refresh ran to its end (failed accounts are counted and
listed); 1 when it could not run to its end (a batch crashed, or no worker took
the work); 2 for bad input. ``--progress CYCLE`` prints a running cycle's
progress as JSON: ``{"cycle", "status", "total", "done", "failed", "skipped"}``.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from typing import Never, NoReturn, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from renown.management import options as read
from renown.models import Organization
from renown.queue import runs_in_process
from scoring import selectors, services
from scoring.models import RefreshCycle
from scoring.tasks import fetch_batch_task


class Command(BaseCommand):
    help = "Refresh every due account (of one organisation) and rescore, showing progress."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", help="Only this organisation's candidates (its slug).")
        parser.add_argument(
            "--progress", type=int, metavar="CYCLE", help="Print a cycle's progress and exit."
        )
        parser.add_argument(
            "--no-wait", action="store_true", help="Queue the work and exit (with a broker)."
        )
        parser.add_argument(
            "--stall-timeout",
            type=float,
            default=300.0,
            help="Give up when nothing moves for this many seconds (default 300).",
        )

    def handle(self, *args: str, **options: object) -> None:
        cycle_id = read.optional_integer(options, "progress")
        if cycle_id is not None:
            if not RefreshCycle.objects.filter(pk=cycle_id).exists():
                raise CommandError(f"No refresh cycle {cycle_id}.", returncode=2)
            progress = selectors.refresh_progress(cycle=cycle_id)
            self.stdout.write(json.dumps(asdict(progress)))
            return
        organization = None
        slug = read.optional_text(options, "org")
        if slug:
            organization = Organization.objects.filter(slug=slug).first()
            if organization is None:
                raise CommandError(f"No organisation with slug {slug!r}.", returncode=2)
        cycle, batches = services.refresh_start(
            organization=organization, label="refresh_scores", actor="command:refresh_scores"
        )
        self.stdout.write(
            f"Refresh cycle {cycle.pk}: {cycle.total} account(s) in {len(batches)} batch(es)."
        )
        if runs_in_process(fetch_batch_task):
            self._run_here(cycle, batches)
        else:
            services.refresh_enqueue(cycle=cycle, batches=batches)
            if read.flag(options, "no_wait"):
                self.stdout.write(
                    f"Queued. Follow it with: manage.py refresh_scores --progress {cycle.pk}"
                )
                return
            self._follow(cycle, read.number(options, "stall_timeout"))
        self._summary(cycle)

    def _bar(self, cycle: RefreshCycle) -> tqdm[Never]:
        # The raw stream under Django's OutputWrapper: tqdm redraws with "\r".
        stream: TextIO = getattr(self.stderr, "_out", sys.stderr)
        return tqdm(total=cycle.total, unit="account", desc="refresh", file=stream)

    def _run_here(self, cycle: RefreshCycle, batches: list[list[int]]) -> None:
        # No broker (or eager Celery): the batches run in this process, one after another.
        with self._bar(cycle) as bar:
            for batch in batches:
                result = fetch_batch_task.apply(args=(cycle.pk, batch))
                if result.failed():
                    bar.close()
                    self._fail(f"A batch of cycle {cycle.pk} crashed: {result.result!r}")
                progress = selectors.refresh_progress(cycle=cycle)
                bar.update(progress.done + progress.failed - bar.n)
                bar.set_postfix(failed=progress.failed)

    def _follow(self, cycle: RefreshCycle, stall_timeout: float) -> None:
        last, last_change = -1, time.monotonic()
        with self._bar(cycle) as bar:
            while True:
                progress = selectors.refresh_progress(cycle=cycle)
                finished = progress.done + progress.failed
                bar.update(finished - bar.n)
                bar.set_postfix(failed=progress.failed)
                if finished >= progress.total:
                    return
                if finished != last:
                    last, last_change = finished, time.monotonic()
                elif time.monotonic() - last_change > stall_timeout:
                    bar.close()
                    self._fail(
                        f"No progress on cycle {cycle.pk} for {stall_timeout:.0f} s "
                        f"({finished} of {progress.total} done): is a worker running "
                        "(celery -A renown_site worker)? The cycle stays open; rerun to finish it."
                    )
                time.sleep(1.0)

    def _summary(self, cycle: RefreshCycle) -> None:
        progress = selectors.refresh_progress(cycle=cycle)
        self.stdout.write(
            f"Done: {progress.done} of {progress.total} ({progress.skipped} skipped: notices missing), "
            f"{progress.failed} failed."
        )
        for snapshot in selectors.refresh_failures(cycle=cycle):
            account = snapshot.account
            self.stdout.write(
                f"  failed {account.network} {account.handle}: {snapshot.status}: {snapshot.error}"
            )

    def _fail(self, message: str) -> NoReturn:
        self.stderr.write(message)
        raise SystemExit(1)
