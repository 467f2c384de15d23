"""The latest vendor scores and raw metrics screenings read (scoring.readings), built for
existing data.

A database that already holds vendor scores or snapshots gets every candidate's rows
from that history here, set-based, so the first screening after the upgrade reads
exact values; a new database has nothing to build. Reversing drops the table: the
history it came from stays.
"""

import django.db.models.deletion
import scoring.models
from django.db import migrations, models


def build(apps, schema_editor):
    alias = schema_editor.connection.alias
    vendor_scores = apps.get_model("renown_scoring", "VendorScore").objects.using(alias)
    snapshots = apps.get_model("renown_scoring", "MetricSnapshot").objects.using(alias)
    if not vendor_scores.exists() and not snapshots.exists():
        return
    # The app's own code (not the historical models): the same statements every write
    # runs, so the rows built here are exactly what later writes keep.
    from scoring import readings

    candidates = apps.get_model("renown_candidates", "Candidate").objects.using(alias)
    readings.readings_rebuild(candidates.order_by("pk").values_list("pk", flat=True).iterator())


class Migration(migrations.Migration):

    dependencies = [
        ('renown', '0003_audit_actor_ref_and_event_types'),
        ('renown_candidates', '0004_hostlinkerasure'),
        ('renown_scoring', '0004_window_stats_one_row_per_pair'),
    ]

    operations = [
        migrations.CreateModel(
            name='LatestReading',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('metric', models.CharField(max_length=120)),
                ('value', scoring.models.ExactDecimalField(decimal_places=10, max_digits=30)),
                ('as_of', models.DateTimeField()),
                ('candidate', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='renown_candidates.candidate')),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='renown.organization')),
            ],
            options={
                'indexes': [models.Index(fields=['organization', 'metric', 'value', 'candidate'], name='latestreading_sort')],
                'constraints': [models.UniqueConstraint(fields=('candidate', 'metric'), name='latestreading_unique')],
            },
        ),
        migrations.RunPython(build, migrations.RunPython.noop),
    ]
