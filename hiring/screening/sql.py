"""What the raw SQL of the screening and preview reads shares: parameter values, names."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TypeAlias

from django.db import connection
from django.db.models import Model

# A value bound to a raw SQL statement's placeholder (ids, provider names and the
# preview's judging points as arrays).
SQLParam: TypeAlias = (
    bool
    | int
    | float
    | Decimal
    | str
    | date
    | datetime
    | list[int]
    | list[str]
    | list[Decimal]
    | None
)


def table_name(model: type[Model]) -> str:
    """The model's table, quoted for the connection."""
    return str(connection.ops.quote_name(model._meta.db_table))
