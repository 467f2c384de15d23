"""The independent auditor's exclusions from a recorded LL144 bias audit (issue 18,
part 5): 6 RCNY 5-301(d) lets the auditor leave a category under 2 % of the data out of
the impact-ratio calculations, with a written justification, its count and rate still
reported; Renown records who, when and why, never excludes by default, and the choice
is reversible until publication. The published summary shows every category's numbers
(5-303); elsewhere, non-auditors see counts under 5 as "fewer than 5"."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

import pytest
from django.test import Client

from hiring import services
from hiring.fairness import bias_audit as maths
from hiring.fairness import live_bias_audit
from hiring.models import BiasAudit
from hiring.services.audits import ExclusionRefused
from renown.exceptions import InvalidTransition, NotPermitted
from renown.models import AuditEvent
from tests import factories

NHPI_F = "Native Hawaiian or Pacific Islander Female"
WHY = "One person: a rate of 1 of 1 says nothing about the tool; reported, not compared."

# 99 people with a known category: 1 NHPI woman (selected) is about 1 % of every table
# she is in; the white men and women are far above 2 %.
CELLS: dict[maths.CellKey, tuple[int, int]] = {
    ("Male", "White"): (50, 30),
    ("Female", "White"): (48, 20),
    ("Female", "Native Hawaiian or Pacific Islander"): (1, 1),
}


def _row(result: maths.AuditResult, label: str) -> maths.CategoryRow:
    return next(r for t in result.tables for r in t.rows if r.label == label)


# --- the arithmetic (pure) -------------------------------------------------------------


def test_by_default_nothing_is_excluded_and_the_one_person_group_is_the_reference() -> None:
    result = maths.audit_counts(CELLS, mode="selection")
    assert _row(result, NHPI_F).is_reference
    assert not any(r.excluded for t in result.tables for r in t.rows)
    assert _row(result, "White Male").below_four_fifths  # 0.6 against 1 of 1


@pytest.mark.parametrize(
    ("excluded", "reference", "label", "ratio"),
    [
        ({NHPI_F}, "White Male", "White Female", Fraction(20, 48) / Fraction(30, 50)),
        ({NHPI_F}, "White Male", "White Male", Fraction(1)),
        ({"Native Hawaiian or Pacific Islander"}, "White", "White", Fraction(1)),
        (set(), NHPI_F, "White Male", Fraction(30, 50)),
        ({"No such category"}, NHPI_F, "White Male", Fraction(30, 50)),
    ],
)
def test_an_excluded_category_is_reported_but_never_compared(
    excluded: set[str], reference: str, label: str, ratio: Fraction
) -> None:
    result = maths.audit_counts(CELLS, mode="selection", excluded=excluded)
    references = [r.label for t in result.tables for r in t.rows if r.is_reference]
    assert reference in references
    assert _row(result, label).impact_ratio == ratio
    for name in excluded & {r.label for t in result.tables for r in t.rows}:
        row = _row(result, name)
        assert (row.count, row.favourable, row.rate) == (1, 1, Fraction(1))  # still reported
        assert (row.impact_ratio, row.is_reference, row.fisher_p, row.z) == (
            None, False, None, None,
        )  # fmt: skip
        assert row.excluded
        assert row.under_two_percent
        assert row.share == Fraction(1, 99)  # of the whole table, itself included


def test_a_table_whose_every_category_is_excluded_has_rates_and_no_reference() -> None:
    result = maths.audit_counts({("Male", None): (3, 1)}, mode="selection", excluded={"Male"})
    [row] = result.sex.rows
    assert (row.rate, row.impact_ratio, row.is_reference, row.excluded) == (
        Fraction(1, 3), None, False, True,
    )  # fmt: skip
    assert result.sex.reference is None


def test_the_report_says_which_rows_are_excluded() -> None:
    report = maths.audit_report(maths.audit_counts(CELLS, mode="selection", excluded={NHPI_F}))
    row = next(r for r in report["tables"]["intersectional"] if r["count"] == 1)
    assert (row["excluded"], row["impact_ratio"], row["rate"]) == (True, None, 1.0)


# --- the service ------------------------------------------------------------------------


def _outcomes() -> dict[str, dict[str, int]]:
    return {
        f"{sex}|{race}": {"meets": won, "below": n - won} for (sex, race), (n, won) in CELLS.items()
    }


@pytest.fixture
def recorded(org_a: Any) -> BiasAudit:
    job = factories.JobFactory(organization=org_a, title="Developer Advocate")
    return BiasAudit.objects.create(
        organization=org_a, job=job, job_title=job.title, audited_on=date(2026, 11, 1),
        auditor="Fair Audits LLC", auditor_independent=True, data_source="Historical data.",
        report={
            **maths.audit_report(maths.audit_counts(CELLS, mode="selection")),
            "individuals": 99, "outcome_classes": _outcomes(),
        },
    )  # fmt: skip


@pytest.fixture
def people(org_a: Any, org_b: Any, hr_admin_a: Any, recruiter_a: Any, auditor_a: Any) -> Any:
    other = factories.UserFactory(username="olga-auditor", is_staff=True)
    factories.MembershipFactory(user=other, organization=org_b, role="auditor")
    return {
        "auditor": auditor_a,
        "hr_admin": hr_admin_a,
        "recruiter": recruiter_a,
        "other_org_auditor": other,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "category", "justification", "error", "match"),
    [
        ("auditor", NHPI_F, WHY, None, None),
        ("auditor", f"  {NHPI_F} ", WHY, None, None),
        ("auditor", NHPI_F, "", ExclusionRefused, "written justification"),
        ("auditor", NHPI_F, " \n\t", ExclusionRefused, "written justification"),
        ("auditor", "White Female", WHY, ExclusionRefused, "only a category under 2%"),
        ("auditor", "Female", WHY, ExclusionRefused, "only a category under 2%"),
        ("auditor", "Martian", WHY, ExclusionRefused, "No category"),
        ("auditor", "", WHY, ExclusionRefused, "No category"),
        ("auditor", "<script>alert(1)</script>", WHY, ExclusionRefused, "No category"),
        ("hr_admin", NHPI_F, WHY, NotPermitted, "Auditor"),
        ("recruiter", NHPI_F, WHY, NotPermitted, "Auditor"),
        ("other_org_auditor", NHPI_F, WHY, NotPermitted, "Auditor"),
    ],
)
def test_only_the_auditor_excludes_a_category_under_two_percent_with_a_justification(
    recorded: BiasAudit,
    people: dict[str, Any],
    who: str,
    category: str,
    justification: str,
    error: type[Exception] | None,
    match: str | None,
) -> None:
    if error is not None:
        with pytest.raises(error, match=match):
            services.bias_audit_exclude(
                audit=recorded, actor=people[who], category=category, justification=justification
            )
        recorded.refresh_from_db()
        assert recorded.exclusions == []
        assert not AuditEvent.objects.filter(event_type="bias_audit.category_excluded").exists()
        return
    services.bias_audit_exclude(
        audit=recorded, actor=people[who], category=category, justification=justification
    )
    [entry] = recorded.exclusions
    assert (entry["category"], entry["reason"], entry["count"], entry["table"]) == (
        NHPI_F, WHY, 1, "intersectional",
    )  # fmt: skip
    assert entry["by_id"] == people["auditor"].pk
    assert entry["at"]
    event = AuditEvent.objects.get(event_type="bias_audit.category_excluded")
    assert (event.actor, event.note, event.subject_id) == (people[who], WHY, str(recorded.pk))
    assert event.after["category"] == NHPI_F
    # The stored report is recomputed: the category is reported, not compared.
    rows = recorded.report["tables"]["intersectional"]
    mine = next(r for r in rows if r["count"] == 1)
    assert (mine["excluded"], mine["impact_ratio"], mine["rate"]) == (True, None, 1.0)
    white_male = next(
        r for r in rows if r["category"] == {"sex": "Male", "race_ethnicity": "White"}
    )
    assert white_male["impact_ratio"] == 1.0


@pytest.mark.django_db
def test_an_exclusion_is_withdrawn_before_publication_and_final_after(
    recorded: BiasAudit, people: dict[str, Any]
) -> None:
    auditor = people["auditor"]
    services.bias_audit_exclude(audit=recorded, actor=auditor, category=NHPI_F, justification=WHY)
    with pytest.raises(ExclusionRefused, match="excluded already"):
        services.bias_audit_exclude(
            audit=recorded, actor=auditor, category=NHPI_F, justification=WHY
        )
    with pytest.raises(NotPermitted):
        services.bias_audit_exclusion_withdraw(
            audit=recorded, actor=people["hr_admin"], category=NHPI_F
        )
    services.bias_audit_exclusion_withdraw(audit=recorded, actor=auditor, category=NHPI_F)
    assert recorded.exclusions == []
    assert not any(r["excluded"] for r in recorded.report["tables"]["intersectional"])
    withdrawn = AuditEvent.objects.get(event_type="bias_audit.category_included")
    assert (withdrawn.actor, withdrawn.before["justification"]) == (auditor, WHY)
    with pytest.raises(ExclusionRefused, match="not excluded"):
        services.bias_audit_exclusion_withdraw(audit=recorded, actor=auditor, category=NHPI_F)

    services.bias_audit_exclude(audit=recorded, actor=auditor, category=NHPI_F, justification=WHY)
    BiasAudit.objects.filter(pk=recorded.pk).update(published=True)
    with pytest.raises(InvalidTransition, match="published"):
        services.bias_audit_exclusion_withdraw(audit=recorded, actor=auditor, category=NHPI_F)
    with pytest.raises(InvalidTransition, match="published"):
        services.bias_audit_exclude(
            audit=recorded, actor=auditor, category="Native Hawaiian or Pacific Islander",
            justification=WHY,
        )  # fmt: skip
    recorded.refresh_from_db()
    assert [e["category"] for e in recorded.exclusions] == [NHPI_F]


# --- the pages ----------------------------------------------------------------------------


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_auditor_excludes_on_the_recorded_audits_page_and_the_summary_shows_it(
    recorded: BiasAudit, people: dict[str, Any], org_a: Any
) -> None:
    url = f"/admin/renown_hiring/biasaudit/{recorded.pk}/exclusions/"
    assert login(people["hr_admin"]).get(url).status_code == 403  # it shows every count
    auditor = login(people["auditor"])
    page = auditor.get(url).content.decode()
    assert f"Justification for excluding {NHPI_F}" in page
    assert "Justification for excluding White Female" not in page  # 2 % or more: not offered
    refused = auditor.post(url, {"do": "exclude", "category": "White Female", "justification": WHY})
    assert refused.status_code == 400
    assert "only a category under 2%" in refused.content.decode()
    blank = auditor.post(url, {"do": "exclude", "category": NHPI_F, "justification": "  "})
    assert "written justification" in blank.content.decode()
    done = auditor.post(url, {"do": "exclude", "category": NHPI_F, "justification": WHY})
    assert (done.status_code, done["Location"]) == (302, url)
    recorded.refresh_from_db()
    assert [e["category"] for e in recorded.exclusions] == [NHPI_F]
    assert f"Withdraw the exclusion of {NHPI_F}" in auditor.get(url).content.decode()

    BiasAudit.objects.filter(pk=recorded.pk).update(published=True)
    body = Client().get(f"/audits/{org_a.slug}/").content.decode()
    # Every category's numbers (5-303), the excluded one marked with the justification.
    assert f"{NHPI_F} <small>(excluded from the impact ratios: {WHY})</small></td><td>1</td>" in (
        body
    )
    assert "fewer than 5" not in body
    assert "White Male</td><td>50</td>" in body
    assert "justification: " + WHY in body


@pytest.mark.django_db
def test_an_hr_admin_reads_a_recorded_audit_without_counts_under_five(
    recorded: BiasAudit, people: dict[str, Any]
) -> None:
    services.bias_audit_exclude(
        audit=recorded, actor=people["auditor"], category=NHPI_F, justification=WHY
    )
    url = f"/admin/renown_hiring/biasaudit/{recorded.pk}/change/"
    hr_page = login(people["hr_admin"]).get(url).content.decode()
    assert "fewer than 5" in hr_page
    assert f"{NHPI_F} <small>(excluded from the impact ratios: {WHY})</small></td><td>1<" not in (
        hr_page
    )
    assert "field-report" not in hr_page  # the raw figures are the auditors'
    auditor_page = login(people["auditor"]).get(url).content.decode()
    assert "field-report" in auditor_page


@pytest.mark.parametrize(
    ("count", "auditor", "shown"),
    [(0, False, 0), (1, False, "fewer than 5"), (4, False, "fewer than 5"), (5, False, 5),
     (1, True, 1), (4, True, 4), (250, False, 250)],
)  # fmt: skip
def test_one_rule_for_counts_non_auditors_see(count: int, auditor: bool, shown: object) -> None:
    assert live_bias_audit.shown_count(count, auditor=auditor) == shown
    from hiring.templatetags.renown_fairness import group_count

    assert group_count(count, auditor) == shown


@pytest.mark.django_db
def test_the_jobs_audit_page_lists_an_exclusion_without_a_count_under_five_for_hr_admins(
    recorded: BiasAudit, people: dict[str, Any]
) -> None:
    services.bias_audit_exclude(
        audit=recorded, actor=people["auditor"], category=NHPI_F, justification=WHY
    )
    assert recorded.job is not None
    url = f"/admin/renown_hiring/job/{recorded.job.pk}/bias-audit/"
    hr_page = login(people["hr_admin"]).get(url).content.decode()
    assert f"{NHPI_F} (fewer than 5) excluded from the impact ratios: {WHY}" in hr_page
    assert "/exclusions/" not in hr_page  # the exclusions page is the auditors'
    auditor_page = login(people["auditor"]).get(url).content.decode()
    assert f"{NHPI_F} (1) excluded from the impact ratios: {WHY}" in auditor_page
    assert f"/admin/renown_hiring/biasaudit/{recorded.pk}/exclusions/" in auditor_page
