"""What waits for whom: an HR admin's rules to approve, an auditor's bias audits due."""

from __future__ import annotations

import html
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hiring import selectors
from hiring.ll144 import ll144_audit_state
from hiring.models import BiasAudit
from renown.models import AuditEventType
from renown.trail import audit_record
from tests import factories

pytestmark = pytest.mark.django_db

NYC = ["US-NY-NYC"]
TODAY = date(2026, 6, 1)


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def draft(job: Any, author: Any, threshold: str = "30") -> Any:
    """A screen-out draft, as rule_create leaves it: waiting for a second HR admin."""
    return factories.ScreeningRuleFactory(
        job=job, action="screen_out", active=False, created_by=author, threshold=Decimal(threshold)
    )


def audited(job: Any, on: date) -> BiasAudit:
    return BiasAudit.objects.create(
        organization=job.organization, job=job, job_title=job.title, audited_on=on,
        auditor="Independent Ltd", auditor_independent=True, data_source="ours", report={},
    )  # fmt: skip


def nyc_job(org: Any, title: str, *, live: bool = True) -> Any:
    job = factories.JobFactory(organization=org, title=title, jurisdictions=NYC)
    if live:
        factories.ScreeningRuleFactory(job=job)
    return job


@pytest.mark.parametrize(
    ("audit_on", "state"),
    [
        (None, "missing"),
        (date(2026, 6, 2), "missing"),  # audited only after the use
        (date(2025, 5, 31), "expired"),  # more than a year
        (date(2025, 6, 1), "expiring"),  # exactly a year: still valid, lapses today
        (date(2025, 7, 1), "expiring"),  # lapses within 30 days
        (date(2025, 7, 2), "current"),
        (date(2026, 5, 1), "current"),
    ],
)
def test_the_ll144_audit_state(audit_on: date | None, state: str) -> None:
    assert ll144_audit_state(audit_on, TODAY) == state


def test_an_hr_admin_sees_drafts_by_another_hr_admin_not_their_own(
    org_a: Any, hr_admin_a: Any, second_admin: Any, hr_admin_b: Any
) -> None:
    job = factories.JobFactory(organization=org_a, title="Developer Advocate")
    theirs = draft(job, second_admin, "30")
    mine = draft(factories.JobFactory(organization=org_a, title="Writer"), hr_admin_a, "40")
    draft(factories.JobFactory(organization=hr_admin_b.memberships.get().organization), hr_admin_b)
    factories.ScreeningRuleFactory(job=job, action="needs_review", active=False)  # no approval
    for url in ("/jobs/", "/"):
        page = login(hr_admin_a).get(url).content.decode()
        assert "Waiting for you" in page
        assert f'/admin/renown_hiring/screeningrule/{theirs.pk}/approve/"' in page
        assert f"/screeningrule/{mine.pk}/approve/" not in page
        assert "influence ≥ 30.00</a> (version 1) for Developer Advocate" in page
        assert "written by hanna-hr" in page
        assert "No acknowledgement yet" in page
    # The author sees the other way round; Globex's draft shows to nobody here.
    page = login(second_admin).get("/jobs/").content.decode()
    assert f"/screeningrule/{mine.pk}/approve/" in page
    assert f"/screeningrule/{theirs.pk}/approve/" not in page


def test_a_draft_acknowledged_in_words_says_so(
    org_a: Any, hr_admin_a: Any, second_admin: Any
) -> None:
    rule = draft(factories.JobFactory(organization=org_a), second_admin)
    audit_record(
        organization=org_a, actor=second_admin, event_type=AuditEventType.WARNING_ACKNOWLEDGED,
        subject=rule, after={"warnings": []}, note="Reviewed with counsel.",
    )  # fmt: skip
    (waiting,) = selectors.waiting_for(user=hr_admin_a, organization=org_a).rules
    assert waiting.acknowledged is True  # type: ignore[attr-defined]
    page = login(hr_admin_a).get("/jobs/").content.decode()
    assert "Its serious warnings were acknowledged in words." in page


def test_a_rule_approved_or_superseded_waits_no_more(
    org_a: Any, hr_admin_a: Any, second_admin: Any
) -> None:
    job = factories.JobFactory(organization=org_a)
    factories.ScreeningRuleFactory(job=job, action="screen_out", created_by=second_admin)  # live
    factories.ScreeningRuleFactory(
        job=job, action="screen_out", active=False, status="superseded", created_by=second_admin
    )
    assert not selectors.waiting_for(user=hr_admin_a, organization=org_a)
    assert "Waiting for you" not in login(hr_admin_a).get("/jobs/").content.decode()


