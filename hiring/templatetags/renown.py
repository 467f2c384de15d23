"""``{% load renown %}{% renown_profile obj %}``: a compact Renown card in the host's own pages.

The host puts the tag on its own candidate page (or any page about a record of its
candidate model, ``RENOWN_HOST_CANDIDATE_MODEL``). The card reads through the same gate
and selectors as the recruiter's candidate page (``candidates.selectors.candidate_list``,
``scoring.selectors``): it shows a candidate only to a signed-in member of the
candidate's organisation, and to anyone else the same neutral line an unlinked record
gets, so another organisation's candidate is never revealed. Anonymous visitors get
nothing. The styles are ``renown/profile-card.css``, every rule under ``.renown-card``;
no inline style or script, so neither Renown's CSP nor the host's is in the way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django import template
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from candidates import selectors
from candidates import services as candidate_services
from candidates.models import Candidate, HostLink
from candidates.selectors import UserLike
from renown.json_types import JSONMapping, JSONValue
from scoring import selectors as scoring_selectors
from scoring.models import Score

register = template.Library()

TOP_COMPONENTS = 3  # the card's "why": the parts that moved the score most
CARD_FLAGS = 3  # the newest flags; the full page lists them all


@dataclass(frozen=True)
class CardScore:
    """One score as the card shows it: value, scale and the parts that weigh most."""

    label: str
    score: Score
    why: list[JSONMapping]


def _card_score(label: str, score: Score | None) -> CardScore | None:
    if score is None:
        return None
    components: list[JSONValue] = score.components
    parts = [p for p in components if isinstance(p, Mapping)]
    parts.sort(key=_weight, reverse=True)
    return CardScore(label=label, score=score, why=parts[:TOP_COMPONENTS])


def _weight(part: JSONMapping) -> float:
    """How much a component moved the score, either way."""
    points = part.get("points") or 0
    if not isinstance(points, int | float | str):
        raise TypeError(f"a component's points are a number, not {points!r}")  # as float()
    return abs(float(points))


def candidate_for_host_object(user: UserLike, obj: models.Model) -> Candidate | None:
    """The Renown candidate linked to ``obj`` if ``user`` may see it (two queries)."""
    link = (
        HostLink.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        )
        .select_related("candidate__organization")
        .first()
    )
    if link is None:
        return None
    # The tenant gate every candidate lookup passes: membership, and not erased.
    return (
        selectors.candidate_list(user=user, organization=link.candidate.organization)
        .filter(pk=link.candidate_id)
        .first()
    )


def profile_card_context(
    request: HttpRequest | None, obj: models.Model | None
) -> dict[str, object]:
    """What the card shows for ``obj`` to ``request.user``; a bounded number of queries."""
    user: UserLike | None = getattr(request, "user", None)  # no user without the auth middleware
    if user is None or not user.is_authenticated:
        return {"show": False}
    candidate = None if obj is None or obj.pk is None else candidate_for_host_object(user, obj)
    if candidate is None:
        return {"show": True, "candidate": None}
    now = timezone.now()
    latest = scoring_selectors.score_latest_for_candidate(candidate_id=candidate.pk)
    accounts = scoring_selectors.account_metrics(candidate_id=candidate.pk, now=now)
    read_at = [a.observed_at for a in accounts if a.observed_at is not None]
    last_fetched: datetime | None = max(read_at) if read_at else None
    flags = list(scoring_selectors.flag_list(candidate_id=candidate.pk)[: CARD_FLAGS + 1])
    # Shown scores, like the page's, are views recorded for the organisation's auditors.
    candidate_services.candidate_view_record(candidate=candidate, viewer=user)
    return {
        "show": True,
        "candidate": candidate,
        "scores": [
            s
            for s in (
                _card_score("Influence", latest.get("influence")),
                _card_score("Offline reputation", latest.get("reputation")),
            )
            if s is not None
        ],
        "flags": flags[:CARD_FLAGS],
        "more_flags": len(flags) > CARD_FLAGS,
        "last_fetched": last_fetched,
        "stale_accounts": [a.account for a in accounts if not a.fresh],
        "fetch_errors": [a for a in accounts if a.last_error],
        "has_accounts": bool(accounts),
        "screenings": list(candidate.screenings.select_related("job").order_by("job__title")),
        "url": reverse("renown:candidate-detail", args=[candidate.public_id]),
    }


@register.inclusion_tag("renown/hiring/profile_card.html", takes_context=True)
def renown_profile(context: template.Context, obj: models.Model | None) -> dict[str, object]:
    """Render the Renown card for one record of the host's candidate model.

    The request comes from the template context (``django.template.context_processors.request``
    must be on, as the admin needs it too).
    """
    return profile_card_context(context.get("request"), obj)
