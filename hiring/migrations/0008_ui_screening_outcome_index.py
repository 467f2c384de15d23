"""A covering index for the candidate list's "job + outcome" filter (PostgreSQL only).

The list reads the candidate ids of one outcome of one job; screening rows are wide
(reasons, rule versions) and kept sparse (fillfactor, migration 0006), so reading them
from the heap costs far more than from an index that includes the candidate id.
Not declared on the model: SQLite has no INCLUDE (as scoring's migration 0003).
"""

from django.db import migrations


def covering_index(apps, schema_editor):
    # PostgreSQL only: the candidate list's "job + outcome" filter reads the candidate
    # ids of one outcome from the index alone (screening rows are wide and sparse).
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS screening_job_outcome_candidate "
            "ON hiring_screening (job_id, outcome) INCLUDE (candidate_id)"
        )


def drop_covering_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS screening_job_outcome_candidate")


class Migration(migrations.Migration):
    dependencies = [
        ("hiring", "0007_ui_audit_event_types"),
    ]

    operations = [migrations.RunPython(covering_index, drop_covering_index)]
