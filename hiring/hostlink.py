"""Keep a Renown candidate for every record of the host's own candidate model.

Saving a host record creates or updates its candidate when the host's transaction
commits; deleting it erases the candidate as the API's ``DELETE`` does. A Renown failure
never rolls back or blocks the host's save: it is logged and ``host_reconcile`` (the
``renown_link_host`` command, nightly under beat) puts it right, together with whatever
bypassed the signals (``QuerySet.update()``, raw SQL, bulk loads).

The link model and the reading of host records live in ``candidates``
(``candidates.models.HostLink``, ``candidates.hostlink``); this module is in ``hiring``
because erasure is hiring's use case. Every write goes through the services.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

from candidates.hostlink import HostValues, host_model, host_values, is_host_model
from candidates.models import Candidate, CandidateNotice, HostLink, HostLinkErasure
from candidates.services import account_attach, candidate_create, candidate_update, notice_record
from hiring.ats.models import CandidateLink, LinkKind
from renown import conf as renown_conf
from renown.models import AuditEventType, Organization
from renown.trail import audit_batch

logger = logging.getLogger(__name__)

ATS_SOURCE = "host"
ACTOR = "host-link"
# The candidate fields a host record sets (organization is chosen once, at creation).
SYNCED_FIELDS = ("name", "email", "country", "region", "external_id")


class HostLinkError(Exception):
    """A host record Renown cannot link (no organisation to put the candidate in)."""


def _organization(values: HostValues, obj: models.Model) -> Organization:
    slug = values["organization"] or renown_conf.get("RENOWN_DEFAULT_ORGANIZATION")
    if not slug:
        raise HostLinkError(
            f"{obj._meta.label} pk={obj.pk!r}: no organisation (set "
            "RENOWN_DEFAULT_ORGANIZATION or map 'organization')"
        )
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        raise HostLinkError(f"{obj._meta.label} pk={obj.pk!r}: no organisation {slug!r}")
    return organization


def _add_extras(candidate: Candidate, values: HostValues) -> None:
    """What the adapter gave besides the fields: accounts, links and notices (kept once)."""
    for account in values["accounts"]:
        account_attach(
            candidate=candidate, network=account["network"], handle=account["handle"], actor=ACTOR
        )
    for url in values["links"]:
        CandidateLink.objects.get_or_create(
            candidate=candidate, url=url, defaults={"kind": LinkKind.WEBSITE, "source": ATS_SOURCE}
        )
    for given in values["notices"]:
        if CandidateNotice.objects.filter(
            candidate=candidate, kind=given["kind"], given_at=given["given_at"]
        ).exists():
            continue
        notice_record(
            candidate=candidate,
            kind=given["kind"],
            given_at=given["given_at"],
            lawful_basis=given.get("lawful_basis", ""),
            document_version=given.get("document_version", ""),
            withdrawn_at=given.get("withdrawn_at"),
            source=ATS_SOURCE,
            actor=ACTOR,
        )


def _named(obj: models.Model, exc: ValidationError) -> ValidationError:
    """The candidate's validation errors, each naming the host object it came from."""
    where = f"{obj._meta.label} pk={obj.pk!r}"
    if hasattr(exc, "error_dict"):
        return ValidationError(
            {
                field: [f"{where}: {m}" for m in messages]
                for field, messages in exc.message_dict.items()
            }
        )
    return ValidationError([f"{where}: {m}" for m in exc.messages])


