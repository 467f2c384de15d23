"""`manage.py demo`: a synthetic population, the same on every run."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.db.models import Max, Min
from django.test import Client
from django.utils import timezone

from candidates.models import Candidate, CandidateNotice, NoticeKind, SocialAccount
from hiring.models import AdverseAction, BiasAudit, Decision, Job, Screening, ScreeningRule
from hiring.review.decisions import decision_record
from hiring.services.rules import rule_approve, unacknowledged_warnings
from renown.api.tokens import api_token_create
from renown.models import AuditEvent, Organization
from renown_site.demo import definition, demo_counts
from renown_site.demo.definition import ADVISORY_JOB, SCREEN_OUT_JOB
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
    assert Job.objects.count() == 5
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


def login(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def below_the_line(job: Job) -> Screening:
    """A US candidate the live screen-out rule suggests rejecting (the FCRA applies)."""
    screening = (
        Screening.objects.filter(job=job, suggestion="reject", candidate__country="US")
        .select_related("candidate")
        .order_by("candidate__external_id")
        .first()
    )
    assert screening is not None, "the demo holds a US candidate below the screen-out line"
    return screening


def reject_and_send_pre_adverse(job: Job, screening: Screening) -> AdverseAction:
    """What a recruiter does in the web UI: reject on the review page, then send the
    pre-adverse notice (FCRA)."""
    recruiter = login("recruiter")
    url = f"/jobs/{job.pk}/candidates/{screening.candidate.public_id}/"
    token = re.search(r'name="review_token" value="([^"]+)"', recruiter.get(url).content.decode())
    assert token is not None
    body = recruiter.post(
        f"{url}decision/",
        {"kind": "reject", "reason": "Reach well below the line.", "review_token": token[1]},
        follow=True,
    ).content.decode()
    assert "Next: send the pre-adverse notice (FCRA)." in body
    recruiter.post(f"{url}pre-adverse-notice/", follow=True)
    return AdverseAction.objects.get(decision__screening=screening)


def test_the_demo_shows_every_path() -> None:
    run_demo()
    org = Organization.objects.get(slug="demo")
    jobs = {job.title: job for job in Job.objects.filter(organization=org)}

    # 1. A live screen-out rule, written by hr-admin and approved by hr-admin-2 through the
    # services, already screened: a recruiter takes a candidate below it through the FCRA
    # pre-adverse step at once, no HR admin acting first.
    job = jobs[SCREEN_OUT_JOB]
    (rule,) = job.rules.all()
    assert (rule.status, rule.active, rule.action) == ("live", True, "screen_out")
    assert (rule.created_by.username, rule.approved_by.username) == ("hr-admin", "hr-admin-2")
    assert rule.approval_statement == definition.DEMO_SCREEN_OUT_APPROVAL
    assert not unacknowledged_warnings(rule)
    assert job.screenings.count() == job.applications.count() == 40
    screening = below_the_line(job)
    events = set(AuditEvent.objects.filter(organization=org).values_list("event_type", flat=True))
    assert {"rule.approved", "bias_audit.recorded"} <= events
    adverse_action = reject_and_send_pre_adverse(job, screening)
    assert adverse_action.status == "pre_adverse_sent"
    (notice,) = mail.outbox
    assert notice.to == [screening.candidate.email]
    assert "No final decision has been made" in notice.body

    # 2. The Klout draft as it was: hr-admin's, its serious warnings not acknowledged.
    klout = ScreeningRule.objects.get(job__organization=org, metric="vendor:klout")
    assert (klout.job.title, klout.status, klout.created_by.username) == (
        "Community Manager",
        "draft",
        "hr-admin",
    )
    assert unacknowledged_warnings(klout)

    # 3. An advisory rule, live, on its own job: it decides nothing.
    advisory = jobs[ADVISORY_JOB]
    (rule,) = advisory.rules.all()
    assert (rule.status, rule.action) == ("live", "advisory")
    assert advisory.screenings.exists()
    assert not advisory.screenings.filter(suggestion="reject").exists()

    # 4. The published LL144 summary of the screen-out job, recorded by the demo's auditor:
    # every category's numbers, none masked.
    audit = BiasAudit.objects.get(organization=org)
    assert (audit.job, audit.published, audit.recorded_by.username) == (job, True, "auditor")
    assert audit.report["individuals"] == 40
    summary = Client().get("/audits/demo/").content.decode()
    assert "No bias audit summary has been published yet" not in summary
    assert SCREEN_OUT_JOB in summary
    assert definition.DEMO_AUDITOR in summary
    for category in ("Male", "Female", "White", "Asian"):
        assert f"<td>{category}</td>" in summary
    assert "fewer than 5" not in summary


def test_the_auditors_page_opens_on_a_job_with_screenings() -> None:
    run_demo(30)
    response = login("auditor").get("/audit/")
    assert response.status_code == 200
    job = response.context["job"]
    # Jobs are listed by title; the first two were never screened (no live rule).
    assert job.title == "Developer Advocate"
    assert job.screenings.exists()
    assert response.context["audit"].total == job.screenings.count()
    body = response.content.decode()
    assert "Community Manager (not screened yet)</option>" in body
    assert "Data Engineer (not screened yet)</option>" in body
    assert f"selected>{SCREEN_OUT_JOB}</option>" not in body


@pytest.mark.parametrize("candidates", [1, 5])
def test_the_smallest_demos_build_every_job(candidates: int) -> None:
    """Whatever the size (the warnings to acknowledge depend on it), every job is built."""
    run_demo(candidates)
    org = Organization.objects.get(slug="demo")
    assert Job.objects.filter(organization=org).count() == 5
    live = ScreeningRule.objects.filter(job__title=SCREEN_OUT_JOB, status="live")
    assert live.get().approved_by == get_user_model().objects.get(username="hr-admin-2")
    assert BiasAudit.objects.get(organization=org).published


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
    # A rejection under way on the live screen-out rule, and the published audit.
    screen_out = Job.objects.get(organization=org, title=SCREEN_OUT_JOB)
    made["adverse_action"] = reject_and_send_pre_adverse(screen_out, below_the_line(screen_out))
    audits = list(BiasAudit.objects.filter(organization=org))
    assert len(audits) == 1
    counts = demo_counts(org)
    assert counts["candidates"] == 41  # 41, not 40: the count never decides (issue 12)

    output = run_demo()

    assert "Kept the existing demo organisation 'demo' as it is; nothing was deleted" in output
    assert "--rebuild" not in output
    assert sorted(Job.objects.filter(organization=org).values_list("pk", flat=True)) == jobs
    assert AdverseAction.objects.get(pk=made["adverse_action"].pk).status == "pre_adverse_sent"
    assert list(BiasAudit.objects.filter(organization=org)) == audits
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
    assert "   rule versions: 5  (1 yours)" in listing  # approved since the build
    assert "     bias audits: 1  (0 yours)" in listing
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
    version = definition.DEMO_VERSION
    assert f"Rebuilt demo organisation 'demo' (version {version}, 40 candidates)" in output
    assert not Candidate.objects.filter(pk=made["candidate"].pk).exists()
    assert not Decision.objects.filter(job__organization=org).exists()
    # One published audit, of the new demo's screen-out job: the old one went with its job.
    (audit,) = BiasAudit.objects.filter(organization=org)
    assert audit.job == Job.objects.get(organization=org, title=SCREEN_OUT_JOB)
    assert Candidate.objects.filter(organization=org).count() == 40
    assert not jobs & set(Job.objects.filter(organization=org).values_list("pk", flat=True))
    # The organisation, its tokens and its audit trail stay.
    assert org.api_tokens.count() == 1
    assert AuditEvent.objects.filter(organization=org, event_type="decision.recorded").exists()
    # ... and the trail says what the rebuild deleted.
    rebuilt = AuditEvent.objects.get(organization=org, event_type="demo.rebuilt")
    assert rebuilt.before["deleted"]["candidates"] == {"total": 41, "since_build": 1}
    assert rebuilt.after == {"definition": f"version {version}, 40 candidates"}


def test_the_demo_never_touches_a_real_organisation_with_its_slug() -> None:
    real = Organization.objects.create(slug="demo", name="Demo Ltd", is_demo=False)
    Candidate.objects.create(organization=real, name="A real person")
    for rebuild in (False, True):
        with pytest.raises(CommandError, match="is not a demo organisation"):
            call_command("demo", candidates=5, rebuild=rebuild, yes=rebuild, stdout=StringIO())
    assert Candidate.objects.filter(organization=real).count() == 1
