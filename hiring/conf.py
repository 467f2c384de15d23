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
    # --- ATS connectors (hiring.ats) ---------------------------------------------------
    # What a delivery lacks is read from the ATS's API: each request is tried this many
    # times (after a transport error, a 5xx or a 429), waiting at most this long in all;
    # then the delivery is answered 503 and the ATS sends it again later.
    "RENOWN_ATS_API_ATTEMPTS": 3,
    "RENOWN_ATS_API_MAX_WAIT_SECONDS": 5.0,
    "RENOWN_ATS_API_TIMEOUT_SECONDS": 10.0,
    # Each ATS's API root ({subdomain}: the account's, given to ``ats_connect``).
    "RENOWN_ATS_API_URL_GREENHOUSE": "https://harvest.greenhouse.io/v3",
    "RENOWN_ATS_AUTH_URL_GREENHOUSE": "https://auth.greenhouse.io/token",
    "RENOWN_ATS_API_URL_LEVER": "https://api.lever.co/v1",
    "RENOWN_ATS_API_URL_ASHBY": "https://api.ashbyhq.com",
    "RENOWN_ATS_API_URL_WORKABLE": "https://{subdomain}.workable.com/spi/v3",
    # Requests to each ATS's API, a ``limits`` rate counted across workers as provider
    # rates are (RENOWN_RATE_LIMIT_STORAGE_URL); "" for none. The ATSs' published limits:
    # Greenhouse Harvest 50 per 10 s; Lever 10 per second; Ashby and Workable: see
    # docs/integrations.md.
    "RENOWN_ATS_RATE_GREENHOUSE": "50/10 seconds",
    # Lever: "a steady state number of 10 requests/second per API key", bursts to 20
    # (https://hire.lever.co/developer/documentation#rate-limits).
    "RENOWN_ATS_RATE_LEVER": "10/second",
    # Ashby: "The API rate limit is 1000 requests per minute per API key"
    # (https://docs.ashbyhq.com/how-do-i-generate-an-api-key, FAQ).
    "RENOWN_ATS_RATE_ASHBY": "1000/minute",
    # Workable: 10 requests per 10 s for an account token (OAuth and partner tokens 50),
    # https://workable.readme.io/docs/rate-limits
    "RENOWN_ATS_RATE_WORKABLE": "10/10 seconds",
    # --- The candidate's portal (hiring.portal) -----------------------------------------
    # A private link opens the candidate's page for this many days, unless revoked.
    "RENOWN_PORTAL_LINK_DAYS": 30,
    # Requests to portal pages per client address (DRF's rate syntax: "60/min"), counted
    # in the default cache as the API's are: a guessed or forwarded link is tried slowly.
    "RENOWN_PORTAL_RATE": "60/min",
    # An erasure or a consent withdrawal asked for through a link runs once confirmed from
    # the e-mail on record, within this many hours.
    "RENOWN_PORTAL_CONFIRMATION_HOURS": 48,
    # Where candidates reach this deployment ("https://jobs.example.com"): the links in
    # notices sent without a request. "" : the API answers with its request's host, and
    # notices tell the candidate to ask the employer for their link.
    "RENOWN_PUBLIC_URL": "",
}

_ATS_RATES = [name for name in DEFAULTS if name.startswith("RENOWN_ATS_RATE_")]


def _rate(value: object) -> str | None:
    """A ``limits`` rate string such as "10/second" ("" for none)."""
    from scoring.rate_limit import RateSettingError, parse_rate

    try:
        parse_rate(value)
    except RateSettingError as exc:
        return str(exc)
    return None


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
        "RENOWN_ATS_API_ATTEMPTS": at_least(1),
        "RENOWN_ATS_API_TIMEOUT_SECONDS": at_least(0.001),
        **dict.fromkeys(_ATS_RATES, _rate),
        "RENOWN_ATS_RATE_": _rate,
        "RENOWN_PORTAL_LINK_DAYS": at_least(1),
        "RENOWN_PORTAL_CONFIRMATION_HOURS": at_least(1),
        "RENOWN_PORTAL_RATE": matches(
            r"\d+/(s|sec|second|m|min|minute|h|hour|d|day)", "a rate such as '60/min'"
        ),
        "RENOWN_PUBLIC_URL": matches(
            r"(https?://[^/?#\s]+)?", "an origin such as 'https://jobs.example.com' (or '')"
        ),
    },
    # An ATS added by a host's own connector names its settings the same way.
    families={"RENOWN_ATS_RATE_": "", "RENOWN_ATS_API_URL_": "", "RENOWN_ATS_AUTH_URL_": ""},
)


def ats_rate(ats: str) -> str:
    """The ``limits`` rate of an ATS's API ("" for none)."""
    name = f"RENOWN_ATS_RATE_{ats.upper()}"
    return str(getattr(settings, name, DEFAULTS.get(name, "")))


def ats_api_url(ats: str, key: str = "API") -> str:
    """An ATS's API root (``key`` "AUTH" for Greenhouse's token endpoint)."""
    prefix = {"API": "RENOWN_ATS_API_URL_", "AUTH": "RENOWN_ATS_AUTH_URL_"}[key]
    name = prefix + ats.upper()
    return str(getattr(settings, name, DEFAULTS.get(name, "")))


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
    "RENOWN_ATS_API_ATTEMPTS",
    "RENOWN_PORTAL_LINK_DAYS",
    "RENOWN_PORTAL_CONFIRMATION_HOURS",
]
FloatSetting = Literal[
    "RENOWN_AUTOMATION_BIAS_AGREEMENT",
    "RENOWN_AUTOMATION_BIAS_MEDIAN_SECONDS",
    "RENOWN_ATS_API_MAX_WAIT_SECONDS",
    "RENOWN_ATS_API_TIMEOUT_SECONDS",
]
StrSetting = Literal[
    "RENOWN_FCRA_MODE",
    "RENOWN_FCRA_AGENCY_NAME",
    "RENOWN_FCRA_AGENCY_ADDRESS",
    "RENOWN_FCRA_AGENCY_PHONE",
    "RENOWN_SCREENING_WORK_MEM",
    "RENOWN_ATS_API_URL_GREENHOUSE",
    "RENOWN_ATS_AUTH_URL_GREENHOUSE",
    "RENOWN_ATS_API_URL_LEVER",
    "RENOWN_ATS_API_URL_ASHBY",
    "RENOWN_ATS_API_URL_WORKABLE",
    "RENOWN_ATS_RATE_GREENHOUSE",
    "RENOWN_ATS_RATE_LEVER",
    "RENOWN_ATS_RATE_ASHBY",
    "RENOWN_ATS_RATE_WORKABLE",
    "RENOWN_PORTAL_RATE",
    "RENOWN_PUBLIC_URL",
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
