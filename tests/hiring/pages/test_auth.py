"""Log in, log out, password reset by email, login throttling, organisation switching."""

from __future__ import annotations

import re
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


def attempt(client: Client, username: str, password: str, address: str = "10.0.0.1") -> Any:
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_login_page_labels_its_fields_and_links_the_reset(db: None) -> None:
    body = Client().get("/accounts/login/").content.decode()
    assert '<label for="id_username">' in body
    assert '<label for="id_password">' in body
    assert 'autocomplete="current-password"' in body
    assert 'href="/accounts/password_reset/"' in body
    assert 'name="csrfmiddlewaretoken"' in body


def test_login_and_logout(recruiter_a: Any) -> None:
    client = Client()
    response = attempt(client, "rita-recruiter", PASSWORD)
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.get("/accounts/logout/").status_code == 405  # logging out is a POST
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_five_failures_lock_the_username_even_with_the_right_password(recruiter_a: Any) -> None:
    client = Client()
    for _ in range(5):
        response = attempt(client, "rita-recruiter", "wrong")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
    # From another address too: the account is locked, not just the address.
    response = attempt(client, "rita-recruiter", PASSWORD, address="10.9.9.9")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Too many failed log-ins for this account or from this address." in body
    assert "Try again in 15 minutes" in body
    assert "_auth_user_id" not in client.session


def test_the_lock_lifts_after_the_window(recruiter_a: Any) -> None:
    with time_machine.travel("2026-11-22 10:00:00Z", tick=False) as traveller:
        client = Client()
        for _ in range(5):
            attempt(client, "rita-recruiter", "wrong")
        assert attempt(client, "rita-recruiter", PASSWORD).status_code == 200
        traveller.shift(14 * 60)
        assert (
            "Try again in 1 minute," in attempt(client, "rita-recruiter", PASSWORD).content.decode()
        )
        traveller.shift(2 * 60)
        assert attempt(client, "rita-recruiter", PASSWORD).status_code == 302


def test_failures_from_one_address_lock_that_address_for_every_username(
    recruiter_a: Any, hr_admin_a: Any
) -> None:
    client = Client()
    for number in range(5):
        attempt(client, f"guess{number}", "wrong", address="10.6.6.6")
    response = attempt(client, "alice-hr", PASSWORD, address="10.6.6.6")
    assert "Too many failed log-ins" in response.content.decode()
    assert attempt(Client(), "alice-hr", PASSWORD, address="10.7.7.7").status_code == 302


def test_the_admin_login_is_throttled_too(hr_admin_a: Any) -> None:
    client = Client()
    for _ in range(5):
        client.post(
            "/admin/login/", {"username": "alice-hr", "password": "wrong"}, REMOTE_ADDR="10.1.1.1"
        )
    response = client.post(
        "/admin/login/", {"username": "alice-hr", "password": PASSWORD}, REMOTE_ADDR="10.2.2.2"
    )
    assert response.status_code == 200  # the form again: refused
    assert "_auth_user_id" not in client.session


def test_a_success_clears_the_usernames_failures(recruiter_a: Any) -> None:
    client = Client()
    for _ in range(4):
        attempt(client, "rita-recruiter", "wrong")
    assert attempt(client, "rita-recruiter", PASSWORD).status_code == 302
    other = Client()
    for _ in range(4):
        attempt(other, "rita-recruiter", "wrong", address="10.3.3.3")
    assert attempt(other, "rita-recruiter", PASSWORD, address="10.3.3.3").status_code == 302


def test_password_reset_by_email_end_to_end(recruiter_a: Any) -> None:
    client = Client()
    page = client.get("/accounts/password_reset/").content.decode()
    assert '<label for="id_email">' in page
    response = client.post("/accounts/password_reset/", {"email": recruiter_a.email})
    assert response.status_code == 302
    assert "Check your email" in client.get(response["Location"]).content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Reset your Renown password"
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body)
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    assert "Choose a new password" in form_page.content.decode()
    new = "a new passphrase 4 renown"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert done.status_code == 302
    assert "Password changed" in client.get(done["Location"]).content.decode()
    assert attempt(Client(), "rita-recruiter", new).status_code == 302
    # The link works once.
    again = client.get(link.group(1), follow=True).content.decode()
    assert "This link does not work any more" in again


