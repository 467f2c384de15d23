"""`bias_audit`'s fast path (a plain file counted column by column) gives the audit the
reference computation gives: one ``AuditRecord`` per row with an exact ``Decimal`` score,
the median and every comparison in ``Fraction`` (as ``audit()`` did before it sorted the
scores as they are; ``audit()`` is held to the same). Random files: ties at the median, even and odd sizes, unknown and
padded labels, scores with many digits, separators, line endings, chunk boundaries."""

from __future__ import annotations

import io
import json
import math
import random
import re
import tempfile
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import hiring.management.commands.bias_audit as command
from hiring.fairness.bias_audit import (
    RACE_ETHNICITY_CATEGORIES,
    AuditRecord,
    AuditResult,
    CellKey,
    audit,
    audit_counts,
    audit_report,
    race_ethnicity_from_label,
    sex_from_label,
)


def reference(records: list[AuditRecord]) -> AuditResult:
    """The audit computed the slow, obvious way: every score a Fraction."""
    mode = records[0].mode
    median = None
    if mode == "scoring":
        ordered = sorted(Fraction(r.score) for r in records if r.score is not None)
        middle = len(ordered) // 2
        median = (
            ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
        )
    cells: dict[CellKey, tuple[int, int]] = {}
    for r in records:
        won = (
            bool(r.selected)
            if mode == "selection"
            else r.score is not None and Fraction(r.score) > median
        )
        n, w = cells.get((r.sex, r.race_ethnicity), (0, 0))
        cells[(r.sex, r.race_ethnicity)] = (n + 1, w + won)
    return audit_counts(cells, mode=mode, median=median)


SEX_LABELS = ["Male", "Female", "", " Female ", "Male "]
RACE_LABELS = [*RACE_ETHNICITY_CATEGORIES, "", " White", "Asian "]
# What the fast path takes as a plain score; anything else goes the careful way.
PLAIN = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)")


def plain(text: str) -> bool:
    return bool(PLAIN.fullmatch(text)) and math.isfinite(float(text))


digits = st.text(alphabet="0123456789", min_size=1, max_size=22)
scores = st.one_of(
    st.integers(0, 6).map(str),  # many ties, at the median too
    st.integers(-300, 300).map(lambda n: f"{n / 100:.2f}"),
    st.sampled_from(["0", "-0", "0.0", "+0", "1", "1.0", "1.", ".5", "0.50", "-.5"]),
    st.sampled_from(["-1234567.123456", "1234567.1234567", "-12345678901234", "123456789012345"]),
    st.builds(lambda s, a, b: f"{s}{a}.{b}", st.sampled_from(["", "-", "+"]), digits, digits),
    st.builds(lambda a: f"0.{a}", digits),
    # distinct decimals sharing one float (17+ digits), tiny ones, exponents, spaces
    st.sampled_from(
        ["0.30000000000000000001", "0.3", "0.29999999999999999999", "0.2999999999999999999"]
    ),
    st.sampled_from(["0." + "0" * 400 + "1", "-0." + "0" * 400 + "1", "1e1", "10", " 7 "]),
)


