"""An erased candidate is in no list and behind no getter: API, pages, exports (issue 15).

After ``DELETE /api/v1/candidates/{id}/`` the records the law makes the employer
keep stay under a retention hold, pseudonymised; nothing a caller can reach names
the person, by their public id (which every integration holds), their new id or
their pseudonym. The sweeps below read every GET operation of the API schema and
every page of the URL conf, so a new list cannot escape them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import serializers
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from candidates.models import Candidate
from hiring import urls as hiring_urls
from hiring.api.schema import openapi_schema
from hiring.models import AdverseAction, Application, Decision, Job, Screening
from hiring.portal.links import portal_link_create
from hiring.portal.models import AccountProof
from hiring.privacy.models import RetentionHold
from renown.api.tokens import api_token_create
from tests import factories
from tests.api.conftest import token_client
from tests.api.test_role_matrix import EXPECTATIONS
from tests.api.world import World, build_world
from tests.privacy.test_erasure import person_with_everything

pytestmark = pytest.mark.django_db


@dataclass
class Erased:
    """The world after one API erasure: what named the person before, and the kept row."""

    world: World
    original_id: str
    kept: Candidate
    screening: Screening
    tokens: dict[str, str]
    users: dict[str, Any]
    portal_token: str
    proof_code: str

    @property
    def traces(self) -> list[str]:
        """What would name the person: old id, new id, and the pseudonym."""
        return [self.original_id, str(self.kept.public_id), self.kept.name]


def _tokens(org: Any) -> dict[str, str]:
    return {
        "write_token": api_token_create(organization=org, name="ats-w", scope="write")[1],
        "read_token": api_token_create(organization=org, name="ats-r", scope="read")[1],
    }


@pytest.fixture
def erased(org_a: Any, recruiter_a: Any, hr_admin_a: Any, auditor_a: Any) -> Erased:
    tokens = _tokens(org_a)
    world = build_world(org_a, author=hr_admin_a)
    person = person_with_everything(org_a, recruiter_a)
    # Considered for every job of the organisation, screened for the world's too.
    factories.ApplicationFactory(job=world.job, candidate=person)
    screening = Screening.objects.get(
        candidate=person, job__in=Job.objects.exclude(pk=world.job.pk)
    )
    # Bystanders on the person's own job: enough for its bias audit to count.
    for other in [
        world.other_candidate,
        *[factories.CandidateFactory(organization=org_a) for _ in range(4)],
    ]:
        factories.ApplicationFactory(job=screening.job, candidate=other)
        Screening.objects.create(
            candidate=other, job=screening.job, outcome="meets", suggestion="advance",
            reasons=[], evaluated_at=screening.evaluated_at,
        )  # fmt: skip
    original_id = str(person.public_id)
    _, portal_token = portal_link_create(candidate=person, actor=recruiter_a)
    # A public proof code of the person's (its page names the account until the erasure).
    mastodon = factories.SocialAccountFactory(
        candidate=person, network="mastodon", handle="erased.person@mastodon.example"
    )
    proof_code = AccountProof.objects.create(
        account=mastodon, code="renown-erasedpage", created_at=timezone.now()
    ).code
    response = token_client(tokens["write_token"]).delete(f"/api/v1/candidates/{original_id}/")
    assert response.status_code == 204, response.content
    kept = Candidate.objects.get(pk=person.pk)
    assert kept.erased_at is not None
    return Erased(
        world=world,
        original_id=original_id,
        kept=kept,
        screening=screening,
        tokens=tokens,
        users={"recruiter": recruiter_a, "hr_admin": hr_admin_a, "auditor": auditor_a},
        portal_token=portal_token,
        proof_code=proof_code,
    )


def _api_client(erased: Erased, persona: str) -> APIClient:
    if persona in erased.tokens:
        return token_client(erased.tokens[persona])
    client = APIClient()
    client.force_login(erased.users[persona])
    return client


def _assert_unnamed(erased: Erased, body: str, where: str) -> None:
    for trace in erased.traces:
        assert trace not in body, f"{where} names the erased candidate ({trace!r})"


# --- the acceptance ---------------------------------------------------------------------


def test_after_an_api_erasure_no_screening_or_application_lists_the_person(
    erased: Erased,
) -> None:
    client = token_client(erased.tokens["read_token"])
    screenings = client.get(f"/api/v1/screenings/?candidate={erased.original_id}")
    assert screenings.status_code == 200
    assert screenings.json()["results"] == []
    jobs = client.get("/api/v1/jobs/").json()["results"]
    assert len(jobs) == 2  # the world's job and the person's own
    for job in jobs:
        listed = client.get(f"/api/v1/jobs/{job['id']}/applications/")
        assert listed.status_code == 200
        assert listed.json()["results"], "the bystanders are still listed"
        _assert_unnamed(erased, listed.content.decode(), f"job {job['id']}'s applications")
    # The kept records exist: hidden, not deleted.
    assert Screening.objects.filter(candidate=erased.kept).exists()
    assert Application.objects.filter(candidate=erased.kept).count() == 2


def test_the_retention_record_carries_only_the_pseudonym(erased: Erased) -> None:
    hold = RetentionHold.objects.get(candidate=erased.kept)
    assert erased.kept.public_id != erased.original_id
    assert erased.kept.name.startswith("Erased candidate ")
    # Not even part of the old id survives in the pseudonym (it was once its first 8 digits).
    assert erased.original_id[:8] not in erased.kept.name
    kept_rows = [
        erased.kept,
        hold,
        *Application.objects.filter(candidate=erased.kept),
        *Screening.objects.filter(candidate=erased.kept),
        *Decision.objects.filter(candidate=erased.kept),
        *AdverseAction.objects.filter(candidate=erased.kept),
    ]
    dumped = serializers.serialize("json", kept_rows)
    assert erased.original_id not in dumped
    assert erased.original_id.replace("-", "") not in dumped
    assert "Erased candidate" in dumped


def test_the_admin_shows_the_retention_hold_under_the_pseudonym(
    erased: Erased, auditor_a: Any
) -> None:
    client = Client()
    client.force_login(auditor_a)
    page = client.get(reverse("admin:renown_hiring_retentionhold_changelist"))
    assert page.status_code == 200
    body = page.content.decode()
    assert erased.kept.name in body
    assert erased.original_id not in body


@pytest.mark.parametrize("persona", ["hr_admin", "auditor"])
def test_the_candidates_admin_lists_no_erased_record(erased: Erased, persona: str) -> None:
    user = erased.users[persona]
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    listing = client.get(reverse("admin:renown_candidates_candidate_changelist"))
    assert listing.status_code == 200
    _assert_unnamed(erased, listing.content.decode(), "the candidates admin")
    change = reverse("admin:renown_candidates_candidate_change", args=[erased.kept.pk])
    assert client.get(change).status_code == 404


def test_before_the_erasure_the_same_lists_do_name_the_person(
    org_a: Any, recruiter_a: Any, hr_admin_a: Any
) -> None:
    """The control: the sweeps below would see the person if the gate let them through."""
    tokens = _tokens(org_a)
    build_world(org_a, author=hr_admin_a)
    person = person_with_everything(org_a, recruiter_a)
    client = token_client(tokens["read_token"])
    public_id = str(person.public_id)
    screenings = client.get(f"/api/v1/screenings/?candidate={public_id}").json()["results"]
    assert len(screenings) == 1
    job = screenings[0]["job"]
    for url in [
        f"/api/v1/jobs/{job}/applications/",
        "/api/v1/candidates/",
        f"/api/v1/screenings/{screenings[0]['id']}/decisions/",
    ]:
        assert public_id in client.get(url).content.decode(), url
    page = Client()
    page.force_login(recruiter_a)
    assert person.name in page.get(reverse("renown:candidate-list")).content.decode()
    assert person.name in page.get(reverse("renown:review-queue", args=[job])).content.decode()


# --- every API read -----------------------------------------------------------------------


def _get_operations() -> list[str]:
    return sorted(path for path, item in openapi_schema()["paths"].items() if "get" in item)


def test_the_sweep_covers_the_lists_that_hold_people() -> None:
    paths = _get_operations()
    for path in [
        "/api/v1/screenings/",
        "/api/v1/jobs/{job_id}/applications/",
        "/api/v1/screenings/{screening_id}/decisions/",
        "/api/v1/candidates/{candidate_id}/scores/",
        "/api/v1/candidates/{candidate_id}/export/",
    ]:
        assert path in paths


def _persona(method: str, path: str) -> str:
    allowed = EXPECTATIONS[(method, path)].allowed
    for persona in ("read_token", "write_token", "hr_admin", "auditor", "recruiter"):
        if persona in allowed:
            return persona
    raise AssertionError(f"nobody may {method} {path}")


def _fills(erased: Erased, path: str) -> Iterator[tuple[str, bool]]:
    """(url, names the erased person) for every way to fill the path's parameters."""
    world = erased.world
    params: dict[str, list[str]] = {
        "candidate_id": [erased.original_id, str(erased.kept.public_id)],
        "screening_id": [str(erased.screening.pk)],
        "job_id": [str(pk) for pk in Job.objects.values_list("pk", flat=True)],
        "account_id": [str(world.account.pk)],
        "evidence_id": [str(world.evidence.pk)],
        "notice_id": [str(world.notice.pk)],
        "score_id": [str(world.score.pk)],
        "rule_id": [str(world.live_rule.pk)],
        "cycle_id": [str(world.cycle.pk)],
        "subscription_id": [str(world.subscription.pk)],
        "delivery_id": [str(world.delivery.pk)],
    }
    names = re.findall(r"{(\w+)}", path)
    urls = [(path, False)]
    for name in names:
        urls = [
            (url.replace(f"{{{name}}}", value), about or name in {"candidate_id", "screening_id"})
            for url, about in urls
            for value in params[name]
        ]
    yield from urls


