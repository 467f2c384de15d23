"""Selectors for the recruiter's candidate list: search, filters, sorting by any score.

Everything starts from ``candidates.selectors.candidate_list`` (the tenant gate).
Sorting by a score reads ``scoring.LatestScore`` along its (organization, scorer,
value, candidate) index, so a page of 100,000 candidates sorted by influence costs
an index walk, not a sort of every score. Candidates without that score come
after the scored ones, whatever the direction: no data is not a low score.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import overload

from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, QuerySet

from candidates.models import Candidate, SocialAccount
from candidates.selectors import UserLike, candidate_list
from hiring.models import Application, Job, Outcome, Screening
from renown.models import Organization
from scoring.models import AnomalyFlag, FlagKind, LatestScore, Vendor

SCORE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("influence", "Influence"),
    ("reputation", "Offline reputation"),
    *(
        (f"vendor.{value}", f"{label.split(' (')[0]} (on 0–100)")
        for value, label in Vendor.choices
        if value != Vendor.CUSTOM
    ),
)
SORTS: tuple[tuple[str, str], ...] = (
    ("name", "Name (A–Z)"),
    ("-name", "Name (Z–A)"),
    ("-added", "Newest first"),
    ("added", "Oldest first"),
    *((f"-{key}", f"{label}: highest first") for key, label in SCORE_COLUMNS),
    *((key, f"{label}: lowest first") for key, label in SCORE_COLUMNS),
)
FLAG_FILTERS: tuple[tuple[str, str], ...] = (
    ("any", "Any flag"),
    ("none", "No flags"),
    *FlagKind.choices,
)
_SCORER = re.compile(r"^(influence|reputation|vendor\.[a-z0-9_.-]{1,40})$")


@dataclass(frozen=True)
class ListQuery:
    """What the recruiter asked the list for; every value already validated."""

    q: str = ""
    job: Job | None = None
    outcome: str = ""
    flags: str = ""
    sort: str = "name"

    @property
    def scorer(self) -> str:
        """The scorer sorted by, or "" for a sort by name or date."""
        key = self.sort.removeprefix("-")
        return key if _SCORER.match(key) else ""

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")


def list_query_parse(
    *, params: Mapping[str, str], user: UserLike, organization: Organization
) -> tuple[ListQuery, list[str]]:
    """Read the list's GET parameters; unknown values are dropped and reported.

    Returns the query and the problems found (one message per bad parameter), so
    the page can say which filter it ignored instead of silently showing more.
    """
    problems: list[str] = []
    q = str(params.get("q", "")).strip()[:200]
    job: Job | None = None
    if raw_job := params.get("job", ""):
        try:
            job_id = int(raw_job)
        except ValueError:
            job_id = 0
        job = Job.objects.filter(pk=job_id, organization=organization).first()
        if job is None:
            problems.append("Unknown job: the job filter was ignored.")
    outcome = params.get("outcome", "")
    if outcome and outcome not in Outcome.values:
        problems.append("Unknown outcome: the outcome filter was ignored.")
        outcome = ""
    flags = params.get("flags", "")
    if flags and flags not in dict(FLAG_FILTERS):
        problems.append("Unknown flag: the flag filter was ignored.")
        flags = ""
    sort = params.get("sort", "") or "name"
    key = sort.removeprefix("-")
    if key not in {"name", "added"} and not _SCORER.match(key):
        problems.append("Unknown sort: sorted by name instead.")
        sort = "name"
    return ListQuery(q=q, job=job, outcome=outcome, flags=flags, sort=sort), problems


def _filtered(
    *, user: UserLike, organization: Organization, query: ListQuery
) -> QuerySet[Candidate]:
    candidates = candidate_list(user=user, organization=organization)
    if query.q:
        # One semi-join over three searches, each of which PostgreSQL answers from a
        # trigram index (candidates migration 0005): far cheaper than OR-ing them row by row.
        in_org = Candidate.objects.filter(organization=organization).order_by()
        matches = (
            in_org.filter(name__icontains=query.q)
            .values("pk")
            .union(in_org.filter(email__icontains=query.q).values("pk"))
            .union(
                SocialAccount.objects.filter(
                    candidate__organization=organization, handle__icontains=query.q
                )
                .order_by()
                .values("candidate_id")
            )
        )
        candidates = candidates.filter(pk__in=matches)
    if query.job is not None and not query.outcome:
        # The job's candidates are its applications (screening a candidate records one).
        # A plain IN: PostgreSQL hashes it once, or starts from it when it is small.
        candidates = candidates.filter(
            pk__in=Application.objects.filter(job=query.job).order_by().values("candidate_id")
        )
    if query.outcome:
        # A plain IN (not a correlated EXISTS): PostgreSQL can then start from the
        # (job, outcome) index and sort the few matches, instead of walking every
        # candidate by name and probing each.
        screenings = Screening.objects.filter(outcome=query.outcome)
        if query.outcome == Outcome.NEAR_THRESHOLD:
            # Near the line on any rule, even when the combination says otherwise ("near
            # 40 on influence OR no reputation on record" combines to insufficient data):
            # these are the people a point of noise decides, whom recruiters look for.
            screenings = Screening.objects.filter(
                Q(outcome=Outcome.NEAR_THRESHOLD) | Q(reasons__icontains=Outcome.NEAR_THRESHOLD)
            )
        if query.job is not None:
            screenings = screenings.filter(job=query.job)
        candidates = candidates.filter(pk__in=screenings.order_by().values("candidate_id"))
    if query.flags:
        flags = AnomalyFlag.objects.filter(candidate=OuterRef("pk"))
        if query.flags == "none":
            candidates = candidates.exclude(Exists(flags))
        elif query.flags == "any":
            candidates = candidates.filter(Exists(flags))
        else:
            candidates = candidates.filter(Exists(flags.filter(kind=query.flags)))
    return candidates


class CandidatePages:
    """The filtered list in its order, sliceable and countable for Django's Paginator.

    Sorted by a score it is two queries glued together: the candidates with that
    score in score order (along the LatestScore index), then those without it by
    name. ``counts`` returns (all, scored) in one go; without it each part is counted.
    """

    def __init__(
        self,
        first: QuerySet[Candidate],
        second: QuerySet[Candidate] | None = None,
        counts: Callable[[], tuple[int, int]] | None = None,
    ) -> None:
        self.first = first
        self.second = second
        self._counts = counts
        self._total: int | None = None
        self._head: int | None = None

    def _count_both(self) -> None:
        if self._total is not None:
            return
        if self.second is None:
            self._total = self._head = self.first.count()
        elif self._counts is not None:
            self._total, self._head = self._counts()
        else:
            self._head = self.first.count()
            self._total = self._head + self.second.count()

    def count(self) -> int:
        """How many candidates the list holds."""
        self._count_both()
        assert self._total is not None  # noqa: S101 - set just above
        return self._total

    def head(self) -> int:
        """How many come from the first query (those with the sorted-by score)."""
        self._count_both()
        assert self._head is not None  # noqa: S101 - set just above
        return self._head

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> Candidate: ...
    @overload
    def __getitem__(self, index: slice) -> list[Candidate]: ...
    def __getitem__(self, index: int | slice) -> Candidate | list[Candidate]:
        if isinstance(index, int):
            found = self[index : index + 1]
            if not found:
                raise IndexError(index)
            return found[0]
        start, stop = index.start or 0, index.stop
        if self.second is None:
            return list(self.first[start:stop])
        head = self.head()
        stop = self.count() if stop is None else stop
        rows = list(self.first[start : min(stop, head)]) if start < head else []
        if stop > head:
            rows += list(self.second[max(start - head, 0) : stop - head])
        return rows

    def __iter__(self) -> Iterator[Candidate]:
        yield from self.first.iterator(chunk_size=2000)
        if self.second is not None:
            yield from self.second.iterator(chunk_size=2000)


def _is_filtered(query: ListQuery) -> bool:
    return bool(query.q or query.job or query.outcome or query.flags)


def candidate_pages(
    *, user: UserLike, organization: Organization, query: ListQuery
) -> CandidatePages:
    """The organisation's candidates matching ``query``, in its order (see CandidatePages)."""
    candidates = _filtered(user=user, organization=organization, query=query)
    if not query.scorer:
        field_name = "name" if query.sort.removeprefix("-") == "name" else "created_at"
        ordering = [f"-{field_name}", "-id"] if query.descending else [field_name, "id"]
        return CandidatePages(candidates.order_by(*ordering))
    scorer = query.scorer
    value = F("latest_scores__value")
    scored = candidates.filter(
        latest_scores__scorer=scorer, latest_scores__organization=organization
    ).order_by(
        value.desc() if query.descending else value.asc(), "-id" if query.descending else "id"
    )
    unscored = candidates.exclude(
        Exists(LatestScore.objects.filter(candidate=OuterRef("pk"), scorer=scorer))
    ).order_by("name", "id")

    def counts() -> tuple[int, int]:
        if not user.is_authenticated:
            return 0, 0
        if not _is_filtered(query):
            # Unfiltered, the scored count is an index-only count of LatestScore (same gate).
            head = LatestScore.objects.filter(
                organization=organization,
                organization__memberships__user_id=int(user.pk),
                scorer=scorer,
            ).count()
            return candidates.count(), head
        both = candidates.annotate(
            sorted_score=FilteredRelation(
                "latest_scores", condition=Q(latest_scores__scorer=scorer)
            )
        ).aggregate(total=Count("pk"), scored=Count("sorted_score__id"))
        return both["total"], both["scored"]

    return CandidatePages(scored, unscored, counts)


