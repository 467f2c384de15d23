"""``manage.py create_organization``: the documented way a host makes its first tenant."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from renown.models import AuditEvent, Organization
from renown.trail import audit_trail_verify
from tests import factories


@pytest.mark.django_db
def test_command_creates_the_organisation() -> None:
    out = StringIO()
    call_command("create_organization", "--slug", "acme", "--name", "Acme Inc.", stdout=out)
    organization = Organization.objects.get(slug="acme")
    assert organization.name == "Acme Inc."
    assert not organization.is_demo
    assert "'acme'" in out.getvalue()


@pytest.mark.django_db
def test_a_taken_slug_is_refused_and_the_organisation_left_as_it_was() -> None:
    existing = factories.OrganizationFactory(slug="acme", name="Acme Inc.")
    with pytest.raises(CommandError, match="'acme' already exists"):
        call_command("create_organization", "--slug", "acme", "--name", "Other")
    assert list(Organization.objects.values_list("pk", "name")) == [(existing.pk, "Acme Inc.")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("slug", "name"), [("not a slug", "Acme"), ("acme", ""), ("", "Acme"), ("a" * 61, "Acme")]
)
def test_bad_input_is_refused_and_nothing_written(slug: str, name: str) -> None:
    with pytest.raises(CommandError):
        call_command("create_organization", "--slug", slug, "--name", name)
    assert not Organization.objects.exists()


@pytest.mark.django_db
def test_the_new_organisations_trail_opens_with_its_creation() -> None:
    call_command("create_organization", "--slug", "acme", "--name", "Acme Inc.", stdout=StringIO())
    organization = Organization.objects.get(slug="acme")
    (event,) = AuditEvent.objects.filter(organization=organization)
    assert (event.sequence, event.event_type, event.actor_label, event.after) == (
        1,
        "organization.created",
        "command:create_organization",
        {"slug": "acme", "name": "Acme Inc.", "is_demo": False},
    )
    assert all(status.intact for status in audit_trail_verify(organization=organization))


@pytest.mark.django_db
def test_a_refused_organisation_leaves_no_event() -> None:
    factories.OrganizationFactory(slug="acme")
    with pytest.raises(CommandError):
        call_command("create_organization", "--slug", "acme", "--name", "Other")
    assert not AuditEvent.objects.exists()
