"""The start-up checks of the host candidate settings (candidates.hostlink, renown.E030-E033)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from candidates.hostlink import check_host_candidate_settings
from renown.checks import check_settings
from renown.models import AuditEvent, Organization

FIELDS = {"name": "full_name", "email": "email", "country": "country"}


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, []),
        (
            {
                "RENOWN_HOST_CANDIDATE_MODEL": "hostapp.Applicant",
                "RENOWN_HOST_CANDIDATE_FIELDS": FIELDS,
            },
            [],
        ),
        (
            {
                "RENOWN_HOST_CANDIDATE_MODEL": "hostapp.Applicant",
                "RENOWN_HOST_CANDIDATE_FIELDS": {
                    **FIELDS,
                    "region": "country",
                    "external_id": "pk",
                },
            },
            [],
        ),
        (
            {
                "RENOWN_HOST_CANDIDATE_MODEL": "hostapp.Nobody",
                "RENOWN_HOST_CANDIDATE_FIELDS": FIELDS,
            },
            [("renown.E030", "'hostapp.Nobody' names no installed model")],
        ),
        (
            {"RENOWN_HOST_CANDIDATE_MODEL": "hostapp.Applicant"},
            [("renown.E031", "neither RENOWN_HOST_CANDIDATE_FIELDS nor")],
        ),
        (
            {"RENOWN_HOST_CANDIDATE_FIELDS": FIELDS},
            [("renown.E031", "but RENOWN_HOST_CANDIDATE_MODEL is not")],
        ),
        (
            {
                "RENOWN_HOST_CANDIDATE_MODEL": "hostapp.Applicant",
                "RENOWN_HOST_CANDIDATE_FIELDS": {**FIELDS, "name": "fullname"},
            },
            [
                (
                    "renown.E032",
                    "['name'] = 'fullname': Applicant has no field or attribute 'fullname'",
                )
            ],
        ),
        (
            {
                "RENOWN_HOST_CANDIDATE_MODEL": "hostapp.Applicant",
                "RENOWN_HOST_CANDIDATE_FIELDS": {**FIELDS, "email": "email.domain.tld"},
            },
            [],  # past a plain column the host's types are trusted (a str has no .domain: read time)
        ),
        (
            {
                "RENOWN_HOST_CANDIDATE_MODEL": "hostapp.Applicant",
                "RENOWN_HOST_CANDIDATE_FIELDS": {"name": "full_name", "email": "email"},
            },
            [("renown.E032", "has no 'country'")],
        ),
        (
            {
                "RENOWN_HOST_CANDIDATE_MODEL": "hostapp.Applicant",
                "RENOWN_HOST_CANDIDATE_FIELDS": {**FIELDS, "phone": "email"},
            },
            [("renown.E032", "maps 'phone', which is not a Renown candidate field")],
        ),
        (
            {
                "RENOWN_HOST_CANDIDATE_MODEL": "hostapp.Applicant",
                "RENOWN_HOST_CANDIDATE_ADAPTER": "tests.hostapp.adapters.applicant_to_renown",
            },
            [],
        ),
        (
            {
                "RENOWN_HOST_CANDIDATE_MODEL": "hostapp.Applicant",
                "RENOWN_HOST_CANDIDATE_ADAPTER": "tests.hostapp.adapters.missing",
            },
            [("renown.E033", "'tests.hostapp.adapters.missing' cannot be imported")],
        ),
        (
            {
                "RENOWN_HOST_CANDIDATE_MODEL": "hostapp.Applicant",
                "RENOWN_HOST_CANDIDATE_ADAPTER": "tests.hostapp.adapters.NOT_CALLABLE",
            },
            [("renown.E033", "is not callable")],
        ),
    ],
)
def test_the_check_names_what_is_wrong_with_the_host_settings(
    overrides: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    with override_settings(**overrides):
        found = check_host_candidate_settings()
    assert [m.id for m in found] == [id_ for id_, _ in expected]
    for message, (_, text) in zip(found, expected, strict=True):
        assert text in message.msg


@pytest.mark.parametrize(
    ("name", "value", "phrase"),
    [
        ("RENOWN_HOST_CANDIDATE_MODEL", "applicants", "'app_label.ModelName'"),
        ("RENOWN_HOST_CANDIDATE_FIELDS", {"name": ""}, "dotted attribute path"),
        ("RENOWN_HOST_CANDIDATE_FIELDS", ["name"], "must be a dict"),
        ("RENOWN_HOST_CANDIDATE_ADAPTER", "adapter", "dotted path"),
        ("RENOWN_DEFAULT_ORGANIZATION", "not a slug", "slug"),
    ],
)
def test_the_settings_check_knows_the_new_settings(name: str, value: Any, phrase: str) -> None:
    with override_settings(**{name: value}):
        (message,) = [m for m in check_settings() if name in m.msg]
    assert message.id == "renown.E020"
    assert phrase in message.msg


def test_migrate_makes_the_default_organisation_and_never_changes_an_existing_one(
    db: None, settings: Any
) -> None:
    settings.RENOWN_DEFAULT_ORGANIZATION = "acme-hiring"
    call_command("migrate", verbosity=0)
    made = Organization.objects.get(slug="acme-hiring")
    assert made.name == "Acme Hiring"
    made.name = "ACME Hiring Ltd"
    made.save()
    call_command("migrate", verbosity=0)
    assert Organization.objects.get(slug="acme-hiring").name == "ACME Hiring Ltd"
    assert Organization.objects.count() == 1
    # Its trail opens with the creation, once.
    assert list(
        AuditEvent.objects.filter(organization=made).values_list("event_type", "actor_label")
    ) == [("organization.created", "command:migrate")]
