"""On PostgreSQL, the score history index covers value and id (INCLUDE).

Screening a job reads the history of every candidate's scores (a 90-day median
over 100,000 candidates is 9 million rows); with the values in the index the
database never reads the wide score rows (explanations, snapshot ids). The model
declares the plain index (SQLite has no INCLUDE); only PostgreSQL gets the
covering one, under the same name.
"""

from django.db import migrations


def _replace(apps, schema_editor, *, covering):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("renown_scoring", "Score")._meta.db_table)
    include = " INCLUDE (value, id)" if covering else ""
    schema_editor.execute("DROP INDEX IF EXISTS score_candidate_history")
    schema_editor.execute(
        f"CREATE INDEX score_candidate_history ON {table} "
        f"(candidate_id, scorer, as_of DESC){include}"
    )


def forwards(apps, schema_editor):
    _replace(apps, schema_editor, covering=True)


def backwards(apps, schema_editor):
    _replace(apps, schema_editor, covering=False)


class Migration(migrations.Migration):
    dependencies = [
        ("renown_scoring", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
