"""The sorted values behind each window-statistics row move to a table of their own.

A statistics row carried each window's sorted values and the noise window's sorted
changes (about a kilobyte), which only a score write reads; every preview, screening
and list read them past the figures it wanted. They now live in ``ScoreWindowValues``,
one row per statistics row (PostgreSQL only), with room on each page for the in-place
updates of a score write (HOT updates). The values are copied across before the columns
go, and back on reversing. A database that holds scores but no statistics yet (one
upgrading from before 0004, which built them with the app's code until this layout
came) gets them built from the score history at the end.
"""

import django.db.models.deletion
import scoring.models
from django.db import migrations, models


COLUMNS = ("changes", "sorted_7", "sorted_30", "sorted_90", "sorted_180", "sorted_365")


def _tables(apps, schema_editor):
    quote = schema_editor.quote_name
    return (
        quote(apps.get_model("renown_scoring", "ScoreWindowStats")._meta.db_table),
        quote(apps.get_model("renown_scoring", "ScoreWindowValues")._meta.db_table),
    )


def copy_apart(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    stats, values = _tables(apps, schema_editor)
    # Each score write rewrites its values row in place: room on each page for that.
    schema_editor.execute(f"ALTER TABLE {values} SET (fillfactor = 50)")
    schema_editor.execute(
        f"INSERT INTO {values} (stats_id, {', '.join(COLUMNS)}) "
        f"SELECT id, {', '.join(COLUMNS)} FROM {stats}"
    )


def copy_back(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    stats, values = _tables(apps, schema_editor)
    schema_editor.execute(
        f"UPDATE {stats} st SET {', '.join(f'{c} = v.{c}' for c in COLUMNS)} "
        f"FROM {values} v WHERE v.stats_id = st.id"
    )


def build(apps, schema_editor):
    alias = schema_editor.connection.alias
    if (
        apps.get_model("renown_scoring", "ScoreWindowStats").objects.using(alias).exists()
        or not apps.get_model("renown_scoring", "Score").objects.using(alias).exists()
    ):
        return
    # The app's own code (not the historical models): the same reduction every write
    # runs, so the rows built here are exactly what later writes keep.
    from renown.models import Organization
    from scoring import window_stats

    if not window_stats.statistics_enabled():
        return
    for organization in Organization.objects.using(alias).order_by("pk"):
        window_stats.window_stats_rebuild(organization=organization)


class Migration(migrations.Migration):
    dependencies = [
        ("renown_scoring", "0006_snapshot_cycle_status"),
    ]

    operations = [
        migrations.CreateModel(
            name="ScoreWindowValues",
            fields=[
                (
                    "stats",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="sorted_values",
                        serialize=False,
                        to="renown_scoring.scorewindowstats",
                    ),
                ),
                ("changes", scoring.models.SortedCentsField(null=True)),
                ("sorted_7", scoring.models.SortedCentsField(null=True)),
                ("sorted_30", scoring.models.SortedCentsField(null=True)),
                ("sorted_90", scoring.models.SortedCentsField(null=True)),
                ("sorted_180", scoring.models.SortedCentsField(null=True)),
                ("sorted_365", scoring.models.SortedCentsField(null=True)),
            ],
            options={
                "verbose_name": "score window values",
                "verbose_name_plural": "score window values",
            },
        ),
        migrations.RunPython(copy_apart, copy_back, elidable=False),
        migrations.RemoveField(
            model_name="scorewindowstats",
            name="changes",
        ),
        migrations.RemoveField(
            model_name="scorewindowstats",
            name="sorted_180",
        ),
        migrations.RemoveField(
            model_name="scorewindowstats",
            name="sorted_30",
        ),
        migrations.RemoveField(
            model_name="scorewindowstats",
            name="sorted_365",
        ),
        migrations.RemoveField(
            model_name="scorewindowstats",
            name="sorted_7",
        ),
        migrations.RemoveField(
            model_name="scorewindowstats",
            name="sorted_90",
        ),
        migrations.RunPython(build, migrations.RunPython.noop, elidable=True),
    ]
