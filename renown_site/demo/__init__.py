"""A synthetic demo population: realistic shapes, no real person anywhere.

Every handle lies on a reserved domain (``.invalid``, ``.example``) or belongs to
the demo organisation, whose accounts the fetcher refuses to send to a public
API. Built in one transaction from a fixed seed, so it is all or nothing and
the same every time.

The demo is built once. The organisation records the definition it was built from
(``DEMO_VERSION`` and the number of people) and when; after that the demo is the
user's as much as ours: a later run keeps it as it is, whatever was added, changed
or decided in it, and only ``demo_build(rebuild=True)`` (``manage.py demo --rebuild``,
which shows what it will delete and asks) wipes it.

- ``definition``: what the demo is (its version, seed, shares, names, residences, logins).
- ``population``: the people, their accounts, snapshots, scores, evidence and jobs, drawn
  from the seed.
- ``build``: build, keep or rebuild the demo organisation; its counts; what a rebuild deletes.
"""

from __future__ import annotations

from renown_site.demo.build import (
    DemoDeletion,
    DemoNotDemo,
    DemoOutcome,
    DemoResult,
    demo_build,
    demo_counts,
    demo_deletion_summary,
    demo_organization_get,
)
from renown_site.demo.definition import DEMO_SLUG, DEMO_USERS

__all__ = [
    "DEMO_SLUG",
    "DEMO_USERS",
    "DemoDeletion",
    "DemoNotDemo",
    "DemoOutcome",
    "DemoResult",
    "demo_build",
    "demo_counts",
    "demo_deletion_summary",
    "demo_organization_get",
]
