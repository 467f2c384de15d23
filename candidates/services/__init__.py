"""Candidate use cases, one module per idea, all importable from ``candidates.services``.

Every change goes through a service here that validates, writes and appends its
audit event (``renown.trail.audit_record``) in the same transaction: the API, the
web UI, the ATS handlers and the host link all call these. A single-object call
records one event for the object it changed (none when nothing changed); a bulk
call records one event for the call, with its counts and a SHA-256 of the ids.
Names and e-mail addresses never enter the trail (it is append-only and outlives
an erasure): a candidate's event lists the fields that changed, not their values.

The write and its event share a transaction without a savepoint of their own
(``atomic(savepoint=False)``): should either fail, the whole caller's transaction
rolls back, and a loop over host records or ATS items pays no extra queries.

- ``candidates``: a candidate created, changed or upserted (one or in bulk); who viewed one.
- ``accounts``: social accounts attached, changed, removed; a recruiter's verification.
- ``evidence``: reputation evidence recorded, changed, removed; a recruiter's verification.
- ``notices``: candidate notices (consent to fetch) recorded and withdrawn.
"""

from __future__ import annotations

from candidates.services.accounts import (
    ACCOUNT_SUBSTANCE,
    account_attach,
    account_disown,
    account_remove,
    account_set_verification,
    account_update,
)
from candidates.services.candidates import (
    CANDIDATE_FIELDS,
    BulkItemResult,
    candidate_bulk_upsert,
    candidate_create,
    candidate_update,
    candidate_upsert,
    candidate_view_record,
    ids_digest,
)
from candidates.services.evidence import (
    EVIDENCE_SUBSTANCE,
    evidence_record,
    evidence_remove,
    evidence_set_verification,
    evidence_update,
)
from candidates.services.notices import (
    notice_record,
    notice_withdraw,
)

__all__ = [
    "ACCOUNT_SUBSTANCE",
    "CANDIDATE_FIELDS",
    "EVIDENCE_SUBSTANCE",
    "BulkItemResult",
    "account_attach",
    "account_disown",
    "account_remove",
    "account_set_verification",
    "account_update",
    "candidate_bulk_upsert",
    "candidate_create",
    "candidate_update",
    "candidate_upsert",
    "candidate_view_record",
    "evidence_record",
    "evidence_remove",
    "evidence_set_verification",
    "evidence_update",
    "ids_digest",
    "notice_record",
    "notice_withdraw",
]
