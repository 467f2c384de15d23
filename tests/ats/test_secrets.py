"""ATS secrets and credentials: encrypted at rest, set by commands, never on the trail."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from hiring.ats import services as ats_services
from hiring.ats.models import AtsCredential, AtsSecret
from renown import crypto
from renown.models import AuditEvent

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()


def stored(table: str, column: str) -> list[str]:
    """The column's values as the database holds them (no field conversion)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table}")  # noqa: S608 - test's own names
        return [row[0] for row in cursor.fetchall()]


def test_a_value_round_trips_and_each_encryption_differs() -> None:
    first, second = crypto.encrypt("s3cret"), crypto.encrypt("s3cret")
    assert first != second
    assert "s3cret" not in first
    assert crypto.decrypt(first) == crypto.decrypt(second) == "s3cret"


def test_a_new_key_first_still_reads_what_the_old_one_wrote_and_rotation_moves_it() -> None:
    with override_settings(RENOWN_ENCRYPTION_KEYS=[KEY_A]):
        old = crypto.encrypt("token")
    with override_settings(RENOWN_ENCRYPTION_KEYS=[KEY_B, KEY_A]):
        assert crypto.decrypt(old) == "token"
        moved = crypto.reencrypt(old)
    with override_settings(RENOWN_ENCRYPTION_KEYS=[KEY_B]):
        assert crypto.decrypt(moved) == "token"
        with pytest.raises(crypto.UndecryptableSecret):
            crypto.decrypt(old)


@pytest.mark.parametrize("token", ["", "plain text", "gAAAAA", "tampered", "☃"])
def test_what_no_key_opens_is_an_error_never_an_empty_secret(token: str) -> None:
    if token == "tampered":
        token = crypto.encrypt("x")[:-4] + "AAAA"
    with pytest.raises(crypto.UndecryptableSecret):
        crypto.decrypt(token)


@pytest.mark.django_db
def test_secrets_and_credentials_are_stored_encrypted_and_read_back(org_a: Any) -> None:
    secret = ats_services.ats_secret_set(organization=org_a, ats="greenhouse")
    ats_services.ats_connect(
        organization=org_a, ats="lever", credentials={"api_key": "lever-key-1234"}
    )
    [raw_secret] = stored(AtsSecret._meta.db_table, "secret")
    [raw_credentials] = stored(AtsCredential._meta.db_table, "credentials")
    assert secret not in raw_secret
    assert "lever-key-1234" not in raw_credentials
    assert AtsSecret.objects.get().secret == secret
    assert json.loads(AtsCredential.objects.get().credentials) == {"api_key": "lever-key-1234"}
    trail = json.dumps([e.hash_payload() for e in AuditEvent.objects.filter(organization=org_a)])
    assert secret not in trail
    assert "lever-key-1234" not in trail
    assert "ats.connected" in trail


