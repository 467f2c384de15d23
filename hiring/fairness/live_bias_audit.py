"""Bias audits on live data: a job's current screenings (or one rule's part of them) by
self-identified category, the public summary, and the privacy masking of small groups.

The arithmetic is ``hiring.fairness.bias_audit``'s (exact fractions, Fisher, z); this module reads the
grouped counts in SQL (outcome × sex × race/ethnicity, never a candidate id), adds the
rate of every outcome class per category (not only pass/fail), applies the auditor's
exclusions of categories under 2 % (6 RCNY 5-301(d): with a justification; the category
keeps its count and rate, leaves the impact-ratio calculation and is never the
reference), and shapes the rows for people: categories with fewer than 5 people read
"fewer than 5" for anyone but auditors (``shown_count``: counts, selected and rates;
the impact-ratio finding stays), except on the published summary, which 6 RCNY 5-303
requires to show every category's numbers.
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING, Final, TypedDict

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery

from candidates.models import SelfIdentification
from hiring.fairness import bias_audit as audit_maths
from hiring.fairness import warning
from hiring.fairness.histograms import RACE_LABELS, SEX_LABELS
from hiring.models import BiasAudit, Job, Screening, ScreeningRule
from hiring.models.audits import Exclusion
from hiring.screening.evaluation import (
    OUTCOME_BELOW,
    OUTCOME_FLAGGED,
    OUTCOME_INSUFFICIENT,
    OUTCOME_MEETS,
    OUTCOME_NEAR,
)
from hiring.screening.reasons import ScreeningReason
from renown.models import AuditEventType
from renown.trail import audit_record

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

FEWER_THAN_5: Final = warning.FEWER_THAN_5
SMALL: Final = warning.SMALL_CATEGORY
OUTCOME_CLASSES: Final = (
    (OUTCOME_MEETS, "Meets"),
    (OUTCOME_NEAR, "Near the line"),
    (OUTCOME_FLAGGED, "Flagged"),
    (OUTCOME_INSUFFICIENT, "Insufficient data"),
    (OUTCOME_BELOW, "Below"),
)

CellKey = audit_maths.CellKey


class TableRow(TypedDict):
    """One category's row of ``display_tables``, as strings for a page or a CSV."""

    category: str
    count: int | str  # "fewer than 5" when masked
    selected: int | str
    rate: str
    impact_ratio: str
    exact_ratio: str
    below_four_fifths: bool
    under_two_percent: bool
    reference: bool
    fisher_p: str
    z: str
    classes: list[str]  # the rate of each of OUTCOME_CLASSES (with a live audit)
    small: bool
    too_small: bool  # set apart as too small to judge (previews only, never in an LL144 audit)
    excluded: bool  # left out of the impact ratios by the auditor (6 RCNY 5-301(d))
    justification: str  # the auditor's, when excluded


class Table(TypedDict):
    """One table of ``display_tables``: by sex, by race/ethnicity, or both."""

    name: str
    title: str
    rows: list[TableRow]
    total: int
    unknown: int


class RecordedReport(audit_maths.AuditReport):
    """``BiasAudit.report``: the audit's figures, its size and every outcome class per cell."""

    individuals: int
    outcome_classes: dict[str, dict[str, int]]  # "sex|race": {outcome: count}


class ExclusionError(ValueError):
    """An exclusion that the rules do not allow (no such category, not under 2 %, or no
    written justification)."""


@dataclass
class LiveAudit:
    """A live selection-rate audit of a job (or one of its rules)."""

    job: Job
    rule: ScreeningRule | None
    outcomes: dict[CellKey, Counter[str]]  # every outcome class per (sex, race)
    result: audit_maths.AuditResult
    exclusions: list[Exclusion] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(sum(c.values()) for c in self.outcomes.values())

    @property
    def subject(self) -> str:
        return f"{self.job.title}: {self.rule}" if self.rule is not None else self.job.title


class _SelfIdentified(TypedDict):
    self_sex: str | None  # the candidate's SelfIdentification answers, if any
    self_race: str | None


