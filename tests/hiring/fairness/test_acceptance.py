"""Issue 6's acceptance on the demo: the admin blocks "Klout ≥ 35" on a job with no
justification until its serious warnings are acknowledged, says why in plain words, and
the fairer-alternatives panel proposes at least one option."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from hiring.fairness.alternatives import fairer_alternatives
from hiring.fairness.preview import rules_with_draft
from hiring.models import Job, ScreeningRule
from renown.models import Organization

pytestmark = pytest.mark.django_db


def test_issue_6_on_the_demo() -> None:
    call_command("demo", stdout=io.StringIO())  # the demo `make run` serves (500 people)
    organization = Organization.objects.get(slug="demo")
    community = Job.objects.get(organization=organization, title="Community Manager")
    assert community.relevance_justification == ""  # the job says nothing about why
    klout = ScreeningRule.objects.get(job=community, metric="vendor:klout")
    assert klout.status == "draft"

    client = Client()
    client.force_login(get_user_model().objects.get(username="hr-admin"))
    page = client.get(f"/admin/renown_hiring/screeningrule/{klout.pk}/change/").content.decode()
    assert "serious warning" in page
    assert "cannot go live until you acknowledge" in page
    assert "Klout closed on 25 May 2018" in page
    assert "gives no reason" in page  # job relatedness, in words
    assert "no Local Law 144 notice" in page

    # Approval from the list opens the approval page: the author may not approve; a
    # second HR admin reads the warnings nobody acknowledged and is asked for words.
    response = client.post(
        "/admin/renown_hiring/screeningrule/",
        {"action": "approve", "_selected_action": [klout.pk]},
        follow=True,
    )
    assert "second HR admin" in response.content.decode()
    second = Client()
    second.force_login(get_user_model().objects.get(username="hr-admin-2"))
    response = second.post(
        "/admin/renown_hiring/screeningrule/",
        {"action": "approve", "_selected_action": [klout.pk]},
        follow=True,
    )
    assert "not acknowledged yet" in response.content.decode()
    assert (
        "a statement is required"
        in second.post(
            f"/admin/renown_hiring/screeningrule/{klout.pk}/approve/", {"statement": ""}
        ).content.decode()
    )
    klout.refresh_from_db()
    assert (klout.status, klout.active) == ("draft", False)

    # The fairer-alternatives panel proposes at least one option on the demo's data.
    _base, alternatives = fairer_alternatives(community, rules_with_draft(community, klout))
    suggested = [a for a in alternatives if a.suggested]
    assert suggested, [a.as_dict() for a in alternatives]
    assert suggested[0].description in page


def test_the_klout_draft_is_acknowledged_as_it_stands_and_approved_by_hr_admin_2() -> None:
    """Issue 12: the README's journey, through the admin's forms."""
    call_command("demo", candidates=60, stdout=io.StringIO())
    klout = ScreeningRule.objects.get(metric="vendor:klout")
    client = Client()
    client.force_login(get_user_model().objects.get(username="hr-admin"))
    # The draft's form as it shows it: nothing changed.
    form = {
        "metric": "vendor:klout", "operator": "gte", "threshold": "35.00", "aggregation": "latest",
        "window_days": "90", "max_data_age_days": "3650", "missing_data_policy": "review",
        "near_band": "0.00", "near_band_source": "fixed", "action": "screen_out",
        "change_note": klout.change_note, "go_live": "on",
    }  # fmt: skip
    blocked = client.post(f"/admin/renown_hiring/screeningrule/{klout.pk}/change/", form)
    assert blocked.status_code == 200
    assert "Nothing changed" in blocked.content.decode()
    form["acknowledgement"] = "Pilot for four weeks; every screen-out is reviewed by a person."
    done = client.post(f"/admin/renown_hiring/screeningrule/{klout.pk}/change/", form)
    assert done.status_code == 302
    assert ScreeningRule.objects.filter(lineage=klout.lineage).count() == 1  # no new version
    klout.refresh_from_db()
    assert klout.status == "draft"

    second = Client()
    second.force_login(get_user_model().objects.get(username="hr-admin-2"))
    approval = f"/admin/renown_hiring/screeningrule/{klout.pk}/approve/"
    assert "Every one is acknowledged in words" in second.get(approval).content.decode()
    assert second.post(approval, {"statement": "Seen the pilot plan."}).status_code == 302
    klout.refresh_from_db()
    assert (klout.status, klout.active, klout.approved_by.username) == ("live", True, "hr-admin-2")
