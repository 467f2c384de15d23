"""``{% load renown_fairness %}{{ count|group_count:auditor }}``: a group's count as the
viewer may see it (``hiring.fairness.live_bias_audit.shown_count``): exact for auditors,
"fewer than 5" for anyone else when 1 to 4 people. For counts a template prints itself;
tables come masked from ``live_bias_audit.display_tables``."""

from __future__ import annotations

from django import template

from hiring.fairness.live_bias_audit import shown_count

register = template.Library()


@register.filter
def group_count(count: int, auditor: bool) -> int | str:
    """The count, or "fewer than 5" unless ``auditor``."""
    return shown_count(int(count), auditor=bool(auditor))
