"""The bulk validator answers as ``CandidateWriteSerializer`` does, on generated input."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hiring.api.bulk import validate_candidate_item
from hiring.api.serializers import CandidateWriteSerializer
from renown.api.problems import flatten_errors

TEXT = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            " ",
            "US",
            "us",
            "DE",
            "US-CA",
            "US-NY-NYC",
            "DE-BE",
            "gb-lnd",
            "USA",
            "greenhouse",
            "Green House",
            "a@b.co",
            "not-an-email",
            "gh-1",
            "gh 1",
            "x" * 201,
            "\x00",
            "Ada",
            "ZZ",
            "uk",
            "XK-01",
            "\u200b",
            "Ada\u202eregnaL",
            "\u200f",
        ]
    ),
    st.integers(-5, 5),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=1),
)
FIELDS = ["name", "email", "ats_source", "external_id", "country", "region"]


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.sampled_from(FIELDS), TEXT))
def test_bulk_validator_agrees_with_the_serializer(item: dict[str, Any]) -> None:
    serializer = CandidateWriteSerializer(data=item)
    values, errors = validate_candidate_item(item)
    if serializer.is_valid():
        assert errors == []
        assert values == {f: serializer.validated_data[f] for f in FIELDS}
    else:
        assert values is None
        expected = {e["field"] for e in flatten_errors(serializer.errors)}
        assert {e["field"] for e in errors} == expected, (serializer.errors, errors)


def test_non_objects_are_errors() -> None:
    assert validate_candidate_item(["x"]) == (
        None,
        [{"field": "", "message": "Each item is a JSON object."}],
    )
