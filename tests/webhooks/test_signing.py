"""Renown-Signature out (legacy) and Greenhouse's Signature in: HMAC-SHA256, constant-time,
timestamped; the documented checks, Standard Webhooks' included, run against Renown's signatures.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest

from hiring.ats.base import Delivery, Unauthenticated
from hiring.ats.greenhouse import Greenhouse
from hiring.ats.greenhouse import signature as greenhouse_signature
from renown.webhooks.signing import (
    SignatureError,
    new_secret,
    sign,
    signature_headers,
    verify,
)

BODY = b'{"id":"e1","type":"score.updated"}'


def test_the_header_is_t_and_v1_hmac_of_timestamp_dot_body() -> None:
    header = sign("s3cret", BODY, timestamp=1_700_000_000)
    expected = hmac.new(b"s3cret", b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"


def test_verify_accepts_a_fresh_signature_and_returns_its_time() -> None:
    header = sign("s3cret", BODY, timestamp=1_700_000_000)
    assert verify("s3cret", BODY, header, now=1_700_000_100) == 1_700_000_000


@pytest.mark.parametrize(
    ("secret", "body", "now", "why"),
    [
        ("other", BODY, 1_700_000_000, "does not match"),
        ("s3cret", BODY + b" ", 1_700_000_000, "does not match"),
        ("s3cret", BODY, 1_700_000_301, "tolerance"),  # a replay five minutes later
        ("s3cret", BODY, 1_699_999_699, "tolerance"),  # a clock far ahead
    ],
)
def test_verify_refuses_wrong_secret_changed_body_and_old_timestamps(
    secret: str, body: bytes, now: int, why: str
) -> None:
    header = sign("s3cret", BODY, timestamp=1_700_000_000)
    with pytest.raises(SignatureError, match=why):
        verify(secret, body, header, now=now, tolerance=300)


@pytest.mark.parametrize("header", [None, "", "v1=abc", "t=x,v1=abc", "t=1700000000"])
def test_verify_refuses_missing_or_malformed_headers(header: str | None) -> None:
    with pytest.raises(SignatureError):
        verify("s3cret", BODY, header, now=1_700_000_000)


def test_verify_accepts_any_of_several_v1_entries_during_a_rotation() -> None:
    good = sign("new", BODY, timestamp=1_700_000_000).split(",")[1]
    old = sign("old", BODY, timestamp=1_700_000_000).split(",")[1]
    assert verify("new", BODY, f"t=1700000000,{old},{good}", now=1_700_000_000)


def test_a_timestamp_cannot_be_moved_without_breaking_the_signature() -> None:
    header = sign("s3cret", BODY, timestamp=1_700_000_000)
    moved = header.replace("t=1700000000", "t=1700000500")
    with pytest.raises(SignatureError, match="does not match"):
        verify("s3cret", BODY, moved, now=1_700_000_500)


def _greenhouse_verify(secrets: list[str], header: str | None) -> None:
    headers = {} if header is None else {"Signature": header}
    Greenhouse().verify(secrets, Delivery(BODY, headers), None)


def test_greenhouse_signature_is_sha256_space_hex_of_the_raw_body() -> None:
    expected = hmac.new(b"gh", BODY, hashlib.sha256).hexdigest()
    assert greenhouse_signature("gh", BODY) == f"sha256 {expected}"
    _greenhouse_verify(["gh"], f"sha256 {expected}")
    _greenhouse_verify(["gh"], f"SHA256 {expected.upper()}")
    _greenhouse_verify(["old", "gh"], f"sha256 {expected}")  # any of the stored secrets


@pytest.mark.parametrize(
    "header", [None, "", "sha256", "sha256=abc", "sha1 abc", "sha256 " + "0" * 64]
)
def test_greenhouse_verify_refuses_bad_headers(header: str | None) -> None:
    with pytest.raises(Unauthenticated):
        _greenhouse_verify(["gh"], header)


def test_secrets_are_long_and_different() -> None:
    first, second = new_secret(), new_secret()
    assert first != second
    assert first.startswith("whsec_")
    assert len(first) > 40


def _snippet(document: str, heading: str, name: str) -> Any:
    import re
    from pathlib import Path

    text = (Path(__file__).parents[2] / document).read_text()
    section = text.split(heading, 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None
    namespace: dict[str, object] = {}
    exec(compile(code.group(1), document, "exec"), namespace)  # noqa: S102
    check = namespace[name]
    assert callable(check)
    return check


@pytest.mark.parametrize(
    ("document", "heading"),
    [("docs/webhooks.md", "### Verifying a delivery"), ("README.md", "## Webhooks")],
)
def test_the_documented_verification_snippets_agree_with_renown(
    document: str, heading: str
) -> None:
    import time

    check = _snippet(document, heading, "renown_event")
    secret = new_secret()
    now = int(time.time())
    headers = signature_headers("standard", secret, msg_id="e1", body=BODY, timestamp=now)
    assert check(secret, BODY, headers) == json.loads(BODY)
    assert check(new_secret(), BODY, headers) is None
    assert check(secret, BODY + b"x", headers) is None
    assert check(secret, BODY, {**headers, "webhook-id": "e2"}) is None
    old = signature_headers("standard", secret, msg_id="e1", body=BODY, timestamp=now - 301)
    assert check(secret, BODY, old) is None


def test_the_documented_legacy_snippet_agrees_with_renown() -> None:
    import time

    check = _snippet(
        "docs/webhooks.md", "### Verifying a legacy Renown-Signature", "renown_signature_ok"
    )
    now = int(time.time())
    header = sign("s3cret", BODY, timestamp=now)
    assert check("s3cret", BODY, header)
    assert not check("other", BODY, header)
    assert not check("s3cret", BODY + b"x", header)
    assert not check("s3cret", BODY, sign("s3cret", BODY, timestamp=now - 301))
