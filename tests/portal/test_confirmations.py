"""Erasure and consent withdrawal through the portal: asked for on the page, confirmed from
the e-mail on record (GDPR Art. 12(6)); nothing runs on the link alone or on a GET; once
only. And the Art. 15 download."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from candidates.models import Candidate
from hiring.portal.links import portal_link_create
from hiring.portal.models import PortalAction, PortalConfirmation
from renown.models import AuditEvent, WebhookDelivery
from renown.webhooks import services as webhook_services
from scoring.services.refresh import fetch_permissions
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(org_a: Any) -> Any:
    person = factories.CandidateFactory(
        organization=org_a, name="Ada Example", email="ada@example.test", country="US"
    )
    factories.ReputationEvidenceFactory(candidate=person, title="Keynote at EuroPython")
    return person


def _confirmation_path() -> str:
    (message,) = mail.outbox
    found = re.search(r"http://testserver(/portal/confirm/[^/\s]+/)", message.body)
    assert found, message.body
    assert message.to == ["ada@example.test"]
    return found.group(1)


def test_erasure_runs_only_once_confirmed_from_the_email(
    ada: Any, recruiter_a: Any, org_a: Any
) -> None:
    webhook_services.subscription_create(
        organization=org_a, name="ATS", url="https://ats.example/hook",
        events=["candidate.portal_action", "candidate.erased"],
    )  # fmt: skip
    _, token = portal_link_create(candidate=ada, actor=recruiter_a)
    client = Client()
    page = client.post(reverse("renown:portal-erasure", kwargs={"token": token}), follow=True)
    assert "We sent a link to a•••@example.test" in page.content.decode()
    # The request alone erases nothing; the organisation hears of it.
    ada.refresh_from_db()
    assert ada.erased_at is None
    assert PortalAction.objects.get().kind == "erasure_requested"
    path = _confirmation_path()
    # Opening the link (a mail scanner does) shows what will happen, and runs nothing.
    shown = client.get(path)
    assert shown.status_code == 200
    assert "This cannot be undone." in shown.content.decode()
    assert Candidate.objects.get(pk=ada.pk).erased_at is None
    # The button runs it: the same erasure as the API's.
    done = client.post(path)
    assert done.status_code == 200
    assert "Your data were erased" in done.content.decode()
    assert not Candidate.objects.filter(pk=ada.pk, erased_at__isnull=True).exists()
    event = AuditEvent.objects.get(event_type="candidate.erased")
    assert event.actor_label.startswith("candidate, confirmed from their e-mail address")
    assert WebhookDelivery.objects.filter(event_type="candidate.erased").exists()
    # The portal link and the confirmation link open nothing now.
    assert client.get(reverse("renown:portal", kwargs={"token": token})).status_code == 404
    assert client.post(path).status_code == 404
    assert "Keynote" not in client.get(path).content.decode()


def test_a_confirmation_link_works_once_and_expires(ada: Any, recruiter_a: Any) -> None:
    _, token = portal_link_create(candidate=ada, actor=recruiter_a)
    notice = ada.notices.get(kind="fcra_authorization")
    client = Client()
    client.post(
        reverse("renown:portal-consent-withdraw", kwargs={"token": token}), {"notice": notice.pk}
    )
    path = _confirmation_path()
    PortalConfirmation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.post(path).status_code == 410
    notice.refresh_from_db()
    assert notice.withdrawn_at is None
    PortalConfirmation.objects.update(expires_at=timezone.now() + timedelta(hours=1))
    assert client.post(path).status_code == 200
    again = client.post(path)
    assert again.status_code == 410
    assert "used already" in again.content.decode()


def test_withdrawing_the_fcra_authorisation_stops_fetching(ada: Any, recruiter_a: Any) -> None:
    assert fetch_permissions(candidate_ids=[ada.pk])[ada.pk].allowed
    _, token = portal_link_create(candidate=ada, actor=recruiter_a)
    notice = ada.notices.get(kind="fcra_authorization")
    client = Client()
    client.post(
        reverse("renown:portal-consent-withdraw", kwargs={"token": token}), {"notice": notice.pk}
    )
    assert fetch_permissions(candidate_ids=[ada.pk])[ada.pk].allowed  # not yet
    done = client.post(_confirmation_path())
    assert "Your consent is withdrawn" in done.content.decode()
    notice.refresh_from_db()
    assert notice.withdrawn_at is not None
    permission = fetch_permissions(candidate_ids=[ada.pk])[ada.pk]
    assert not permission.allowed
    assert "FCRA written authorisation" in permission.reason
    assert AuditEvent.objects.get(event_type="notice.withdrawn").actor_label.startswith(
        "candidate, confirmed from their e-mail address"
    )
    assert PortalAction.objects.get().kind == "consent_withdrawn"


@pytest.mark.parametrize(
    "case", ["no email", "a disclosure, not a consent", "another candidate's", "no notice"]
)
def test_what_cannot_be_confirmed_is_refused_and_nothing_is_sent(
    ada: Any, recruiter_a: Any, org_a: Any, case: str
) -> None:
    _, token = portal_link_create(candidate=ada, actor=recruiter_a)
    notice_id: object = ada.notices.get(kind="fcra_authorization").pk
    if case == "no email":
        Candidate.objects.filter(pk=ada.pk).update(email="")
    elif case == "a disclosure, not a consent":
        notice_id = ada.notices.get(kind="fcra_disclosure").pk
    elif case == "another candidate's":
        other = factories.CandidateFactory(organization=org_a, country="US")
        notice_id = other.notices.get(kind="fcra_authorization").pk
    else:
        notice_id = "x"
    page = Client().post(
        reverse("renown:portal-consent-withdraw", kwargs={"token": token}),
        {"notice": notice_id},
        follow=True,
    )
    assert "Nothing changed" in page.content.decode()
    assert mail.outbox == []
    assert not PortalConfirmation.objects.exists()


def test_an_altered_confirmation_link_opens_nothing(ada: Any, recruiter_a: Any) -> None:
    _, token = portal_link_create(candidate=ada, actor=recruiter_a)
    Client().post(reverse("renown:portal-erasure", kwargs={"token": token}))
    path = _confirmation_path()
    middle = len(path) // 2
    altered = path[:middle] + ("B" if path[middle] != "B" else "C") + path[middle + 1 :]
    assert Client().post(altered).status_code == 404
    assert Candidate.objects.get(pk=ada.pk).erased_at is None
    # A portal token is not a confirmation token (another salt).
    assert Client().post(f"/portal/confirm/{token}/").status_code == 404


@override_settings(RENOWN_PUBLIC_URL="https://jobs.example.test")
def test_the_confirmation_link_uses_the_public_url(ada: Any, recruiter_a: Any) -> None:
    _, token = portal_link_create(candidate=ada, actor=recruiter_a)
    Client().post(reverse("renown:portal-erasure", kwargs={"token": token}))
    (message,) = mail.outbox
    assert "https://jobs.example.test/portal/confirm/" in message.body


def test_the_download_holds_everything_and_nobody_else(
    ada: Any, recruiter_a: Any, org_a: Any
) -> None:
    factories.ReputationEvidenceFactory(
        candidate=factories.CandidateFactory(organization=org_a, name="Bo Other"),
        title="Bo's award",
    )
    _, token = portal_link_create(candidate=ada, actor=recruiter_a)
    response = Client().get(reverse("renown:portal-export", kwargs={"token": token}))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="renown-data-')
    data = json.loads(response.content)
    assert data["candidate"]["name"] == "Ada Example"
    assert [row["title"] for row in data["evidence"]] == ["Keynote at EuroPython"]
    assert "Bo" not in response.content.decode()
    assert all("nonce_sha256" not in row for row in data["portal_links"])
    assert PortalAction.objects.get().kind == "data_exported"


def test_requests_and_downloads_are_audited(ada: Any, recruiter_a: Any) -> None:
    _, token = portal_link_create(candidate=ada, actor=recruiter_a)
    client = Client()
    client.get(reverse("renown:portal-export", kwargs={"token": token}))
    client.post(reverse("renown:portal-erasure", kwargs={"token": token}))
    requests = [
        event.after["request"].split(":")[0]
        for event in AuditEvent.objects.filter(event_type="portal.request").order_by("sequence")
    ]
    assert requests == ["data_export", "erasure"]
    assert all(
        event.actor_label.startswith("candidate, through portal link #")
        for event in AuditEvent.objects.filter(event_type="portal.request")
    )


def test_two_requests_to_withdraw_the_same_consent_both_confirm_without_error(
    ada: Any, recruiter_a: Any
) -> None:
    _, token = portal_link_create(candidate=ada, actor=recruiter_a)
    notice = ada.notices.get(kind="fcra_authorization")
    client = Client()
    url = reverse("renown:portal-consent-withdraw", kwargs={"token": token})
    client.post(url, {"notice": notice.pk})
    client.post(url, {"notice": notice.pk})
    paths = [
        re.search(r"http://testserver(/portal/confirm/[^/\s]+/)", m.body).group(1)  # type: ignore[union-attr]
        for m in mail.outbox
    ]
    assert len(paths) == 2
    assert [client.post(path).status_code for path in paths] == [200, 200]
    assert AuditEvent.objects.filter(event_type="notice.withdrawn").count() == 1
    assert PortalAction.objects.filter(kind="consent_withdrawn").count() == 1
