"""The window statistics as one row per candidate and scorer, updated in place.

A score write used to replace five rows per pair (one per window), each reduced again
from up to a year of history: at 10,000 pairs, several times the write itself. Now one
row per pair holds every window's figures and, on PostgreSQL, what an appended reading
needs to update them without the history (each window's values sorted, the noise
window's changes sorted) and ``renown_scoring_middle_deviations``, the function that
reads the noise off the sorted changes. The rows are built again from the score
history in 0007 (the table is derived data: nothing the user made is lost). Reversing
drops the function and the table; the history stays.
"""

import django.db.models.deletion
import scoring.models
from django.db import migrations, models

# The two middle absolute deviations of a sorted int array from its median, doubled
# (integers: the centre may fall halfway between two values). The k values nearest the
# centre are a run of the sorted array, found by a binary search; the k-th smallest
# deviation is the farther end of that run, the (k+1)-th the nearer value beside it.
DEVIATIONS = """
CREATE OR REPLACE FUNCTION renown_scoring_middle_deviations(c integer[]) RETURNS integer[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    n integer := cardinality(c);
    centre integer;
    k integer;
    lo integer := 1;
    hi integer;
    mid integer;
    kth integer;
BEGIN
    IF n = 0 THEN
        RETURN NULL;
    END IF;
    centre := c[(n + 1) / 2] + c[n / 2 + 1];
    k := (n + 1) / 2;
    hi := n - k + 1;
    WHILE lo < hi LOOP
        mid := (lo + hi) / 2;
        IF centre - 2 * c[mid] > 2 * c[mid + k] - centre THEN
            lo := mid + 1;
        ELSE
            hi := mid;
        END IF;
    END LOOP;
    kth := greatest(centre - 2 * c[lo], 2 * c[lo + k - 1] - centre);
    IF mod(n, 2) = 1 THEN
        RETURN ARRAY[kth, kth];
    END IF;
    -- n even: the next nearest value is a neighbour of the run.
    RETURN ARRAY[kth, greatest(kth, least(
        CASE WHEN lo > 1 THEN centre - 2 * c[lo - 1] END,
        CASE WHEN lo + k <= n THEN 2 * c[lo + k] - centre END
    ))];
END
$$
"""


def postgresql_only(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(DEVIATIONS)
    # Every score write updates its row in place; room on each page lets PostgreSQL do it
    # without touching the indexes (HOT updates): only unindexed columns change.
    table = schema_editor.quote_name(
        apps.get_model("renown_scoring", "ScoreWindowStats")._meta.db_table
    )
    schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = 70)")


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS renown_scoring_middle_deviations(integer[])")


def build(apps, schema_editor):
    # Moved to 0007, which gives the statistics the layout the app's code writes today
    # (this step called that code, so it could only ever build the newest layout).
    return


class Migration(migrations.Migration):
    dependencies = [
        ("renown_candidates", "0004_hostlinkerasure"),
        ("renown_scoring", "0003_score_window_stats"),
    ]

    operations = [
        migrations.DeleteModel(
            name="ScoreWindowStats",
        ),
        migrations.CreateModel(
            name="ScoreWindowStats",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
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
                ("scorer", models.CharField(max_length=50)),
                ("newest_at", models.DateTimeField(help_text="The newest reading in the year.")),
                ("latest_value", models.DecimalField(decimal_places=2, max_digits=8)),
                ("noise_low", models.DecimalField(decimal_places=3, max_digits=10, null=True)),
                ("noise_high", models.DecimalField(decimal_places=3, max_digits=10, null=True)),
                ("changes", scoring.models.SortedCentsField(null=True)),
                (
                    "computed_on",
                    models.DateField(help_text="The UTC day the windows ended on when computed."),
                ),
                (
                    "slides_on",
                    models.DateField(
                        help_text="The first day a reading leaves one of the windows."
                    ),
                ),
                ("readings_7", models.PositiveIntegerField(default=0)),
                ("oldest_7", models.DateTimeField(null=True)),
                ("min_7", models.DecimalField(decimal_places=2, max_digits=8, null=True)),
                ("max_7", models.DecimalField(decimal_places=2, max_digits=8, null=True)),
                ("median_low_7", models.DecimalField(decimal_places=2, max_digits=8, null=True)),
                ("median_high_7", models.DecimalField(decimal_places=2, max_digits=8, null=True)),
                ("sorted_7", scoring.models.SortedCentsField(null=True)),
                ("readings_30", models.PositiveIntegerField(default=0)),
                ("oldest_30", models.DateTimeField(null=True)),
                ("min_30", models.DecimalField(decimal_places=2, max_digits=8, null=True)),
                ("max_30", models.DecimalField(decimal_places=2, max_digits=8, null=True)),
                ("median_low_30", models.DecimalField(decimal_places=2, max_digits=8, null=True)),
                ("median_high_30", models.DecimalField(decimal_places=2, max_digits=8, null=True)),
                ("sorted_30", scoring.models.SortedCentsField(null=True)),
                ("readings_90", models.PositiveIntegerField(default=0)),
                ("oldest_90", models.DateTimeField(null=True)),
                ("min_90", models.DecimalField(decimal_places=2, max_digits=8, null=True)),
                ("max_90", models.DecimalField(decimal_places=2, max_digits=8, null=True)),
                ("median_low_90", models.DecimalField(decimal_places=2, max_digits=8, null=True)),
                ("median_high_90", models.DecimalField(decimal_places=2, max_digits=8, null=True)),
                ("sorted_90", scoring.models.SortedCentsField(null=True)),
                ("readings_180", models.PositiveIntegerField(default=0)),
                ("oldest_180", models.DateTimeField(null=True)),
                ("min_180", models.DecimalField(decimal_places=2, max_digits=8, null=True)),
                ("max_180", models.DecimalField(decimal_places=2, max_digits=8, null=True)),
                ("median_low_180", models.DecimalField(decimal_places=2, max_digits=8, null=True)),
                ("median_high_180", models.DecimalField(decimal_places=2, max_digits=8, null=True)),
                ("sorted_180", scoring.models.SortedCentsField(null=True)),
                ("readings_365", models.PositiveIntegerField(default=0)),
                ("oldest_365", models.DateTimeField(null=True)),
                ("min_365", models.DecimalField(decimal_places=2, max_digits=8, null=True)),
                ("max_365", models.DecimalField(decimal_places=2, max_digits=8, null=True)),
                ("median_low_365", models.DecimalField(decimal_places=2, max_digits=8, null=True)),
                ("median_high_365", models.DecimalField(decimal_places=2, max_digits=8, null=True)),
                ("sorted_365", scoring.models.SortedCentsField(null=True)),
            ],
            options={
                "verbose_name": "score window statistics",
                "verbose_name_plural": "score window statistics",
                "indexes": [models.Index(fields=["slides_on"], name="scorewindowstats_slides_on")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("candidate", "scorer"), name="scorewindowstats_pair"
                    )
                ],
            },
        ),
        migrations.RunPython(postgresql_only, drop_function),
        migrations.RunPython(build, migrations.RunPython.noop, elidable=True),
    ]
