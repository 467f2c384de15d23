"""Names must be visible and carry no bidi controls; countries are assigned ISO 3166-1 codes.

One table of hostile inputs, put through every way a candidate comes in: the model's
validation (services, and the admin's form), the API's create, update, upsert and bulk
import, and the admin's add page. The Greenhouse webhook has its own test below.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.test import APIClient

from candidates.countries import COUNTRY_NAMES, ISO_3166_1_ALPHA_2
from candidates.jurisdictions import (
    JURISDICTION_CHOICES,
    NEW_YORK_CITY,
    validate_country_code,
    validate_jurisdiction,
)
from candidates.models import Candidate
from candidates.names import validate_person_name
from renown.api.tokens import api_token_create
from tests import factories

# (value, what the refusal says)
HOSTILE_NAMES = [
    ("\u200b", "visible"),  # ZERO WIDTH SPACE
    ("\u200b\u200c\u200d", "visible"),  # and the joiners
    ("\u2060\ufeff", "visible"),  # WORD JOINER, ZERO WIDTH NO-BREAK SPACE
    ("\u200e\u200f", "visible"),  # directional marks alone
    ("\u3164 \u115f", "visible"),  # Hangul fillers
    ("\u2800", "visible"),  # BRAILLE PATTERN BLANK
    ("\u0301\u0308", "visible"),  # combining marks with no letter
    ("\u00ad\u034f", "visible"),  # SOFT HYPHEN, COMBINING GRAPHEME JOINER
    ("Ada\u202eregnaL", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("\u202dAda", "U+202D LEFT-TO-RIGHT OVERRIDE"),
    ("\u202aAda", "U+202A LEFT-TO-RIGHT EMBEDDING"),
    ("\u202bAda", "U+202B RIGHT-TO-LEFT EMBEDDING"),
    ("Ada\u202c", "U+202C POP DIRECTIONAL FORMATTING"),
    ("Ada \u2066Lovelace", "U+2066 LEFT-TO-RIGHT ISOLATE"),
    ("\u2067Ada", "U+2067 RIGHT-TO-LEFT ISOLATE"),
    ("\u2068Ada", "U+2068 FIRST STRONG ISOLATE"),
    ("Ada\u2069", "U+2069 POP DIRECTIONAL ISOLATE"),
]
GOOD_NAMES = [
    "Ada Lovelace",
    "José Núñez-O'Brien",
    "李小龍",
    "Zoë Ångström",
    "\u0645\u06cc\u200c\u0631\u0627",  # Persian, with the ZERO WIDTH NON-JOINER it needs
    "\u0936\u094d\u200d\u0930\u0940",  # Devanagari with a ZERO WIDTH JOINER
    "Ali \u200f\u0639\u0644\u064a",  # RIGHT-TO-LEFT MARK between Latin and Arabic
    "X \u00c6 A-12",
]
HOSTILE_COUNTRIES = [
    ("ZZ", "not an ISO 3166-1 country code"),  # user-assigned
    ("XX", "not an ISO 3166-1 country code"),
    ("XK", "not an ISO 3166-1 country code"),  # user-assigned (Kosovo by convention)
    ("AA", "not an ISO 3166-1 country code"),
    ("QM", "not an ISO 3166-1 country code"),
    ("XA", "not an ISO 3166-1 country code"),
    ("UK", "the United Kingdom is GB"),  # exceptionally reserved
    ("EU", "give the member state"),
    ("EL", "Greece is GR"),
    ("AN", "not an ISO 3166-1 country code"),  # deleted (Netherlands Antilles)
    ("YU", "not an ISO 3166-1 country code"),
    ("SU", "not an ISO 3166-1 country code"),
]
GOOD_COUNTRIES = ["US", "DE", "GB", "GR", "AX", "BQ", "CW", "SS", "SX", "TW", "PS", "IN"]


# --- the pure checks ----------------------------------------------------------------


def test_the_list_is_the_249_assigned_codes_the_pinned_tzdata_ships() -> None:
    table = resources.files("tzdata").joinpath("zoneinfo", "iso3166.tab").read_text("utf-8")
    rows = [line.split("\t") for line in table.splitlines() if not line.startswith("#")]
    assert {code for code, _ in rows} == ISO_3166_1_ALPHA_2
    assert len(ISO_3166_1_ALPHA_2) == 249
    assert dict(rows) == COUNTRY_NAMES  # the names the job admin shows, as tzdata has them


def test_every_jurisdiction_on_offer_is_valid_and_named() -> None:
    codes = [code for code, _ in JURISDICTION_CHOICES]
    assert codes == sorted(set(codes))
    for code, label in JURISDICTION_CHOICES:
        validate_jurisdiction(code)
        assert label.startswith(f"{code} — ")
    offered = dict(JURISDICTION_CHOICES)
    assert offered["DE"] == "DE — Germany"
    assert offered["US-CA"] == "US-CA — California (United States)"
    assert offered[NEW_YORK_CITY] == "US-NY-NYC — New York City"
    assert len([code for code in codes if code.startswith("US-")]) == 52  # 50, DC, NYC


@pytest.mark.parametrize(("value", "says"), HOSTILE_NAMES)
def test_hostile_names_are_refused(value: str, says: str) -> None:
    with pytest.raises(ValueError, match=re.escape(says)):
        validate_person_name(value)


@pytest.mark.parametrize("value", GOOD_NAMES)
def test_names_in_every_script_are_kept(value: str) -> None:
    validate_person_name(value)


@pytest.mark.parametrize(("value", "says"), HOSTILE_COUNTRIES)
def test_unassigned_and_reserved_country_codes_are_refused(value: str, says: str) -> None:
    with pytest.raises(ValueError, match=re.escape(says)):
        validate_country_code(value)
    with pytest.raises(ValueError, match=re.escape(says)):
        validate_jurisdiction(f"{value}-AB")  # a region's country part too


@pytest.mark.parametrize("value", GOOD_COUNTRIES)
def test_assigned_country_codes_are_kept(value: str) -> None:
    validate_country_code(value)
    validate_jurisdiction(value)


def test_a_country_code_in_small_letters_is_told_to_use_capitals() -> None:
    with pytest.raises(ValueError, match="in capitals: DE"):
        validate_country_code("de")


# --- every way in ---------------------------------------------------------------------

CASES = [("name", value, says) for value, says in HOSTILE_NAMES] + [
    ("country", value, says) for value, says in HOSTILE_COUNTRIES
]
CASE_IDS = [f"{field}={value.encode('unicode_escape').decode()}" for field, value, _ in CASES]


@pytest.fixture
def write_client(org_a: Any) -> APIClient:
    cache.clear()  # no throttle counts left from another test
    client = APIClient()
    token = api_token_create(organization=org_a, name="ats", scope="write")[1]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def _item(field: str, value: str) -> dict[str, str]:
    return {"name": "Ada Lovelace", "country": "GB", field: value}


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value", "says"), CASES, ids=CASE_IDS)
def test_the_model_refuses_it(field: str, value: str, says: str) -> None:
    candidate = Candidate(organization=factories.OrganizationFactory(), **_item(field, value))
    with pytest.raises(ValidationError) as caught:
        candidate.full_clean()
    assert set(caught.value.message_dict) == {field}
    assert says in caught.value.message_dict[field][0]


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value", "says"), CASES, ids=CASE_IDS)
def test_the_api_refuses_it_on_create_update_upsert_and_bulk(
    write_client: Any, org_a: Any, field: str, value: str, says: str
) -> None:
    existing = factories.CandidateFactory(organization=org_a, name="Kept", country="FR")
    attempts = [
        write_client.post("/api/v1/candidates/", _item(field, value), format="json"),
        write_client.patch(
            f"/api/v1/candidates/{existing.public_id}/", {field: value}, format="json"
        ),
        write_client.put(
            "/api/v1/candidates/by-external-id/greenhouse/77/", _item(field, value), format="json"
        ),
    ]
    for response in attempts:
        assert response.status_code == 400, response.content
        errors = response.json()["errors"]
        assert [e["field"] for e in errors] == [field]
        assert says in errors[0]["message"]
    bulk = write_client.post(
        "/api/v1/candidates/bulk/",
        {"items": [_item(field, value), {"name": "Grace Hopper", "country": "US"}]},
        format="json",
    )
    assert bulk.status_code == 200, bulk.content
    first, second = bulk.json()["results"]
    assert first["status"] == "error"
    assert [e["field"] for e in first["errors"]] == [field]
    assert says in first["errors"][0]["message"]
    assert second["status"] == "created"
    existing.refresh_from_db()
    assert (existing.name, existing.country) == ("Kept", "FR")
    assert set(Candidate.objects.values_list("name", flat=True)) == {"Kept", "Grace Hopper"}


def _admin_add(client: Client, org: Any, item: dict[str, str]) -> Any:
    # The add page shows no inlines (accounts and notices are added once it exists).
    page = client.get("/admin/renown_candidates/candidate/add/").content.decode()
    assert 'name="country"' in page
    assert "_FORMS" not in page
    return client.post(
        "/admin/renown_candidates/candidate/add/", {"organization": str(org.pk), **item}
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value", "says"), CASES, ids=CASE_IDS)
def test_the_admin_refuses_it(
    hr_admin_a: Any, org_a: Any, field: str, value: str, says: str
) -> None:
    client = Client()
    client.force_login(hr_admin_a)
    response = _admin_add(client, org_a, _item(field, value))
    assert response.status_code == 200  # the form again, with the error
    errors = response.context["adminform"].form.errors
    assert set(errors) == {field}
    assert says in errors[field][0]
    assert not Candidate.objects.exists()


@pytest.mark.django_db
def test_the_admin_adds_a_good_one(hr_admin_a: Any, org_a: Any) -> None:
    client = Client()
    client.force_login(hr_admin_a)
    response = _admin_add(client, org_a, {"name": GOOD_NAMES[4], "country": "IR"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Candidate.objects.get().name == GOOD_NAMES[4]


@pytest.mark.django_db
@pytest.mark.parametrize("name", GOOD_NAMES)
def test_the_api_keeps_names_in_every_script(write_client: Any, org_a: Any, name: str) -> None:
    response = write_client.post("/api/v1/candidates/", {"name": name}, format="json")
    assert response.status_code == 201, response.content
    assert Candidate.objects.get().name == name


@pytest.mark.django_db
def test_job_jurisdictions_refuse_unassigned_countries(write_client: Any, org_a: Any) -> None:
    response = write_client.post(
        "/api/v1/jobs/", {"title": "Engineer", "jurisdictions": ["DE", "ZZ-01"]}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "'ZZ' is not an ISO 3166-1 country code" in json.dumps(response.json()["errors"])