def host_sync(
    obj: models.Model,
    *,
    link: HostLink | None = None,
    known: bool = False,
    erased: bool | None = None,
    extras: bool = True,
) -> str:
    """Create or update the Renown candidate of host record ``obj``.

    Returns ``"created"``, ``"updated"`` or ``"unchanged"`` (the candidate is saved only
    when a mapped value differs), or ``"withheld"`` when the person was erased through
    Renown while the record stayed (``HostLinkErasure``): no new profile is built for
    them. ``erased``: the caller already knows whether such a marker exists. The adapter's accounts, links and notices are added when
    the candidate is made and, with ``extras``, on every update (each is kept once; one the
    host dropped stays). ``link``/``known``: the caller already read the link (the
    reconcile reads a batch's links at once, and leaves out the extras of linked records
    to keep an unchanged record free of queries). The organisation is chosen when the
    candidate is made. Raises ValidationError naming the host object and the field, or
    HostLinkError when there is no organisation.
    """
    values = host_values(obj)
    if not known:
        link = (
            HostLink.objects.select_related("candidate")
            .filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))
            .first()
        )
    try:
        if link is None:
            if erased is None:
                erased = HostLinkErasure.objects.filter(
                    content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
                ).exists()
            if erased:
                return "withheld"
            with transaction.atomic():
                candidate = candidate_create(
                    organization=_organization(values, obj),
                    ats_source=ATS_SOURCE,
                    actor=ACTOR,
                    **{field: values[field] for field in SYNCED_FIELDS},  # type: ignore[literal-required]
                )
                HostLink.objects.create(
                    candidate=candidate,
                    content_type=ContentType.objects.get_for_model(obj),
                    object_id=str(obj.pk),
                )
                _add_extras(candidate, values)
            return "created"
        candidate = link.candidate
        if extras and (values["accounts"] or values["links"] or values["notices"]):
            with transaction.atomic():
                _add_extras(candidate, values)
        changes = {
            field: values[field]  # type: ignore[literal-required]
            for field in SYNCED_FIELDS
            if getattr(candidate, field) != values[field]  # type: ignore[literal-required]
        }
        if not changes:
            return "unchanged"  # no write, not even a savepoint
        with transaction.atomic():  # a savepoint inside a reconcile's batch
            candidate_update(candidate=candidate, changes=changes, actor=ACTOR)
        return "updated"
    except ValidationError as exc:
        raise _named(obj, exc) from None


def host_unlink(*, content_type: ContentType, object_id: str) -> bool:
    """Erase the candidate of a deleted host record as the API's ``DELETE`` does.

    Retention holds included, ``candidate.erased`` emitted, the erasure in the audit
    trail (``hiring.privacy.services.candidate_erase``, which also deletes the link).
    False when the record had no candidate.
    """
    from hiring.privacy.services import candidate_erase

    link = (
        HostLink.objects.select_related("candidate")
        .filter(content_type=content_type, object_id=object_id)
        .first()
    )
    if link is not None:
        candidate_erase(candidate=link.candidate, actor=ACTOR)
    # The record is gone: nothing is left to keep from being linked again.
    HostLinkErasure.objects.filter(content_type=content_type, object_id=object_id).delete()
    return link is not None


def host_relink(*, content_type: ContentType, object_id: str) -> bool:
    """Let a host record whose person was erased through Renown be linked again.

    For when the person asks to be screened again: the marker goes, and the record's
    next save (or ``renown_link_host``) builds a new profile. False when there was none.
    """
    deleted, _ = HostLinkErasure.objects.filter(
        content_type=content_type, object_id=object_id
    ).delete()
    return bool(deleted)


# --- signals --------------------------------------------------------------------------


def _safely(action: Callable[[], object], what: str) -> Callable[[], None]:
    def run() -> None:
        try:
            action()
        except Exception:
            # Never the host's problem: its save has committed. The nightly reconcile
            # (renown_link_host) tries again.
            logger.exception("Renown host link: %s failed; renown_link_host will retry", what)

    return run


def _on_save(
    sender: type[models.Model],
    instance: models.Model,
    *,
    raw: bool = False,
    using: str | None = None,
    **kwargs: object,
) -> None:
    if raw or not is_host_model(sender):
        return  # fixtures (loaddata) are reconciled by renown_link_host
    using = using or "default"
    transaction.on_commit(
        _safely(lambda: host_sync(instance), f"sync of {sender._meta.label} pk={instance.pk!r}"),
        using=using,
    )


def _on_delete(
    sender: type[models.Model],
    instance: models.Model,
    *,
    using: str | None = None,
    **kwargs: object,
) -> None:
    if not is_host_model(sender):
        return
    content_type = ContentType.objects.get_for_model(sender)
    object_id = str(instance.pk)  # Django clears the pk after the signals
    using = using or "default"
    transaction.on_commit(
        _safely(
            lambda: host_unlink(content_type=content_type, object_id=object_id),
            f"erasure for {sender._meta.label} pk={object_id!r}",
        ),
        using=using,
    )


def connect() -> None:
    """Listen to every model's saves and deletes (HiringConfig.ready).

    The receivers compare the sender's label with RENOWN_HOST_CANDIDATE_MODEL at each
    signal, so the setting can change (tests, ``override_settings``) and an unconfigured
    host pays one string comparison per save.
    """
    post_save.connect(_on_save, dispatch_uid="renown.hostlink.save")
    post_delete.connect(_on_delete, dispatch_uid="renown.hostlink.delete")