@dataclass
class CandidateRow:
    """One line of the list: the candidate and what the list shows about them."""

    candidate: Candidate
    scores: dict[str, Decimal] = field(default_factory=dict)
    flags: int = 0
    screening: Screening | None = None
    sorted_by: str = ""

    @property
    def sorted_value(self) -> Decimal | None:
        """The value of the score the list is sorted by, if any."""
        return self.scores.get(self.sorted_by)

    @property
    def influence(self) -> Decimal | None:
        return self.scores.get("influence")

    @property
    def reputation(self) -> Decimal | None:
        return self.scores.get("reputation")


def candidate_rows(
    *, candidates: Sequence[Candidate], job: Job | None = None, scorer: str = ""
) -> list[CandidateRow]:
    """The page's candidates with their latest scores, flag counts and screening for ``job``.

    Three queries whatever the page size (two without a job).
    """
    rows = [CandidateRow(candidate, sorted_by=scorer) for candidate in candidates]
    by_id = {row.candidate.pk: row for row in rows}
    if not by_id:
        return rows
    for candidate_id, scorer, value in LatestScore.objects.filter(
        candidate_id__in=list(by_id)
    ).values_list("candidate_id", "scorer", "value"):
        by_id[candidate_id].scores[scorer] = value
    for candidate_id, count in (
        AnomalyFlag.objects.filter(candidate_id__in=list(by_id))
        .values("candidate_id")
        .annotate(n=Count("pk"))
        .values_list("candidate_id", "n")
    ):
        by_id[candidate_id].flags = count
    if job is not None:
        for screening in Screening.objects.filter(job=job, candidate_id__in=list(by_id)):
            by_id[screening.candidate_id].screening = screening
    return rows


