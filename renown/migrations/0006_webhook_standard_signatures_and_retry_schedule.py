"""Issue 20: Standard Webhooks signatures out, and retries driven from the database.

Subscriptions that exist keep signing the way their receivers check (``renown-v1``,
``Renown-Signature``) until switched; new ones default to ``standard``. Deliveries gain
``round_attempts`` (their place in the retry schedule) and ``queued_at`` (the sweep's
claim). Those waiting for a retry keep their place; subscriptions failing now start their
failing streak at the migration (the old count did not say since when).
"""

from django.db import migrations, models
from django.db.models import F
from django.utils import timezone


def carry_over(apps, schema_editor):
    WebhookSubscription = apps.get_model("renown", "WebhookSubscription")
    WebhookDelivery = apps.get_model("renown", "WebhookDelivery")
    WebhookSubscription.objects.filter(consecutive_failures__gt=0, active=True).update(
        failing_since=timezone.now()
    )
    # Earlier versions counted the attempts of a retry chain in the queue message only;
    # the delivery's attempts are the nearest the database holds.
    WebhookDelivery.objects.filter(status="retrying").update(round_attempts=F("attempts"))


class Migration(migrations.Migration):

    dependencies = [
        ("renown", "0005_review_assignment"),
    ]

    operations = [
        # Existing rows get the legacy scheme; the default then becomes Standard Webhooks.
        migrations.AddField(
            model_name="webhooksubscription",
            name="signature_scheme",
            field=models.CharField(
                choices=[
                    ("standard", "Standard Webhooks (webhook-signature)"),
                    ("renown-v1", "Renown-Signature (legacy)"),
                ],
                default="renown-v1",
                editable=False,
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="webhooksubscription",
            name="signature_scheme",
            field=models.CharField(
                choices=[
                    ("standard", "Standard Webhooks (webhook-signature)"),
                    ("renown-v1", "Renown-Signature (legacy)"),
                ],
                default="standard",
                editable=False,
                max_length=20,
            ),
        ),
        migrations.AddConstraint(
            model_name="webhooksubscription",
            constraint=models.CheckConstraint(
                condition=models.Q(("signature_scheme__in", ["standard", "renown-v1"])),
                name="webhooksub_scheme_valid",
            ),
        ),
        migrations.AddField(
            model_name="webhooksubscription",
            name="failing_since",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="webhookdelivery",
            name="round_attempts",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="webhookdelivery",
            name="queued_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(carry_over, migrations.RunPython.noop),
    ]
