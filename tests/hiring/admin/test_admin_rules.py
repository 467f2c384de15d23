"""Rules in the admin: every save is a version, every action a service, read-only records."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from hiring import services
from hiring.models import ScreeningRule
from hiring.screening.metrics import metric_vendor_choices
from renown.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db

FORM = {
    "metric": "influence",
    "operator": "gte",
    "threshold": "35",
    "aggregation": "latest",
    "window_days": "90",
    "max_data_age_days": "30",
    "missing_data_policy": "review",
    "near_band": "0",
    "near_band_source": "fixed",
    "action": "needs_review",
    "go_live": "on",
}


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_saving_a_change_writes_the_next_version(job: Any, hr_admin_a: Any) -> None:
    client = login(hr_admin_a)
    assert (
        client.post("/admin/renown_hiring/screeningrule/add/", {**FORM, "job": job.pk}).status_code
        == 302
    )
    v1 = ScreeningRule.objects.get()
    assert (v1.status, v1.version) == ("live", 1)
    response = client.post(
        f"/admin/renown_hiring/screeningrule/{v1.pk}/change/",
        {**FORM, "threshold": "40", "change_note": "stricter"},
    )
    assert response.status_code == 302
    v2 = ScreeningRule.objects.get(version=2)
    v1.refresh_from_db()
    assert (v1.status, v1.threshold, v2.status, v2.threshold) == (
        "superseded",
        Decimal(35),
        "live",
        Decimal(40),
    )
    assert f"/{v2.pk}/" in response["Location"] or response["Location"].endswith("/screeningrule/")
    history = client.get(f"/admin/renown_hiring/screeningrule/{v2.pk}/change/").content.decode()
    assert "stricter" in history
    # The old version is history: shown, never changed.
    old = client.post(
        f"/admin/renown_hiring/screeningrule/{v1.pk}/change/", {**FORM, "threshold": "1"}
    )
    assert old.status_code == 403
    assert AuditEvent.objects.filter(event_type="rule.changed").count() == 1


def test_nothing_changed_is_not_a_version(job: Any, hr_admin_a: Any) -> None:
    rule = services.rule_create(
        job=job, actor=hr_admin_a, metric="influence", threshold=Decimal(35)
    )
    response = login(hr_admin_a).post(f"/admin/renown_hiring/screeningrule/{rule.pk}/change/", FORM)
    assert response.status_code == 200
    assert "Nothing changed" in response.content.decode()


def test_missing_data_as_failing_asks_for_an_acknowledgement(job: Any, hr_admin_a: Any) -> None:
    client = login(hr_admin_a)
    data = {**FORM, "job": job.pk, "missing_data_policy": "fail"}
    refused = client.post("/admin/renown_hiring/screeningrule/add/", data)
    assert refused.status_code == 200
    assert "cannot measure" in refused.content.decode()
    accepted = client.post(
        "/admin/renown_hiring/screeningrule/add/",
        {**data, "acknowledgement": "Understood: core job."},
    )
    assert accepted.status_code == 302
    assert AuditEvent.objects.get(event_type="warning.acknowledged").note == "Understood: core job."


def test_approval_takes_a_second_hr_admin(job: Any, hr_admin_a: Any, second_admin: Any) -> None:
    rule = services.rule_create(
        job=job, actor=hr_admin_a, metric="influence", threshold=Decimal(35), action="screen_out"
    )
    page = f"/admin/renown_hiring/screeningrule/{rule.pk}/approve/"
    own = login(hr_admin_a).post(page, {"statement": "Mine."})
    assert "a second HR admin of the organisation must approve it" in own.content.decode()
    rule.refresh_from_db()
    assert rule.status == "draft"
    other = login(second_admin).post(page, {"statement": "Reviewed the pilot."}, follow=True)
    assert "Approved by you and live" in other.content.decode()
    rule.refresh_from_db()
    assert (rule.status, rule.approved_by) == ("live", second_admin)


def test_deactivate_and_roll_back_from_the_list(job: Any, hr_admin_a: Any) -> None:
    v1 = services.rule_create(job=job, actor=hr_admin_a, metric="influence", threshold=Decimal(35))
    v2 = services.rule_update(rule=v1, actor=hr_admin_a, changes={"threshold": Decimal(60)})
    client = login(hr_admin_a)
    client.post(
        "/admin/renown_hiring/screeningrule/", {"action": "deactivate", "_selected_action": [v2.pk]}
    )
    v2.refresh_from_db()
    assert v2.status == "deactivated"
    client.post(
        "/admin/renown_hiring/screeningrule/",
        {"action": "roll_back_to_this_version", "_selected_action": [v1.pk]},
    )
    v3 = ScreeningRule.objects.get(version=3)
    assert (v3.threshold, v3.status, v3.rolled_back_from) == (Decimal(35), "live", 1)


def test_recruiters_and_auditors_cannot_change_rules(
    job: Any, hr_admin_a: Any, auditor_a: Any, org_a: Any
) -> None:
    rule = services.rule_create(
        job=job, actor=hr_admin_a, metric="influence", threshold=Decimal(35)
    )
    staff_recruiter = factories.UserFactory(username="sam-recruiter", is_staff=True)
    factories.MembershipFactory(user=staff_recruiter, organization=org_a, role="recruiter")
    for user in (auditor_a, staff_recruiter):
        client = login(user)
        assert (
            client.get(f"/admin/renown_hiring/screeningrule/{rule.pk}/change/").status_code == 200
        )
        assert client.get("/admin/renown_hiring/screeningrule/add/").status_code == 403
        changed = client.post(
            f"/admin/renown_hiring/screeningrule/{rule.pk}/change/", {**FORM, "threshold": "1"}
        )
        assert changed.status_code == 403
        client.post(
            "/admin/renown_hiring/screeningrule/",
            {"action": "deactivate", "_selected_action": [rule.pk]},
        )
        rule.refresh_from_db()
        assert rule.status == "live"


def test_records_are_read_only_for_everyone(job: Any, hr_admin_a: Any) -> None:
    client = login(hr_admin_a)
    for model in (
        "screening",
        "screeningrun",
        "decision",
        "adverseaction",
        "dispute",
        "adverseactionnotice",
    ):
        assert client.get(f"/admin/renown_hiring/{model}/").status_code == 200
        assert client.get(f"/admin/renown_hiring/{model}/add/").status_code == 403


def test_groups_are_written_through_the_service(job: Any, hr_admin_a: Any) -> None:
    client = login(hr_admin_a)
    response = client.post(
        "/admin/renown_hiring/rulegroup/add/",
        {"job": job.pk, "name": "reach or record", "combinator": "any"},
    )
    assert response.status_code == 302
    assert AuditEvent.objects.get(event_type="rule_group.changed").after["combinator"] == "any"


def test_an_application_joins_a_candidate_of_the_same_organisation(
    job: Any, hr_admin_a: Any, org_b: Any
) -> None:
    client = login(hr_admin_a)
    ours = factories.CandidateFactory(organization=job.organization)
    assert (
        client.post(
            "/admin/renown_hiring/application/add/", {"job": job.pk, "candidate": ours.pk}
        ).status_code
        == 302
    )
    theirs = factories.CandidateFactory(organization=org_b)
    refused = client.post(
        "/admin/renown_hiring/application/add/", {"job": job.pk, "candidate": theirs.pk}
    )
    assert refused.status_code == 200
    assert job.applications.count() == 1


def test_the_window_is_chosen_from_the_kept_ones(job: Any, hr_admin_a: Any) -> None:
    client = login(hr_admin_a)
    add = client.get("/admin/renown_hiring/screeningrule/add/").content.decode()
    for days in (7, 30, 90, 180, 365):
        assert f'<option value="{days}"' in add
    refused = client.post(
        "/admin/renown_hiring/screeningrule/add/", {**FORM, "job": job.pk, "window_days": "60"}
    )
    assert refused.status_code == 200
    assert not ScreeningRule.objects.exists()


def test_a_rule_from_before_keeps_its_window_until_changed(job: Any, hr_admin_a: Any) -> None:
    rule = services.rule_create(
        job=job, actor=hr_admin_a, metric="influence", threshold=Decimal(35),
        aggregation="median", window_days=60,
    )  # fmt: skip
    client = login(hr_admin_a)
    page = client.get(f"/admin/renown_hiring/screeningrule/{rule.pk}/change/").content.decode()
    assert '<option value="60" selected>60 days (read from the history' in page
    saved = client.post(
        f"/admin/renown_hiring/screeningrule/{rule.pk}/change/",
        {**FORM, "aggregation": "median", "window_days": "60", "threshold": "36"},
    )
    assert saved.status_code == 302
    assert ScreeningRule.objects.get(version=2).window_days == 60


@pytest.mark.parametrize("page", ["change", "add with ?job=", "add", "?job=abc", "?job=theirs"])
def test_the_group_list_offers_the_rules_own_jobs_groups(
    job: Any, hr_admin_a: Any, page: str
) -> None:
    from hiring.models import RuleGroup

    ours = RuleGroup.objects.create(job=job, name="reach or record", combinator="any")
    other_job = factories.JobFactory(organization=job.organization, title="Data Engineer")
    theirs = RuleGroup.objects.create(job=other_job, name="other job's group", combinator="all")
    client = login(hr_admin_a)
    if page == "change":
        rule = factories.ScreeningRuleFactory(job=job)
        url = f"/admin/renown_hiring/screeningrule/{rule.pk}/change/"
    elif page == "add with ?job=":
        url = f"/admin/renown_hiring/screeningrule/add/?job={job.pk}"
    elif page == "?job=abc":  # not a job: the page still opens, as without ?job=
        url = "/admin/renown_hiring/screeningrule/add/?job=abc"
    elif page == "?job=theirs":  # another organisation's job: not one of this user's
        other = factories.JobFactory(organization=factories.OrganizationFactory())
        url = f"/admin/renown_hiring/screeningrule/add/?job={other.pk}"
    else:
        url = "/admin/renown_hiring/screeningrule/add/"
    response = client.get(url)
    assert response.status_code == 200
    choices = response.context["adminform"].form.fields["group"].queryset
    if page in ("add", "?job=abc", "?job=theirs"):  # no job of theirs chosen yet: the
        # organisation's groups, checked on save
        assert set(choices) == {ours, theirs}
    else:
        assert list(choices) == [ours]


def metric_choices(response: Any) -> dict[str, str]:
    """The metric select's options, flattened out of their groups: {value: label}."""
    field = response.context["adminform"].form.fields["metric"]
    return {
        value: label
        for _, group in field.choices
        if isinstance(group, list)
        for value, label in group
    }