def _screening_cells(job: Job) -> QuerySet[WithAnnotations[Screening, _SelfIdentified]]:
    def answer(field_name: str) -> Subquery:
        return Subquery(
            SelfIdentification.objects.filter(candidate=OuterRef("candidate_id")).values(
                field_name
            )[:1]
        )

    return Screening.objects.filter(job=job).annotate(
        self_sex=answer("sex"), self_race=answer("race_ethnicity")
    )


def _rule_outcome(reasons: Sequence[ScreeningReason], rule_id: int) -> str | None:
    for reason in reasons:
        if reason.get("rule") == rule_id:
            outcome = str(reason.get("outcome", ""))
            if outcome == OUTCOME_INSUFFICIENT and reason.get("treated_as") == OUTCOME_MEETS:
                return OUTCOME_MEETS  # missing data counted as meeting (policy "pass")
            return outcome
    return None


def job_audit(job: Job, *, rule: ScreeningRule | None = None) -> LiveAudit:
    """Audit the job's current screenings (or, with ``rule``, that rule's outcome in them).

    Nothing is excluded: an exclusion (6 RCNY 5-301(d)) is the auditor's decision on a
    recorded audit (``hiring.services.audits``), never part of computing one.
    """
    outcomes: dict[CellKey, Counter[str]] = {}
    queryset = _screening_cells(job)
    if rule is None:
        rows = queryset.values("outcome", "self_sex", "self_race").annotate(n=Count("id"))
        for row in rows:
            key = (SEX_LABELS.get(row["self_sex"] or ""), RACE_LABELS.get(row["self_race"] or ""))
            outcomes.setdefault(key, Counter())[row["outcome"]] += row["n"]
    else:
        # One rule's outcome sits in each screening's reasons (JSON): read them, count here.
        for reasons, sex, race in queryset.values_list("reasons", "self_sex", "self_race"):
            outcome = _rule_outcome(reasons or [], rule.pk)
            if outcome is None:
                continue  # screened before this version was live
            key = (SEX_LABELS.get(sex or ""), RACE_LABELS.get(race or ""))
            outcomes.setdefault(key, Counter())[outcome] += 1
    return LiveAudit(job=job, rule=rule, outcomes=outcomes, result=_result(outcomes, ()))


def _result(
    outcomes: dict[CellKey, Counter[str]], exclusions: Sequence[Mapping[str, object]]
) -> audit_maths.AuditResult:
    cells = {key: (sum(counts.values()), counts[OUTCOME_MEETS]) for key, counts in outcomes.items()}
    return audit_maths.audit_counts(
        cells, mode="selection", excluded={str(e["category"]) for e in exclusions}
    )


def check_exclusion(result: audit_maths.AuditResult, exclusion: Mapping[str, object]) -> Exclusion:
    """The exclusion as recorded, if 6 RCNY 5-301(d) allows it: a category of the audit
    (its label, e.g. "Native Hawaiian or Pacific Islander Female") under 2 % of its
    table's people with a known category, with a written justification.

    Raises ExclusionError otherwise, saying why.
    """
    category = str(exclusion.get("category", "")).strip()
    reason = str(exclusion.get("reason", "")).strip()
    found = next(((t, r) for t in result.tables for r in t.rows if r.label == category), None)
    if found is None:
        raise ExclusionError(f"No category {category!r} in this audit.")
    table, row = found
    if not row.under_two_percent:
        raise ExclusionError(
            f"{category} is {float(row.share):.1%} of its table: only a category under 2% of "
            "the data may be excluded from the impact ratios (6 RCNY 5-301(d))."
        )
    if not reason:
        raise ExclusionError(
            f"Excluding {category} needs a written justification: it is published with the "
            "summary (6 RCNY 5-301(d))."
        )
    return {"category": category, "reason": reason, "count": row.count, "table": table.name}


# --- rows for people (HTML, CSV, the public page) --------------------------------------


