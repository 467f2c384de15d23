"""Renown mounted by a host under ``/renown/``: every page answers there, links only there,
renders Renown's own templates and sets its own Content-Security-Policy.

The host (``tests.renown.host_urls``, ``host_templates/``) has its own home page, log-in
page, ``base.html`` and ``registration/login.html``, no ``logout`` URL and Django's
default middleware only: none of the site's. The page table must name every page of
the ``renown`` namespace (the API's own endpoints are the API tests' business), so a
new page cannot escape the walk.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from hiring import services
from hiring.models import BiasAudit, PortalDispute, Screening
from hiring.portal.links import portal_link_create
from hiring.portal.models import AccountProof
from renown.csp import HEADER, POLICY
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.renown.host_urls")]

HOST_TEMPLATES = Path(__file__).resolve().parent / "host_templates"
# Django's startproject middleware: a host that added nothing for Renown.
HOST_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROLES = ("recruiter", "hr_admin", "auditor")
ALL_OK = dict.fromkeys(ROLES, 200)
POST_ONLY = dict.fromkeys(ROLES, 405)
# Who may follow refreshes and read the auditors' report (hiring.permissions); others get 403.
REFRESHERS = {"recruiter": 200, "hr_admin": 200, "auditor": 403}
AUDITORS = {"recruiter": 403, "hr_admin": 403, "auditor": 200}

# name (in the renown namespace) -> (URL keyword arguments, query string, status by role)
PAGES: dict[str, tuple[tuple[str, ...], str, dict[str, int]]] = {
    "candidate-list": ((), "", ALL_OK),
    "candidate-list-csv": ((), "", ALL_OK),
    "candidate-detail": (("public_id",), "", ALL_OK),
    "evidence-create": (("public_id",), "", POST_ONLY),
    "evidence-verify": (("public_id", "evidence_id"), "", POST_ONLY),
    "account-create": (("public_id",), "", POST_ONLY),
    "account-verify": (("public_id", "account_id"), "", POST_ONLY),
    "organization-switch": ((), "", POST_ONLY),
    "portal-links": (("public_id",), "", POST_ONLY),
    # The candidate's own page: the link is the key, whoever is signed in.
    "portal": (("token",), "", ALL_OK),
    "portal-evidence": (("token",), "", POST_ONLY),
    "portal-account-disown": (("token",), "", POST_ONLY),
    "portal-export": (("token",), "", ALL_OK),
    "portal-erasure": (("token",), "", POST_ONLY),
    "portal-consent-withdraw": (("token",), "", POST_ONLY),
    "portal-dispute": (("token",), "", POST_ONLY),
    "portal-dispute-answer": (("public_id", "dispute_id"), "", POST_ONLY),
    # A portal link's token is no confirmation token (its own salt): the plain refusal.
    "portal-confirm": (("token",), "", dict.fromkeys(ROLES, 404)),
    "portal-account-claim": (("token",), "", POST_ONLY),
    "portal-account-prove": (("token",), "", POST_ONLY),
    # A proof code's public page: no login, no link.
    "proof-page": (("code",), "", ALL_OK),
    "job-list": ((), "", ALL_OK),
    "review-queue": (("job_id",), "", ALL_OK),
    "review-queue-bulk": (("job_id",), "", POST_ONLY),
    "candidate-review": (("job_id", "public_id"), "", ALL_OK),
    "decision-create": (("job_id", "public_id"), "", POST_ONLY),
    "pre-adverse-notice-send": (("job_id", "public_id"), "", POST_ONLY),
    "dispute-create": (("job_id", "public_id"), "", POST_ONLY),
    "dispute-resolve": (("job_id", "public_id"), "", POST_ONLY),
    "final-notice-send": (("job_id", "public_id"), "", POST_ONLY),
    "refresh": ((), "", REFRESHERS),
    "refresh-progress": (("cycle_id",), "", REFRESHERS),
    "refresh-progress-json": (("cycle_id",), "", REFRESHERS),
    "bias-audit": ((), "", AUDITORS),
    "audit-summary": (("org_slug",), "", ALL_OK),
    "api-schema": ((), "", ALL_OK),
    "api-docs": ((), "", ALL_OK),
}


@pytest.fixture
def host(settings: Any) -> None:
    settings.MIDDLEWARE = HOST_MIDDLEWARE
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [HOST_TEMPLATES]},
    ]
    settings.LOGIN_URL = "login"


@pytest.fixture
def world(org_a: Any) -> dict[str, str]:
    """One of everything a Renown page shows, in organisation A: {URL parameter: value}."""
    person = factories.CandidateFactory(organization=org_a, name="Bo Below")
    account = factories.SocialAccountFactory(candidate=person)
    proved = factories.SocialAccountFactory(
        candidate=person, network="mastodon", handle="bo@mastodon.example"
    )
    evidence = factories.ReputationEvidenceFactory(candidate=person)
    factories.ScoreFactory(candidate=person, value=Decimal(20))
    job = factories.JobFactory(organization=org_a, title="Developer Advocate")
    factories.ScreeningRuleFactory(job=job, threshold=Decimal(35), action="screen_out")
    factories.ApplicationFactory(job=job, candidate=person)
    services.screening_run_for_job(job=job)
    reviewer = factories.UserFactory(username="rev")
    factories.MembershipFactory(user=reviewer, organization=org_a, role="recruiter")
    services.decision_record(
        screening=Screening.objects.get(candidate=person, job=job),
        reviewer=reviewer,
        kind="reject",
        reason="Below the line.",
    )
    cycle = factories.RefreshCycleFactory(organization=org_a)
    BiasAudit.objects.create(
        organization=org_a, job=job, job_title=job.title, audited_on=datetime.now(UTC).date(),
        auditor="Independent Auditor", data_source="x", report={}, published=True,
    )  # fmt: skip
    return {
        "public_id": str(person.public_id),
        "evidence_id": str(evidence.pk),
        "account_id": str(account.pk),
        "job_id": str(job.pk),
        "cycle_id": str(cycle.pk),
        "org_slug": org_a.slug,
        "token": portal_link_create(candidate=person, actor=reviewer)[1],
        "dispute_id": str(
            PortalDispute.objects.create(
                candidate=person,
                about="my influence score",
                statement="Too low.",
                opened_at=datetime.now(UTC),
            ).pk
        ),
        "code": AccountProof.objects.create(
            account=proved, code="renown-abcdefgh23", created_at=timezone.now()
        ).code,
    }


def renown_page_patterns(
    patterns: list[Any], namespace: str = ""
) -> Iterator[tuple[str, URLPattern]]:
    """(name, pattern) of every named pattern in ``renown:`` but not in ``renown:api:``."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from renown_page_patterns(
                entry.url_patterns,
                f"{namespace}{entry.namespace}:" if entry.namespace else namespace,
            )
        elif namespace == "renown:" and entry.name:
            yield entry.name, entry


