"""Admin permissions follow the role in the object's own organisation (issue 15).

A staff user who is HR admin in A and only a recruiter in B sees of B, in /admin/,
exactly what a recruiter may see, and changes nothing there; A's objects they still
view and change. The walk covers every Renown model in the admin registry: a new
admin without a builder (``tests/renown/admin_world.py``) or without a row in
``RECRUITER_SEES`` fails here.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client, RequestFactory

from renown.admin import OrganizationScopedAdmin
from tests import factories
from tests.renown.admin_world import BUILDERS, admin_url, changelist_url, renown_admin_labels

pytestmark = pytest.mark.django_db

# Whether a recruiter may see the model's objects in the admin: what they also see in
# Renown's own pages, yes; configuration, logs with personal data and oversight records, no.
RECRUITER_SEES: dict[str, bool] = {
    "renown.organization": True,
    "renown.membership": False,
    "renown.apitoken": False,
    "renown.webhooksubscription": False,
    "renown.webhookdelivery": False,
    "renown.auditevent": False,
    "renown_candidates.candidate": True,
    "renown_candidates.candidatenotice": True,
    "renown_candidates.socialaccount": True,
    "renown_candidates.reputationevidence": True,
    "renown_candidates.candidateview": False,
    "renown_scoring.refreshcycle": True,
    "renown_scoring.metricsnapshot": False,
    "renown_scoring.score": True,
    "renown_scoring.vendorscore": True,
    "renown_hiring.job": True,
    "renown_hiring.screeningrule": True,
    "renown_hiring.rulegroup": True,
    "renown_hiring.application": True,
    "renown_hiring.screening": True,
    "renown_hiring.screeningrun": True,
    "renown_hiring.decision": True,
    "renown_hiring.adverseaction": True,
    "renown_hiring.dispute": True,
    "renown_hiring.adverseactionnotice": True,
    "renown_hiring.biasaudit": False,
    "renown_hiring.retentionhold": False,
}

LABELS = renown_admin_labels()
DENIED = {403, 404}


def test_the_tables_cover_every_registered_renown_admin() -> None:
    assert LABELS, "no Renown admin registered: the walk would prove nothing"
    assert set(LABELS) == set(BUILDERS), "a Renown admin without a builder in admin_world.py"
    assert set(LABELS) == set(RECRUITER_SEES), "decide what a recruiter may see of a new admin"
    for label in LABELS:
        model_admin = admin.site._registry[apps.get_model(label)]
        assert isinstance(model_admin, OrganizationScopedAdmin), label


def test_the_admins_declare_what_the_table_says() -> None:
    for label in LABELS:
        model_admin: Any = admin.site._registry[apps.get_model(label)]
        assert ("recruiter" in model_admin.view_roles) is RECRUITER_SEES[label], label
        assert model_admin.change_roles <= model_admin.view_roles, label


@pytest.fixture
def two_hats(org_a: Any, org_b: Any) -> Any:
    """Staff, HR admin in A, only a recruiter in B."""
    user = factories.UserFactory(username="hanna-two-hats", is_staff=True)
    factories.MembershipFactory(user=user, organization=org_a, role="hr_admin")
    factories.MembershipFactory(user=user, organization=org_b, role="recruiter")
    return user


def _listed(client: Client, label: str) -> set[Any]:
    response = client.get(changelist_url(label))
    assert response.status_code == 200, (label, response.status_code)
    return {obj.pk for obj in response.context_data["cl"].result_list}  # type: ignore[attr-defined]


@pytest.mark.parametrize("label", LABELS)
def test_hr_admin_in_a_recruiter_in_b_sees_of_b_only_what_a_recruiter_may(
    label: str, two_hats: Any, org_a: Any, org_b: Any
) -> None:
    ours, theirs = BUILDERS[label](org_a), BUILDERS[label](org_b)
    client = Client()
    client.force_login(two_hats)
    sees = RECRUITER_SEES[label]

    listed = _listed(client, label)
    assert ours.pk in listed
    assert (theirs.pk in listed) is sees

    view = client.get(admin_url(theirs, "change"))
    history = client.get(admin_url(theirs, "history"))
    if sees:
        assert view.status_code == 200
        assert view.context_data["has_change_permission"] is False  # type: ignore[attr-defined]
        assert history.status_code == 200
    else:
        assert view.status_code in DENIED, view.status_code
        assert history.status_code in DENIED, history.status_code
    assert client.post(admin_url(theirs, "change"), {}).status_code in DENIED
    assert client.get(admin_url(theirs, "delete")).status_code in DENIED
    assert client.post(admin_url(theirs, "delete"), {"post": "yes"}).status_code in DENIED
    assert type(theirs)._default_manager.filter(pk=theirs.pk).exists()

    # A's object: still viewed, and changed where an HR admin may change it.
    assert client.get(admin_url(ours, "change")).status_code == 200
    assert client.get(admin_url(ours, "history")).status_code == 200
    model_admin = admin.site._registry[type(ours)]
    request = RequestFactory().get("/admin/")
    request.user = two_hats
    hr_admin_request = RequestFactory().get("/admin/")
    hr_admin_request.user = factories.UserFactory(username="only-hr-in-a", is_staff=True)
    factories.MembershipFactory(user=hr_admin_request.user, organization=org_a, role="hr_admin")
    assert model_admin.has_change_permission(request, ours) == model_admin.has_change_permission(
        hr_admin_request, ours
    )
    assert not model_admin.has_change_permission(request, theirs)
    assert not model_admin.has_delete_permission(request, theirs)


def test_a_staff_recruiter_is_offered_only_the_models_a_recruiter_may_see(org_b: Any) -> None:
    user = factories.UserFactory(username="rolf-staff-recruiter", is_staff=True)
    factories.MembershipFactory(user=user, organization=org_b, role="recruiter")
    client = Client()
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 200
    offered = {
        entry["model"]._meta.label_lower
        for app in response.context_data["app_list"]  # type: ignore[attr-defined]
        for entry in app["models"]
        if entry["model"]._meta.app_config.name.split(".")[0]
        in {"renown", "candidates", "scoring", "hiring"}
    }
    assert offered == {label for label, sees in RECRUITER_SEES.items() if sees}
    for label, sees in RECRUITER_SEES.items():
        if not sees:
            assert client.get(changelist_url(label)).status_code == 403, label


@pytest.mark.parametrize("label", LABELS)
def test_an_auditor_reads_every_admin_and_changes_nothing(label: str, org_b: Any) -> None:
    user = factories.UserFactory(username="aud-staff", is_staff=True)
    factories.MembershipFactory(user=user, organization=org_b, role="auditor")
    client = Client()
    client.force_login(user)
    obj = BUILDERS[label](org_b)
    assert obj.pk in _listed(client, label)
    view = client.get(admin_url(obj, "change"))
    assert view.status_code == 200
    assert view.context_data["has_change_permission"] is False  # type: ignore[attr-defined]
    assert client.post(admin_url(obj, "delete"), {"post": "yes"}).status_code in DENIED
    assert type(obj)._default_manager.filter(pk=obj.pk).exists()
