"""Acknowledging a draft as it stands, and the second HR admin's approval page (issue 12)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from hiring import services
from hiring.models import ScreeningRule
from renown.models import AuditEvent

pytestmark = pytest.mark.django_db

NOTE = "Klout as a tie-breaker."
# The Klout draft's own values, as its form shows them: saving them changes nothing.
KLOUT_FORM = {
    "metric": "vendor:klout",
    "operator": "gte",
    "threshold": "35",
    "aggregation": "latest",
    "window_days": "90",
    "max_data_age_days": "3650",
    "missing_data_policy": "review",
    "near_band": "0",
    "near_band_source": "fixed",
    "action": "screen_out",
    "change_note": NOTE,
    "go_live": "on",
}
WORDS = "Pilot for four weeks; every screen-out is reviewed by a person."


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def klout(job: Any, hr_admin_a: Any) -> ScreeningRule:
    """A screen-out draft with a serious warning (Klout closed in 2018), not put up yet."""
    return services.rule_create(
        job=job, actor=hr_admin_a, metric="vendor:klout", threshold=Decimal(35),
        max_data_age_days=3650, action="screen_out", activate=False, note=NOTE,
    )  # fmt: skip


def change_url(rule: ScreeningRule) -> str:
    return f"/admin/renown_hiring/screeningrule/{rule.pk}/change/"


def approve_url(rule: ScreeningRule) -> str:
    return f"/admin/renown_hiring/screeningrule/{rule.pk}/approve/"


def acknowledgements() -> list[tuple[Any, str]]:
    events = AuditEvent.objects.filter(event_type="warning.acknowledged").order_by("sequence")
    return [(e.actor, e.note) for e in events]


def test_saving_an_unchanged_draft_with_words_acknowledges_it(
    klout: ScreeningRule, hr_admin_a: Any
) -> None:
    client = login(hr_admin_a)
    page = client.get(change_url(klout)).content.decode()
    assert "cannot go live until you acknowledge" in page
    assert "Approve (a second HR admin)" in page

    response = client.post(change_url(klout), {**KLOUT_FORM, "acknowledgement": WORDS})
    assert response.status_code == 302
    assert response["Location"] == change_url(klout)  # back to the rule, not the list
    assert ScreeningRule.objects.filter(lineage=klout.lineage).count() == 1  # no new version
    klout.refresh_from_db()
    assert (klout.status, klout.version) == ("draft", 1)
    assert acknowledgements() == [(hr_admin_a, WORDS)]
    event = AuditEvent.objects.get(event_type="warning.acknowledged")
    assert event.subject_id == str(klout.pk)
    assert "metric.discontinued" in {w["code"] for w in event.after["warnings"]}

    page = client.get(change_url(klout)).content.decode()
    assert "all acknowledged in words" in page
    assert "waits for a second HR admin" in page
    assert "approval page" in page  # the message says where the approver goes
    assert WORDS in page


def test_a_new_change_note_is_refused_where_it_is_typed(
    klout: ScreeningRule, hr_admin_a: Any
) -> None:
    response = login(hr_admin_a).post(
        change_url(klout),
        {**KLOUT_FORM, "change_note": "Reviewed.", "acknowledgement": WORDS},
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "belongs to a new version" in " ".join(form.errors["change_note"])
    assert acknowledgements() == []


def test_unchanged_without_words_says_how_to_acknowledge(
    klout: ScreeningRule, hr_admin_a: Any
) -> None:
    response = login(hr_admin_a).post(change_url(klout), KLOUT_FORM)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing changed" in page
    assert "To acknowledge this draft&#x27;s serious warnings as it stands" in page
    assert acknowledgements() == []


def test_words_on_an_unchanged_live_rule_are_nothing_changed(job: Any, hr_admin_a: Any) -> None:
    live = services.rule_create(
        job=job, actor=hr_admin_a, metric="vendor:klout", threshold=Decimal(35),
        max_data_age_days=3650, action="needs_review", note=NOTE, acknowledgement="Advisory.",
    )  # fmt: skip
    response = login(hr_admin_a).post(
        change_url(live), {**KLOUT_FORM, "action": "needs_review", "acknowledgement": WORDS}
    )
    assert response.status_code == 200
    assert "Nothing changed" in response.content.decode()
    assert acknowledgements() == [(hr_admin_a, "Advisory.")]


def test_a_draft_without_serious_warnings_has_nothing_to_acknowledge(
    job: Any, hr_admin_a: Any
) -> None:
    quiet = services.rule_create(
        job=job, actor=hr_admin_a, metric="influence", threshold=Decimal(35), activate=False
    )
    response = login(hr_admin_a).post(
        change_url(quiet),
        {**KLOUT_FORM, "metric": "influence", "max_data_age_days": "30", "change_note": "",
         "action": "needs_review", "acknowledgement": WORDS},
    )  # fmt: skip
    assert response.status_code == 200
    assert "no serious warning to acknowledge" in response.content.decode()
    assert acknowledgements() == []


def test_acknowledging_an_advisory_draft_puts_it_live_when_asked(job: Any, hr_admin_a: Any) -> None:
    draft = services.rule_create(
        job=job, actor=hr_admin_a, metric="vendor:klout", threshold=Decimal(35),
        max_data_age_days=3650, action="needs_review", activate=False, note=NOTE,
    )  # fmt: skip
    response = login(hr_admin_a).post(
        change_url(draft), {**KLOUT_FORM, "action": "needs_review", "acknowledgement": WORDS}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.version) == ("live", 1)


def test_the_author_sees_the_approval_page_but_cannot_approve(
    klout: ScreeningRule, hr_admin_a: Any
) -> None:
    client = login(hr_admin_a)
    page = client.get(approve_url(klout)).content.decode()
    assert "You wrote this version" in page
    assert "Approve and make live" not in page
    refused = client.post(approve_url(klout), {"statement": WORDS})
    assert refused.status_code == 200
    assert "second HR admin" in refused.content.decode()
    klout.refresh_from_db()
    assert (klout.status, klout.approved_by) == ("draft", None)
    assert acknowledgements() == []


def test_a_second_hr_admin_approves_an_acknowledged_draft(
    klout: ScreeningRule, hr_admin_a: Any, second_admin: Any
) -> None:
    services.rule_acknowledge(rule=klout, actor=hr_admin_a, statement=WORDS)
    client = login(second_admin)
    page = client.get(approve_url(klout)).content.decode()
    assert "Every one is acknowledged in words" in page
    assert WORDS in page
    assert 'name="statement"' in page  # an approval is always the approver's words
    blank = client.post(approve_url(klout), {"statement": " "})
    assert blank.status_code == 200
    assert "a statement is required" in blank.content.decode()
    mine = "Checked the pilot plan; approved for four weeks."
    response = client.post(approve_url(klout), {"statement": mine})
    assert response.status_code == 302
    assert response["Location"] == change_url(klout)
    klout.refresh_from_db()
    assert (klout.status, klout.active, klout.approved_by) == ("live", True, second_admin)
    assert klout.approval_statement == mine  # saved with the version, as the API does
    approved = AuditEvent.objects.get(event_type="rule.approved")
    assert (approved.actor, approved.note, approved.after["statement"]) == (
        second_admin,
        mine,
        mine,
    )
    # Nothing new to acknowledge: the author's words stand alone as the acknowledgement.
    assert acknowledgements() == [(hr_admin_a, WORDS)]
    done = client.get(change_url(klout)).content.decode()
    assert "Approved by you and live" in done


def test_the_approver_answers_in_words_what_appeared_since(
    klout: ScreeningRule, job: Any, hr_admin_a: Any, second_admin: Any
) -> None:
    services.rule_acknowledge(rule=klout, actor=hr_admin_a, statement=WORDS)
    job.influence_relevance = "none"  # the job changed since: a new serious warning
    job.save()
    client = login(second_admin)
    page = client.get(approve_url(klout)).content.decode()
    assert "not acknowledged yet" in page
    assert 'name="statement"' in page
    refused = client.post(approve_url(klout), {"statement": "  "})
    assert refused.status_code == 200
    assert "a statement is required" in refused.content.decode()
    klout.refresh_from_db()
    assert klout.status == "draft"
    mine = "Relevance is being re-assessed with the hiring manager this week."
    assert client.post(approve_url(klout), {"statement": mine}).status_code == 302
    klout.refresh_from_db()
    assert (klout.status, klout.approved_by) == ("live", second_admin)
    assert acknowledgements() == [(hr_admin_a, WORDS), (second_admin, mine)]


def test_a_second_hr_admin_approves_from_the_rule_page_itself(
    klout: ScreeningRule, hr_admin_a: Any, second_admin: Any
) -> None:
    """Issue 18, part 3: the approval box sits beside the warnings on the rule's page; its
    button posts the whole form to the approval view, which reads only the statement."""
    services.rule_acknowledge(rule=klout, actor=hr_admin_a, statement=WORDS)
    author_page = login(hr_admin_a).get(change_url(klout)).content.decode()
    assert "You wrote this version" in author_page
    assert f'formaction="{approve_url(klout)}"' not in author_page
    client = login(second_admin)
    page = client.get(change_url(klout)).content.decode()
    assert (
        page.index('id="warnings-h"') < page.index('name="statement"') < page.index('name="metric"')
    )
    assert f'formaction="{approve_url(klout)}"' in page
    mine = "Read the summary and the warnings; approved for the pilot."
    response = client.post(approve_url(klout), {**KLOUT_FORM, "statement": mine})
    assert response.status_code == 302
    klout.refresh_from_db()
    assert (klout.status, klout.approved_by, klout.approval_statement) == (
        "live",
        second_admin,
        mine,
    )
    assert ScreeningRule.objects.filter(lineage=klout.lineage).count() == 1  # no new version
    live = client.get(change_url(klout)).content.decode()
    assert 'name="statement"' not in live


def test_no_approval_beside_a_preview_of_edited_values(
    klout: ScreeningRule, hr_admin_a: Any, second_admin: Any
) -> None:
    """The approval is of the saved version: a page previewing edits offers none."""
    services.rule_acknowledge(rule=klout, actor=hr_admin_a, statement=WORDS)
    client = login(second_admin)
    assert 'id="approve-saved"' in client.get(change_url(klout)).content.decode()
    preview = client.post(change_url(klout), {**KLOUT_FORM, "threshold": "20", "_preview": "1"})
    body = preview.content.decode()
    assert "What vendor:klout ≥ 20 would do" in body
    assert 'id="approve-saved"' not in body
    assert 'name="statement"' not in body


def test_the_list_action_opens_the_approval_page(
    klout: ScreeningRule, job: Any, hr_admin_a: Any, second_admin: Any
) -> None:
    client = login(second_admin)
    one = client.post(
        "/admin/renown_hiring/screeningrule/",
        {"action": "approve", "_selected_action": [klout.pk]},
    )
    assert (one.status_code, one["Location"]) == (302, approve_url(klout))
    other = services.rule_create(
        job=job, actor=hr_admin_a, metric="influence", threshold=Decimal(35), action="screen_out"
    )
    both = client.post(
        "/admin/renown_hiring/screeningrule/",
        {"action": "approve", "_selected_action": [klout.pk, other.pk]},
        follow=True,
    )
    page = both.content.decode()
    assert f'href="{approve_url(klout)}"' in page
    assert f'href="{approve_url(other)}"' in page
    klout.refresh_from_db()
    other.refresh_from_db()
    assert (klout.status, other.status) == ("draft", "draft")  # nothing approved unsaid


def test_only_hr_admins_of_the_organisation_open_the_approval_page(
    klout: ScreeningRule, recruiter_a: Any, auditor_a: Any, hr_admin_b: Any
) -> None:
    assert login(recruiter_a).get(approve_url(klout)).status_code == 302  # not staff: log in
    assert login(auditor_a).post(approve_url(klout), {}).status_code == 403  # reads, never approves
    assert login(hr_admin_b).post(approve_url(klout), {}).status_code == 404  # another org
    klout.refresh_from_db()
    assert klout.status == "draft"
