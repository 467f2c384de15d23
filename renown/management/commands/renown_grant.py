"""``manage.py renown_grant --org SLUG --user USERNAME --role ROLE`` (or ``--revoke``).

Gives one of the host's users a role in an organisation (an explicit membership, which
wins over a role from ``RENOWN_ROLE_GROUPS``), or takes it away. Idempotent: granting
the role they have already says so and changes nothing. Each change is on the
organisation's audit trail. An unknown organisation, user or role changes nothing.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from renown.management import options as read
from renown.models import Organization, Role
from renown.tenancy import membership_grant, membership_revoke

USAGE_ERROR = 2


class Command(BaseCommand):
    help = "Give a user a role (recruiter, hr_admin, auditor) in an organisation, or revoke it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="The organisation's slug.")
        parser.add_argument("--user", required=True, help="The user's username.")
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--role", help=f"One of {', '.join(Role.values)}.")
        action.add_argument(
            "--revoke", action="store_true", help="Take their membership away instead."
        )

    def handle(self, *args: str, **options: object) -> None:
        role = read.optional_text(options, "role")
        if role is not None and role not in Role.values:
            raise CommandError(
                f"Unknown role {role!r}: choose one of {', '.join(Role.values)}.",
                returncode=USAGE_ERROR,
            )
        slug = read.text(options, "org")
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            raise CommandError(f"No organisation with the slug {slug!r}.")
        user_model = get_user_model()
        username = read.text(options, "user")
        user = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(f"No user with the username {username!r}.")
        who = f"{user.get_username()!r} in {organization.slug!r}"
        if role is None:
            if membership_revoke(
                organization=organization, user=user, actor="command:renown_grant"
            ):
                self.stdout.write(f"Revoked the membership of {who}.")
            else:
                self.stdout.write(f"{who} has no membership: nothing to revoke.")
            return
        granted = membership_grant(
            organization=organization, user=user, role=role, actor="command:renown_grant"
        )
        if not granted.changed:
            self.stdout.write(f"{who} is already {role}: nothing changed.")
        elif granted.before is None:
            self.stdout.write(f"Granted {role} to {who}.")
        else:
            self.stdout.write(f"Changed the role of {who} from {granted.before} to {role}.")
