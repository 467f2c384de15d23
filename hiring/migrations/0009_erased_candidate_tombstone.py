"""Tombstones of erased candidates, for the API's updated_after reads.

Erasures made before this migration get one from the audit trail: each erasure's
``candidate.erased`` event names the public id the integrations held and when it
happened (the purge's events, ``purged``, name the kept record's new id, which no
integration ever saw, and are skipped). Only those still within the days a tombstone
is kept (RENOWN_ERASURE_TOMBSTONE_DAYS, 90 by default).
"""

import uuid
from datetime import timedelta

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def tombstones_from_the_trail(apps, schema_editor):
    AuditEvent = apps.get_model("renown", "AuditEvent")
    Tombstone = apps.get_model("renown_hiring", "ErasedCandidateTombstone")
    days = getattr(settings, "RENOWN_ERASURE_TOMBSTONE_DAYS", 90)
    since = timezone.now() - timedelta(days=days)
    events = AuditEvent.objects.filter(
        event_type="candidate.erased", occurred_at__gte=since, organization__isnull=False
    ).values_list("organization_id", "occurred_at", "after")
    tombstones = []
    for organization_id, occurred_at, after in events.iterator():
        if not isinstance(after, dict) or after.get("purged"):
            continue
        try:
            public_id = uuid.UUID(str(after.get("candidate")))
        except ValueError:
            continue
        tombstones.append(
            Tombstone(organization_id=organization_id, public_id=public_id, erased_at=occurred_at)
        )
    Tombstone.objects.bulk_create(tombstones, batch_size=1000, ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ('renown', '0005_review_assignment'),
        ('renown_hiring', '0008_ats_connectors'),
    ]

    operations = [
        migrations.CreateModel(
            name='ErasedCandidateTombstone',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('public_id', models.UUIDField(help_text='The public id the candidate had.', unique=True)),
                ('erased_at', models.DateTimeField()),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='erased_candidate_tombstones', to='renown.organization')),
            ],
            options={
                'indexes': [models.Index(fields=['organization', 'erased_at', 'public_id'], name='tombstone_org_erased')],
            },
        ),
        migrations.RunPython(tombstones_from_the_trail, migrations.RunPython.noop),
    ]