@st.composite
def audit_files(draw: st.DrawFn) -> tuple[str, list[AuditRecord], bool]:
    mode = draw(st.sampled_from(["scoring", "selection"]))
    n = draw(st.integers(1, 40))
    separator = draw(st.sampled_from([",", ";", "\t"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    outcome = "score" if mode == "scoring" else "selected"
    header = ["sex", "race_ethnicity", outcome]
    extra = draw(st.integers(0, 3))  # where an unused id column goes
    header.insert(extra, "id")
    lines, records, all_plain = [separator.join(header)], [], True
    for i in range(n):
        sex_text = draw(st.sampled_from(SEX_LABELS))
        race_text = draw(st.sampled_from(RACE_LABELS))
        value = draw(scores) if mode == "scoring" else draw(st.sampled_from(["0", "1"]))
        all_plain = all_plain and plain(value)
        cells = {"sex": sex_text, "race_ethnicity": race_text, outcome: value, "id": f"c{i}"}
        lines.append(separator.join(cells[name] for name in header))
        records.append(
            AuditRecord(
                sex=sex_from_label(sex_text),
                race_ethnicity=race_ethnicity_from_label(race_text),
                selected=(value == "1") if mode == "selection" else None,
                score=Decimal(value) if mode == "scoring" else None,
            )
        )
    text = newline.join(lines) + draw(st.sampled_from(["", newline]))
    return text, records, all_plain


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(audit_files(), st.sampled_from([3, 16, 64, 1 << 22]))
@example(("sex,race_ethnicity,score\nMale,White,1\nFemale,Asian,2\n", [], True), 1 << 22)
def test_the_fast_path_gives_the_reference_audit(
    case: tuple[str, list[AuditRecord], bool], chunk: int
) -> None:
    text, records, all_plain = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "in.csv"
        path.write_bytes(text.encode("utf-8"))
        with mock.patch.object(command, "_CHUNK_BYTES", chunk):
            fast = command.audit_plain_file(path)
            result, _ = command.audit_file(path)
        careful = command.read_records(path)
    if not records:  # the explicit example: its records are the file's
        records = careful.records
        all_plain = True
    expected = reference(records)
    assert audit(records) == expected
    assert audit(careful.records) == expected  # the careful path reads the file as drawn
    # Plain files take the fast path, and only they do.
    assert (fast is not None) == all_plain
    assert result == expected
    assert audit_report(result) == audit_report(expected)


@pytest.mark.parametrize(
    ("rows", "median", "above"),
    [
        # odd: the middle score; ties at it are not above it
        (["5", "5", "5", "7", "1"], 5, 1),
        # even, two different middles: everyone at the upper one is above
        (["1", "2", "3", "3"], Decimal("2.5"), 2),
        # even, equal middles
        (["1", "2", "2", "9"], 2, 1),
        # 0.1 + 0.2 in floats is not 0.3: the median is exact
        (["0.1", "0.2", "0.0", "0.3"], Decimal("0.15"), 2),
        (["-0", "0", "0.000", "1"], 0, 1),
    ],
)
def test_fast_median_is_exact(
    tmp_path: Path, rows: list[str], median: Decimal | int, above: int
) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        "sex,race_ethnicity,score\n" + "".join(f"Male,White,{s}\n" for s in rows),
        encoding="utf-8",
    )
    fast = command.audit_plain_file(path)
    assert fast is not None
    result, _ = fast
    assert result.median == median
    assert result.sex.rows[0].favourable == above


def test_a_bad_row_in_a_plain_file_is_still_listed(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        "id,sex,race_ethnicity,score\n" + "a,Male,White,1\n" * 1000 + "b,Male,Whyte,2\n",
        encoding="utf-8",
    )
    assert command.audit_plain_file(path) is None
    out = io.StringIO()
    with pytest.raises(Exception, match="line 1002, race_ethnicity: unknown") as excinfo:
        call_command("bias_audit", input=str(path), stdout=out)
    assert getattr(excinfo.value, "returncode", None) == 2
    assert out.getvalue() == ""


def test_misaligned_lines_are_not_counted_as_plain(tmp_path: Path) -> None:
    # one line short and one line long: as many cells as the header asks in all
    path = tmp_path / "in.csv"
    path.write_text(
        "id,sex,race_ethnicity,score,note\n"
        "a,Male,White,1\n"
        "b,Male,White,2,x,y\n"
        "c,Female,Asian,3,z\n",
        encoding="utf-8",
    )
    assert command.audit_plain_file(path) is None
    with pytest.raises(Exception, match="line 2: expected 5 fields as in the header, found 4"):
        call_command("bias_audit", input=str(path), stdout=io.StringIO())


def test_plain_and_quoted_files_give_the_same_json(tmp_path: Path) -> None:
    rows = [("Male", "White", "3.5"), ("Female", "Asian", "2"), ("", "White", "3.5")]
    plain_path, quoted_path = tmp_path / "plain.csv", tmp_path / "quoted.csv"
    plain_path.write_text(
        "sex,race_ethnicity,score\n" + "".join(",".join(r) + "\n" for r in rows), "utf-8"
    )
    quoted_path.write_text(
        "sex,race_ethnicity,score\n" + "".join(",".join(f'"{c}"' for c in r) + "\n" for r in rows),
        "utf-8",
    )
    assert command.audit_plain_file(quoted_path) is None

    def run(path: Path) -> object:
        out = io.StringIO()
        call_command("bias_audit", input=str(path), format="json", stdout=out)
        return json.loads(out.getvalue())

    assert run(plain_path) == run(quoted_path)


@pytest.mark.parametrize(
    "order", ["random", "sorted", "reversed", "few values", "periodic", "one value"]
)
@pytest.mark.parametrize("size", [80_001, 100_000, 200_001])
def test_middle_scores_of_a_large_sample_are_the_sorted_ones(order: str, size: int) -> None:
    rng = random.Random(size)
    scores = [round(rng.gauss(50, 15), 2) for _ in range(size)]
    if order == "sorted":
        scores.sort()
    elif order == "reversed":
        scores.sort(reverse=True)
    elif order == "few values":
        scores = [float(rng.randrange(5)) for _ in range(size)]
    elif order == "periodic":  # a strided sample sees only the smallest values
        scores = [0.0 if i % (size // command._SAMPLE) == 0 else float(i) for i in range(size)]
    elif order == "one value":
        scores = [7.0] * size
    rank = (size - 1) // 2
    for count in (1, 2):
        assert command._middle_scores(scores, rank, count) == sorted(scores)[rank : rank + count]


mixed_scores = st.one_of(
    st.integers(-3, 3),
    st.fractions(min_value=-3, max_value=3, max_denominator=7),
    st.decimals(min_value=-3, max_value=3, allow_nan=False, places=3),
    st.floats(min_value=-3, max_value=3, allow_nan=False),
    st.sampled_from([Decimal("0.1"), 0.1, Fraction(1, 10), Decimal("0.10000000000000000555")]),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Male", "Female", None]),
            st.sampled_from([*RACE_ETHNICITY_CATEGORIES[:3], None]),
            mixed_scores,
        ),
        min_size=1,
        max_size=30,
    )
)
def test_audit_sorts_mixed_scores_exactly(
    rows: list[tuple[Any, Any, int | Fraction | Decimal | float]],
) -> None:
    records = [AuditRecord(sex=s, race_ethnicity=r, score=score) for s, r, score in rows]
    assert audit(records) == reference(records)
