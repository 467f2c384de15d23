"""Hiring's plugin settings with their defaults; a host project overrides them by setting.

Read at call time (``get(...)``) so that ``override_settings`` in tests works.
"""

from __future__ import annotations

from typing import Literal, overload

from django.conf import settings

from renown.conf import at_least, between, matches, one_of, register_defaults

DEFAULTS: dict[str, object] = {
    # --- FCRA adverse action (15 U.S.C. 1681b(b)(3), 1681m(a), 1681i) -----------------
    # Who goes through the adverse-action workflow when a rejection used Renown's data:
    # "us" (candidates residing in the United States), "all", or "off".
    "RENOWN_FCRA_MODE": "us",
    # The statute sets no waiting period between the pre-adverse and the final notice;
    # five business days (weekends skipped, no holiday calendar) is common practice.
    "RENOWN_FCRA_WAITING_BUSINESS_DAYS": 5,
    # A dispute is reinvestigated and resolved within this many days (1681i(a)(1)).
    "RENOWN_FCRA_REINVESTIGATION_DAYS": 30,
    # The consumer reporting agency named in the notices (1681m(a)(3)): whoever operates
    # this Renown deployment and furnishes its scores. Set them before going live.
    "RENOWN_FCRA_AGENCY_NAME": "",
    "RENOWN_FCRA_AGENCY_ADDRESS": "",
    "RENOWN_FCRA_AGENCY_PHONE": "",
    # --- Human oversight (EU AI Act Art. 14(4)(b): automation bias) ------------------
    # A reviewer is warned about when, over at least MIN_DECISIONS decisions on which the
    # machine suggested something, they agreed with it at least AGREEMENT of the time and
    # took a median of at most MEDIAN_SECONDS per decision.
    "RENOWN_AUTOMATION_BIAS_MIN_DECISIONS": 20,
    "RENOWN_AUTOMATION_BIAS_AGREEMENT": 0.95,
    "RENOWN_AUTOMATION_BIAS_MEDIAN_SECONDS": 10.0,
    # Only decisions this recent count towards the figures.
    "RENOWN_AUTOMATION_BIAS_WINDOW_DAYS": 90,
    # --- Fairness ----------------------------------------------------------------------
    # Renown is run for the employer by a third party for a fee (a hosted service): its
    # own scores are then third-party reports too (FCRA; CJEU C-634/21 SCHUFA).
    "RENOWN_IS_THIRD_PARTY": False,
    # --- Screening -------------------------------------------------------------------
    # PostgreSQL work_mem for the grouped aggregates of a screening run (sorts of a
    # job's whole history stay in memory); "" keeps the server's setting.
    "RENOWN_SCREENING_WORK_MEM": "64MB",
    # A run reads its rules' aggregates at the same time on up to this many connections
    # (outside a transaction only); 1 reads them in turn.
    "RENOWN_SCREENING_SQL_THREADS": 4,
    # ... and splits a large population into this many candidate-id ranges per rule.
    "RENOWN_SCREENING_SQL_PARTS": 2,
}

register_defaults(
    __name__,
    DEFAULTS,
    validators={
        "RENOWN_FCRA_MODE": one_of("us", "all", "off"),
        "RENOWN_FCRA_REINVESTIGATION_DAYS": at_least(1),
        "RENOWN_AUTOMATION_BIAS_MIN_DECISIONS": at_least(1),
        "RENOWN_AUTOMATION_BIAS_AGREEMENT": between(0, 1),
        "RENOWN_AUTOMATION_BIAS_WINDOW_DAYS": at_least(1),
        "RENOWN_SCREENING_WORK_MEM": matches(
            r"(\d+ *(B|kB|MB|GB|TB)?)?", "a PostgreSQL size such as '64MB' (or '' for the server's)"
        ),
        "RENOWN_SCREENING_SQL_THREADS": at_least(1),
        "RENOWN_SCREENING_SQL_PARTS": at_least(1),
    },
)


# Hiring's settings by the type of their value (``get``'s overloads). The checks
# (renown.E020) hold a host's value to its default's type, so ``get`` may promise it.
BoolSetting = Literal["RENOWN_IS_THIRD_PARTY"]
IntSetting = Literal[
    "RENOWN_FCRA_WAITING_BUSINESS_DAYS",
    "RENOWN_FCRA_REINVESTIGATION_DAYS",
    "RENOWN_AUTOMATION_BIAS_MIN_DECISIONS",
    "RENOWN_AUTOMATION_BIAS_WINDOW_DAYS",
    "RENOWN_SCREENING_SQL_THREADS",
    "RENOWN_SCREENING_SQL_PARTS",
]
FloatSetting = Literal["RENOWN_AUTOMATION_BIAS_AGREEMENT", "RENOWN_AUTOMATION_BIAS_MEDIAN_SECONDS"]
StrSetting = Literal[
    "RENOWN_FCRA_MODE",
    "RENOWN_FCRA_AGENCY_NAME",
    "RENOWN_FCRA_AGENCY_ADDRESS",
    "RENOWN_FCRA_AGENCY_PHONE",
    "RENOWN_SCREENING_WORK_MEM",
]


@overload
def get(name: BoolSetting) -> bool: ...
@overload
def get(name: IntSetting) -> int: ...
@overload
def get(name: FloatSetting) -> float: ...
@overload
def get(name: StrSetting) -> str: ...
def get(name: str) -> object:
    """The setting ``name`` from Django settings, or its default here."""
    return getattr(settings, name, DEFAULTS[name])
