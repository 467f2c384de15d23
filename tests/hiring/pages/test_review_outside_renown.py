"""The review page's "Reject for reasons outside Renown": its own form, the attestation, no FCRA."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from typing import Any

import pytest

from hiring import services
from hiring.models import AdverseAction, Decision, Screening
from renown.models import AuditEvent
from tests import factories
from tests.hiring.pages.test_review import applicant, login, review_url

pytestmark = pytest.mark.django_db

ATTESTED = "I attest that Renown's data played no part in this rejection"


@pytest.fixture
def job(org_a: Any) -> Any:
    job = factories.JobFactory(organization=org_a, title="Developer Advocate")
    factories.ScreeningRuleFactory(job=job, threshold=Decimal(35), action="screen_out")
    return job


def outside(reason: str = "Withdrew after the interview.", **fields: str) -> dict[str, str]:
    return {"kind": "reject", "outside_renown": "True", "reason": reason, **fields}


def test_the_page_offers_it_as_its_own_choice(job: Any, recruiter_a: Any) -> None:
    person = applicant(job, "20", "Bo Below")
    services.screening_run_for_job(job=job)
    page = login(recruiter_a).get(review_url(job, person)).content.decode()
    assert "Reject for reasons outside Renown" in page
    assert ATTESTED in html.unescape(page)
    # Its own form: a second reason field and the checkbox, with ids of their own.
    assert 'id="outside_reason"' in page
    assert 'id="id_reason"' in page
    assert re.search(r'<input type="checkbox" name="attested" id="outside_attested"', page)
    assert "Renown suggests rejecting this candidate" in page  # below the screen-out line


def test_an_attested_rejection_through_the_page_opens_no_adverse_action(
    job: Any, recruiter_a: Any
) -> None:
    person = applicant(job, "20", "Bo Below")
    services.screening_run_for_job(job=job)
    response = login(recruiter_a).post(
        review_url(job, person, "decision/"), outside(attested="on"), follow=True
    )
    body = response.content.decode()
    assert "Rejection outside Renown recorded with your attestation" in body
    decision = Decision.objects.get()
    assert (decision.kind, decision.outside_renown) == ("reject", True)
    assert not AdverseAction.objects.exists()
    assert AuditEvent.objects.get(event_type="decision.recorded").after["outside_renown"] is True
    # The decision shows as outside Renown, and no FCRA step is offered.
    assert "outside Renown (attested" in body
    assert "pre-adverse-notice/" not in body


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (outside(), "needs your attestation"),
        (outside(reason="", attested="on"), "Say why you reject outside Renown"),
    ],
)
def test_without_the_attestation_or_a_reason_nothing_is_recorded(
    job: Any, recruiter_a: Any, fields: dict[str, str], message: str
) -> None:
    person = applicant(job, "20", "Bo Below")
    services.screening_run_for_job(job=job)
    response = login(recruiter_a).post(review_url(job, person, "decision/"), fields, follow=True)
    assert message in response.content.decode()
    assert not Decision.objects.exists()


def test_no_outside_choice_while_a_rejection_through_renown_is_under_way(
    job: Any, recruiter_a: Any
) -> None:
    person = applicant(job, "20", "Bo Below")
    services.screening_run_for_job(job=job)
    services.decision_record(
        screening=Screening.objects.get(candidate=person),
        reviewer=recruiter_a,
        kind="reject",
        reason="Below.",
    )
    client = login(recruiter_a)
    page = client.get(review_url(job, person)).content.decode()
    assert "Reject for reasons outside Renown" not in page
    response = client.post(
        review_url(job, person, "decision/"), outside(attested="on"), follow=True
    )
    assert "cannot become a rejection outside Renown" in response.content.decode()
    assert Decision.objects.count() == 1


def test_only_recruiters_see_and_post_it(
    job: Any, auditor_a: Any, hr_admin_a: Any, recruiter_a: Any, org_b: Any
) -> None:
    person = applicant(job, "20", "Bo Below")
    services.screening_run_for_job(job=job)
    for user in (auditor_a, hr_admin_a):
        client = login(user)
        page = client.get(review_url(job, person)).content.decode()
        assert "Reject for reasons outside Renown" not in page
        response = client.post(review_url(job, person, "decision/"), outside(attested="on"))
        assert response.status_code == 403
    # A recruiter of another organisation does not reach the screening at all.
    stranger = factories.UserFactory(username="rex-elsewhere")
    factories.MembershipFactory(user=stranger, organization=org_b, role="recruiter")
    response = login(stranger).post(review_url(job, person, "decision/"), outside(attested="on"))
    assert response.status_code == 404
    assert not Decision.objects.exists()
