"""``python manage.py import_vendor_scores --org SLUG FILE.csv``: legacy vendor scores.

Columns: ``external_id`` or ``email``, ``vendor``, ``value``, ``as_of`` (YYYY-MM-DD),
and ``scale_min``, ``scale_max`` for a custom vendor; separated by commas,
semicolons or tabs. The whole file is read and every row validated before
anything is written:

- a file that cannot be read to its end (not UTF-8, a NUL byte, broken quoting),
  has no header or lacks a column writes nothing and exits 2, naming the line;
- otherwise the good rows are written together in one transaction and each bad
  row is reported on stderr with its line number, field and reason: exit 0 when
  every row was taken, 1 when some were rejected.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DataError, IntegrityError

from renown.management import options as read
from renown.models import Organization
from scoring.csvfile import CsvUnreadable, csv_read, duplicate_columns
from scoring.services import vendor_scores_import

REQUIRED = ("vendor", "value", "as_of")
COLUMNS = ("external_id", "email", *REQUIRED, "scale_min", "scale_max")


class Command(BaseCommand):
    help = "Import legacy vendor scores (Klout, Kred, PeerIndex, Twitter Grader, custom) from CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="The organisation's slug.")
        parser.add_argument("file", type=Path, help="CSV file with a header row.")

    def handle(self, *args: str, **options: object) -> None:
        slug = read.text(options, "org")
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            raise CommandError(f"No organisation with slug {slug!r}.", returncode=2)
        path = read.path(options, "file")
        try:
            table = csv_read(path, expected=COLUMNS)
        except CsvUnreadable as exc:
            raise CommandError(f"Cannot read {exc}; nothing was imported.", returncode=2) from None
        if table.separator != ",":
            self.stdout.write(table.separator_note)
        columns = set(table.header)
        need = [name for name in REQUIRED if name not in columns]
        if not {"external_id", "email"} & columns:
            need.append("external_id or email")
        if need:
            raise CommandError(
                f"{path}, line 1: missing column(s): {', '.join(need)} (read as "
                f"{table.separator_name}-separated); nothing was imported.",
                returncode=2,
            )
        if twice := [name for name in duplicate_columns(table.header) if name in COLUMNS]:
            raise CommandError(
                f"{path}, line 1: column(s) {', '.join(twice)} appear more than once; "
                "nothing was imported.",
                returncode=2,
            )
        rows: list[tuple[int, dict[str, str]]] = []
        misshapen: list[tuple[int, str]] = []
        for row in table.rows:
            if len(row.cells) != len(table.header):
                misshapen.append(
                    (
                        row.line,
                        f"row: {len(row.cells)} fields where the header has "
                        f"{len(table.header)} (an unquoted {table.separator_name} in a value?)",
                    )
                )
            else:
                rows.append((row.line, table.row_dict(row)))
        try:
            report = vendor_scores_import(
                organization=organization,
                rows=rows,
                source=f"import:{path.name}",
                actor="command:import_vendor_scores",
            )
        except (DataError, IntegrityError) as exc:
            # Validation follows the columns; should the database still refuse, say so whole.
            raise CommandError(
                f"{path}: the database refused the import ({exc}); nothing was imported.",
                returncode=2,
            ) from exc
        rejected = sorted(report.rejected + misshapen)
        for line, reason in rejected:
            self.stderr.write(f"line {line}, {reason}")
        self.stdout.write(
            f"{report.taken} row(s) taken ({report.created} new, {report.updated} updated, "
            f"{report.unchanged} unchanged), {len(rejected)} rejected."
        )
        if rejected:
            raise SystemExit(1)
