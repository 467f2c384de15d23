"""The latest value of each vendor's score and each raw metric, one row per person.

A rule on ``vendor:klout`` or ``metric:followers`` aggregated as "latest" used to find
every candidate's newest vendor score, or newest day of snapshots, in the history on
every preview and screening. The answer changes only when vendor scores or snapshots
are written, so it is kept in ``LatestReading`` (as ``LatestScore`` keeps the scorers')
and ``hiring.screening.kept`` reads one row per person.

**Kept up to date**, set-based, in the transaction that writes:

- ``vendor_readings_upsert``: after vendor scores are written (the import, a single
  score recorded through the service, the API or the demo), the candidates' vendor
  rows from their vendor-score history (a few rows each);
- ``snapshot_readings_upsert``: after a refresh batch records its snapshots, the
  newest UTC day each new snapshot's numbers fall on, summed again over the
  candidate's accounts that day;
- ``readings_rebuild``: a candidate's rows again from history (``window_stats --org``,
  an account leaving or rejoining the active ones or removed, ``connect``; the
  migration that made the table);
- ``readings_purged``: after the retention purge, the raw-metric rows whose snapshots
  are all gone.

A write replaces a stored row only when it is at least as recent (``as_of``): a
backfill of an older reading never hides a newer one. The set of blendable providers
is a setting: after changing it, rebuild (``window_stats --all``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Final

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save

from candidates.models import AccountStatus, Candidate, SocialAccount
from scoring import providers
from scoring.models import FetchStatus, LatestReading, MetricSnapshot, VendorScore

VENDOR_PREFIX: Final = "vendor:"
METRIC_PREFIX: Final = "metric:"
# The raw metrics a rule can name (``hiring.screening.metrics``): others are not kept.
_NAME = re.compile(r"^[a-z0-9_]{1,50}$")
_NAME_SQL: Final = "^[a-z0-9_]{1,50}$"
_CHUNK: Final = 5000

_Key = tuple[int, str]  # (candidate id, metric)
_Param = int | str | list[int] | list[str]  # what these statements bind


def _quote(model: type[object]) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))  # type: ignore[attr-defined]


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start : start + _CHUNK]


def _in_ids(column: str, ids: list[int]) -> tuple[str, list[_Param]]:
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [ids]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def _upsert_guard() -> str:
    table = _quote(LatestReading)
    return (
        "ON CONFLICT (candidate_id, metric) DO UPDATE SET value = excluded.value, "
        f"as_of = excluded.as_of WHERE {table}.as_of <= excluded.as_of"
    )


# --- vendor scores --------------------------------------------------------------------


def vendor_readings_upsert(candidate_ids: Iterable[int]) -> None:
    """The candidates' ``vendor:…`` rows from their vendor scores (call where they are written).

    Per candidate and vendor (a custom vendor by its name), the newest score, the last
    written on a tie, as the screening history reads it; midnight UTC of its day is
    ``as_of``. One statement per chunk of candidates, on SQLite and PostgreSQL; call
    inside the transaction that wrote the scores.
    """
    table, vendor, candidates = _quote(LatestReading), _quote(VendorScore), _quote(Candidate)
    if connection.vendor == "postgresql":
        at = "(v.as_of::timestamp AT TIME ZONE 'UTC')"
    else:
        at = "(v.as_of || ' 00:00:00')"
    name = "CASE WHEN v.vendor = 'custom' THEN v.vendor_name ELSE v.vendor END"
    metric = f"('{VENDOR_PREFIX}' || {name})"
    # No savepoint of its own: the writers call it inside theirs.
    with connection.cursor() as cursor:
        for chunk in _chunks(candidate_ids):
            where, params = _in_ids("v.candidate_id", chunk)
            # Our own table and column names; the ids are bound parameters.
            cursor.execute(
                f"INSERT INTO {table} (candidate_id, organization_id, metric, value, as_of) "  # noqa: S608
                "SELECT candidate_id, organization_id, metric, value, at FROM ("
                f"SELECT v.candidate_id, c.organization_id, {metric} AS metric, v.value, {at} AS at, "
                f"row_number() OVER (PARTITION BY v.candidate_id, {metric} "
                "ORDER BY v.as_of DESC, v.id DESC) AS n "
                f"FROM {vendor} v JOIN {candidates} c ON c.id = v.candidate_id WHERE {where}) t "
                f"WHERE n = 1 {_upsert_guard()}",
                params,
            )


# --- raw metrics from snapshots -------------------------------------------------------


def _snapshot_sql(selected: str) -> str:
    """PostgreSQL: the raw-metric rows for the (candidate, metric, newest day) pairs the
    snapshots ``selected`` (a WHERE on ``s`` and ``a``) give, each day summed again over
    all the candidate's accounts, upserted."""
    table, snapshot, account, candidates = (
        _quote(LatestReading), _quote(MetricSnapshot), _quote(SocialAccount), _quote(Candidate)
    )  # fmt: skip
    counted = "a.status = %(active)s AND s.status = %(ok)s AND s.provider = ANY(%(providers)s)"
    return (
        f"WITH d AS (SELECT a.candidate_id, k.key AS name, "  # noqa: S608
        "max((s.observed_at AT TIME ZONE 'UTC')::date) AS day "
        f"FROM {snapshot} s JOIN {account} a ON a.id = s.account_id "
        "CROSS JOIN LATERAL jsonb_each(s.metrics) k "
        f"WHERE {selected} AND {counted} AND jsonb_typeof(k.value) = 'number' "
        "AND k.key ~ %(names)s GROUP BY a.candidate_id, k.key), "
        # Each account's last value that day (as the screening history sums them).
        "l AS (SELECT DISTINCT ON (d.candidate_id, d.name, s.account_id) d.candidate_id, "
        "d.name, s.observed_at, (s.metrics ->> d.name)::numeric AS v "
        f"FROM d JOIN {account} a ON a.candidate_id = d.candidate_id "
        f"JOIN {snapshot} s ON s.account_id = a.id WHERE {counted} "
        "AND s.observed_at >= (d.day::timestamp AT TIME ZONE 'UTC') "
        "AND s.observed_at < ((d.day + 1)::timestamp AT TIME ZONE 'UTC') "
        "AND jsonb_typeof(s.metrics -> d.name) = 'number' "
        "ORDER BY d.candidate_id, d.name, s.account_id, s.observed_at DESC, s.id DESC) "
        f"INSERT INTO {table} (candidate_id, organization_id, metric, value, as_of) "
        f"SELECT l.candidate_id, c.organization_id, '{METRIC_PREFIX}' || l.name, sum(l.v), "
        f"max(l.observed_at) FROM l JOIN {candidates} c ON c.id = l.candidate_id "
        f"GROUP BY l.candidate_id, c.organization_id, l.name {_upsert_guard()}"
    )