@pytest.mark.parametrize("path", _get_operations())
def test_no_api_read_names_an_erased_candidate(erased: Erased, path: str) -> None:
    client = _api_client(erased, _persona("GET", path))
    for url, about_the_person in _fills(erased, path):
        response = client.get(url)
        # The person's own objects are gone (404); everything else answers.
        assert response.status_code == (404 if about_the_person else 200), (url, response.content)
        # A 404 problem echoes the URL asked for (``instance``): that is the caller's own.
        _assert_unnamed(erased, response.content.decode().replace(url, ""), url)
        if path == "/api/v1/screenings/":
            for field in ("candidate", "job"):
                response = client.get(url, {field: erased.original_id if field == "candidate"
                                            else erased.screening.job_id})  # fmt: skip
                _assert_unnamed(erased, response.content.decode(), f"{url}?{field}=")


# --- every page ------------------------------------------------------------------------


def _page_patterns() -> list[tuple[str, str]]:
    """(name, route) of every page of ``hiring.urls`` (the API has its sweep above)."""
    found = []
    for entry in hiring_urls.urlpatterns:
        if isinstance(entry, URLResolver) or not isinstance(entry, URLPattern):
            continue
        if entry.name is None or entry.name.startswith("api-"):
            continue
        found.append((entry.name, str(entry.pattern)))
    return sorted(found)


