"""A management command's parsed options, read into typed values.

``BaseCommand.handle`` receives ``**options`` as argparse made them (and as
``call_command`` passed them): each command reads the ones it declared through these,
so that a value of an unexpected type stops the command instead of flowing on.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


def _wrong(name: str, expected: str, value: object) -> TypeError:
    return TypeError(f"option {name!r} must be {expected}, not {type(value).__name__}")


def text(options: Mapping[str, object], name: str) -> str:
    """A required text option."""
    value = options[name]
    if not isinstance(value, str):
        raise _wrong(name, "text", value)
    return value


def optional_text(options: Mapping[str, object], name: str) -> str | None:
    """A text option that may be absent (None)."""
    value = options.get(name)
    if value is not None and not isinstance(value, str):
        raise _wrong(name, "text", value)
    return value


def flag(options: Mapping[str, object], name: str) -> bool:
    """A ``store_true`` option (absent: False)."""
    value = options.get(name, False)
    if not isinstance(value, bool):
        raise _wrong(name, "True or False", value)
    return value


def integer(options: Mapping[str, object], name: str) -> int:
    """A required whole-number option."""
    value = options[name]
    if not isinstance(value, int) or isinstance(value, bool):
        raise _wrong(name, "a whole number", value)
    return value


def optional_integer(options: Mapping[str, object], name: str) -> int | None:
    """A whole-number option that may be absent (None)."""
    value = options.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise _wrong(name, "a whole number", value)
    return value


def number(options: Mapping[str, object], name: str) -> float:
    """A required number option (an int is fine)."""
    value = options[name]
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise _wrong(name, "a number", value)
    return value


def path(options: Mapping[str, object], name: str) -> Path:
    """A file path option (text or a Path)."""
    value = options[name]
    if not isinstance(value, str | Path):
        raise _wrong(name, "a path", value)
    return Path(value)
