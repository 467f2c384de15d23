"""``manage.py renown_grant``: a role given, changed, revoked, audited; errors change nothing."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.core.management.base import connections as command_connections

from renown.management.commands.renown_grant import Command
from renown.models import AuditEvent, Membership
from tests import factories


@pytest.fixture
def acme(db: None) -> Any:
    return factories.OrganizationFactory(slug="acme", name="Acme")


@pytest.fixture
def alice(db: None) -> Any:
    return factories.UserFactory(username="alice")


def grant(*args: str) -> str:
    out = StringIO()
    call_command("renown_grant", *args, stdout=out)
    return out.getvalue()


def state() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every membership and every audit event, to show that nothing changed."""
    return (
        list(Membership.objects.values_list("user__username", "organization__slug", "role")),
        list(AuditEvent.objects.values_list("event_type", "before", "after")),
    )


@pytest.mark.parametrize("role", ["recruiter", "hr_admin", "auditor"])
def test_grant_makes_the_membership_and_records_it(acme: Any, alice: Any, role: str) -> None:
    out = grant("--org", "acme", "--user", "alice", "--role", role)
    assert f"Granted {role}" in out
    assert state() == (
        [("alice", "acme", role)],
        [("membership.granted", None, {"user": "alice", "role": role})],
    )
    event = AuditEvent.objects.get()
    assert event.organization == acme
    assert event.actor_label == "command:renown_grant"


def test_granting_the_same_role_again_changes_nothing(acme: Any, alice: Any) -> None:
    grant("--org", "acme", "--user", "alice", "--role", "recruiter")
    before = state()
    out = grant("--org", "acme", "--user", "alice", "--role", "recruiter")
    assert "already recruiter: nothing changed" in out
    assert state() == before


def test_changing_the_role_records_before_and_after(acme: Any, alice: Any) -> None:
    grant("--org", "acme", "--user", "alice", "--role", "recruiter")
    out = grant("--org", "acme", "--user", "alice", "--role", "auditor")
    assert "from recruiter to auditor" in out
    memberships, events = state()
    assert memberships == [("alice", "acme", "auditor")]
    assert events[-1] == (
        "membership.granted",
        {"role": "recruiter"},
        {"user": "alice", "role": "auditor"},
    )


def test_revoke_removes_the_membership_and_records_it_once(acme: Any, alice: Any) -> None:
    other = factories.OrganizationFactory(slug="globex")
    factories.MembershipFactory(user=alice, organization=other, role="hr_admin")
    grant("--org", "acme", "--user", "alice", "--role", "hr_admin")
    out = grant("--org", "acme", "--user", "alice", "--revoke")
    assert "Revoked" in out
    memberships, events = state()
    assert memberships == [("alice", "globex", "hr_admin")]  # only acme's went
    assert events[-1] == ("membership.revoked", {"user": "alice", "role": "hr_admin"}, None)
    again = grant("--org", "acme", "--user", "alice", "--revoke")
    assert "nothing to revoke" in again
    assert state() == (memberships, events)


@pytest.mark.parametrize(
    ("args", "says", "returncode"),
    [
        (["--org", "nope", "--user", "alice", "--role", "recruiter"], "'nope'", 1),
        (["--org", "acme", "--user", "nobody", "--role", "recruiter"], "'nobody'", 1),
        (["--org", "acme", "--user", "alice", "--role", "owner"], "'owner'", 2),
        (["--org", "nope", "--user", "alice", "--revoke"], "'nope'", 1),
    ],
)
def test_an_unknown_name_is_refused_naming_it_and_nothing_changes(
    acme: Any, alice: Any, args: list[str], says: str, returncode: int
) -> None:
    factories.MembershipFactory(user=alice, organization=acme, role="auditor")
    before = state()
    with pytest.raises(CommandError, match=says) as raised:
        grant(*args)
    assert raised.value.returncode == returncode
    assert state() == before


@pytest.mark.parametrize(
    "args",
    [
        ["--org", "acme", "--user", "alice"],  # neither --role nor --revoke
        ["--org", "acme", "--user", "alice", "--role", "auditor", "--revoke"],
        ["--user", "alice", "--role", "auditor"],  # no --org
        ["--org", "acme", "--role", "auditor"],  # no --user
        ["--org", "acme", "--user", "alice", "--role", "owner"],
    ],
)
def test_bad_usage_exits_2_from_the_command_line(
    acme: Any, alice: Any, args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # run_from_argv closes the connections when done: not the test's own.
    monkeypatch.setattr(command_connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["manage.py", "renown_grant", *args])
    assert exited.value.code == 2
    assert state() == ([], [])
