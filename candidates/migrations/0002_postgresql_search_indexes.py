"""Trigram indexes for the candidate list's search (PostgreSQL only).

The list searches name, email and account handles with ``icontains``, which
PostgreSQL runs as ``UPPER(col) LIKE UPPER('%…%')``: a GIN index over
``UPPER(col) gin_trgm_ops`` answers that without reading every candidate. On
other databases, or where the pg_trgm extension cannot be created (no
privilege), nothing is done and the search scans instead.
"""

from django.db import migrations, transaction

INDEXES = (
    ("candidate_name_trgm", "Candidate", "name"),
    ("candidate_email_trgm", "Candidate", "email"),
    ("account_handle_trgm", "SocialAccount", "handle"),
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # noqa: BLE001 - no privilege: the search still works, by scanning
        return
    quote = schema_editor.quote_name
    for name, model, column in INDEXES:
        table = apps.get_model("renown_candidates", model)._meta.db_table
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {quote(table)} "
            f"USING gin (UPPER({quote(column)}) gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("renown_candidates", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
