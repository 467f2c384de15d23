"""System checks of the plugin's base.

``renown.E001`` (database): the database was made by a Renown from before the plugin
layout (app labels ``candidates``, ``hiring``, ``api``... instead of ``renown_*``). The
migrations were reset into one initial set per app under the new labels, so such a
database cannot be migrated forward; Renown stops ``migrate`` (and so ``make run``)
before touching it and says what to do. Nothing is deleted.

``renown.W010``: the host configured no Celery broker, so Renown runs its tasks in the
calling process (``renown.queue``), bulk refreshes included. ``renown.W011``: Django's
``CELERY_BROKER_URL`` is set but the Celery app Renown's tasks run on never read it.

``renown.E020``: a ``RENOWN_*`` setting of the wrong type or out of range.
``renown.W020``: a ``RENOWN_*`` setting no app knows (a typo, most likely), with the
closest known name, or one Renown no longer reads, with what replaced it. ``renown.E021``: ``RENOWN_ROLE_GROUPS`` is set without
``RENOWN_DEFAULT_ORGANIZATION``, the organisation its roles apply in.
``renown.W030``: no ``RENOWN_ENCRYPTION_KEYS``, so stored secrets are encrypted with a
key derived from ``SECRET_KEY`` (``renown.crypto``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.db import DatabaseError, connections

from renown import conf

# Every migration an earlier Renown recorded, by its old app label. A host's own app with
# one of these labels has other migration names, so it is never taken for Renown's.
EARLIER_MIGRATIONS: dict[str, frozenset[str]] = {
    "candidates": frozenset(
        {
            "0002_offline_reputation_networks",
            "0003_selfidentification",
            "0004_hooks_candidate_erased_at",
            "0004_ui_candidate_view",
            "0005_hooks_candidate_erased_index",
            "0005_ui_search_trigram_indexes",
            "0006_hooks_merge_ui",
            "0007_name_and_country_validators",
            "0008_organization_demo_build",
        }
    ),
    "hiring": frozenset(
        {
            "0002_auditevent",
            "0003_screening_review",
            "0004_rule_versions",
            "0005_rule_version_constraints",
            "0006_screening_fillfactor",
            "0007_fairness_bias_audit",
            "0007_ui_audit_event_types",
            "0008_ui_screening_outcome_index",
            "0009_merge_20261122_0232",
            "0010_audit_event_types",
            "0011_auditevent_demo_rebuilt",
        }
    ),
    "scoring": frozenset(
        {
            "0002_refresh_progress_flags_kred_outreach",
            "0003_score_history_covering_index",
            "0004_ui_latest_score",
        }
    ),
    "api": frozenset({"0002_idempotency_reservation", "0003_apitoken_verbose_name"}),
    "webhooks": frozenset({"0002_subscription_api_token"}),
}


def earlier_layout_migrations(alias: str = "default") -> list[tuple[str, str]]:
    """The earlier Renown's migrations recorded in database ``alias`` (none: a new layout)."""
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            if "django_migrations" not in connection.introspection.table_names(cursor):
                return []
            placeholders = ", ".join(["%s"] * len(EARLIER_MIGRATIONS))
            cursor.execute(
                f"SELECT app, name FROM django_migrations WHERE app IN ({placeholders})",  # noqa: S608 - placeholders only
                list(EARLIER_MIGRATIONS),
            )
            rows = cursor.fetchall()
    except DatabaseError:
        return []  # no database yet (or unreachable): Django's own checks say so
    return sorted((app, name) for app, name in rows if name in EARLIER_MIGRATIONS.get(app, ()))


def _describe(alias: str) -> str:
    settings_dict = connections[alias].settings_dict
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"the SQLite file {settings_dict['NAME']}"
    return f"the database {settings_dict['NAME']!r}"


@register(Tags.database)
def check_earlier_layout(
    app_configs: Sequence[AppConfig] | None = None,
    databases: Iterable[str] | None = None,
    **kwargs: object,
) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for alias in databases or ():
        found = earlier_layout_migrations(alias)
        if not found:
            continue
        errors.append(
            Error(
                f"{_describe(alias).capitalize()} was made by an earlier version of Renown "
                f"(before the plugin layout: {len(found)} migrations of the apps "
                f"{', '.join(sorted({app for app, _ in found}))}). Renown has not changed "
                "it, and will not.",
                hint=(
                    "Keep it and start a new database: move the old one aside (SQLite: "
                    "`mv db.sqlite3 db.sqlite3.before-plugin`; PostgreSQL: point "
                    "DATABASE_URL at a new, empty database), then run `make run` or "
                    "`manage.py migrate` again. The old data stays readable where you "
                    "moved it; nothing was deleted."
                ),
                id="renown.E001",
            )
        )
    return errors