def _snapshot_params(**more: _Param) -> dict[str, _Param]:
    return {
        "active": AccountStatus.ACTIVE.value,
        "ok": FetchStatus.OK.value,
        "providers": list(providers.blendable_networks()),
        "names": _NAME_SQL,
        **more,
    }


def _number(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return Decimal(str(value))


def _snapshot_latest_python(candidate_ids: Sequence[int]) -> dict[_Key, tuple[Decimal, datetime]]:
    """The raw-metric rows of the candidates folded from their snapshots (SQLite)."""
    rows = (
        MetricSnapshot.objects.filter(
            account__candidate_id__in=list(candidate_ids),
            account__status=AccountStatus.ACTIVE,
            status=FetchStatus.OK,
            provider__in=providers.blendable_networks(),
        )
        .order_by("observed_at", "id")
        .values_list("account__candidate_id", "account_id", "observed_at", "metrics")
    )
    # Each account's last value per (metric, UTC day), later rows winning.
    last: dict[tuple[int, str, date, int], tuple[datetime, Decimal]] = {}
    for candidate_id, account_id, observed_at, metrics in rows.iterator(chunk_size=5000):
        if not isinstance(metrics, dict):
            continue
        day = observed_at.astimezone(UTC).date()
        for name, raw in metrics.items():
            number = _number(raw)
            if number is not None and _NAME.match(name):
                last[(candidate_id, name, day, account_id)] = (observed_at, number)
    days: dict[tuple[int, str, date], tuple[datetime, Decimal]] = {}
    for (candidate_id, name, day, _), (observed_at, number) in last.items():
        at, total = days.get((candidate_id, name, day), (observed_at, Decimal(0)))
        days[(candidate_id, name, day)] = (max(at, observed_at), total + number)
    newest: dict[_Key, tuple[date, Decimal, datetime]] = {}
    for (candidate_id, name, day), (at, total) in days.items():
        key = (candidate_id, METRIC_PREFIX + name)
        if key not in newest or newest[key][0] < day:
            newest[key] = (day, total, at)
    return {key: (total, at) for key, (_, total, at) in newest.items()}


def _upsert_python(found: dict[_Key, tuple[Decimal, datetime]]) -> None:
    if not found:
        return
    organizations = dict(
        Candidate.objects.filter(pk__in={c for c, _ in found}).values_list("pk", "organization_id")
    )
    ops = connection.ops
    field = LatestReading._meta.get_field("value")
    sql = (
        f"INSERT INTO {_quote(LatestReading)} "  # noqa: S608
        "(candidate_id, organization_id, metric, value, as_of) "
        f"VALUES (%s, %s, %s, %s, %s) {_upsert_guard()}"
    )
    params = [
        (
            candidate_id,
            organizations[candidate_id],
            metric,
            field.get_db_prep_save(value, connection),
            ops.adapt_datetimefield_value(at),
        )
        for (candidate_id, metric), (value, at) in sorted(found.items())
        if candidate_id in organizations
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def snapshot_readings_upsert(*, cycle_id: int, account_ids: Sequence[int]) -> None:
    """The ``metric:…`` rows the cycle's new snapshots of these accounts touch.

    Per candidate and raw metric, the newest UTC day among the new snapshots with a
    number for it: if that day is at least the stored one, the day is summed again over
    all the candidate's counted accounts (active, fetched OK, blendable provider). One
    statement on PostgreSQL; elsewhere the touched candidates are folded here.
    """
    if not account_ids:
        return
    # No savepoint of its own: the refresh calls it inside its transaction.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _snapshot_sql("s.cycle_id = %(cycle)s AND s.account_id = ANY(%(accounts)s)"),
                _snapshot_params(cycle=cycle_id, accounts=list(account_ids)),
            )
        return
    candidate_ids = sorted(
        set(
            SocialAccount.objects.filter(pk__in=list(account_ids)).values_list(
                "candidate_id", flat=True
            )
        )
    )
    _upsert_python(_snapshot_latest_python(candidate_ids))


# --- rebuild and purge ----------------------------------------------------------------


def readings_rebuild(candidate_ids: Iterable[int], *, vendors: bool = True) -> None:
    """The candidates' rows again from history (their ``metric:…`` rows only: ``vendors``
    False). Idempotent; call inside the caller's transaction or alone."""
    with transaction.atomic():
        for chunk in _chunks(candidate_ids):
            rows = LatestReading.objects.filter(candidate_id__in=chunk)
            if not vendors:
                rows = rows.filter(metric__startswith=METRIC_PREFIX)
            rows.delete()
            if vendors:
                vendor_readings_upsert(chunk)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        _snapshot_sql("a.candidate_id = ANY(%(ids)s)"),
                        _snapshot_params(ids=chunk),
                    )
            else:
                _upsert_python(_snapshot_latest_python(chunk))


