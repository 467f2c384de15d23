"""What the demo is: its version, seed, shares, names, residences and logins."""

from __future__ import annotations

from candidates.models import RaceEthnicity
from renown.models import Role

DEMO_SLUG = "demo"
DEMO_SEED = 2026
# Bump when _populate builds something different. An existing demo built from an older
# version is kept as it is: the command says that `--rebuild` gives the new one.
DEMO_VERSION = 2  # 2: a live screen-out job with its published bias audit; an advisory job
DAYS = 180
NO_FOOTPRINT_SHARE = 0.15
OFFLINE_SHARE = 0.12  # people with an OpenAlex author record
# What the demo's HR admin wrote when the advocate job's rules went live with warnings.
DEMO_ACKNOWLEDGEMENT = (
    "Demo: these rules only send people to human review, never reject; the ANY group lets "
    "offline reputation count as much as reach; we re-check the impact ratios monthly."
)
# The job whose screen-out rule is live (approved by hr-admin-2) and audited, and the job
# whose one rule is advisory.
SCREEN_OUT_JOB = "Social Media Lead"
ADVISORY_JOB = "Technical Writer"
DEMO_SCREEN_OUT_ACKNOWLEDGEMENT = (
    "Demo: the synthetic population's impact ratios vary with its size; every screen-out is "
    "a suggestion a recruiter decides on, US candidates get the FCRA notices, and the bias "
    "audit of the screenings is published."
)
DEMO_SCREEN_OUT_APPROVAL = (
    "Demo: read the warnings and the author's words; the rule is job-related (audience is "
    "the job) and a person decides every rejection."
)
DEMO_ADVISORY_ACKNOWLEDGEMENT = (
    "Demo: advisory only, the finding is shown to the reviewer and decides nothing."
)
# The bias audit of the screen-out job, as the demo's auditor records it.
DEMO_AUDITOR = "Demo Audit LLP (independent; a demo, not a real audit)"
SELF_IDENTIFIED_SHARE = 0.85  # the rest declined: the "unknown" category of a bias audit
# Synthetic, and on purpose: legacy influence scores followed audience size, and audiences
# were not equal; the demo's Klout scores of women run lower, so that the bias audit and
# the fairness warnings have something real to show.
KLOUT_GAP_FEMALE = 9
RACE_WEIGHTS = (
    (RaceEthnicity.WHITE, 50),
    (RaceEthnicity.HISPANIC_OR_LATINO, 17),
    (RaceEthnicity.BLACK_OR_AFRICAN_AMERICAN, 13),
    (RaceEthnicity.ASIAN, 14),
    (RaceEthnicity.TWO_OR_MORE_RACES, 4),
    (RaceEthnicity.NATIVE_HAWAIIAN_OR_PACIFIC_ISLANDER, 1),
    (RaceEthnicity.NATIVE_AMERICAN_OR_ALASKA_NATIVE, 1),
)
DEMO_USERS = [
    ("hr-admin", Role.HR_ADMIN, True),
    ("hr-admin-2", Role.HR_ADMIN, True),  # the second pair of eyes for screen-out rules
    ("recruiter", Role.RECRUITER, False),
    ("auditor", Role.AUDITOR, True),
]

FIRST = [
    "Ada",
    "Amara",
    "Ben",
    "Chen",
    "Dara",
    "Elif",
    "Femi",
    "Gita",
    "Hana",
    "Ines",
    "Jon",
    "Kofi",
    "Lea",
    "Mateo",
    "Nia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tariq",
    "Uma",
    "Vera",
    "Wen",
    "Xavi",
    "Yara",
    "Zoe",
    "Ali",
    "Bea",
    "Cruz",
]
LAST = [
    "Abara",
    "Berg",
    "Castillo",
    "Dahl",
    "Eze",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Kaur",
    "Lopez",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quispe",
    "Rossi",
    "Singh",
    "Tanaka",
    "Umarov",
    "Varga",
    "Wu",
    "Xu",
    "Yilmaz",
    "Zielinski",
]
RESIDENCES = [
    ("US", "US-NY-NYC", 0.25),
    ("US", "US-CA", 0.2),
    ("US", "US-TX", 0.1),
    ("DE", "DE-BE", 0.15),
    ("FR", "FR-IDF", 0.1),
    ("GB", "GB-LND", 0.1),
    ("IN", "IN-KA", 0.1),
]
EU = {"DE", "FR"}


def demo_definition(candidates: int) -> str:
    """The definition ``demo_build(candidates=…)`` builds, as recorded on the organisation."""
    return f"version {DEMO_VERSION}, {candidates:,} candidates"