# A leading ' is itself quoted, so that dropping one leading ' from any cell that has
# one gives the original text back (the audit-trail export is verified from its cells).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")
CSV_HEADER = (
    "public_id",
    "name",
    "email",
    *(key for key, _ in SCORE_COLUMNS),
    "flags",
    "job_outcome",
    "job_suggestion",
)


def csv_cell(value: object) -> str:
    """A cell spreadsheets will not run: text starting with = + - @ (or a tab/CR) gets a ``'``.

    OWASP "CSV injection": a spreadsheet treats such a cell as a formula. Text that
    already starts with ``'`` gets one more, so removing one leading ``'`` from a
    cell that starts with one always restores the text exactly.
    """
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def candidate_csv_lines(*, pages: CandidatePages, job: Job | None) -> Iterator[list[str]]:
    """The header, then one CSV row per candidate of the filtered list, in its order.

    Reads in chunks of 1,000 so an export of 100,000 candidates streams in bounded memory.
    """
    yield list(CSV_HEADER)
    chunk: list[Candidate] = []

    def flush() -> Iterator[list[str]]:
        for row in candidate_rows(candidates=chunk, job=job):
            yield [
                csv_cell(row.candidate.public_id),
                csv_cell(row.candidate.name),
                csv_cell(row.candidate.email),
                *(csv_cell(row.scores.get(key, "")) for key, _ in SCORE_COLUMNS),
                str(row.flags),
                csv_cell(row.screening.outcome if row.screening else ""),
                csv_cell(row.screening.suggestion if row.screening else ""),
            ]

    for candidate in pages:
        chunk.append(candidate)
        if len(chunk) == 1000:
            yield from flush()
            chunk = []
    if chunk:
        yield from flush()