@pytest.fixture
def vendors(job: Any, org_b: Any) -> None:
    """Klout and a custom vendor for the job's organisation; Kred and another custom
    vendor for another organisation's candidates only."""
    ours = factories.CandidateFactory(organization=job.organization)
    theirs = factories.CandidateFactory(organization=org_b)
    factories.VendorScoreFactory(candidate=ours)
    factories.VendorScoreFactory(
        candidate=ours, vendor="custom", vendor_name="acme-index", scale_min=0, scale_max=10,
        value=7,
    )  # fmt: skip
    # A name no rule can hold (metric_source refuses it): never offered.
    factories.VendorScoreFactory(
        candidate=ours, vendor="custom", vendor_name="Acme Index", scale_min=0, scale_max=10,
        value=7,
    )  # fmt: skip
    factories.VendorScoreFactory(candidate=theirs, vendor="kred", scale_max=1000)
    factories.VendorScoreFactory(
        candidate=theirs, vendor="custom", vendor_name="globex-secret", scale_min=0,
        scale_max=10, value=7,
    )  # fmt: skip


@pytest.mark.parametrize("page", ["change", "add with ?job="])
def test_the_metric_list_offers_the_scorers_and_the_organisations_vendors(
    job: Any, hr_admin_a: Any, vendors: None, page: str
) -> None:
    if page == "change":
        rule = factories.ScreeningRuleFactory(job=job)
        url = f"/admin/renown_hiring/screeningrule/{rule.pk}/change/"
    else:
        url = f"/admin/renown_hiring/screeningrule/add/?job={job.pk}"
    response = login(hr_admin_a).get(url)
    assert metric_choices(response) == {
        "influence": "Influence score (1-100)",
        "reputation": "Offline reputation score (0-100)",
        "vendor:acme-index": "acme-index (custom vendor, declared scale)",
        "vendor:klout": "Klout (1-100; closed 2018-05-25)",
    }
    body = response.content.decode()
    assert '<optgroup label="Renown scores">' in body
    assert '<optgroup label="Vendor scores">' in body
    assert "window picked under Window" in body


