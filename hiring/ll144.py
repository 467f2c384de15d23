"""NYC Local Law 144's calendar (pure): when a job's bias audit lapses.

Use of an automated employment decision tool is allowed only within a year of a bias
audit (NYC Admin. Code 20-871(a); 6 RCNY 5-301(a)). Below every layer of ``hiring`` that
reads it: the fairness warnings (``hiring.fairness.jurisdiction``) and the list of audits
due (``hiring.selectors.waiting_for``) take the same rule from here.
"""

from __future__ import annotations

from datetime import date
from typing import Final, Literal, TypeAlias

# How long before an audit lapses Renown says so (an info warning; an audit "due soon").
AUDIT_EXPIRY_NOTICE_DAYS: Final = 30

AuditState: TypeAlias = Literal["missing", "expired", "expiring", "current"]


def one_year_after(day: date) -> date:
    """The same day a year later; 29 February becomes 28 February (the earlier day)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def ll144_audit_state(audit_on: date | None, use_on: date) -> AuditState:
    """Where a job's latest bias audit stands for a use of its rules on ``use_on``.

    ``missing`` (none recorded before the use), ``expired`` (the year is over),
    ``expiring`` (it lapses within ``AUDIT_EXPIRY_NOTICE_DAYS``), ``current``.
    """
    if audit_on is None or audit_on > use_on:
        return "missing"
    expires = one_year_after(audit_on)
    if use_on > expires:
        return "expired"
    if (expires - use_on).days <= AUDIT_EXPIRY_NOTICE_DAYS:
        return "expiring"
    return "current"
