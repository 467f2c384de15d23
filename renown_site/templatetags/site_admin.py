"""Template tags of the standalone site's own admin pages (``templates/admin/``).

The plugin never overrides a host's admin templates; the site, as one host, shows on its
admin home what waits for the signed-in person in Renown.
"""

from __future__ import annotations

from django import template

from hiring import selectors as hiring_selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def waiting_for_you(context: template.Context) -> hiring_selectors.Waiting | None:
    """What waits for the signed-in user in every organisation they belong to
    (``hiring.selectors.waiting_for``: rules to approve, bias audits due)."""
    request = context.get("request")
    if request is None:
        return None
    return hiring_selectors.waiting_for(user=request.user)
