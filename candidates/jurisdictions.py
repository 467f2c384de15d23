"""Jurisdiction codes a job can hire in (pure).

ISO 3166-1 alpha-2 for a country (``DE``), ISO 3166-2 for a region (``US-CA``),
and ``US-NY-NYC`` for New York City, whose Local Law 144 applies on its own. The
country, alone or as a region's first part, must be an officially assigned ISO
3166-1 code (``candidates.countries``); the part after it is only checked for shape.
``JURISDICTION_CHOICES`` names the codes people pick from (the job admin): every
country, the US states (whose own hiring laws may apply) and New York City.
"""

from __future__ import annotations

import re

from candidates.countries import COUNTRY_NAMES, ISO_3166_1_ALPHA_2, RESERVED_HINTS

NEW_YORK_CITY = "US-NY-NYC"
EU_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)
# GDPR reaches the EEA beyond the EU, and the UK keeps its own copy (UK GDPR).
GDPR_COUNTRIES = EU_COUNTRIES | {"IS", "LI", "NO", "GB"}
# ISO 3166-2:US: the 50 states and the District of Columbia (the outlying areas, such as
# PR and GU, have country codes of their own).
_US_STATES = """
AL Alabama
AK Alaska
AZ Arizona
AR Arkansas
CA California
CO Colorado
CT Connecticut
DE Delaware
DC District of Columbia
FL Florida
GA Georgia
HI Hawaii
ID Idaho
IL Illinois
IN Indiana
IA Iowa
KS Kansas
KY Kentucky
LA Louisiana
ME Maine
MD Maryland
MA Massachusetts
MI Michigan
MN Minnesota
MS Mississippi
MO Missouri
MT Montana
NE Nebraska
NV Nevada
NH New Hampshire
NJ New Jersey
NM New Mexico
NY New York
NC North Carolina
ND North Dakota
OH Ohio
OK Oklahoma
OR Oregon
PA Pennsylvania
RI Rhode Island
SC South Carolina
SD South Dakota
TN Tennessee
TX Texas
UT Utah
VT Vermont
VA Virginia
WA Washington
WV West Virginia
WI Wisconsin
WY Wyoming
"""
US_STATES = {f"US-{line[:2]}": line[3:] for line in _US_STATES.strip().splitlines()}
# The codes the admin offers, by code: "DE — Germany", "US-CA — California (United
# States)", "US-NY-NYC — New York City". Other ISO 3166-2 regions are valid but not listed.
JURISDICTION_CHOICES: tuple[tuple[str, str], ...] = tuple(
    sorted(
        [
            *((code, f"{code} — {name}") for code, name in COUNTRY_NAMES.items()),
            *((code, f"{code} — {name} (United States)") for code, name in US_STATES.items()),
            (NEW_YORK_CITY, f"{NEW_YORK_CITY} — New York City"),
        ]
    )
)
_CODE = re.compile(r"^[A-Z]{2}(?:-[A-Z0-9]{1,3})?$")


def validate_country_code(code: str) -> None:
    """Raise ValueError naming the code when it is not an assigned ISO 3166-1 alpha-2 code.

    The one check of a country code: candidates' countries (model, API, bulk import,
    admin) and the country part of every jurisdiction and region pass through it.
    """
    if code in ISO_3166_1_ALPHA_2:
        return
    if code.upper() in ISO_3166_1_ALPHA_2:
        raise ValueError(f"Write the country code in capitals: {code.upper()}.")
    hint = RESERVED_HINTS.get(code.upper())
    raise ValueError(
        f"{code!r} is not an ISO 3166-1 country code"
        + (f" ({hint})." if hint else ": give an assigned alpha-2 code, e.g. US, DE or GB.")
    )


def validate_jurisdiction(code: str) -> None:
    """Raise ValueError naming the code when it is not one Renown understands."""
    if code != NEW_YORK_CITY and not _CODE.match(code):
        raise ValueError(
            f"{code!r} is not a jurisdiction code: use ISO 3166-1 (DE), ISO 3166-2 (US-CA) "
            f"or {NEW_YORK_CITY} for New York City."
        )
    validate_country_code(country_of(code))


def validate_region_code(code: str) -> None:
    """Raise ValueError unless the code is a region (ISO 3166-2, or New York City)."""
    validate_jurisdiction(code)
    if len(code) <= 2:
        raise ValueError("Give an ISO 3166-2 region, e.g. US-CA or DE-BE.")


def country_of(code: str) -> str:
    """The ISO 3166-1 country a jurisdiction code lies in."""
    return code[:2]


def is_us(code: str) -> bool:
    return country_of(code) == "US"


def is_eu(code: str) -> bool:
    return country_of(code) in EU_COUNTRIES


def is_nyc(code: str) -> bool:
    return code == NEW_YORK_CITY