@pytest.mark.django_db
def test_ats_secret_stores_an_issued_token_from_stdin_under_its_label(
    org_a: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    for label, token in (
        ("applicationCreated", "tok-created-1"),
        ("candidateHired", "tok-hired-2"),
    ):
        monkeypatch.setattr("sys.stdin", io.StringIO(token + "\n"))
        call_command(
            "ats_secret", "--org", "acme", "--ats", "lever", "--value-from-stdin", "--label", label
        )
    out = capsys.readouterr().out
    assert "tok-created-1" not in out
    assert "tok-hired-2" not in out
    assert sorted(AtsSecret.objects.values_list("label", flat=True)) == [
        "applicationCreated",
        "candidateHired",
    ]
    assert {s.secret for s in AtsSecret.objects.all()} == {"tok-created-1", "tok-hired-2"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--ats", "lever"], "", "issues the secret"),
        (["--ats", "workable"], "", "issues the secret"),
        (["--ats", "lever", "--value-from-stdin"], "  \n", "no secret on standard input"),
        (["--ats", "lever", "--value-from-stdin"], "short", "8-500 characters"),
        (["--ats", "lever", "--value-from-stdin"], "has a space", "8-500 characters"),
        (["--ats", "nope"], "", "invalid choice"),
    ],
)
def test_ats_secret_refuses_what_it_cannot_store(
    org_a: Any, monkeypatch: pytest.MonkeyPatch, args: list[str], stdin: str, message: str
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    with pytest.raises(CommandError, match=message):
        call_command("ats_secret", "--org", "acme", *args)
    assert not AtsSecret.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ats", "stdin", "expected"),
    [
        ("lever", "lever-api-key\n", {"api_key": "lever-api-key"}),
        ("ashby", "api_key=ashby-key-9\n", {"api_key": "ashby-key-9"}),
        (
            "greenhouse",
            "client_id=gh-client\nclient_secret=gh-secret\n",
            {"client_id": "gh-client", "client_secret": "gh-secret"},
        ),
        (
            "workable",
            # Not "acme": the command names the organisation (slug acme) in its output.
            '{"token": "wk-token", "subdomain": "acme-careers"}',
            {"token": "wk-token", "subdomain": "acme-careers"},
        ),
    ],
)
def test_ats_connect_reads_the_credentials_from_stdin(
    org_a: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
    ats: str,
    stdin: str,
    expected: dict[str, str],
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    call_command("ats_connect", "--org", "acme", "--ats", ats)
    row = AtsCredential.objects.get(organization=org_a, ats=ats)
    assert json.loads(row.credentials) == expected
    out = capsys.readouterr().out
    assert all(value not in out for value in expected.values())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ats", "stdin", "message"),
    [
        ("greenhouse", "client_id=only\n", "client_secret: Required"),
        ("greenhouse", "gh-key-v1-retired\n", "expected field=value"),
        ("lever", "api_key=a\nextra=b\n", "extra: Lever takes api_key"),
        ("lever", "", "no credentials"),
        ("workable", "{not json", "not JSON"),
        ("ashby", "api_key=has space\n", "Not a credential"),
    ],
)
def test_ats_connect_refuses_incomplete_or_odd_credentials(
    org_a: Any, monkeypatch: pytest.MonkeyPatch, ats: str, stdin: str, message: str
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    with pytest.raises(CommandError, match=message):
        call_command("ats_connect", "--org", "acme", "--ats", ats)
    assert not AtsCredential.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_encrypts_the_greenhouse_secrets_already_held(org_a: Any) -> None:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("renown_hiring", "0007_model_names_in_words")])
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {AtsSecret._meta.db_table} "  # noqa: S608
                "(organization_id, ats, secret, created_at, updated_at) "
                "VALUES (%s, 'greenhouse', 'plain-old-secret', %s, %s)",
                [org_a.pk, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"],
            )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes("renown_hiring"))
    [raw] = stored(AtsSecret._meta.db_table, "secret")
    assert raw != "plain-old-secret"
    assert AtsSecret.objects.get().secret == "plain-old-secret"


@pytest.mark.django_db
def test_renown_reencrypt_moves_every_secret_to_the_new_first_key(org_a: Any) -> None:
    with override_settings(RENOWN_ENCRYPTION_KEYS=[KEY_A]):
        secret = ats_services.ats_secret_set(organization=org_a, ats="greenhouse")
        ats_services.ats_connect(
            organization=org_a,
            ats="greenhouse",
            credentials={"client_id": "gh-id", "client_secret": "gh-secret"},
        )
    with override_settings(RENOWN_ENCRYPTION_KEYS=[KEY_B, KEY_A]):
        call_command("renown_reencrypt", stdout=io.StringIO())
    with override_settings(RENOWN_ENCRYPTION_KEYS=[KEY_B]):
        assert AtsSecret.objects.get().secret == secret
        assert json.loads(AtsCredential.objects.get().credentials)["client_secret"] == "gh-secret"
    with override_settings(RENOWN_ENCRYPTION_KEYS=[KEY_A]), pytest.raises(CommandError):
        call_command("renown_reencrypt", stdout=io.StringIO())


@pytest.mark.django_db
def test_webhook_signing_secrets_are_stored_encrypted_too(org_a: Any) -> None:
    from renown.models import WebhookSubscription
    from renown.webhooks import services as webhook_services

    subscription, secret = webhook_services.subscription_create(
        organization=org_a, name="ats", url="https://ats.example.com/hook", events=["score.updated"]
    )
    rotated = webhook_services.subscription_rotate_secret(subscription=subscription)
    [raw] = stored(WebhookSubscription._meta.db_table, "secret")
    assert secret not in raw
    assert rotated not in raw
    assert WebhookSubscription.objects.get().secret == rotated


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_encrypts_the_webhook_secrets_already_held(org_a: Any) -> None:
    from django.db.migrations.executor import MigrationExecutor

    from renown.models import WebhookSubscription

    executor = MigrationExecutor(connection)
    executor.migrate([("renown", "0007_ats_connected_event")])
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {WebhookSubscription._meta.db_table} "  # noqa: S608
                "(organization_id, name, url, events, secret, active, consecutive_failures, "
                "disabled_reason, signature_scheme, created_at, updated_at) "
                "VALUES (%s, 'old', 'https://ats.example.com/h', '[]', 'whsec_plain', %s, 0, '', "
                "'renown-v1', %s, %s)",
                [org_a.pk, True, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"],
            )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes("renown"))
    [raw] = stored(WebhookSubscription._meta.db_table, "secret")
    assert raw != "whsec_plain"
    assert WebhookSubscription.objects.get().secret == "whsec_plain"
