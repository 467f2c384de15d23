"""``python manage.py demo``: build the synthetic demo organisation once and print the logins.

``make run`` calls it on every start: it never deletes anything. ``--rebuild`` is the one
way to wipe the demo; it lists what it will delete and asks (or needs ``--yes``).
"""

from __future__ import annotations

import io
import sys
from typing import TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from renown.management import options as read
from renown_site.demo import (
    DEMO_SLUG,
    DEMO_USERS,
    DemoNotDemo,
    DemoOutcome,
    DemoResult,
    demo_build,
    demo_deletion_summary,
    demo_organization_get,
)

# Exit codes: 1 the user said no, 2 a confirmation was needed and none could be asked for.
NOT_CONFIRMED = 1
NO_CONFIRMATION = 2
DEFAULT_CANDIDATES = 500


class Command(BaseCommand):
    help = (
        "Build the synthetic demo organisation if there is none (an existing one is kept as it "
        "is) and print the demo logins. --rebuild deletes it and builds it again."
    )
    stealth_options = ("stdin",)  # tests pass a terminal or a pipe

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--candidates",
            type=int,
            default=DEFAULT_CANDIDATES,
            help=f"How many (default {DEFAULT_CANDIDATES}).",
        )
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="Delete the demo organisation's data, yours included, and build it again; "
            "lists what it will delete and asks first.",
        )
        parser.add_argument(
            "--yes", action="store_true", help="With --rebuild: do not ask (for scripts)."
        )

    def handle(self, *args: str, **options: object) -> None:
        candidates = read.integer(options, "candidates")
        yes, rebuild = read.flag(options, "yes"), read.flag(options, "rebuild")
        if candidates < 1:
            raise CommandError("--candidates must be at least 1", returncode=2)
        if yes and not rebuild:
            raise CommandError("--yes only goes with --rebuild", returncode=2)
        if rebuild:
            # call_command(..., stdin=...) gives another stream (tests).
            given = options.get("stdin")
            self._confirm_rebuild(given if isinstance(given, io.TextIOBase) else sys.stdin, yes=yes)
        try:
            result = demo_build(candidates=candidates, rebuild=rebuild)
        except DemoNotDemo as exc:
            raise CommandError(exc.message) from exc
        self._report(result, candidates)

    def _confirm_rebuild(self, stdin: TextIO | io.TextIOBase, *, yes: bool) -> None:
        organization = demo_organization_get()
        if organization is None or not organization.is_demo:
            return  # nothing to delete; demo_build refuses an organisation that is not a demo
        summary = demo_deletion_summary(organization)
        if not any(row.total for row in summary):
            return
        built = organization.demo_built_at
        self.stdout.write(
            f"--rebuild deletes from the demo organisation '{DEMO_SLUG}' "
            + (
                f"(built {built:%Y-%m-%d %H:%M} UTC; 'yours' = added or changed since):"
                if built
                else "(built before Renown recorded when: it cannot tell which are yours):"
            )
        )
        for row in summary:
            if row.total:
                yours = "" if row.since_build is None else f"  ({row.since_build:,} yours)"
                self.stdout.write(f"  {row.kind:>22}: {row.total:,}{yours}")
        self.stdout.write(
            "It keeps the organisation, its members, API tokens, webhook subscriptions and "
            "audit trail."
        )
        if yes:
            return
        if not stdin.isatty():
            raise CommandError(
                "--rebuild deletes the above and asks first, but there is no terminal to ask "
                "in: add --yes to confirm. Nothing was deleted.",
                returncode=NO_CONFIRMATION,
            )
        self.stdout.write("Type 'yes' to delete it and build the demo again: ", ending="")
        self.stdout.flush()
        if stdin.readline().strip().lower() != "yes":
            raise CommandError("Not confirmed. Nothing was deleted.", returncode=NOT_CONFIRMED)

    def _report(self, result: DemoResult, candidates: int) -> None:
        slug = result.organization.slug
        if result.outcome == DemoOutcome.BUILT:
            self.stdout.write(f"Built demo organisation '{slug}' ({result.definition}):")
        elif result.outcome == DemoOutcome.REBUILT:
            self.stdout.write(f"Rebuilt demo organisation '{slug}' ({result.definition}):")
        else:
            built = result.organization.demo_built_at
            self.stdout.write(
                f"Kept the existing demo organisation '{slug}' as it is; nothing was deleted"
                + (f" (built {built:%Y-%m-%d %H:%M} UTC):" if built else ":")
            )
        for name, count in result.counts.items():
            self.stdout.write(f"  {name:>14}: {count:,}")
        if result.outcome == DemoOutcome.OUTDATED:
            was = (
                f"was built from {result.built_from}"
                if result.built_from
                else "was built before Renown recorded the demo's definition"
            )
            self.stdout.write(
                self.style.WARNING(
                    f"The demo {was}; this Renown's demo is {result.definition}. "
                    "To get it, deleting everything in the demo organisation, your own "
                    "changes included: python manage.py demo --rebuild"
                    + (f" --candidates {candidates}" if candidates != DEFAULT_CANDIDATES else "")
                )
            )
        self.stdout.write("Demo logins (password reset on every run):")
        for username, role, staff in DEMO_USERS:
            where = "web UI and /admin/" if staff else "web UI"
            self.stdout.write(f"  {username:<10} {result.password}   ({role.label}; {where})")
