"""``manage.py renown_reencrypt``: encrypt every stored secret again with the first key.

After putting a new key first in RENOWN_ENCRYPTION_KEYS (the old one still listed), run
this; then the old key can be dropped. Every ``EncryptedTextField`` of every installed
model is rewritten, one table at a time, each in one transaction. Idempotent.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from renown.crypto import EncryptedTextField, UndecryptableSecret, reencrypt


class Command(BaseCommand):
    help = "Encrypt every stored secret again with the first of RENOWN_ENCRYPTION_KEYS."

    def handle(self, *args: str, **options: object) -> None:
        quote = connection.ops.quote_name
        for model in apps.get_models():
            fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
            if not fields:
                continue
            table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
            columns = ", ".join(quote(f.column) for f in fields)
            rewritten = 0
            with transaction.atomic(), connection.cursor() as cursor:
                # Our own table and column names; the values go as parameters.
                cursor.execute(f"SELECT {pk}, {columns} FROM {table}")  # noqa: S608
                for pk_value, *values in cursor.fetchall():
                    try:
                        fresh = [reencrypt(v) if v else v for v in values]
                    except UndecryptableSecret as exc:
                        raise CommandError(f"{model._meta.label} #{pk_value}: {exc}") from None
                    sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)
                    cursor.execute(
                        f"UPDATE {table} SET {sets} WHERE {pk} = %s",  # noqa: S608
                        [*fresh, pk_value],
                    )
                    rewritten += 1
            self.stdout.write(f"{model._meta.label}: {rewritten} row(s) encrypted again")