def reset_password(email: str, new: str, address: str = "10.0.0.1") -> None:
    """The whole emailed-link flow, as the person whose mailbox it is."""
    client = Client(REMOTE_ADDR=address)
    mail.outbox.clear()
    assert client.post("/accounts/password_reset/", {"email": email}).status_code == 302
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body)
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert done.status_code == 302
    assert done["Location"] == "/accounts/reset/done/"


def test_a_password_reset_lifts_the_lockout_as_the_message_says(recruiter_a: Any) -> None:
    client = Client()
    for _ in range(5):
        attempt(client, "rita-recruiter", "wrong")
    body = attempt(client, "rita-recruiter", PASSWORD).content.decode()
    assert "or reset your password." in body
    new = "a new passphrase 4 renown"
    reset_password(recruiter_a.email, new)
    # From the address the failures came from (locked too) and from anywhere else.
    assert attempt(Client(), "rita-recruiter", new).status_code == 302
    assert attempt(Client(), "rita-recruiter", new, address="10.4.4.4").status_code == 302


def test_a_reset_lifts_the_address_lock_for_that_account_only(
    recruiter_a: Any, hr_admin_a: Any
) -> None:
    for number in range(5):
        attempt(Client(), f"guess{number}", "wrong", address="10.6.6.6")
    new = "a new passphrase 4 renown"
    reset_password(recruiter_a.email, new, address="10.6.6.6")
    assert attempt(Client(), "rita-recruiter", new, address="10.6.6.6").status_code == 302
    # Whoever else guesses from that address is still refused before any password check.
    response = attempt(Client(), "alice-hr", PASSWORD, address="10.6.6.6")
    assert "Too many failed log-ins" in response.content.decode()


def test_after_a_reset_new_failures_lock_the_account_again(recruiter_a: Any) -> None:
    for _ in range(5):
        attempt(Client(), "rita-recruiter", "wrong")
    new = "a new passphrase 4 renown"
    reset_password(recruiter_a.email, new)
    for _ in range(5):
        attempt(Client(), "rita-recruiter", "wrong again", address="10.5.5.5")
    response = attempt(Client(), "rita-recruiter", new, address="10.8.8.8")
    assert "Too many failed log-ins" in response.content.decode()


def test_an_unfinished_reset_lifts_nothing(recruiter_a: Any) -> None:
    for _ in range(5):
        attempt(Client(), "rita-recruiter", "wrong")
    client = Client()
    client.post("/accounts/password_reset/", {"email": recruiter_a.email})
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body)
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    mismatch = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "one 4 renown", "new_password2": "two"}
    )
    assert mismatch.status_code == 200  # the form again
    assert (
        "Too many failed log-ins" in attempt(Client(), "rita-recruiter", PASSWORD).content.decode()
    )


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(
    db: None,
) -> None:
    client = Client()
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.test"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    assert mail.outbox == []


def test_organisation_switch_is_offered_to_members_of_several(recruiter_a: Any, org_a: Any) -> None:
    client = Client()
    client.force_login(recruiter_a)
    assert 'id="org-switch"' not in client.get("/").content.decode()
    second = factories.OrganizationFactory(slug="second", name="Second Employer")
    factories.MembershipFactory(user=recruiter_a, organization=second, role="auditor")
    body = client.get("/").content.decode()
    assert '<label for="org-switch" class="visually-hidden">Organisation</label>' in body
    assert ">Second Employer</option>" in body
    client.post("/organization/switch/", {"organization": "second", "next": "/jobs/"})
    body = client.get("/jobs/").content.decode()
    assert "(Auditor)" in body  # the role follows the organisation
    assert 'href="/audit/"' in body
    assert 'href="/refresh/"' not in body


def test_pages_carry_a_skip_link_and_a_strict_content_security_policy(
    recruiter_a: Any, hr_admin_a: Any
) -> None:
    client = Client()
    client.force_login(recruiter_a)
    response = client.get("/")
    body = response.content.decode()
    assert body.index('class="skip-link" href="#main"') < body.index("<header")
    assert '<main id="main"' in body
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "Content-Security-Policy" in Client().get("/accounts/login/").headers
    admin = Client()
    admin.force_login(hr_admin_a)
    assert "Content-Security-Policy" not in admin.get("/admin/").headers