def _account_saved(
    sender: type[SocialAccount],
    instance: SocialAccount,
    created: bool,
    update_fields: frozenset[str] | None,
    **kwargs: object,
) -> None:
    # A new account has no snapshots yet; a save that leaves the status alone changes
    # nothing a raw metric sums.
    if created or (update_fields is not None and "status" not in update_fields):
        return
    readings_rebuild([instance.candidate_id], vendors=False)


def _account_deleted(
    sender: type[SocialAccount], instance: SocialAccount, **kwargs: object
) -> None:
    # Its snapshots went before it: the candidate's sums are those of the others.
    readings_rebuild([instance.candidate_id], vendors=False)


def connect() -> None:
    """Rebuild a candidate's raw-metric rows when one of its accounts joins or leaves the
    active ones or goes, however (a recruiter's verdict, the API, the admin, an erasure);
    ``ScoringConfig.ready``. A refresh's status updates (querysets) keep them itself."""
    post_save.connect(_account_saved, sender=SocialAccount, dispatch_uid="renown.readings.save")
    post_delete.connect(
        _account_deleted, sender=SocialAccount, dispatch_uid="renown.readings.delete"
    )


def table_exists() -> bool:
    """Whether ``LatestReading``'s table is there: an older migration's data step (0003)
    runs the rebuild before the migration that makes it."""
    return LatestReading._meta.db_table in connection.introspection.table_names()


def readings_purged(*, before: datetime) -> int:
    """Drop the raw-metric rows older than ``before`` (their snapshots were purged)."""
    deleted, _ = LatestReading.objects.filter(
        Q(metric__startswith=METRIC_PREFIX), as_of__lt=before
    ).delete()
    return deleted
