"""The candidate page: trajectory chart, network metrics, vendor scores, evidence and accounts
actions (roles, organisations, CSRF, audit trail), who viewed it, and escaping of everything."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from candidates.models import CandidateView, ReputationEvidence, SocialAccount
from hiring.charts import EpisodeSpan, trajectory_chart
from renown.models import AuditEvent
from renown.trail import audit_trail_verify
from scoring.models import AnomalyFlag
from tests import factories

pytestmark = pytest.mark.django_db


def login(user: Any, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def page(candidate: Any) -> str:
    return f"/candidates/{candidate.public_id}/"


# --- the chart ---------------------------------------------------------------------------


def test_chart_places_points_bands_and_flags_inside_the_plot() -> None:
    end = datetime(2026, 6, 30, tzinfo=UTC)
    start = end - timedelta(days=180)
    points = [(start + timedelta(days=d), 40.0 + (d % 5)) for d in range(181)]
    chart = trajectory_chart(
        points,
        start=start,
        end=end,
        median=42.0,
        episodes=[EpisodeSpan("dip", end - timedelta(days=20), end - timedelta(days=15))],
        flags=[(date(2026, 6, 1), "Sudden follower jump"), (date(2020, 1, 1), "too old")],
    )
    coordinates = [tuple(map(float, p[1:].split(","))) for p in chart.path.split()]
    assert len(coordinates) == 181
    assert chart.path.startswith("M")
    for x, y in coordinates:
        assert chart.left <= x <= chart.right
        assert chart.top <= y <= chart.bottom
    assert [x for x, _ in coordinates] == sorted(x for x, _ in coordinates)
    assert chart.dots == []  # too many points for dots: the line says it
    assert len(chart.bands) == 1
    assert chart.bands[0].kind == "dip"
    assert chart.right - 80 < chart.bands[0].x < chart.right - 60  # 20 days of 180 from the end
    assert len(chart.markers) == 1  # the 2020 flag is outside the window
    assert [t.label for t in chart.y_ticks] == ["0", "25", "50", "75", "100"]
    assert chart.x_ticks[0].label == "Jan 2026"


def test_chart_clamps_values_to_the_scale_and_drops_points_outside_the_window() -> None:
    end = datetime(2026, 6, 30, tzinfo=UTC)
    start = end - timedelta(days=10)
    chart = trajectory_chart(
        [(start - timedelta(days=1), 50.0), (start, 150.0), (end, -5.0)], start=start, end=end
    )
    assert len(chart.dots) == 2
    (_, y_high), (_, y_low) = chart.dots
    assert y_high == chart.top
    assert y_low == chart.bottom


def test_page_draws_the_180_day_chart_with_text_alternatives(recruiter_a: Any, org_a: Any) -> None:
    candidate = factories.CandidateFactory(organization=org_a)
    now = datetime.now(tz=UTC)
    for day in range(170):
        value = Decimal(80) if 150 <= day < 153 else Decimal(50)
        factories.ScoreFactory(
            candidate=candidate, value=value, as_of=now - timedelta(days=170 - day)
        )
    AnomalyFlag.objects.create(
        candidate=candidate,
        kind="follower_jump",
        detail="Gained 20,000 followers in a day",
        observed_on=(now - timedelta(days=19)).date(),
        detected_at=now,
    )
    body = login(recruiter_a).get(page(candidate)).content.decode()
    assert "Influence over the last 180 days" in body
    assert re.search(r'<svg [^>]*role="img" aria-labelledby="chart-title chart-desc"', body)
    assert '<title id="chart-title">' in body
    assert "The same data are in the table below the chart." in body
    assert "The chart&#x27;s data as a table" in body or "The chart's data as a table" in body
    assert body.count('class="band spike"') == 1
    assert "Spike " in body
    assert "Flagged at the time (sudden follower jump" in body
    assert 'class="flag-marker"' in body
    assert "<script" not in body  # no script, no external asset: works offline
    assert "http://" not in re.sub(r'xmlns="[^"]*"', "", body.split("<main")[1])


def test_page_without_scores_says_so_instead_of_drawing(recruiter_a: Any, org_a: Any) -> None:
    candidate = factories.CandidateFactory(organization=org_a)
    body = login(recruiter_a).get(page(candidate)).content.decode()
    assert "No influence scores in the last 180 days: nothing to draw." in body
    assert "<svg" not in body


# --- metrics, vendors ----------------------------------------------------------------------


def test_network_metrics_show_their_freshness(recruiter_a: Any, org_a: Any) -> None:
    candidate = factories.CandidateFactory(organization=org_a)
    fresh = factories.SocialAccountFactory(candidate=candidate, network="bluesky", handle="a.test")
    stale = factories.SocialAccountFactory(candidate=candidate, network="github", handle="old")
    never = factories.SocialAccountFactory(candidate=candidate, network="mastodon", handle="n@x.y")
    now = datetime.now(tz=UTC)
    factories.MetricSnapshotFactory(
        account=fresh, observed_at=now - timedelta(days=2), metrics={"followers": 1520}
    )
    factories.MetricSnapshotFactory(
        account=stale, provider="github", observed_at=now - timedelta(days=60),
        metrics={"followers": 7, "public_repos": 12},
    )  # fmt: skip
    factories.MetricSnapshotFactory(
        account=stale, provider="github", observed_at=now - timedelta(days=1), metrics={},
        status="transient_error", error="HTTP 503",
    )  # fmt: skip
    response = login(recruiter_a).get(page(candidate))
    rows = {row.account.pk: row for row in response.context["account_metrics"]}
    assert rows[fresh.pk].fresh
    assert rows[fresh.pk].age_days == 2
    assert rows[fresh.pk].metrics == [("followers", 1520.0)]
    assert not rows[stale.pk].fresh
    assert rows[stale.pk].age_days == 60
    assert rows[stale.pk].last_error == "Transient error: HTTP 503"
    assert rows[never.pk].observed_at is None
    body = response.content.decode()
    assert "1,520" in body
    assert ">stale<" in body
    assert ">fresh<" in body
    assert "never read" in body


def test_vendor_scores_side_by_side_with_their_scales_and_disagreement(
    recruiter_a: Any, org_a: Any
) -> None:
    candidate = factories.CandidateFactory(organization=org_a)
    factories.VendorScoreFactory(
        candidate=candidate, vendor="kred", value=Decimal(900), scale_min=1, scale_max=1000
    )
    factories.ScoreFactory(candidate=candidate, scorer="vendor.kred", value=Decimal("89.99"))
    factories.ScoreFactory(candidate=candidate, scorer="influence", value=Decimal(20))
    response = login(recruiter_a).get(page(candidate))
    body = response.content.decode()
    assert "Kred influence (1-1000)" in body
    assert "<td>1–1000</td>" in body
    assert "89.99" in body
    assert "The sources disagree" in body
    assert "by 70 points" in body


def test_a_disagreement_flag_is_shown_beside_the_vendor_scores(
    recruiter_a: Any, org_a: Any
) -> None:
    candidate = factories.CandidateFactory(organization=org_a)
    factories.VendorScoreFactory(candidate=candidate, vendor="klout", value=Decimal(40))
    now = datetime.now(tz=UTC)
    AnomalyFlag.objects.create(
        candidate=candidate, kind="disagreement", observed_on=now.date(), detected_at=now,
        detail="influence ranks them at the 90th percentile, klout at the 20th.",
    )  # fmt: skip
    body = login(recruiter_a).get(page(candidate)).content.decode()
    vendors = body.split('id="vendor-h"')[1].split("</section>")[0]
    assert "klout at the 20th" in vendors
    assert "The sources disagree" not in vendors  # one reading: nothing to compare


# --- who viewed ----------------------------------------------------------------------------


def test_each_view_is_recorded_and_other_organisations_leave_no_trace(
    recruiter_a: Any, org_a: Any, hr_admin_b: Any
) -> None:
    candidate = factories.CandidateFactory(organization=org_a)
    client = login(recruiter_a)
    client.get(page(candidate))
    client.get(page(candidate))
    assert login(hr_admin_b).get(page(candidate)).status_code == 404
    views = CandidateView.objects.filter(candidate=candidate)
    assert views.count() == 2
    assert {v.viewer_label for v in views} == {"rita-recruiter"}


def test_view_log_is_in_the_admin_for_hr_admins_and_auditors_only(
    recruiter_a: Any, hr_admin_a: Any, auditor_a: Any, hr_admin_b: Any, org_a: Any
) -> None:
    candidate = factories.CandidateFactory(organization=org_a, name="Viewed Vera")
    login(recruiter_a).get(page(candidate))
    for user in (hr_admin_a, auditor_a):
        response = login(user).get("/admin/renown_candidates/candidateview/")
        assert response.status_code == 200
        assert "rita-recruiter" in response.content.decode()
    recruiter_a.is_staff = True
    recruiter_a.save()
    assert login(recruiter_a).get("/admin/renown_candidates/candidateview/").status_code == 403
    other = login(hr_admin_b).get("/admin/renown_candidates/candidateview/")
    assert "rita-recruiter" not in other.content.decode()


def test_candidate_page_shows_no_demographic_data(recruiter_a: Any, org_a: Any) -> None:
    candidate = factories.CandidateFactory(organization=org_a)
    factories.SelfIdentificationFactory(
        candidate=candidate, sex="female", race_ethnicity="black_or_african_american"
    )
    body = login(recruiter_a).get(page(candidate)).content.decode().lower()
    for word in ("female", "black or african american", "race", "ethnicity", "self-ident"):
        assert word not in body


# --- evidence and accounts actions ---------------------------------------------------------


def test_recruiter_adds_and_verifies_evidence_with_an_audit_trail(
    recruiter_a: Any, org_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    candidate = factories.CandidateFactory(organization=org_a)
    client = login(recruiter_a)
    response = client.post(
        f"{page(candidate)}evidence/",
        {"kind": "talk", "title": "Keynote at PyCon", "venue": "PyCon US", "date": "2025-05-16",
         "url": "https://us.pycon.org/"},
    )  # fmt: skip
    assert response.status_code == 302
    evidence = ReputationEvidence.objects.get(candidate=candidate)
    assert evidence.verification == "unverified"
    assert evidence.source == "manual"
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(f"{page(candidate)}evidence/{evidence.pk}/verify/", {"decision": "verify"})
    evidence.refresh_from_db()
    assert evidence.verification == "verified"
    assert evidence.verified_by == recruiter_a
    assert evidence.verified_at is not None
    assert len(callbacks) == 1  # the candidate is rescored once the change is committed
    events = list(
        AuditEvent.objects.filter(organization=org_a)
        .order_by("sequence")
        .values_list("event_type", "actor_id")
    )
    assert events == [
        ("evidence.added", recruiter_a.pk),
        ("evidence.verified", recruiter_a.pk),
    ]
    assert all(status.intact for status in audit_trail_verify(organization=org_a))
    followed = client.get(response["Location"]).content.decode()
    assert "Keynote at PyCon" in followed


def test_rejecting_evidence_and_accounts(recruiter_a: Any, org_a: Any) -> None:
    candidate = factories.CandidateFactory(organization=org_a)
    evidence = factories.ReputationEvidenceFactory(candidate=candidate)
    account = factories.SocialAccountFactory(candidate=candidate)
    client = login(recruiter_a)
    client.post(f"{page(candidate)}evidence/{evidence.pk}/verify/", {"decision": "reject"})
    client.post(f"{page(candidate)}accounts/{account.pk}/verify/", {"decision": "reject"})
    evidence.refresh_from_db()
    account.refresh_from_db()
    assert evidence.verification == "rejected"
    assert account.status == "rejected"
    body = client.get(page(candidate)).content.decode()
    assert "Rejected by a recruiter" in body
    client.post(f"{page(candidate)}accounts/{account.pk}/verify/", {"decision": "verify"})
    account.refresh_from_db()
    assert account.status == "active"
    assert account.verification == "verified"
    assert list(
        AuditEvent.objects.filter(organization=org_a)
        .order_by("sequence")
        .values_list("event_type", flat=True)
    ) == ["evidence.rejected", "account.rejected", "account.verified"]


def test_recruiter_adds_an_account_by_handle(recruiter_a: Any, org_a: Any) -> None:
    candidate = factories.CandidateFactory(organization=org_a)
    client = login(recruiter_a)
    client.post(
        f"{page(candidate)}accounts/", {"network": "bluesky", "handle": "@Alice.bsky.social"}
    )
    account = SocialAccount.objects.get(candidate=candidate)
    assert account.handle == "alice.bsky.social"
    assert account.verification == "matched"
    assert AuditEvent.objects.filter(event_type="account.added").count() == 1


def test_bad_input_is_reported_per_field_and_nothing_is_saved(recruiter_a: Any, org_a: Any) -> None:
    candidate = factories.CandidateFactory(organization=org_a)
    client = login(recruiter_a)
    response = client.post(
        f"{page(candidate)}evidence/",
        {"kind": "talk", "title": "", "url": "javascript:alert(1)"},
        follow=True,
    )
    body = response.content.decode()
    assert "Not saved." in body
    assert "Title:" in body
    assert "Link:" in body
    response = client.post(
        f"{page(candidate)}accounts/",
        {"network": "bluesky", "handle": "not a handle!"},
        follow=True,
    )
    assert "handle:" in response.content.decode()
    assert not ReputationEvidence.objects.exists()
    assert not SocialAccount.objects.exists()
    assert not AuditEvent.objects.exists()


def test_auditors_read_but_cannot_change(auditor_a: Any, org_a: Any) -> None:
    candidate = factories.CandidateFactory(organization=org_a)
    evidence = factories.ReputationEvidenceFactory(candidate=candidate)
    client = login(auditor_a)
    body = client.get(page(candidate)).content.decode()
    assert "Add offline evidence" not in body
    assert ">Verify<" not in body
    response = client.post(
        f"{page(candidate)}evidence/{evidence.pk}/verify/", {"decision": "verify"}
    )
    assert response.status_code == 403
    assert (
        client.post(f"{page(candidate)}evidence/", {"kind": "talk", "title": "x"}).status_code
        == 403
    )
    evidence.refresh_from_db()
    assert evidence.verification == "unverified"
    assert not AuditEvent.objects.exists()


def test_another_organisations_evidence_and_accounts_are_404(
    recruiter_a: Any, org_a: Any, org_b: Any
) -> None:
    mine = factories.CandidateFactory(organization=org_a)
    theirs = factories.CandidateFactory(organization=org_b)
    their_evidence = factories.ReputationEvidenceFactory(candidate=theirs)
    their_account = factories.SocialAccountFactory(candidate=theirs)
    client = login(recruiter_a)
    decision = {"decision": "verify"}
    # Their candidate, and their objects under my candidate's URL: both 404.
    for url in (
        f"{page(theirs)}evidence/{their_evidence.pk}/verify/",
        f"{page(mine)}evidence/{their_evidence.pk}/verify/",
        f"{page(theirs)}accounts/{their_account.pk}/verify/",
        f"{page(mine)}accounts/{their_account.pk}/verify/",
        f"{page(theirs)}evidence/",
        f"{page(theirs)}accounts/",
    ):
        assert client.post(url, decision).status_code == 404, url
    their_evidence.refresh_from_db()
    assert their_evidence.verification == "unverified"


def test_every_action_needs_csrf_and_post(recruiter_a: Any, org_a: Any) -> None:
    candidate = factories.CandidateFactory(organization=org_a)
    evidence = factories.ReputationEvidenceFactory(candidate=candidate)
    account = factories.SocialAccountFactory(candidate=candidate)
    urls = [
        f"{page(candidate)}evidence/",
        f"{page(candidate)}evidence/{evidence.pk}/verify/",
        f"{page(candidate)}accounts/",
        f"{page(candidate)}accounts/{account.pk}/verify/",
    ]
    client = login(recruiter_a, csrf=True)
    for url in urls:
        assert client.post(url, {"decision": "verify"}).status_code == 403, url
        assert client.get(url).status_code == 405, url
    body = client.get(page(candidate)).content.decode()
    assert body.count('name="csrfmiddlewaretoken"') >= 5  # every form on the page carries it


# --- escaping --------------------------------------------------------------------------------

PAYLOADS = (
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg onload=alert(2)>",
)


def test_script_payloads_in_every_user_supplied_field_come_out_inert(
    recruiter_a: Any, org_a: Any
) -> None:
    script, img, svg = PAYLOADS
    candidate = factories.CandidateFactory(
        organization=org_a, name=f"Eve {script}", email="eve@example.test"
    )
    factories.SocialAccountFactory(candidate=candidate, handle=f"{img}.invalid")
    factories.SocialAccountFactory(candidate=candidate, network="github", handle=svg)
    # A bio arrives as a snapshot's text; evidence from an ATS may carry any URL.
    account = factories.SocialAccountFactory(
        candidate=candidate, network="mastodon", handle="m@x.y"
    )
    factories.MetricSnapshotFactory(
        account=account, metrics={"followers": 3, "bio": script, img: 5}
    )
    ReputationEvidence.objects.create(
        candidate=candidate, kind="talk", title=script, venue=img, url="javascript:alert(3)"
    )
    ReputationEvidence.objects.create(
        candidate=candidate, kind="award", title=f"Award {img}", url="JaVaScRiPt:alert(4)"
    )
    factories.ScoreFactory(
        candidate=candidate,
        components=[{"name": script, "points": 50.0, "detail": img}],
    )
    now = datetime.now(tz=UTC)
    AnomalyFlag.objects.create(
        candidate=candidate, kind="follower_jump", detail=script, observed_on=now.date(),
        detected_at=now,
    )  # fmt: skip
    factories.CandidateNoticeFactory(candidate=candidate, source=script)
    client = login(recruiter_a)
    for url in ("/", "/?q=Eve", page(candidate)):
        body = client.get(url).content.decode()
        for payload in PAYLOADS:
            assert payload not in body, (url, payload)
        assert "<img" not in body
        assert "onerror=" not in body.replace("onerror=alert(1)&gt;", "")
        assert not re.search(r"<svg[^>]*onload", body)
        assert not re.search(r'href="\s*javascript:', body, re.IGNORECASE)
    body = client.get(page(candidate)).content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in body
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in body