# --- reconcile ------------------------------------------------------------------------


@dataclass
class ReconcileResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    erased: int = 0
    withheld: int = 0
    failed: int = 0
    configured: bool = True

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.erased

    def summary(self) -> str:
        if not self.configured:
            return "No host candidate model (RENOWN_HOST_CANDIDATE_MODEL): nothing to link."
        counts = (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.erased} erased, "
            + (f"{self.withheld} withheld (erased through Renown), " if self.withheld else "")
            + f"{self.failed} failed"
        )
        return counts + ("" if self.changed or self.failed else " (nothing changed)")


def _host_batches(model: type[models.Model], batch: int) -> Iterator[list[models.Model]]:
    """The host's records in primary-key order, ``batch`` at a time (keyset pagination)."""
    queryset = model._default_manager.order_by("pk")
    last: object = None
    while True:
        page = list((queryset if last is None else queryset.filter(pk__gt=last))[:batch])
        if not page:
            return
        yield page
        last = page[-1].pk


def host_reconcile(
    *, batch: int = 500, progress: Callable[[int], object] | None = None
) -> ReconcileResult:
    """Link every host record and reconcile what bypassed the signals. Idempotent.

    Creates candidates for unlinked records, updates those whose mapped values differ,
    erases (as the API does) candidates whose host record is gone. Reads the host's
    records and their links a batch at a time; a record that fails is logged and counted,
    and the run goes on. ``progress(n)`` is called after each batch of host records.
    Does nothing when no host model is configured.
    """
    model = host_model()
    if model is None:
        return ReconcileResult(configured=False)
    result = ReconcileResult()
    content_type = ContentType.objects.get_for_model(model)
    links = HostLink.objects.filter(content_type=content_type).select_related("candidate")
    for page in _host_batches(model, batch):
        with audit_batch(actor=ACTOR, event_type=AuditEventType.HOST_LINK_RECONCILED) as audit:
            _reconcile_page(page, links, content_type, result)
            audit.after["host_model"] = model._meta.label
        if progress is not None:
            progress(len(page))
    result.erased, failed = _erase_orphans(model, content_type, batch)
    result.failed += failed
    return result


def _reconcile_page(
    page: list[models.Model],
    links: models.QuerySet[HostLink],
    content_type: ContentType,
    result: ReconcileResult,
) -> None:
    """Sync one batch of host records (one transaction, one audit event: host_reconcile)."""
    object_ids = [str(o.pk) for o in page]
    by_id = {link.object_id: link for link in links.filter(object_id__in=object_ids)}
    unlinked = [i for i in object_ids if i not in by_id]
    erased = (
        set(
            HostLinkErasure.objects.filter(
                content_type=content_type, object_id__in=unlinked
            ).values_list("object_id", flat=True)
        )
        if unlinked
        else set()
    )
    for obj in page:
        try:
            outcome = host_sync(
                obj,
                link=by_id.get(str(obj.pk)),
                known=True,
                erased=str(obj.pk) in erased,
                extras=False,
            )
        except Exception:
            logger.exception("Renown host link: %s pk=%r failed", type(obj)._meta.label, obj.pk)
            result.failed += 1
            continue
        setattr(result, outcome, getattr(result, outcome) + 1)


def _erase_orphans(
    model: type[models.Model], content_type: ContentType, batch: int
) -> tuple[int, int]:
    """Erase the candidates whose host record is gone; (erased, failed)."""
    erased = failed = 0
    links = HostLink.objects.filter(content_type=content_type).order_by("object_id")
    last = ""
    while True:
        chunk = list(links.filter(object_id__gt=last).values_list("object_id", flat=True)[:batch])
        if not chunk:
            return erased, failed
        last = chunk[-1]
        present = {
            str(pk)
            for pk in model._default_manager.filter(pk__in=_host_pks(model, chunk)).values_list(
                "pk", flat=True
            )
        }
        for object_id in chunk:
            if object_id in present:
                continue
            try:
                erased += host_unlink(content_type=content_type, object_id=object_id)
            except Exception:
                logger.exception("Renown host link: erasure for %s pk=%r failed", model, object_id)
                failed += 1


def _host_pks(model: type[models.Model], object_ids: Sequence[str]) -> list[object]:
    """The link's text ids as the host's primary keys (those that cannot be one are gone)."""
    pks = []
    for object_id in object_ids:
        try:
            pks.append(model._meta.pk.to_python(object_id))
        except ValidationError:
            continue
    return pks
