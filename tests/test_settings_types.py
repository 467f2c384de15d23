"""Each app's ``conf.get`` promises a type per setting; the defaults keep that promise.

The overloads of ``get`` group the setting names by the type of their value
(``IntSetting``, ``StrSetting``, ...). Every default is in exactly one group of its
own module, and the default is of that group's type, so a setting added without its
group (or to the wrong one) fails here rather than lying to mypy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import get_args

import pytest

from candidates import conf as candidates_conf
from hiring import conf as hiring_conf
from renown import conf as renown_conf
from scoring import conf as scoring_conf


def _is_str_list(value: object) -> bool:
    return (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and all(isinstance(v, str) for v in value)
    )


def _is_map(kind: type) -> object:
    def check(value: object) -> bool:
        return isinstance(value, Mapping) and all(
            isinstance(k, str) and isinstance(v, kind) and not isinstance(v, bool)
            for k, v in value.items()
        )

    return check


CHECKS = {
    "BoolSetting": lambda v: isinstance(v, bool),
    "IntSetting": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "FloatSetting": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "StrSetting": lambda v: isinstance(v, str),
    "StrListSetting": _is_str_list,
    "StrMapSetting": _is_map(str),
    "IntMapSetting": _is_map(int),
}


@pytest.mark.parametrize(
    "module", [renown_conf, scoring_conf, candidates_conf, hiring_conf], ids=lambda m: m.__name__
)
def test_every_default_is_in_one_typed_group_of_its_type(module: ModuleType) -> None:
    groups = {
        group: set(get_args(getattr(module, group))) for group in CHECKS if hasattr(module, group)
    }
    assert groups, f"{module.__name__} has no typed groups for get()"
    defaults: Mapping[str, object] = module.DEFAULTS
    for name, default in defaults.items():
        owners = [group for group, names in groups.items() if name in names]
        assert len(owners) == 1, f"{module.__name__}.{name} is in {owners or 'no group'}"
        assert CHECKS[owners[0]](default), (
            f"{module.__name__}.{name} = {default!r} is not a {owners[0]}"
        )
    for group, names in groups.items():
        assert names <= set(defaults), f"{group} names settings {module.__name__} lacks"
