"""The window statistics screenings read (scoring.window_stats), built for existing scores.

A database that already holds scores gets every organisation's statistics (and its
latest-value rows) from the score history here, so the first screening after the
upgrade reads exact figures; a new database has nothing to build. Reversing drops the
table: the history it came from stays.
"""

import django.db.models.deletion
from django.db import migrations, models


def fillfactor(apps, schema_editor):
    # Every score write updates its rows in place; room on each page lets PostgreSQL do it
    # without touching the indexes (HOT updates), as only unindexed columns change.
    if schema_editor.connection.vendor == "postgresql":
        table = schema_editor.quote_name(
            apps.get_model("renown_scoring", "ScoreWindowStats")._meta.db_table
        )
        schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = 70)")


def build(apps, schema_editor):
    # Moved to 0004, which gives the statistics the layout the app's code writes today
    # (this step called that code, so it could only ever build the newest layout).
    return


class Migration(migrations.Migration):
    dependencies = [
        ("renown_candidates", "0004_hostlinkerasure"),
        ("renown_scoring", "0002_postgresql_score_history_covering_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="ScoreWindowStats",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("scorer", models.CharField(max_length=50)),
                (
                    "window_days",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (7, "7 days"),
                            (30, "30 days"),
                            (90, "90 days"),
                            (180, "180 days"),
                            (365, "365 days"),
                        ]
                    ),
                ),
                ("readings", models.PositiveIntegerField()),
                ("oldest_at", models.DateTimeField(help_text="The oldest reading in the window.")),
                ("newest_at", models.DateTimeField(help_text="The newest reading in the window.")),
                ("latest_value", models.DecimalField(decimal_places=2, max_digits=8)),
                ("min_value", models.DecimalField(decimal_places=2, max_digits=8)),
                ("max_value", models.DecimalField(decimal_places=2, max_digits=8)),
                ("median_low", models.DecimalField(decimal_places=2, max_digits=8)),
                ("median_high", models.DecimalField(decimal_places=2, max_digits=8)),
                ("noise_low", models.DecimalField(decimal_places=3, max_digits=10, null=True)),
                ("noise_high", models.DecimalField(decimal_places=3, max_digits=10, null=True)),
                (
                    "computed_on",
                    models.DateField(help_text="The UTC day the window ended on when computed."),
                ),
                (
                    "candidate",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="renown_candidates.candidate",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["window_days", "oldest_at"], name="scorewindowstats_slide")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("candidate", "scorer", "window_days"),
                        name="scorewindowstats_unique",
                    )
                ],
            },
        ),
        migrations.RunPython(fillfactor, migrations.RunPython.noop),
        migrations.RunPython(build, migrations.RunPython.noop, elidable=True),
    ]