class Links(HTMLParser):
    """Every URL a page names: links, form targets, scripts, styles, the progress poll."""

    ATTRIBUTES = frozenset({"href", "action", "src", "data-progress-url"})

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls.extend(value for name, value in attrs if name in self.ATTRIBUTES and value)


def links_of(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.urls


def users(org_a: Any) -> dict[str, Any]:
    return {
        role: factories.MembershipFactory(
            organization=org_a, role=role, user=factories.UserFactory(username=f"host-{role}")
        ).user
        for role in ROLES
    }


def page_urls(world: dict[str, str]) -> Iterator[tuple[str, str, dict[str, int]]]:
    for name, (params, query, statuses) in PAGES.items():
        url = reverse(f"renown:{name}", kwargs={p: world[p] for p in params})
        yield name, url + query, statuses


def test_the_table_names_every_renown_page() -> None:
    names = {name for name, _pattern in renown_page_patterns(get_resolver().url_patterns)}
    assert names == set(PAGES)


def test_every_renown_page_view_sets_its_own_policy() -> None:
    bare = [
        name
        for name, pattern in renown_page_patterns(get_resolver().url_patterns)
        if not getattr(pattern.callback, "renown_csp", False)
    ]
    assert bare == [], "wrap these views in renown.csp.renown_csp"


def test_pages_answer_under_the_hosts_prefix_and_link_only_there(
    host: None, org_a: Any, world: dict[str, str]
) -> None:
    visited = 0
    for role, user in users(org_a).items():
        client = Client()
        client.force_login(user)
        for name, url, statuses in page_urls(world):
            assert url.startswith("/renown/"), url
            response = client.get(url)
            assert response.status_code == statuses[role], f"{role} {url}"
            visited += 1
            if response.status_code >= 400:
                continue  # the host's own error page (PermissionDenied), or a bare 405
            assert response[HEADER] == POLICY, f"{url} set no policy of its own"
            if not response["Content-Type"].startswith("text/html"):
                continue
            html = response.content.decode()
            assert "host-base-template" not in html, f"{url} rendered the host's base.html"
            if name != "api-docs":  # Swagger UI's own page (renown/api/swagger_ui.html)
                assert 'class="skip-link"' in html, f"{url} did not render renown/base.html"
            assert "Log out" not in html  # the host names no logout URL
            for link in links_of(html):
                if not link.startswith("/") or link.startswith("//"):
                    continue  # same-page (#main, ?page=2) or another site's
                assert link.startswith(("/renown/", "/static/")), f"{url} links to {link}"
                if link.startswith("/renown/"):
                    resolve(link.split("?")[0])  # raises Resolver404 for a broken link
    assert visited == len(PAGES) * len(ROLES)


def test_the_docs_page_loads_its_script_and_schema_under_the_prefix(host: None) -> None:
    html = Client().get("/renown/api/docs/").content.decode()
    assert '<script src="/renown/api/docs/?script="></script>' in html
    script = Client().get("/renown/api/docs/?script=")
    assert script[HEADER] == POLICY
    assert "/renown/api/schema/" in script.content.decode()


def test_the_public_audit_page_needs_no_login_under_the_prefix(
    host: None, world: dict[str, str]
) -> None:
    response = Client().get(f"/renown/audits/{world['org_slug']}/")
    assert response.status_code == 200
    assert response[HEADER] == POLICY
    assert "Independent Auditor" in response.content.decode()


def test_an_anonymous_page_view_goes_to_the_hosts_login(host: None) -> None:
    response = Client().get("/renown/jobs/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/renown/jobs/"
    login = Client().get(response["Location"])
    assert "host-login-template" in login.content.decode()  # the host's, not a Renown one


def test_the_hosts_pages_keep_their_templates_and_headers(host: None, recruiter_a: Any) -> None:
    client = Client()
    client.force_login(recruiter_a)
    response = client.get("/")
    assert "host-base-template" in response.content.decode()
    assert HEADER not in response.headers
    assert HEADER not in client.get("/accounts/login/").headers
    assert HEADER not in client.get("/renown/no-such-page/").headers  # the host's 404


def test_the_site_offers_its_log_out_button(recruiter_a: Any, settings: Any) -> None:
    settings.ROOT_URLCONF = "renown_site.urls"
    client = Client()
    client.force_login(recruiter_a)
    html = client.get("/").content.decode()
    assert '<form method="post" action="/accounts/logout/">' in html
