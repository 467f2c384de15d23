"""The review queue at volume (issue 19, part 1): what needs a person most first, filters
and counts per state, the value against the line, assignment, bulk advance or hold with
one reason, next and previous from a candidate's page, a constant number of queries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hiring import selectors, services
from hiring.models import Decision, ReviewAssignment, Screening
from renown.exceptions import NotPermitted
from renown.models import AuditEvent
from tests import factories
from tests.conftest import _member

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def job(org_a: Any) -> Any:
    job = factories.JobFactory(organization=org_a, title="Developer Advocate")
    factories.ScreeningRuleFactory(
        job=job, threshold=Decimal(35), near_band=Decimal(2), action="screen_out"
    )
    return job


def applicant(job: Any, value: str | None, name: str) -> Any:
    person = factories.CandidateFactory(organization=job.organization, name=name)
    factories.ApplicationFactory(job=job, candidate=person)
    if value is not None:
        factories.ScoreFactory(candidate=person, value=Decimal(value))
    return person


@pytest.fixture
def people(job: Any) -> dict[str, Any]:
    """Two below (suggested rejections), one unmeasured, two near the line, one meets;
    created in that order, so the queue's order is not the order they came in."""
    made = {
        "below-1": applicant(job, "20", "Bea Below"),
        "below-2": applicant(job, "21", "Bob Below"),
        "unknown": applicant(job, None, "Una Unknown"),
        "near-1": applicant(job, "34", "Nia Near"),
        "near-2": applicant(job, "36", "Ned Near"),
        "meets": applicant(job, "80", "Meg Meets"),
    }
    services.screening_run_for_job(job=job)
    return made


def screening(person: Any) -> Screening:
    return Screening.objects.get(candidate=person)


def test_the_queue_puts_near_the_line_first_then_missing_data_then_the_rest(
    job: Any, people: dict[str, Any], recruiter_a: Any
) -> None:
    body = login(recruiter_a).get(f"/jobs/{job.pk}/review/").content.decode()
    order = [body.index(people[k].name) for k in ("near-1", "near-2", "unknown", "below-1")]
    assert order == sorted(order)
    assert people["meets"].name not in body
    # The value against the line, and the reason in a few words.
    assert "influence 34.00 (line ≥ 35.00)" in body
    assert "within the near band (±2.00): noise decides" in body
    assert "no value (line ≥ 35.00)" in body
    assert "below a screen-out rule: Renown suggests a rejection" in body
    assert "Near threshold: 2 · Insufficient data: 1 · Flagged: 0 · Below: 2" in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("state=near_threshold", {"near-1", "near-2"}),
        ("state=insufficient_data", {"unknown"}),
        ("why=reject", {"below-1", "below-2"}),
        ("why=review", {"near-1", "near-2", "unknown"}),
        ("why=hold", set()),
        ("state=below&why=review", set()),
        ("state=nonsense", {"near-1", "near-2", "unknown", "below-1", "below-2"}),
    ],
)
def test_filters_by_state_and_reason(
    job: Any, people: dict[str, Any], recruiter_a: Any, query: str, expected: set[str]
) -> None:
    body = login(recruiter_a).get(f"/jobs/{job.pk}/review/?{query}").content.decode()
    table = body[body.index('<table class="queue">') : body.index("</table>")]
    shown = {key for key, person in people.items() if person.name in table}
    assert shown == expected


def test_assign_to_me_fills_my_queue_and_is_audited(
    job: Any, people: dict[str, Any], recruiter_a: Any
) -> None:
    client = login(recruiter_a)
    ids = [screening(people[k]).pk for k in ("near-1", "unknown")]
    response = client.post(f"/jobs/{job.pk}/review/bulk/", {"screening": ids, "action": "assign"})
    assert response.status_code == 302
    mine = client.get(f"/jobs/{job.pk}/review/?assigned=me").content.decode()
    table = mine[mine.index('<table class="queue">') : mine.index("</table>")]
    assert people["near-1"].name in table
    assert people["unknown"].name in table
    assert people["near-2"].name not in table
    assert table.count("rita-recruiter") == 2
    events = AuditEvent.objects.filter(event_type="review.assigned")
    assert events.count() == 2
    assert {e.after["assignee"] for e in events} == {f"rita-recruiter (#{recruiter_a.pk})"}
    # Releasing one: audited too; the other stays mine.
    client.post(f"/jobs/{job.pk}/review/bulk/", {"screening": ids[:1], "action": "release"})
    assert list(ReviewAssignment.objects.values_list("screening_id", flat=True)) == ids[1:]
    assert AuditEvent.objects.filter(event_type="review.assigned").count() == 3


