"""How PostgreSQL stores screenings (other databases have no such settings).

- Room on each page for a screening's next version (fillfactor 50): a screening run
  rewrites every screening of the job, and with half of each page free the new version
  lands beside the old one (a HOT update: no index entry to add, the old version pruned
  in place), so repeated runs neither slow down nor bloat the table.
- A covering index for the candidate list's "job + outcome" filter: screening rows are
  wide (reasons, rule versions) and kept sparse, so reading the candidate ids of one
  outcome from an index that includes them is far cheaper than from the heap. Not
  declared on the model: SQLite has no INCLUDE.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("renown_hiring", "Screening")._meta.db_table)
    schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = 50)")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS screening_job_outcome_candidate "
        f"ON {table} (job_id, outcome) INCLUDE (candidate_id)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("renown_hiring", "Screening")._meta.db_table)
    schema_editor.execute("DROP INDEX IF EXISTS screening_job_outcome_candidate")
    schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("renown_hiring", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
