"""The JSON values Renown stores and sends, as types.

What crosses a module as JSON (an audit event's before/after, a webhook payload, a
problem document, a JSONField read back) is typed with these instead of ``Any``. The
shapes with a fixed set of keys have TypedDicts beside the code that owns them
(``scoring.scorers.Component``, ``hiring.fairness.warning.WarningDict``, ...); these
aliases are for the open ones.

``JSONMapping`` is the type to accept (read-only, so a ``dict[str, int]`` fits);
``JSONObject`` the type to build and return.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeAlias

JSONScalar: TypeAlias = bool | int | float | str | None
JSONValue: TypeAlias = JSONScalar | Sequence["JSONValue"] | Mapping[str, "JSONValue"]
JSONMapping: TypeAlias = Mapping[str, JSONValue]
JSONObject: TypeAlias = dict[str, JSONValue]
JSONList: TypeAlias = list[JSONValue]

__all__ = ["JSONList", "JSONMapping", "JSONObject", "JSONScalar", "JSONValue"]
