"""``RENOWN_ROLE_GROUPS``: the host's auth groups give a role in the default organisation only.

Read once, in ``renown.tenancy``, so the pages, the API and the admin all see it; an
explicit membership wins; a user in the groups of two roles gets neither.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.checks import Error
from django.test import Client, override_settings

from renown import tenancy
from renown.checks import check_role_groups, check_settings
from tests import factories

GROUPS = {"hr_admin": "HR admins", "recruiter": "Recruiters", "auditor": "Auditors"}


@pytest.fixture
def mapped(settings: Any) -> None:
    settings.RENOWN_DEFAULT_ORGANIZATION = "acme"
    settings.RENOWN_ROLE_GROUPS = GROUPS


def member_of(*groups: str) -> Any:
    user = factories.UserFactory()
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


@pytest.mark.usefixtures("mapped")
@pytest.mark.parametrize(
    ("groups", "role"),
    [
        (["HR admins"], "hr_admin"),
        (["Recruiters"], "recruiter"),
        (["Auditors"], "auditor"),
        (["Recruiters", "Payroll"], "recruiter"),  # an unmapped group is no matter
        (["Payroll"], None),
        ([], None),
        (["HR admins", "Auditors"], None),  # two roles: neither (they do not nest)
        (["HR admins", "Recruiters", "Auditors"], None),
    ],
)
def test_a_group_gives_its_role_in_the_default_organisation_only(
    org_a: Any, org_b: Any, groups: list[str], role: str | None
) -> None:
    user = member_of(*groups)
    assert tenancy.membership_role(user=user, organization=org_a) == role
    assert tenancy.membership_role(user=user, organization=org_b) is None
    expected = [org_a] if role else []
    assert list(tenancy.organization_list_for_user(user=user)) == expected
    assert list(tenancy.organization_list_for_user(user=user, roles=[role or "x"])) == expected
    others = [r for r in GROUPS if r != role]
    assert list(tenancy.organization_list_for_user(user=user, roles=others)) == []


@pytest.mark.usefixtures("mapped")
@pytest.mark.parametrize(
    ("explicit", "roles", "listed"),
    [
        ("auditor", None, ["acme"]),
        ("auditor", ["auditor"], ["acme"]),
        ("auditor", ["hr_admin"], []),  # the group's hr_admin does not count beside it
        ("recruiter", ["recruiter", "auditor"], ["acme"]),
    ],
)
def test_an_explicit_membership_wins_over_the_group(
    org_a: Any, explicit: str, roles: list[str] | None, listed: list[str]
) -> None:
    user = member_of("HR admins")
    factories.MembershipFactory(user=user, organization=org_a, role=explicit)
    assert tenancy.membership_role(user=user, organization=org_a) == explicit
    found = tenancy.organization_list_for_user(user=user, roles=roles)
    assert [o.slug for o in found] == listed


@pytest.mark.usefixtures("mapped")
def test_memberships_elsewhere_and_the_group_add_up(org_a: Any, org_b: Any) -> None:
    user = member_of("Auditors")
    factories.MembershipFactory(user=user, organization=org_b, role="recruiter")
    assert list(tenancy.organization_list_for_user(user=user)) == [org_a, org_b]
    assert tenancy.membership_role(user=user, organization=org_a) == "auditor"
    assert tenancy.membership_role(user=user, organization=org_b) == "recruiter"


@pytest.mark.parametrize(
    "overrides",
    [
        {"RENOWN_ROLE_GROUPS": GROUPS},  # no default organisation
        {"RENOWN_DEFAULT_ORGANIZATION": "acme"},  # no mapping
    ],
)
def test_without_both_settings_a_group_gives_nothing(org_a: Any, overrides: dict[str, Any]) -> None:
    user = member_of("HR admins")
    with override_settings(**overrides):
        assert tenancy.membership_role(user=user, organization=org_a) is None
        assert list(tenancy.organization_list_for_user(user=user)) == []


@pytest.mark.usefixtures("mapped")
def test_the_lookups_take_a_bounded_number_of_queries(
    org_a: Any, django_assert_max_num_queries: Any
) -> None:
    user = member_of("HR admins", "Payroll")
    with django_assert_max_num_queries(2):  # the group, then the organisations
        assert len(list(tenancy.organization_list_for_user(user=user))) == 1
    with django_assert_max_num_queries(1):  # the membership; the group's answer is kept
        assert tenancy.membership_role(user=user, organization=org_a) == "hr_admin"


@pytest.mark.usefixtures("mapped")
def test_the_group_is_asked_once_per_user_object_and_a_new_mapping_asks_again(
    org_a: Any, django_assert_num_queries: Any
) -> None:
    user = member_of("HR admins")
    with django_assert_num_queries(1):  # as many checks as a page makes, one group query
        for _ in range(5):
            assert tenancy.group_role(user=user) == "hr_admin"
    with (
        override_settings(RENOWN_ROLE_GROUPS={"auditor": "HR admins"}),
        django_assert_num_queries(1),
    ):
        assert tenancy.group_role(user=user) == "auditor"
    # A new request has a new user object: it reads the groups as they are now.
    user.groups.clear()
    fresh = type(user).objects.get(pk=user.pk)
    assert tenancy.group_role(user=fresh) is None


# --- through the pages and the API ---------------------------------------------------


@pytest.fixture
def world(org_a: Any, org_b: Any) -> dict[str, Any]:
    return {
        "acme": factories.JobFactory(organization=org_a),
        "globex": factories.JobFactory(organization=org_b),
        "globex_candidate": factories.CandidateFactory(organization=org_b),
    }


@pytest.mark.usefixtures("mapped")
@pytest.mark.parametrize(
    ("groups", "member", "auditor"),
    [
        (["Auditors"], True, True),
        (["Recruiters"], True, False),
        (["HR admins"], True, False),
        (["Payroll"], False, False),
        (["HR admins", "Auditors"], False, False),
    ],
)
def test_a_group_member_reaches_the_default_organisation_in_that_role(
    world: dict[str, Any], groups: list[str], member: bool, auditor: bool
) -> None:
    client = Client()
    client.force_login(member_of(*groups))
    acme_job, globex_job = world["acme"].pk, world["globex"].pk
    # The pages: the organisation's, in the role; nothing of another organisation.
    assert client.get("/jobs/").status_code == (200 if member else 404)
    assert client.get("/audit/").status_code == (200 if auditor else 403 if member else 404)
    assert client.get(f"/candidates/{world['globex_candidate'].public_id}/").status_code == 404
    # The API (resolve_principal): the same organisation and persona.
    assert client.get(f"/api/v1/jobs/{acme_job}/").status_code == (200 if member else 403)
    expected_elsewhere = 404 if member else 403
    assert client.get(f"/api/v1/jobs/{globex_job}/").status_code == expected_elsewhere
    audit = client.get(f"/api/v1/jobs/{acme_job}/bias-audit/")
    assert (audit.status_code == 403) is not auditor


# --- the settings checks -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ({"owner": "Owners"}, "'owner' that is not a role"),
        ({"hr_admin": ""}, "not a group's name"),
        ({"hr_admin": 3}, "not a group's name"),
        ({"hr_admin": "Staff", "auditor": "Staff"}, "gives one group two roles"),
        (["HR admins"], "must be a dict"),
    ],
)
def test_a_bad_mapping_is_a_settings_error(value: Any, says: str) -> None:
    with override_settings(RENOWN_ROLE_GROUPS=value, RENOWN_DEFAULT_ORGANIZATION="acme"):
        messages = check_settings()
    assert [m.id for m in messages] == ["renown.E020"]
    assert says in messages[0].msg


@pytest.mark.parametrize(
    ("overrides", "ids"),
    [
        ({"RENOWN_ROLE_GROUPS": GROUPS, "RENOWN_DEFAULT_ORGANIZATION": ""}, ["renown.E021"]),
        ({"RENOWN_ROLE_GROUPS": GROUPS, "RENOWN_DEFAULT_ORGANIZATION": "acme"}, []),
        ({"RENOWN_ROLE_GROUPS": {}, "RENOWN_DEFAULT_ORGANIZATION": ""}, []),
    ],
)
def test_groups_need_the_default_organisation(overrides: dict[str, Any], ids: list[str]) -> None:
    with override_settings(**overrides):
        messages = check_role_groups()
        assert [m.id for m in messages] == ids
        assert all(isinstance(m, Error) for m in messages)
        assert not check_settings()


@pytest.mark.usefixtures("mapped")
@pytest.mark.parametrize(("groups", "may_change"), [(["HR admins"], True), (["Auditors"], False)])
def test_the_admin_scopes_a_group_member_to_the_default_organisation(
    world: dict[str, Any], groups: list[str], may_change: bool
) -> None:
    user = member_of(*groups)
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    page = client.get("/admin/renown_hiring/job/")
    assert page.status_code == 200
    shown = {job.pk for job in page.context["cl"].result_list}
    assert shown == {world["acme"].pk}
    change = client.get(f"/admin/renown_hiring/job/{world['acme'].pk}/change/")
    assert change.status_code == 200
    assert change.context["has_change_permission"] is may_change
    elsewhere = client.get(f"/admin/renown_hiring/job/{world['globex'].pk}/change/")
    assert elsewhere.status_code == 404
