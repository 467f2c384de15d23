"""``python manage.py export_audit_trail [--org SLUG] [--format jsonl|csv]`` to stdout.

Every row carries exactly the fields the hash covers, so the export can be
verified without Renown: drop ``hash``, ``organization_slug`` and ``actor_id``,
serialise the rest as canonical JSON (sorted keys, no whitespace, UTF-8) and
take its SHA-256. In CSV, ``before`` and ``after`` are canonical JSON text, and
every cell is defused as the candidate CSV is (``hiring.listing.csv_cell``): a cell a
spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR) or one that
starts with ``'`` gets a leading ``'``; drop one leading ``'`` from each cell that
has one before verifying.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Iterator

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hiring.listing import csv_cell
from renown.json_types import JSONObject
from renown.models import Organization, audit_canonical_json
from renown.trail import audit_trail_export

COLUMNS = [
    "organization",
    "organization_slug",
    "sequence",
    "occurred_at",
    "actor",
    "actor_id",
    "event_type",
    "subject_type",
    "subject_id",
    "before",
    "after",
    "note",
    "prev_hash",
    "hash",
]


class Command(BaseCommand):
    help = "Write the audit trail (all chains, or one organisation's) to stdout as JSONL or CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", metavar="SLUG", help="Only this organisation's chain.")
        parser.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")

    def handle(self, *args: str, **options: object) -> None:
        organization = None
        if options["org"]:
            organization = Organization.objects.filter(slug=str(options["org"])).first()
            if organization is None:
                raise CommandError(f"No organisation with slug {options['org']!r}.", returncode=2)
        rows = audit_trail_export(organization=organization)
        try:
            self._write(rows, str(options["format"]))
        except BrokenPipeError:
            # The reader stopped early (``| head``): not an error of the export.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise SystemExit(1) from None
        finally:
            rows.close()  # its database cursor, while the connection is still open

    def _write(self, rows: Iterator[JSONObject], fmt: str) -> None:
        if fmt == "jsonl":
            for row in rows:
                self.stdout.write(
                    json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
                )
            return
        buffer = io.StringIO()
        # CRLF rows (RFC 4180, as the candidate CSV): with a bare "\n" terminator the csv
        # module leaves a note holding a lone "\r" unquoted, and the row cannot be read back.
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            for key in ("before", "after"):
                row[key] = "" if row[key] is None else audit_canonical_json(row[key])
            # A note or actor is free text: a spreadsheet must not run it as a formula.
            writer.writerow({key: csv_cell(row[key]) for key in COLUMNS})
            self.stdout.write(buffer.getvalue(), ending="")
            buffer.seek(0)
            buffer.truncate()
        self.stdout.write(buffer.getvalue(), ending="")
