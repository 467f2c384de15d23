"""The bias audit of a job's current screenings, for the auditors' page of the web UI.

Reads grouped counts only (screening outcome × self-identified sex × race/ethnicity,
never a candidate id) and hands them to ``hiring.audit`` (the same arithmetic as
the ``bias_audit`` command): selection rates, impact ratios against the four-fifths
rule (29 CFR 1607.4(D)) and NYC Local Law 144 (6 RCNY 5-301), significance.
"Selected" is a screening whose outcome is *meets*: the candidates the rules pass.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Subquery

from candidates.models import RaceEthnicity, SelfIdentification, Sex
from candidates.selectors import UserLike
from hiring import audit as audit_maths
from hiring.models import Job, Outcome, Screening
from hiring.permissions import AUDIT_REPORT_ROLES, require_role

SMALL_CATEGORY = 5  # fewer people than this and a rate describes individuals


def job_bias_audit(*, user: UserLike, job: Job) -> audit_maths.AuditResult:
    """The selection-rate audit of the job's screenings; NotPermitted unless an auditor.

    One grouped query; candidates who gave no answer count as unknown, never guessed.
    """
    require_role(
        user=user,
        organization=job.organization,
        roles=AUDIT_REPORT_ROLES,
        action="read bias audits",
    )
    answers = SelfIdentification.objects.filter(candidate_id=OuterRef("candidate_id"))
    cells = (
        Screening.objects.filter(job=job)
        .annotate(
            sex=Subquery(answers.values("sex")[:1]),
            race=Subquery(answers.values("race_ethnicity")[:1]),
        )
        .values_list("outcome", "sex", "race")
        .annotate(n=Count("pk"))
        .order_by()
    )
    records: list[audit_maths.AuditRecord] = []
    for outcome, sex, race, n in cells:
        record = audit_maths.AuditRecord(
            sex=audit_maths.sex_from_label(Sex(sex).label if sex else ""),
            race_ethnicity=audit_maths.race_ethnicity_from_label(
                RaceEthnicity(race).label if race else ""
            ),
            selected=outcome == Outcome.MEETS,
        )
        records.extend([record] * n)
    return audit_maths.audit(records, mode="selection")


@dataclass(frozen=True)
class DisplayRow:
    """One category of a table as the page shows it (rates as rounded text)."""

    label: str
    count: int
    selected: int
    rate: str
    impact_ratio: str
    reference: bool
    below_four_fifths: bool
    under_two_percent: bool
    small: bool


@dataclass(frozen=True)
class DisplayTable:
    name: str
    title: str
    rows: list[DisplayRow]
    total: int
    unknown: int


_TITLES = {
    "sex": "Sex",
    "race_ethnicity": "Race/ethnicity",
    "intersectional": "Intersectional (race/ethnicity × sex)",
}


def display_tables(result: audit_maths.AuditResult) -> list[DisplayTable]:
    """The audit's three tables with rates in percent and ratios to three decimals."""
    return [
        DisplayTable(
            name=table.name,
            title=_TITLES[table.name],
            rows=[
                DisplayRow(
                    label=row.label,
                    count=row.count,
                    selected=row.favourable,
                    rate=f"{float(row.rate) * 100:.1f} %",
                    impact_ratio=(
                        f"{float(row.impact_ratio):.3f}" if row.impact_ratio is not None else "—"
                    ),
                    reference=row.is_reference,
                    below_four_fifths=row.below_four_fifths,
                    under_two_percent=row.under_two_percent,
                    small=row.count < SMALL_CATEGORY,
                )
                for row in table.rows
            ],
            total=table.total,
            unknown=table.unknown,
        )
        for table in result.tables
    ]
