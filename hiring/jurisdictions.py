"""Jurisdiction codes: they live in candidates (the bottom of the app chain) and are
re-exported here for the hiring domain's modules."""

from __future__ import annotations

from candidates.jurisdictions import (
    EU_COUNTRIES,
    GDPR_COUNTRIES,
    JURISDICTION_CHOICES,
    NEW_YORK_CITY,
    country_of,
    is_eu,
    is_nyc,
    is_us,
    validate_jurisdiction,
)

__all__ = [
    "EU_COUNTRIES",
    "GDPR_COUNTRIES",
    "JURISDICTION_CHOICES",
    "NEW_YORK_CITY",
    "country_of",
    "is_eu",
    "is_nyc",
    "is_us",
    "validate_jurisdiction",
]