def test_a_recruiter_sees_no_such_section(
    org_a: Any, recruiter_a: Any, second_admin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft(factories.JobFactory(organization=org_a), second_admin)
    audited(nyc_job(org_a, "Ops"), timezone.localdate() - timedelta(days=400))
    assert not selectors.waiting_for(user=recruiter_a, organization=org_a)

    def not_asked(**kwargs: Any) -> None:
        raise AssertionError("nothing waits for a recruiter: no query for it")

    monkeypatch.setattr(selectors, "waiting_for", not_asked)
    for url in ("/jobs/", "/"):
        page = login(recruiter_a).get(url).content.decode()
        assert "Waiting for you" not in page
        assert "/approve/" not in page


def test_an_auditor_sees_jobs_whose_audit_is_missing_or_over_a_year_old(
    org_a: Any, auditor_a: Any, hr_admin_a: Any
) -> None:
    today = timezone.localdate()
    never = nyc_job(org_a, "Never Audited")
    lapsed = nyc_job(org_a, "Lapsed")
    audited(lapsed, today - timedelta(days=500))
    audited(lapsed, today - timedelta(days=400))  # the latest: still over a year
    recent = nyc_job(org_a, "Recently Audited")
    audited(recent, today - timedelta(days=400))
    audited(recent, today - timedelta(days=20))
    nyc_job(org_a, "No Live Rule", live=False)
    factories.ScreeningRuleFactory(job=factories.JobFactory(organization=org_a, title="Remote"))
    waiting = selectors.waiting_for(user=auditor_a, organization=org_a)
    assert [(d.job.title, d.state) for d in waiting.audits] == [
        ("Lapsed", "expired"),
        ("Never Audited", "missing"),
    ]
    assert waiting.rules == []
    for url in ("/jobs/", "/"):
        page = html.unescape(login(auditor_a).get(url).content.decode())
        assert "Bias audits due (2)" in page
        assert f'href="/audit/?job={never.pk}">Never Audited</a>' in page
        assert "Never Audited</a>:\n      no bias audit recorded" in page
        assert f"the audit of {today - timedelta(days=400):%Y-%m-%d} lapsed on" in page
        assert f"/admin/renown_hiring/job/{lapsed.pk}/bias-audit/" in page
        assert "Recently Audited" not in page.split("Bias audits due")[1].split("</section>")[0]
    # An HR admin is not asked for audits.
    assert not selectors.waiting_for(user=hr_admin_a, organization=org_a).audits


def test_an_audit_lapsing_soon_is_due_soon(org_a: Any, auditor_a: Any) -> None:
    job = nyc_job(org_a, "Soon")
    audited(job, TODAY - timedelta(days=350))
    (due,) = selectors.waiting_for(user=auditor_a, organization=org_a, today=TODAY).audits
    assert (due.state, due.lapses_on) == ("expiring", date(2026, 6, 16))


def test_other_organisations_wait_for_their_own_people(
    org_a: Any, org_b: Any, auditor_a: Any, hr_admin_b: Any
) -> None:
    nyc_job(org_b, "Globex NYC")
    other = factories.UserFactory(username="hb-two")
    factories.MembershipFactory(user=other, organization=org_b, role="hr_admin")
    draft(factories.JobFactory(organization=org_b), other)
    assert not selectors.waiting_for(user=auditor_a)
    assert not selectors.waiting_for(user=hr_admin_b, organization=org_a)
    assert len(selectors.waiting_for(user=hr_admin_b).rules) == 1


def test_the_selector_answers_in_two_queries_however_much_waits(
    org_a: Any, hr_admin_a: Any, second_admin: Any, auditor_a: Any, django_assert_num_queries: Any
) -> None:
    for index in range(6):
        job = nyc_job(org_a, f"Job {index}")
        draft(job, second_admin)
        audited(job, timezone.localdate() - timedelta(days=400 + index))
    for user in (hr_admin_a, auditor_a):
        with django_assert_num_queries(2):
            waiting = selectors.waiting_for(user=user, organization=org_a)
            assert len(waiting.rules) + len(waiting.audits) == 6
            for rule in waiting.rules:  # what the section reads: no query more
                assert rule.job.organization == org_a
                assert rule.created_by.get_username() == "hanna-hr"
                assert rule.acknowledged is False
            for due in waiting.audits:
                assert due.job.organization == org_a
                assert due.state == "expired"
