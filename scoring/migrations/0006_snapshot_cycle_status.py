"""How a refresh cycle's accounts ended, counted from an index: the refresh pages and the
API count each cycle's snapshots by status (``scoring.selectors.refresh_cycle_list_with_progress``)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('renown_scoring', '0005_latest_reading'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='metricsnapshot',
            index=models.Index(fields=['cycle', 'status'], name='snapshot_cycle_status'),
        ),
    ]
