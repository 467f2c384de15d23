"""Voluntary self-identification: kept apart, read only by auditors, only in aggregate."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from candidates import selectors
from candidates.models import Candidate, SelfIdentification
from tests import factories

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def population(organization: Any) -> list[Candidate]:
    """Six candidates: two Female Asian, one Male White, one declined, two never asked."""
    answers = [("female", "asian"), ("female", "asian"), ("male", "white"), ("", "")]
    people = []
    for sex, race in answers:
        person = factories.CandidateFactory(organization=organization)
        factories.SelfIdentificationFactory(candidate=person, sex=sex, race_ethnicity=race)
        people.append(person)
    people += [factories.CandidateFactory(organization=organization) for _ in range(2)]
    return people


def test_auditor_gets_counts_and_no_candidate_ids(org_a: Any, auditor_a: Any) -> None:
    population(org_a)
    counts = selectors.self_identification_counts(user=auditor_a, organization=org_a)
    assert counts == [
        {"sex": "", "race_ethnicity": "", "count": 3},  # declined, or never asked
        {"sex": "female", "race_ethnicity": "asian", "count": 2},
        {"sex": "male", "race_ethnicity": "white", "count": 1},
    ]


def test_counts_over_a_chosen_population(org_a: Any, auditor_a: Any) -> None:
    people = population(org_a)
    people += [factories.CandidateFactory(organization=org_a) for _ in range(3)]
    chosen = [person.pk for person in people[1:]]  # all but the first Female Asian
    counts = selectors.self_identification_counts(
        user=auditor_a, organization=org_a, candidate_ids=chosen
    )
    assert counts == [
        {"sex": "", "race_ethnicity": "", "count": 6},
        {"sex": "female", "race_ethnicity": "asian", "count": 1},
        {"sex": "male", "race_ethnicity": "white", "count": 1},
    ]


@pytest.mark.parametrize("persona", ["recruiter_a", "hr_admin_a"])
def test_recruiters_and_hr_admins_are_refused(
    persona: str, org_a: Any, request: pytest.FixtureRequest
) -> None:
    population(org_a)
    with pytest.raises(PermissionDenied):
        selectors.self_identification_counts(
            user=request.getfixturevalue(persona), organization=org_a
        )


def test_another_organisations_auditor_gets_nothing_of_this_one(org_a: Any, org_b: Any) -> None:
    mine = population(org_a)
    auditor_b = factories.UserFactory(username="bea-auditor", is_staff=True)
    factories.MembershipFactory(user=auditor_b, organization=org_b, role="auditor")
    for _ in range(5):
        factories.SelfIdentificationFactory(
            candidate__organization=org_b, sex="male", race_ethnicity="white"
        )
    with pytest.raises(PermissionDenied):
        selectors.self_identification_counts(user=auditor_b, organization=org_a)
    # Not through their own organisation either, even when naming A's candidates.
    counts = selectors.self_identification_counts(
        user=auditor_b,
        organization=org_b,
        candidate_ids=[person.pk for person in mine]
        + list(Candidate.objects.filter(organization=org_b).values_list("pk", flat=True)),
    )
    assert counts == [{"sex": "male", "race_ethnicity": "white", "count": 5}]


def test_superusers_read_counts(org_a: Any) -> None:
    population(org_a)
    root = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    counts = selectors.self_identification_counts(user=root, organization=org_a)
    assert sum(row["count"] for row in counts) == 6


def test_anonymous_and_inactive_users_are_refused(org_a: Any, auditor_a: Any) -> None:
    with pytest.raises(PermissionDenied):
        selectors.self_identification_counts(user=AnonymousUser(), organization=org_a)
    auditor_a.is_active = False
    auditor_a.save()
    with pytest.raises(PermissionDenied):
        selectors.self_identification_counts(user=auditor_a, organization=org_a)


def test_too_few_candidates_to_stay_aggregate_are_refused(org_a: Any, auditor_a: Any) -> None:
    people = population(org_a)
    with pytest.raises(selectors.PopulationTooSmall):
        selectors.self_identification_counts(
            user=auditor_a, organization=org_a, candidate_ids=[people[2].pk]
        )
    assert (
        selectors.self_identification_counts(user=auditor_a, organization=org_a, candidate_ids=[])
        == []
    )


def test_the_minimum_population_is_a_setting(org_a: Any, auditor_a: Any, settings: Any) -> None:
    people = population(org_a)
    settings.RENOWN_SELF_IDENTIFICATION_MIN_POPULATION = 1
    counts = selectors.self_identification_counts(
        user=auditor_a, organization=org_a, candidate_ids=[people[2].pk]
    )
    assert counts == [{"sex": "male", "race_ethnicity": "white", "count": 1}]


# --- kept apart -----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["recruiter_a", "hr_admin_a", "auditor_a"])
def test_no_candidate_page_shows_self_identification(
    persona: str, org_a: Any, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    candidate = factories.CandidateFactory(
        organization=org_a, name="Jordan Kim", email="jordan.kim@example.test"
    )
    factories.SelfIdentificationFactory(candidate=candidate, sex="female", race_ethnicity="asian")
    client = login(user)
    pages = [f"/candidates/{candidate.public_id}/", "/"]
    if user.is_staff:
        pages += [
            f"/admin/renown_candidates/candidate/{candidate.pk}/change/",
            "/admin/renown_candidates/candidate/",
        ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode().lower()
        assert "jordan kim" in body, url  # the page really is about her
        assert "female" not in body, url
        assert "asian" not in body, url


def test_self_identification_has_no_admin(hr_admin_a: Any) -> None:
    assert not admin.site.is_registered(SelfIdentification)
    root = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    for user in (hr_admin_a, root):
        response = login(user).get("/admin/renown_candidates/selfidentification/")
        assert response.status_code == 404
        index = login(user).get("/admin/").content.decode().lower()
        assert "selfidentification" not in index
        assert "self identification" not in index
        assert "self-identification" not in index  # its name since issue 19


def test_candidate_selectors_never_read_self_identification(org_a: Any, recruiter_a: Any) -> None:
    candidate = factories.CandidateFactory(organization=org_a)
    factories.SelfIdentificationFactory(candidate=candidate, sex="female", race_ethnicity="asian")
    table = SelfIdentification._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        listed = list(selectors.candidate_list(user=recruiter_a, organization=org_a))
        got = selectors.candidate_get(
            user=recruiter_a, organization=org_a, public_id=candidate.public_id
        )
    assert listed == [candidate]
    assert got == candidate
    assert not any(table in query["sql"] for query in queries.captured_queries)
    # No reverse accessor a template could stumble on.
    assert not hasattr(got, "selfidentification")
    assert not any(
        getattr(field, "related_model", None) is SelfIdentification
        for field in Candidate._meta.get_fields()
    )


def test_erasing_the_candidate_erases_the_self_identification(org_a: Any) -> None:
    answer = factories.SelfIdentificationFactory(
        candidate__organization=org_a, sex="female", race_ethnicity="asian"
    )
    Candidate.objects.filter(pk=answer.candidate_id).delete()
    assert not SelfIdentification.objects.exists()


def test_one_answer_per_candidate_and_only_known_categories(org_a: Any) -> None:
    answer = factories.SelfIdentificationFactory(candidate__organization=org_a)
    assert "female" not in str(answer).lower()
    with pytest.raises(IntegrityError):
        factories.SelfIdentificationFactory(candidate=answer.candidate)


@pytest.mark.parametrize(("field", "value"), [("sex", "other"), ("race_ethnicity", "martian")])
def test_unknown_categories_are_refused_by_the_database(org_a: Any, field: str, value: str) -> None:
    with pytest.raises(IntegrityError):
        factories.SelfIdentificationFactory(candidate__organization=org_a, **{field: value})
