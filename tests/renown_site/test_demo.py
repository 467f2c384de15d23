"""`manage.py demo`: a synthetic population, the same on every run."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Max, Min
from django.utils import timezone

from candidates.models import Candidate, CandidateNotice, NoticeKind, SocialAccount
from hiring.models import Decision, Job, ScreeningRule
from hiring.review.decisions import decision_record
from hiring.services.rules import rule_approve
from renown.api.tokens import api_token_create
from renown.models import AuditEvent, Organization
from renown_site.demo import definition, demo_counts
from scoring.models import MetricSnapshot, Score
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db


def run_demo(n: int = 40) -> str:
    out = StringIO()
    call_command("demo", candidates=n, stdout=out)
    return out.getvalue()


def test_demo_twice_changes_no_row_count() -> None:
    first_output = run_demo()
    org = Organization.objects.get(slug="demo")
    first = demo_counts(org)
    second_output = run_demo()
    assert demo_counts(org) == first
    assert "Built demo organisation" in first_output
    assert "Kept the existing demo organisation 'demo' as it is; nothing was deleted" in (
        second_output
    )
    call_command("demo", candidates=40, rebuild=True, yes=True, stdout=StringIO())
    assert demo_counts(org) == first


def test_demo_is_labelled_and_never_points_at_real_people() -> None:
    run_demo()
    org = Organization.objects.get(slug="demo")
    assert org.is_demo
    for account in SocialAccount.objects.filter(network__in=["bluesky", "mastodon"]):
        assert account.handle.endswith((".invalid", ".example")), account.handle
    assert all(c.email.endswith("@demo.example") for c in Candidate.objects.all())


def test_demo_data_passes_the_models_validation() -> None:
    """The demo writes with bulk_create, which skips full_clean: check every row here."""
    run_demo()
    for candidate in Candidate.objects.all():
        candidate.full_clean()
    for job in Job.objects.all():
        job.full_clean()


def test_demo_has_history_breaks_and_people_without_footprint() -> None:
    run_demo(60)
    span = MetricSnapshot.objects.aggregate(first=Min("observed_at"), last=Max("observed_at"))
    assert span["last"] - span["first"] == timedelta(days=179)
    without = Candidate.objects.filter(accounts__isnull=True).count()
    assert 0 < without < 60
    assert Score.objects.exists()
    assert Job.objects.count() == 3
    draft = ScreeningRule.objects.get(metric="vendor:klout")
    assert (draft.threshold, draft.active, draft.operator) == (35, False, "gte")


def test_demo_prints_logins_that_work(client: object) -> None:
    output = run_demo()
    password = output.split("hr-admin", 1)[1].split()[0]
    user = get_user_model().objects.get(username="hr-admin")
    assert user.check_password(password)
    assert user.is_staff
    assert {"hr-admin", "recruiter", "auditor"} <= set(
        get_user_model().objects.values_list("username", flat=True)
    )


def test_demo_rules_fit_the_review_model() -> None:
    output = run_demo()
    assert "hr-admin-2" in output
    org = Organization.objects.get(slug="demo")
    second = get_user_model().objects.get(username="hr-admin-2")
    assert second.memberships.get(organization=org).role == "hr_admin"
    advocate = Job.objects.get(organization=org, title="Developer Advocate")
    live = list(advocate.rules.filter(active=True).select_related("group"))
    assert {r.metric for r in live} == {"influence", "reputation"}
    assert {r.group.combinator for r in live} == {"any"}  # reach OR record
    assert advocate.screenings.count() == advocate.applications.count() == 40
    draft = ScreeningRule.objects.get(metric="vendor:klout")
    assert (draft.status, draft.action, draft.created_by.username) == (
        "draft",
        "screen_out",
        "hr-admin",
    )
    events = set(AuditEvent.objects.filter(organization=org).values_list("event_type", flat=True))
    assert {"rule.created", "screening.run"} <= events


class Terminal(StringIO):
    """Standard input as a person at a terminal: what they will type."""

    def isatty(self) -> bool:
        return True


def users_work() -> dict[str, Any]:
    """What a person does in the demo between two `make run`s (issue 12): a candidate
    through the API, an approved screen-out rule, a decision and an FCRA notice."""
    org = Organization.objects.get(slug="demo")
    token = api_token_create(organization=org, name="ats", scope="write")[1]
    response = token_client(token).post(
        "/api/v1/candidates/",
        {"name": "Grace Hopper", "email": "grace@example.test", "country": "US"},
        format="json",
    )
    assert response.status_code == 201, response.content
    draft = ScreeningRule.objects.get(job__organization=org, metric="vendor:klout")
    second = get_user_model().objects.get(username="hr-admin-2")
    rule_approve(rule=draft, approver=second, statement="Tested: a demo, no real people.")
    screening = Job.objects.get(organization=org, title="Developer Advocate").screenings.first()
    assert screening is not None
    recruiter = get_user_model().objects.get(username="recruiter")
    decision = decision_record(
        screening=screening, reviewer=recruiter, kind="hold", reason="Waiting for references."
    )
    candidate = Candidate.objects.get(public_id=response.json()["id"])
    notice = CandidateNotice.objects.create(
        candidate=candidate,
        kind=NoticeKind.FCRA_DISCLOSURE,
        given_at=timezone.now(),
        source="ats",
        document_version="v7",
    )
    return {"candidate": candidate, "rule": draft, "decision": decision, "notice": notice}


def test_a_second_run_keeps_what_people_made_and_every_job_id() -> None:
    run_demo()
    org = Organization.objects.get(slug="demo")
    jobs = sorted(Job.objects.filter(organization=org).values_list("pk", flat=True))
    made = users_work()
    counts = demo_counts(org)
    assert counts["candidates"] == 41  # 41, not 40: the count never decides (issue 12)

    output = run_demo()

    assert "Kept the existing demo organisation 'demo' as it is; nothing was deleted" in output
    assert "--rebuild" not in output
    assert sorted(Job.objects.filter(organization=org).values_list("pk", flat=True)) == jobs
    assert Candidate.objects.filter(pk=made["candidate"].pk).exists()
    assert ScreeningRule.objects.get(pk=made["rule"].pk).status == "live"
    assert Decision.objects.filter(pk=made["decision"].pk).exists()
    assert CandidateNotice.objects.filter(pk=made["notice"].pk).exists()
    assert demo_counts(org) == counts
    # The logins printed still work.
    password = output.split("hr-admin", 1)[1].split()[0]
    assert get_user_model().objects.get(username="recruiter").check_password(password)


def test_a_changed_definition_keeps_the_demo_and_says_rebuild(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run_demo()
    org = Organization.objects.get(slug="demo")
    made = users_work()
    counts = demo_counts(org)
    get_user_model().objects.filter(username="auditor").delete()  # something missing
    monkeypatch.setattr(definition, "DEMO_VERSION", definition.DEMO_VERSION + 1)

    output = run_demo()

    assert "nothing was deleted" in output
    assert (
        f"The demo was built from version {definition.DEMO_VERSION - 1}, 40 candidates; this "
        f"Renown's demo is version {definition.DEMO_VERSION}, 40 candidates." in output
    )
    assert "python manage.py demo --rebuild --candidates 40" in output
    assert demo_counts(org) == counts
    assert Candidate.objects.filter(pk=made["candidate"].pk).exists()
    # What is missing and touches nobody's work is added: the demo logins.
    auditor = get_user_model().objects.get(username="auditor")
    assert auditor.memberships.get(organization=org).role == "auditor"
    org.refresh_from_db()
    assert org.demo_definition == f"version {definition.DEMO_VERSION - 1}, 40 candidates"


def test_other_candidate_count_is_a_changed_definition() -> None:
    run_demo(40)
    org = Organization.objects.get(slug="demo")
    counts = demo_counts(org)
    output = run_demo(30)
    assert "python manage.py demo --rebuild --candidates 30" in output
    assert demo_counts(org) == counts


def test_a_demo_built_before_definitions_were_recorded_is_kept() -> None:
    run_demo()
    org = Organization.objects.get(slug="demo")
    Organization.objects.filter(pk=org.pk).update(demo_definition="", demo_built_at=None)
    counts = demo_counts(org)
    output = run_demo()
    assert "was built before Renown recorded the demo's definition" in output
    assert demo_counts(org) == counts


def test_rebuild_without_yes_and_without_a_terminal_refuses_and_deletes_nothing() -> None:
    run_demo()
    org = Organization.objects.get(slug="demo")
    made = users_work()
    counts = demo_counts(org)
    out = StringIO()
    with pytest.raises(CommandError, match=r"add --yes to confirm\. Nothing was deleted") as exc:
        call_command("demo", candidates=40, rebuild=True, stdout=out, stdin=StringIO("yes\n"))
    assert exc.value.returncode == 2
    assert demo_counts(org) == counts
    assert Candidate.objects.filter(pk=made["candidate"].pk).exists()
    listing = out.getvalue()
    assert "      candidates: 41  (1 yours)" in listing
    assert "   rule versions: 3  (1 yours)" in listing  # approved since the build
    assert "       decisions: 1  (1 yours)" in listing
    assert "         notices:" in listing


def test_rebuild_at_a_terminal_asks_and_a_no_deletes_nothing() -> None:
    run_demo()
    org = Organization.objects.get(slug="demo")
    users_work()
    counts = demo_counts(org)
    out = StringIO()
    with pytest.raises(CommandError, match="Not confirmed") as exc:
        call_command("demo", candidates=40, rebuild=True, stdout=out, stdin=Terminal("no\n"))
    assert exc.value.returncode == 1
    assert "Type 'yes' to delete it" in out.getvalue()
    assert demo_counts(org) == counts


@pytest.mark.parametrize("how", ["--yes", "terminal"])
def test_rebuild_confirmed_deletes_reports_and_builds_again(how: str) -> None:
    run_demo()
    org = Organization.objects.get(slug="demo")
    jobs = set(Job.objects.filter(organization=org).values_list("pk", flat=True))
    made = users_work()
    out = StringIO()
    if how == "--yes":
        call_command("demo", candidates=40, rebuild=True, yes=True, stdout=out)
    else:
        call_command("demo", candidates=40, rebuild=True, stdout=out, stdin=Terminal("yes\n"))
    output = out.getvalue()
    assert "--rebuild deletes from the demo organisation 'demo'" in output
    assert "      candidates: 41  (1 yours)" in output
    assert "Rebuilt demo organisation 'demo' (version 1, 40 candidates)" in output
    assert not Candidate.objects.filter(pk=made["candidate"].pk).exists()
    assert not Decision.objects.filter(job__organization=org).exists()
    assert Candidate.objects.filter(organization=org).count() == 40
    assert not jobs & set(Job.objects.filter(organization=org).values_list("pk", flat=True))
    # The organisation, its tokens and its audit trail stay.
    assert org.api_tokens.count() == 1
    assert AuditEvent.objects.filter(organization=org, event_type="decision.recorded").exists()
    # ... and the trail says what the rebuild deleted.
    rebuilt = AuditEvent.objects.get(organization=org, event_type="demo.rebuilt")
    assert rebuilt.before["deleted"]["candidates"] == {"total": 41, "since_build": 1}
    assert rebuilt.after == {"definition": "version 1, 40 candidates"}


def test_the_demo_never_touches_a_real_organisation_with_its_slug() -> None:
    real = Organization.objects.create(slug="demo", name="Demo Ltd", is_demo=False)
    Candidate.objects.create(organization=real, name="A real person")
    for rebuild in (False, True):
        with pytest.raises(CommandError, match="is not a demo organisation"):
            call_command("demo", candidates=5, rebuild=rebuild, yes=rebuild, stdout=StringIO())
    assert Candidate.objects.filter(organization=real).count() == 1
