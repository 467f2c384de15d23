"""The one JSON reader for request bodies: the API's (DRF) and the signed Greenhouse deliveries'.

``json.loads`` recurses once per level of nesting, so a 2 KB body of 1,000 nested
arrays raised RecursionError, a 500, wherever it was parsed (and deep documents
that did parse went on to recurse in the serializers and the renderer). Nesting
is measured on the raw text first, without recursion and before anything is
built: past ``MAX_JSON_DEPTH`` the body is refused as invalid (400 problem+json).
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Mapping
from itertools import accumulate
from typing import IO, Any, NoReturn

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from renown.json_types import JSONValue

MAX_JSON_DEPTH = 64  # no request of this API nests past 4 levels; Greenhouse's past 6

# A JSON string (escapes included): brackets inside strings do not nest anything.
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


class JsonTooDeep(ValueError):
    """The document nests arrays and objects deeper than the limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"JSON nested more than {limit} levels deep.")
        self.limit = limit


def json_depth(raw: bytes) -> int:
    """How deep the arrays and objects of ``raw`` nest (0 for a scalar), without parsing."""
    brackets = _STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def json_loads(
    raw: bytes | str, *, max_depth: int | None = None, strict: bool = False
) -> JSONValue:
    """Parse a JSON document whose nesting is at most ``max_depth`` (MAX_JSON_DEPTH).

    ``strict`` refuses NaN and Infinity, which are not JSON. Raises JsonTooDeep
    past the limit, ValueError (json.JSONDecodeError, UnicodeDecodeError) for
    anything that is not JSON.
    """
    limit = MAX_JSON_DEPTH if max_depth is None else max_depth
    data = raw.encode() if isinstance(raw, str) else raw
    if json_depth(data) > limit:
        raise JsonTooDeep(limit)
    document: JSONValue = json.loads(data, parse_constant=_refuse_constant if strict else None)
    return document


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not valid JSON.")


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser through ``json_loads``: NaN and Infinity refused, whatever the host's
    STRICT_JSON (``renown.api.views.ApiView``'s only parser).
    """

    strict = True

    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: Mapping[str, object] | None = None,
    ) -> Any:  # the document: DRF's JSONParser says a dict, but any JSON value parses
        encoding = str((parser_context or {}).get("encoding", settings.DEFAULT_CHARSET))
        raw: bytes = stream.read()
        try:
            document = raw if codecs.lookup(encoding).name == "utf-8" else raw.decode(encoding)
            return json_loads(document, strict=self.strict)
        except (ValueError, LookupError) as exc:  # too deep, not JSON, not the charset
            raise ParseError(f"JSON parse error - {exc}") from None
