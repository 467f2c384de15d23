"""The hiring admin (a package: Django autodiscovery imports ``hiring.admin``)."""

from hiring.admin import rules  # noqa: F401