def test_a_bulk_advance_of_3_with_one_reason_records_3_decisions_and_3_events(
    job: Any, people: dict[str, Any], recruiter_a: Any
) -> None:
    """Issue 19's acceptance, through the page."""
    ids = [screening(people[k]).pk for k in ("near-1", "near-2", "unknown")]
    reason = "Portfolio reviewed in the hiring panel: all three go to interview."
    response = login(recruiter_a).post(
        f"/jobs/{job.pk}/review/bulk/?state=near_threshold",
        {"screening": ids, "action": "advance", "reason": reason},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/jobs/{job.pk}/review/?state=near_threshold"
    decisions = Decision.objects.filter(screening_id__in=ids)
    assert decisions.count() == 3
    assert set(decisions.values_list("kind", "reason", "reviewer_label")) == {
        ("advance", reason, f"rita-recruiter (#{recruiter_a.pk})")
    }
    events = AuditEvent.objects.filter(event_type="decision.recorded")
    assert events.count() == 3
    assert {e.after["candidate"] for e in events} == {
        str(people[k].public_id) for k in ("near-1", "near-2", "unknown")
    }


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"action": "advance", "reason": "  "}, "Say why"),
        ({"action": "reject", "reason": "no"}, "Select a valid choice"),
        ({"action": "advance", "reason": "ok", "screening": []}, "Select at least one"),
        ({"action": "hold", "reason": "ok", "screening": ["x"]}, "is not a screening id"),
        ({"action": "hold", "reason": "ok", "screening": [str(2**63)]}, "is not a screening id"),
        ({"action": "hold", "reason": "ok", "screening": ["0"]}, "is not a screening id"),
    ],
)
def test_a_refused_bulk_says_why_keeps_the_selection_and_records_nothing(
    job: Any, people: dict[str, Any], recruiter_a: Any, form: dict[str, Any], error: str
) -> None:
    ids = [screening(people["near-1"]).pk]
    data = {"screening": ids, **form}
    response = login(recruiter_a).post(f"/jobs/{job.pk}/review/bulk/", data)
    assert response.status_code == 400
    body = response.content.decode()
    assert error in body
    assert "Nothing was recorded" in body
    if data["screening"] == ids:  # kept checked for the second try
        assert f'value="{ids[0]}" id="sel-{ids[0]}" checked' in body
    assert not Decision.objects.exists()


def test_a_bulk_with_one_decided_meanwhile_records_nothing(
    job: Any, people: dict[str, Any], recruiter_a: Any
) -> None:
    ids = [screening(people[k]).pk for k in ("near-1", "near-2")]
    services.decision_record(
        screening=screening(people["near-2"]), reviewer=recruiter_a, kind="advance", reason="x"
    )
    with pytest.raises(ValidationError, match="1 of the 2 selected no longer wait"):
        services.decision_bulk_record(
            job=job, screening_ids=ids, reviewer=recruiter_a, kind="hold", reason="later"
        )
    assert Decision.objects.count() == 1


def test_no_bulk_rejection_and_only_recruiters_of_the_organisation(
    job: Any, people: dict[str, Any], recruiter_a: Any, hr_admin_a: Any, org_b: Any
) -> None:
    ids = [screening(people["below-1"]).pk]
    with pytest.raises(ValidationError, match="reject each candidate on their own page"):
        services.decision_bulk_record(
            job=job, screening_ids=ids, reviewer=recruiter_a, kind="reject", reason="below"
        )
    outsider = _member(org_b, "recruiter", staff=False, username="oscar-outsider")
    for user in (hr_admin_a, outsider):
        with pytest.raises(NotPermitted):
            services.decision_bulk_record(
                job=job, screening_ids=ids, reviewer=user, kind="hold", reason="x"
            )
        with pytest.raises(NotPermitted):
            services.review_assign(job=job, screening_ids=ids, actor=user, assignee=user)
    # Through the pages: the other organisation's recruiter does not reach the job at all.
    response = login(outsider).post(
        f"/jobs/{job.pk}/review/bulk/", {"screening": ids, "action": "hold", "reason": "x"}
    )
    assert response.status_code == 404
    assert not Decision.objects.exists()


def test_next_and_previous_follow_the_filtered_queue(
    job: Any, people: dict[str, Any], recruiter_a: Any
) -> None:
    client = login(recruiter_a)
    url = f"/jobs/{job.pk}/candidates/{people['near-2'].public_id}/"
    page = client.get(url).content.decode()
    assert "2 of 5 waiting" in page
    assert f"Previous: {people['near-1'].name}" in page
    assert f"Next: {people['unknown'].name}" in page
    filtered = client.get(url + "?state=near_threshold").content.decode()
    assert "2 of 2 waiting" in filtered
    assert "Next:" not in filtered
    assert "?state=near_threshold" in filtered  # the links keep the filter
    # Decided, it leaves the queue: its page still points to who came after it.
    response = client.post(
        url + "decision/?why=review", {"kind": "advance", "reason": "seen"}, follow=True
    )
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == url + "?why=review"
    assert "Not waiting in this filtered queue (2 waiting)" in body
    assert f"Next: {people['unknown'].name}" in body
    assert f"Previous: {people['near-1'].name}" in body


def test_the_queue_page_makes_the_same_queries_for_5_or_60_waiting(
    job: Any, recruiter_a: Any
) -> None:
    counts = []
    for extra in (5, 55):
        for i in range(extra):
            applicant(job, None if i % 2 else "34", f"Extra {len(counts)}-{i}")
        services.screening_run_for_job(job=job)
        waiting = selectors.review_queue(job=job)
        services.review_assign(
            job=job, screening_ids=[s.pk for s in waiting[:3]], actor=recruiter_a,
            assignee=recruiter_a,
        )  # fmt: skip
        client = login(recruiter_a)
        client.get(f"/jobs/{job.pk}/review/")  # sessions, caches: warm
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/jobs/{job.pk}/review/?assigned=")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 20, counts


def test_the_last_decision_reads_in_words(
    job: Any, people: dict[str, Any], recruiter_a: Any
) -> None:
    services.decision_record(
        screening=screening(people["unknown"]), reviewer=recruiter_a, kind="hold", reason="x"
    )
    body = login(recruiter_a).get(f"/jobs/{job.pk}/review/?why=hold").content.decode()
    table = body[body.index('<table class="queue">') : body.index("</table>")]
    assert "<td>On hold</td>" in table
    assert "<td>hold</td>" not in table