def shown_count(count: int, *, auditor: bool) -> int | str:
    """A group's count as a person may see it: exact for auditors (and for the published
    summary, 6 RCNY 5-303), "fewer than 5" for anyone else when 1 to 4 people.

    The one rule for every page, export and template (``{{ n|group_count:auditor }}``).
    """
    return FEWER_THAN_5 if warning.count_hidden(count, include_restricted=auditor) else count


def _pct(value: Fraction) -> str:
    return f"{float(value) * 100:.1f}%"


def _ratio(value: Fraction | None) -> str:
    # Rounded down, as the warnings write it: a ratio just under 0.8 never reads "0.800".
    return "—" if value is None else f"{math.floor(value * 1000) / 1000:.3f}"


def display_tables(
    audit: LiveAudit | None,
    result: audit_maths.AuditResult,
    *,
    include_restricted: bool,
    justifications: Mapping[str, str] | None = None,
) -> list[Table]:
    """Each table's rows as strings for a page or a CSV, small categories masked unless
    ``include_restricted`` (auditors, the published summary). With ``audit``, the rate of
    every outcome class. ``justifications``: the auditor's words per excluded category
    (default: the audit's own exclusions)."""
    if justifications is None:
        justifications = {
            e["category"]: e["reason"] for e in (audit.exclusions if audit is not None else [])
        }
    tables: list[Table] = []
    for table in result.tables:
        rows: list[TableRow] = []
        for row in table.rows:
            small = warning.count_hidden(row.count, include_restricted=include_restricted)
            classes: list[str] = []
            if audit is not None:
                counts: Counter[str] = Counter()
                for (sex, race), found in audit.outcomes.items():
                    if (row.sex is None or sex == row.sex) and (
                        row.race_ethnicity is None or race == row.race_ethnicity
                    ):
                        counts.update(found)
                classes = [
                    "—" if small else _pct(Fraction(counts[code], row.count))
                    for code, _ in OUTCOME_CLASSES
                ]
            rows.append(
                {
                    "category": row.label,
                    "count": shown_count(row.count, auditor=include_restricted),
                    "selected": "—" if small else row.favourable,
                    "rate": "—" if small else _pct(row.rate),
                    "impact_ratio": _ratio(row.impact_ratio),
                    "exact_ratio": (
                        ""
                        if small or row.impact_ratio is None
                        else f"{row.impact_ratio.numerator}/{row.impact_ratio.denominator}"
                    ),
                    "below_four_fifths": row.below_four_fifths,
                    "under_two_percent": row.under_two_percent,
                    "reference": row.is_reference,
                    "fisher_p": "—" if row.fisher_p is None else f"{row.fisher_p:.3g}",
                    "z": "—" if row.z is None else f"{row.z:.2f}",
                    "classes": classes,
                    "small": row.count < SMALL,
                    "too_small": row.too_small,
                    "excluded": row.excluded,
                    "justification": justifications.get(row.label, "") if row.excluded else "",
                }
            )
        tables.append(
            {
                "name": table.name,
                "title": {
                    "sex": "By sex",
                    "race_ethnicity": "By race/ethnicity",
                    "intersectional": "By sex and race/ethnicity",
                }[table.name],
                "rows": rows,
                "total": table.total,
                "unknown": table.unknown,
            }
        )
    return tables


