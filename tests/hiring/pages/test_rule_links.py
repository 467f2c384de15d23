"""Links from the recruiter pages to the rules' admin pages, for those who may change rules
(issue 19, part 5): HR admins with the admin (staff) see them, recruiters never do."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def rule(org_a: Any) -> Any:
    job = factories.JobFactory(organization=org_a, title="Developer Advocate")
    rule = factories.ScreeningRuleFactory(job=job)
    rule.refresh_from_db()  # its line as stored and shown ("influence ≥ 35.00")
    return rule


def test_hr_admins_reach_each_live_rule_from_the_review_queue(hr_admin_a: Any, rule: Any) -> None:
    body = login(hr_admin_a).get(f"/jobs/{rule.job_id}/review/").content.decode()
    change = f"/admin/renown_hiring/screeningrule/{rule.pk}/change/"
    assert f'<a href="{change}" aria-label="Rule page of {rule}">rule page</a>' in body
    admin_page = login(hr_admin_a).get(change)
    assert admin_page.status_code == 200  # the link leads where they may go


def test_hr_admins_reach_a_jobs_rules_from_the_job_board(hr_admin_a: Any, rule: Any) -> None:
    body = login(hr_admin_a).get("/jobs/").content.decode()
    rules = f"/admin/renown_hiring/screeningrule/?job__id__exact={rule.job_id}"
    assert f'<a href="{rules}" aria-label="1 live rule of Developer Advocate: ' in body
    listing = login(hr_admin_a).get(rules)
    assert listing.status_code == 200
    assert str(rule) in listing.content.decode()


@pytest.mark.parametrize("who", ["recruiter", "auditor", "hr_admin_without_the_admin"])
def test_no_rule_link_for_those_who_may_not_change_rules(
    who: str, rule: Any, org_a: Any, recruiter_a: Any, auditor_a: Any
) -> None:
    if who == "hr_admin_without_the_admin":
        user = factories.UserFactory(username="no-staff-hr", is_staff=False)
        factories.MembershipFactory(user=user, organization=org_a, role="hr_admin")
    else:
        user = recruiter_a if who == "recruiter" else auditor_a
    client = login(user)
    for url in (f"/jobs/{rule.job_id}/review/", "/jobs/"):
        body = client.get(url).content.decode()
        assert "/admin/renown_hiring/screeningrule/" not in body, url
        assert "rule page" not in body, url


def test_the_header_names_the_role_in_words(
    hr_admin_a: Any, recruiter_a: Any, auditor_a: Any
) -> None:
    for user, words in (
        (hr_admin_a, "HR admin"),
        (recruiter_a, "Recruiter"),
        (auditor_a, "Auditor"),
    ):
        body = login(user).get("/jobs/").content.decode()
        assert f'<span class="role">({words})</span>' in body
    assert "Hradmin" not in login(hr_admin_a).get("/jobs/").content.decode()
