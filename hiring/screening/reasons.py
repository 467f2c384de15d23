"""A screening's reasons as data: one entry per rule version the run applied.

``hiring.screening.run`` writes them (``Screening.reasons``, as JSON text built
directly); the review pages, the fairness audits and the API read them.
"""

from __future__ import annotations

from typing import TypedDict


class ScreeningReason(TypedDict):
    """One rule's part of a screening's reasons (the rule's definition is in the run)."""

    rule: int  # the rule's id (a ScreeningRule row: one version of its lineage)
    version: int
    outcome: str  # an Outcome value
    value: str | None  # the Decimal read, as text; None without data
    treated_as: str  # what the screening does with it: meets / below / review
    points: int  # the data points the value was read from
    band: str  # the near-threshold band applied, a Decimal as text
    data_at: str | None  # ISO time of the newest point read
    reason: str  # the reason, free text for the reviewer