@register()
def check_broker(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: object
) -> list[CheckMessage]:
    """No broker: Renown's tasks, bulk refreshes included, run inside requests and commands."""
    from renown.queue import broker_configured
    from renown.webhooks.tasks import deliver_task

    # The app Renown's shared tasks are bound to: the host's, or Celery's fallback.
    app = deliver_task.app
    if broker_configured(app):
        return []
    if getattr(settings, "CELERY_BROKER_URL", None):
        return [
            Warning(
                "CELERY_BROKER_URL is set, but the Celery app Renown's tasks run on "
                f"({app.main!r}) has no broker: Renown runs its tasks inside requests.",
                hint=(
                    "Load Django's settings into your Celery app "
                    "(app.config_from_object('django.conf:settings', namespace='CELERY')) "
                    "and import the app in your project package's __init__.py "
                    "(docs/install.md)."
                ),
                id="renown.W011",
            )
        ]
    return [
        Warning(
            "No Celery broker is configured: Renown runs its tasks inside requests "
            "and commands, so bulk refreshes run inside requests.",
            hint="Set CELERY_BROKER_URL and run a worker (docs/install.md).",
            id="renown.W010",
        )
    ]


@register()
def check_settings(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: object
) -> list[CheckMessage]:
    """Each RENOWN_* setting has its default's type and shape, and every one is known."""
    messages: list[CheckMessage] = []
    known = conf.known_settings()
    # A set: under override_settings, dir() names an overridden setting twice.
    for name in sorted({n for n in dir(settings) if n.startswith("RENOWN_")}):
        if name in conf.NOT_SETTINGS:
            continue
        setting = conf.lookup(name)
        if setting is None and (replacement := conf.retired_setting(name)) is not None:
            messages.append(
                Warning(
                    f"{name} is set, but Renown no longer reads it: it changes nothing.",
                    hint=f"Remove it; {replacement} (docs/install.md).",
                    id="renown.W020",
                )
            )
            continue
        if setting is None:
            close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
            messages.append(
                Warning(
                    f"{name} is set, but Renown has no such setting: it changes nothing.",
                    hint=(
                        f"Did you mean {close[0]}?"
                        if close
                        else "Check its spelling against the settings in docs/install.md."
                    ),
                    id="renown.W020",
                )
            )
            continue
        value = getattr(settings, name)
        if found := conf.problem(setting, value):
            messages.append(
                Error(
                    f"{name} = {value!r}: it {found}.",
                    hint=f"Its default is {setting.default!r} (see {setting.owner}).",
                    id="renown.E020",
                )
            )
    return messages


@register()
def check_role_groups(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: object
) -> list[CheckMessage]:
    """Roles from auth groups need the organisation they apply in."""
    if getattr(settings, "RENOWN_ROLE_GROUPS", None) and not getattr(
        settings, "RENOWN_DEFAULT_ORGANIZATION", ""
    ):
        return [
            Error(
                "RENOWN_ROLE_GROUPS is set but RENOWN_DEFAULT_ORGANIZATION is not: auth groups"
                " are not per organisation, so their roles apply in the default one only.",
                hint="Set RENOWN_DEFAULT_ORGANIZATION to your organisation's slug, or give"
                " people their roles with `manage.py renown_grant` instead.",
                id="renown.E021",
            )
        ]
    return []


@register()
def check_encryption_keys(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: object
) -> list[CheckMessage]:
    """No RENOWN_ENCRYPTION_KEYS: stored secrets are encrypted with a key from SECRET_KEY."""
    from renown.crypto import keys_configured

    if keys_configured():
        return []
    return [
        Warning(
            "RENOWN_ENCRYPTION_KEYS is empty: the ATS secrets and API credentials Renown "
            "stores are encrypted with a key derived from SECRET_KEY, so changing "
            "SECRET_KEY makes them unreadable.",
            hint="Set RENOWN_ENCRYPTION_KEYS to a list of Fernet keys (the standalone site "
            "reads them from its environment or a secret file); see docs/install.md.",
            id="renown.W030",
        )
    ]