def test_the_vendor_list_is_one_query(
    job: Any, vendors: None, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        offered = metric_vendor_choices(organization_id=job.organization_id)
    assert [metric for metric, _ in offered] == ["vendor:acme-index", "vendor:klout"]


@pytest.mark.parametrize("job_param", ["", "another organisation's job"])
def test_without_a_job_of_the_users_the_metric_list_offers_the_scorers_only(
    job: Any, hr_admin_a: Any, org_b: Any, vendors: None, job_param: str
) -> None:
    url = "/admin/renown_hiring/screeningrule/add/"
    if job_param:
        url += f"?job={factories.JobFactory(organization=org_b).pk}"
    response = login(hr_admin_a).get(url)
    assert set(metric_choices(response)) == {"influence", "reputation"}
    assert "Pick the job first" in response.content.decode()


def test_a_metric_not_on_offer_is_refused(job: Any, hr_admin_a: Any, vendors: None) -> None:
    client = login(hr_admin_a)
    for metric in ("vendor:kred", "vendor:globex-secret", "metric:followers", "shoe-size"):
        refused = client.post(
            "/admin/renown_hiring/screeningrule/add/", {**FORM, "job": job.pk, "metric": metric}
        )
        assert refused.status_code == 200, metric
        assert f"{metric} is not a metric this job can use" in refused.content.decode()
    assert not ScreeningRule.objects.exists()
    # The job posted decides the list on the add page without ?job=: its vendors are taken.
    saved = client.post(
        "/admin/renown_hiring/screeningrule/add/",
        {**FORM, "job": job.pk, "metric": "vendor:acme-index", "max_data_age_days": "3650"},
    )
    assert saved.status_code == 302
    assert ScreeningRule.objects.get().metric == "vendor:acme-index"


@pytest.mark.parametrize("metric", ["metric:followers", "vendor:acme-index"])
def test_a_version_keeps_its_metric_on_offer(job: Any, hr_admin_a: Any, metric: str) -> None:
    # The vendor has no score on file (erased, say); snapshot metrics are never in the lists.
    rule = services.rule_create(job=job, actor=hr_admin_a, metric=metric, threshold=Decimal(35))
    client = login(hr_admin_a)
    url = f"/admin/renown_hiring/screeningrule/{rule.pk}/change/"
    page = client.get(url)
    assert metric_choices(page)[metric] == f"{metric} (kept from version 1)"
    assert f'<option value="{metric}" selected>' in page.content.decode()
    saved = client.post(url, {**FORM, "metric": metric, "threshold": "36"})
    assert saved.status_code == 302, saved.content.decode()[:2000]
    assert ScreeningRule.objects.get(version=2).metric == metric