def audit_csv(audit: LiveAudit, *, include_restricted: bool) -> str:
    """The live audit as CSV: one line per category and table, every outcome class."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "table", "category", "count", "selected", "selection_rate", "impact_ratio",
            "below_four_fifths", "under_two_percent", "fisher_p", "z", "excluded",
            *[f"rate_{code}" for code, _ in OUTCOME_CLASSES],
        ]
    )  # fmt: skip
    for table in display_tables(audit, audit.result, include_restricted=include_restricted):
        for row in table["rows"]:
            writer.writerow(
                [
                    table["name"], row["category"], row["count"], row["selected"], row["rate"],
                    row["impact_ratio"], row["below_four_fifths"], row["under_two_percent"],
                    row["fisher_p"], row["z"], row["excluded"], *row["classes"],
                ]
            )  # fmt: skip
    writer.writerow([])
    writer.writerow(["unknown", audit.result.unknown])
    writer.writerow(["individuals", audit.total])
    for exclusion in audit.exclusions:
        writer.writerow(["excluded", exclusion["category"], exclusion["reason"]])
    return buffer.getvalue()


def bias_audit_record(
    audit: LiveAudit,
    *,
    actor: AbstractBaseUser,
    audited_on: date,
    auditor: str,
    auditor_independent: bool,
    data_source: str,
    distributed_on: date | None,
    published: bool,
) -> BiasAudit:
    """Record the audit (and its figures) for the job; audited in the trail.

    ``actor`` is the signed-in person recording it (``renown.access.signed_in_user``).
    """
    report = recorded_report(audit)
    rules = [
        {"id": r.pk, "line": str(r), "version": r.version}
        for r in ([audit.rule] if audit.rule is not None else audit.job.rules.filter(active=True))
    ]
    with transaction.atomic():
        row = BiasAudit.objects.create(
            organization=audit.job.organization,
            job=audit.job,
            job_title=audit.job.title,
            audited_on=audited_on,
            auditor=auditor,
            auditor_independent=auditor_independent,
            data_source=data_source,
            distributed_on=distributed_on,
            published=published,
            rules=rules,
            exclusions=audit.exclusions,
            report=report,
            recorded_by_id=actor.pk,
        )
        audit_record(
            organization=audit.job.organization,
            actor=actor,
            event_type=AuditEventType.BIAS_AUDIT_RECORDED,
            subject=row,
            after={
                "job": audit.job.pk,
                "audited_on": audited_on,
                "auditor": auditor,
                "independent": auditor_independent,
                "published": published,
                "individuals": audit.total,
                "unknown": audit.result.unknown,
            },
        )
    return row


def published_result(row: BiasAudit) -> audit_maths.AuditResult:
    """A recorded audit's tables again, from its stored counts (for the public page)."""
    cells: dict[CellKey, tuple[int, int]] = {}
    for key, counts in (row.report.get("outcome_classes") or {}).items():
        sex, _, race = key.partition("|")
        total = sum(int(v) for v in counts.values())
        key_ = (audit_maths.sex_from_label(sex), audit_maths.race_ethnicity_from_label(race))
        cells[key_] = (total, int(counts.get(OUTCOME_MEETS, 0)))
    excluded = {e["category"] for e in row.exclusions or []}
    return audit_maths.audit_counts(cells, mode="selection", excluded=excluded)


def recorded_report(audit: LiveAudit) -> RecordedReport:
    """``BiasAudit.report`` for a live audit: its figures, size and outcome classes."""
    return {
        **audit_maths.audit_report(audit.result),
        "individuals": audit.total,
        "outcome_classes": {
            f"{sex or ''}|{race or ''}": dict(counts)
            for (sex, race), counts in audit.outcomes.items()
        },
    }


def recorded_audit(
    row: BiasAudit, *, exclusions: Sequence[Exclusion] | None = None
) -> LiveAudit | None:
    """A recorded audit as a ``LiveAudit`` again, from its stored counts and exclusions
    (or ``exclusions``, e.g. none), for the pages and services that show or change it;
    None when its job is gone."""
    if row.job is None:
        return None
    outcomes: dict[CellKey, Counter[str]] = {}
    for key, counts in (row.report.get("outcome_classes") or {}).items():
        sex, _, race = key.partition("|")
        cell = (audit_maths.sex_from_label(sex), audit_maths.race_ethnicity_from_label(race))
        outcomes[cell] = Counter({k: int(v) for k, v in counts.items()})
    exclusions = list(row.exclusions or [] if exclusions is None else exclusions)
    return LiveAudit(
        job=row.job,
        rule=None,
        outcomes=outcomes,
        result=_result(outcomes, exclusions),
        exclusions=exclusions,
    )
