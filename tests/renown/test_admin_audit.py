"""Every change made in the admin is recorded exactly once in the audit trail (issue 15).

The walk covers every Renown model in the admin registry: for each admin that lets an
HR admin (or, failing that, a superuser) change or delete an object, one change POST
and one delete add exactly one audit event of the type ``CHANGES``/``DELETED`` names,
and ``verify_audit_trail`` passes; where nobody may, the POST is refused and records
nothing. A new admin with change permission and no row in ``CHANGES`` fails here.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.test import Client, RequestFactory

from candidates.models import Candidate
from renown.admin.scoped import REDACTED, WITHHELD, OrganizationScopedAdmin
from renown.models import AuditEvent, AuditEventType, Membership
from renown.trail import audit_trail_verify
from tests import factories
from tests.renown.admin_world import BUILDERS, admin_url, changelist_url, renown_admin_labels

pytestmark = pytest.mark.django_db

LABELS = renown_admin_labels()

# One change per admin that has change permission: {label: ({field: new value}, event type)}.
# The event type is the domain service's where the admin goes through one.
CHANGES: dict[str, tuple[dict[str, Any], str]] = {
    "renown.organization": ({"name": "Renamed Org"}, "admin.changed"),
    "renown.membership": ({"role": "auditor"}, "membership.granted"),
    "renown.apitoken": ({"name": "Renamed token"}, "admin.changed"),
    "renown.webhooksubscription": ({"name": "Renamed hook"}, "admin.changed"),
    "renown_candidates.candidate": ({"name": "Renamed Person"}, "admin.changed"),
    "renown_candidates.candidatenotice": ({"document_version": "v2"}, "admin.changed"),
    "renown_candidates.socialaccount": ({"status": "not_found"}, "admin.changed"),
    "renown_candidates.reputationevidence": ({"title": "Renamed talk"}, "admin.changed"),
    "renown_scoring.vendorscore": ({"vendor_name": "Renamed vendor"}, "admin.changed"),
    "renown_hiring.job": ({"title": "Renamed job"}, "job.changed"),  # hiring.services.job_update
    # Saved as a draft (go_live unticked): going live is a second change, its own event.
    "renown_hiring.screeningrule": ({"threshold": "41", "go_live": None}, "rule.changed"),
    "renown_hiring.rulegroup": ({"name": "Renamed group"}, "rule_group.changed"),
    "renown_hiring.biasaudit": ({"published": "on"}, "admin.changed"),
}
# The event a delete records, where not admin.deleted.
DELETED: dict[str, str] = {
    "renown.membership": "membership.revoked",
    # "Delete" of a candidate is the erasure (hiring.privacy.admin), as through the API.
    "renown_candidates.candidate": "candidate.erased",
}


class FormFields(HTMLParser):
    """The name/value pairs the admin's change form would submit as it stands."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_form = False
        self.data: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form" and a.get("id", "").endswith("_form"):
            self.in_form = True
        if not self.in_form:
            return
        name = a.get("name", "")
        if tag == "input" and name and a.get("type") not in {"submit", "button", "file"}:
            if a.get("type") in {"checkbox", "radio"} and "checked" not in a:
                return
            self.data.append((name, a.get("value", "on" if a.get("type") == "checkbox" else "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select is not None and "selected" in a:
            self.data.append((self._select, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.data.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data


def _form_data(client: Client, url: str, changes: dict[str, Any]) -> dict[str, Any]:
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    parser = FormFields()
    parser.feed(page.content.decode())
    data: dict[str, Any] = {}
    for name, value in parser.data:
        if name in data:
            data[name] = [*(data[name] if isinstance(data[name], list) else [data[name]]), value]
        else:
            data[name] = value
    assert set(changes) <= set(data) | {"published", "go_live"}, sorted(data)
    data.update(changes)
    data = {name: value for name, value in data.items() if value is not None}
    data["_save"] = "Save"
    return data


def _actor(model_admin: Any, obj: Any, org: Any, permission: str) -> Any:
    """An HR admin of the object's organisation if they may, else a superuser if they may."""
    hr_admin = factories.UserFactory(username=f"hr-{org.slug}", is_staff=True)
    Membership.objects.get_or_create(user=hr_admin, organization=org, role="hr_admin")
    superuser = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    for user in (hr_admin, superuser):
        request = RequestFactory().get("/admin/")
        request.user = user
        if getattr(model_admin, f"has_{permission}_permission")(request, obj):
            return user
    return None


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _chains_intact() -> None:
    assert all(status.intact for status in audit_trail_verify())
    call_command("verify_audit_trail")  # raises CommandError when a chain is broken


def test_every_admin_that_changes_has_a_change_to_make(org_a: Any) -> None:
    assert set(CHANGES) <= set(LABELS)
    for label in LABELS:
        model_admin = admin.site._registry[apps.get_model(label)]
        obj = BUILDERS[label](org_a)
        changes = _actor(model_admin, obj, org_a, "change") is not None
        assert changes is (label in CHANGES), f"{label}: add it to CHANGES (or not)"


@pytest.mark.parametrize("label", LABELS)
def test_a_change_in_the_admin_records_exactly_one_event(label: str, org_a: Any) -> None:
    model_admin = admin.site._registry[apps.get_model(label)]
    assert isinstance(model_admin, OrganizationScopedAdmin)
    obj = BUILDERS[label](org_a)
    actor = _actor(model_admin, obj, org_a, "change")
    before = AuditEvent.objects.count()
    if actor is None:
        hr_admin = factories.UserFactory(username="hr-only", is_staff=True)
        factories.MembershipFactory(user=hr_admin, organization=org_a, role="hr_admin")
        assert _client(hr_admin).post(admin_url(obj, "change"), {}).status_code == 403
        assert AuditEvent.objects.count() == before
        return
    changes, event_type = CHANGES[label]
    client = _client(actor)
    url = admin_url(obj, "change")
    response = client.post(url, _form_data(client, url, changes))
    assert response.status_code == 302, response.content.decode()[:3000]
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert [event.event_type for event in events] == [event_type]
    (event,) = events
    assert event.actor_id == actor.pk
    assert event.organization_id == org_a.pk
    if event_type == "admin.changed":
        assert event.subject_type == label
        assert event.subject_id == str(obj.pk)
        assert set(event.after) == {name for name, value in changes.items() if value is not None}
        assert set(event.before) == set(event.after)
    _chains_intact()


@pytest.mark.parametrize("label", LABELS)
def test_a_delete_in_the_admin_records_exactly_one_event(label: str, org_a: Any) -> None:
    model = apps.get_model(label)
    model_admin = admin.site._registry[model]
    # An organisation's own deletion: a fresh one, with no trail that would protect it.
    obj = factories.OrganizationFactory() if label == "renown.organization" else None
    obj = obj or BUILDERS[label](org_a)
    actor = _actor(model_admin, obj, org_a, "delete")
    before = AuditEvent.objects.count()
    if actor is None:
        hr_admin = factories.UserFactory(username="hr-only", is_staff=True)
        factories.MembershipFactory(user=hr_admin, organization=org_a, role="hr_admin")
        response = _client(hr_admin).post(admin_url(obj, "delete"), {"post": "yes"})
        assert response.status_code == 403
        assert AuditEvent.objects.count() == before
        assert model._default_manager.filter(pk=obj.pk).exists()
        return
    pk = obj.pk
    response = _client(actor).post(admin_url(obj, "delete"), {"post": "yes"})
    assert response.status_code == 302, response.content.decode()[:3000]
    if label == "renown_candidates.candidate":
        # Erased: deleted, or (where records must be kept) pseudonymised under a
        # retention hold; either way no candidate any more.
        assert not Candidate.objects.not_erased().filter(pk=pk).exists()
    else:
        assert not model._default_manager.filter(pk=pk).exists()
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert [event.event_type for event in events] == [DELETED.get(label, "admin.deleted")]
    (event,) = events
    assert event.actor_id == actor.pk
    if label == "renown.organization":
        assert event.organization_id is None  # the deployment-wide chain
    else:
        assert event.organization_id == org_a.pk
    assert (event.subject_type, event.subject_id) == (label, str(pk))
    _chains_intact()


def test_a_bulk_delete_records_one_event_per_object(hr_admin_a: Any, org_a: Any) -> None:
    # The bulk action on candidates erases each one, one candidate.erased event per person.
    candidates = [factories.CandidateFactory(organization=org_a) for _ in range(3)]
    before = AuditEvent.objects.count()
    response = _client(hr_admin_a).post(
        changelist_url("renown_candidates.candidate"),
        {
            "action": "delete_selected",
            "_selected_action": [c.pk for c in candidates[:2]],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert [e.event_type for e in events] == ["candidate.erased", "candidate.erased"]
    assert {e.subject_id for e in events} == {str(c.pk) for c in candidates[:2]}
    assert list(Candidate.objects.not_erased()) == [candidates[2]]
    _chains_intact()


def test_an_addition_records_its_fields_never_a_secret(hr_admin_a: Any, org_a: Any) -> None:
    before = AuditEvent.objects.count()
    response = _client(hr_admin_a).post(
        changelist_url("renown.apitoken") + "add/",
        {"organization": org_a.pk, "name": "New ATS", "scope": "read"},
    )
    assert response.status_code == 200  # the page that shows the secret once
    # The admin creates the token through its service, which records it (once).
    (event,) = AuditEvent.objects.order_by("id")[before:]
    assert event.event_type == AuditEventType.TOKEN_CREATED
    assert event.actor_id == hr_admin_a.pk
    token = apps.get_model("renown.apitoken").objects.get(name="New ATS")
    recorded = json.dumps(event.hash_payload())
    assert token.digest not in recorded
    page = response.content.decode()
    shown = re.findall(r"rnw_[0-9a-f]{12}_[\w-]+", page)
    assert shown, "the page shows the new secret once"
    assert all(secret not in recorded for secret in shown)
    _chains_intact()


def test_personal_data_and_secrets_are_not_written_into_the_trail() -> None:
    candidate_admin: Any = admin.site._registry[apps.get_model("renown_candidates.candidate")]
    assert candidate_admin._audit_field("name", "Jane Roe") == WITHHELD
    assert candidate_admin._audit_field("country", "US") == "US"
    for name in ("secret", "digest", "password", "token_hash"):
        assert candidate_admin._audit_field(name, "s3cr3t") == REDACTED


def test_a_save_that_changes_nothing_records_nothing(hr_admin_a: Any, org_a: Any) -> None:
    job = factories.JobFactory(organization=org_a)
    client = _client(hr_admin_a)
    url = admin_url(job, "change")
    data = _form_data(client, url, {})
    before = AuditEvent.objects.count()
    assert client.post(url, data).status_code == 302
    assert AuditEvent.objects.count() == before


def test_a_verdict_and_a_retitle_saved_together_are_each_recorded_once(
    hr_admin_a: Any, org_a: Any
) -> None:
    evidence = factories.ReputationEvidenceFactory(candidate__organization=org_a, title="Before")
    client = _client(hr_admin_a)
    url = admin_url(evidence, "change")
    data = _form_data(client, url, {"title": "After", "verification": "verified"})
    before = AuditEvent.objects.count()
    assert client.post(url, data).status_code == 302
    events = list(AuditEvent.objects.order_by("id")[before:])
    # The verdict in the service's own event or in the admin's, never in both.
    verdicts = [e for e in events if (e.after or {}).get("verification") == "verified"]
    assert len(verdicts) == 1
    (changed,) = [e for e in events if e.event_type == "admin.changed"]
    assert (changed.before or {}).get("title") == "Before"
    assert changed.after["title"] == "After"
    assert len(events) <= 2
    _chains_intact()


def test_fields_a_recording_service_does_not_cover_are_still_recorded(
    hr_admin_a: Any, org_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """audit_service_fields: the service's event for the verdict, the admin's for the rest."""
    from candidates import services
    from renown.trail import audit_record

    plain = services.evidence_set_verification

    def recording(**kwargs: Any) -> Any:
        evidence = plain(**kwargs)
        audit_record(
            organization=org_a,
            actor=kwargs["by"],
            event_type="evidence.verified",
            subject=evidence,
            after={"verification": kwargs["verification"]},
        )
        return evidence

    monkeypatch.setattr(services, "evidence_set_verification", recording)
    evidence = factories.ReputationEvidenceFactory(candidate__organization=org_a, title="Before")
    client = _client(hr_admin_a)
    url = admin_url(evidence, "change")
    data = _form_data(client, url, {"title": "After", "verification": "verified"})
    before = AuditEvent.objects.count()
    assert client.post(url, data).status_code == 302
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert [e.event_type for e in events] == ["evidence.verified", "admin.changed"]
    assert (events[1].before, events[1].after) == ({"title": "Before"}, {"title": "After"})
    _chains_intact()


def test_a_change_logged_without_a_form_is_recorded_all_the_same(
    hr_admin_a: Any, org_a: Any
) -> None:
    job = factories.JobFactory(organization=org_a)
    request = RequestFactory().post("/admin/")
    request.user = hr_admin_a
    before = AuditEvent.objects.count()
    admin.site._registry[type(job)].log_change(request, job, [{"changed": {"fields": []}}])
    (event,) = AuditEvent.objects.order_by("id")[before:]
    assert (event.event_type, event.subject_id, event.actor_id) == (
        "admin.changed",
        str(job.pk),
        hr_admin_a.pk,
    )
    _chains_intact()