def test_the_page_sweep_covers_the_lists() -> None:
    names = {name for name, _ in _page_patterns()}
    assert {
        "candidate-list",
        "candidate-list-csv",
        "job-list",
        "review-queue",
        "bias-audit",
    } <= names


@pytest.mark.parametrize(("name", "route"), _page_patterns(), ids=lambda v: v)
def test_no_page_names_an_erased_candidate(erased: Erased, name: str, route: str) -> None:
    world = erased.world
    values = {
        "public_id": erased.original_id,
        "job_id": erased.screening.job_id,
        "evidence_id": world.evidence.pk,
        "account_id": world.account.pk,
        "cycle_id": world.cycle.pk,
        "org_slug": world.job.organization.slug,
        "token": erased.portal_token,  # the person's own private link, made before
        "dispute_id": 1,  # what the candidate disputed is erased with them
        "code": erased.proof_code,  # the person's public proof code, made before
    }
    kwargs = {key: values[key] for key in re.findall(r"<(?:\w+:)?(\w+)>", route)}
    url = reverse(f"renown:{name}", kwargs=kwargs)
    statuses = set()
    for user in erased.users.values():
        client = Client()
        client.force_login(user)
        response = client.get(url)
        statuses.add(response.status_code)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        _assert_unnamed(erased, body.decode(), f"{url} as {user.username}")
    if "public_id" in kwargs or "token" in kwargs or "code" in kwargs:
        assert statuses <= {404, 405}, (url, statuses)
    else:
        assert 200 in statuses or statuses == {405}, (url, statuses)
