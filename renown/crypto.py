"""Secrets at rest: what Renown must store to talk to other systems, encrypted.

ATS webhook secrets and API credentials are kept as Fernet tokens (AES-128-CBC with an
HMAC-SHA256, from the ``cryptography`` library) in an ``EncryptedTextField``. The keys
are ``RENOWN_ENCRYPTION_KEYS``: the first encrypts, every one decrypts (``MultiFernet``),
so a key is rotated by putting the new one first and re-encrypting (``manage.py
renown_reencrypt``) before dropping the old one. The standalone site reads them from
the environment or a secret file (docs/install.md).

With no key set, a key is derived from ``SECRET_KEY`` (HKDF-SHA256 with a label of its
own), so a development site works out of the box; ``renown.W030`` says so, because
changing ``SECRET_KEY`` then makes the stored secrets unreadable.

A value that cannot be decrypted raises ``UndecryptableSecret``: a wrong or missing key
is an operator's error to see, never a secret silently replaced by "".
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Expression

from renown import conf

_DERIVATION_LABEL = b"renown secrets at rest v1"


class UndecryptableSecret(ValueError):
    """A stored secret none of RENOWN_ENCRYPTION_KEYS decrypts (a key was changed or lost)."""


def derived_key(secret_key: str) -> bytes:
    """The Fernet key derived from Django's SECRET_KEY (used when no key is set)."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_DERIVATION_LABEL).derive(
        secret_key.encode()
    )
    return base64.urlsafe_b64encode(raw)


def keys_configured() -> bool:
    """Whether RENOWN_ENCRYPTION_KEYS names at least one key (else SECRET_KEY's is used)."""
    return bool(conf.get("RENOWN_ENCRYPTION_KEYS"))


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    chosen = [key.encode() for key in keys] or [derived_key(secret_key)]
    return MultiFernet([Fernet(key) for key in chosen])


def _current() -> MultiFernet:
    return _fernet(tuple(conf.get("RENOWN_ENCRYPTION_KEYS")), str(settings.SECRET_KEY))


def encrypt(plain: str) -> str:
    """``plain`` as a Fernet token (text), with the first key."""
    return _current().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    """The text ``token`` holds; UndecryptableSecret when no key opens it."""
    try:
        return _current().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        raise UndecryptableSecret(
            "a stored secret cannot be decrypted with RENOWN_ENCRYPTION_KEYS "
            "(was a key, or SECRET_KEY, changed?)"
        ) from None


def reencrypt(token: str) -> str:
    """``token`` encrypted again with the first key (for a key rotation)."""
    try:
        return _current().rotate(token.encode()).decode()
    except InvalidToken:
        raise UndecryptableSecret("a stored secret cannot be decrypted") from None


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Text kept as a Fernet token in the database and read back as the text.

    Not searchable or comparable in SQL (each encryption differs); never shown in the
    admin or exports by Renown. An empty string is stored as it is.
    """

    def get_prep_value(self, value: object) -> object:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))

    def from_db_value(
        self, value: str | None, expression: Expression, connection: BaseDatabaseWrapper
    ) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)


def encrypt_column(
    schema_editor: object, table: str, column: str, *, backwards: bool = False
) -> None:
    """A migration's step: the plain text already in ``table.column`` encrypted in place.

    ``backwards`` decrypts it again (the migration undone). Rows are read and written
    with SQL, not the model: a historical model would not know the field encrypts.
    """
    connection = schema_editor.connection  # type: ignore[attr-defined]
    quote = connection.ops.quote_name
    change = decrypt if backwards else encrypt
    with connection.cursor() as cursor:
        # Our own table and column names; the values go as parameters.
        cursor.execute(f"SELECT id, {quote(column)} FROM {quote(table)}")  # noqa: S608
        for pk, value in cursor.fetchall():
            if value:
                cursor.execute(
                    f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE id = %s",  # noqa: S608
                    [change(value), pk],
                )
