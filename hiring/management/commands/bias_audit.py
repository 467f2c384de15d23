"""``python manage.py bias_audit --input FILE.csv --format json|csv|html``.

Computes a bias audit (29 CFR 1607.4(D) four-fifths rule; 6 RCNY 5-301 selection or
scoring rates and impact ratios) from a CSV of assessed individuals and writes the
report to stdout. The maths lives in ``hiring.fairness.bias_audit``; this module reads the CSV and
renders the result.

Input columns: ``sex`` and ``race_ethnicity`` (blank = unknown, never inferred) and
either ``selected`` (``0``/``1``: selection mode) or ``score`` (a number: scoring
mode). Other columns are ignored; values are separated by commas, semicolons or tabs
(a semicolon or tab file is said so on stderr). An audit of partly dropped data would
mislead, so one bad row rejects the whole file: every bad row is listed on stderr
(line number, field, reason), then a one-line count, and the command exits with
status 2; so does a file that cannot be read to its end (not UTF-8, a NUL byte,
broken quoting), naming the line. Exit status 0 on success.
"""

from __future__ import annotations

import codecs
import csv
import gc
import html
import io
import json
import math
import re
import sys
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from itertools import compress, repeat
from pathlib import Path
from typing import Final

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hiring.fairness.bias_audit import (
    AuditInputError,
    AuditRecord,
    AuditResult,
    AuditTable,
    CategoryRow,
    CellKey,
    RaceEthnicity,
    Sex,
    audit,
    audit_counts,
    audit_report,
    race_ethnicity_from_label,
    sex_from_label,
)
from scoring.csvfile import SEPARATORS, CsvTable, CsvUnreadable, csv_read, duplicate_columns

EXIT_UNUSABLE_INPUT: Final = 2
_EXPECTED: Final = ("sex", "race_ethnicity", "selected", "score")
_ROW_PROBLEM: Final = re.compile(r"line (\d+)[,:]")
CSV_COLUMNS: Final = (
    "table",
    "sex",
    "race_ethnicity",
    "count",
    "favourable",
    "rate",
    "impact_ratio",
    "below_four_fifths",
    "share",
    "under_two_percent",
    "fisher_p",
    "z",
)
_TABLE_TITLES: Final = {
    "sex": "Sex categories",
    "race_ethnicity": "Race/ethnicity categories",
    "intersectional": "Intersectional categories (race/ethnicity x sex)",
}


class UnusableInput(Exception):
    """The input cannot be audited; ``problems`` lists every reason (one line each)."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class AuditInput:
    """The records of an audit CSV, and how its values were separated."""

    records: list[AuditRecord]
    separator: str
    separator_note: str


def read_records(path: Path) -> AuditInput:
    """Parse the audit CSV at ``path`` into records, or raise ``UnusableInput``.

    Every bad row is reported, not just the first, so the file can be fixed in one go.
    Line numbers are the file's (the header is line 1). Commas, semicolons and tabs
    separate values (``scoring.csvfile``, shared with ``import_vendor_scores``).
    """
    try:
        table = csv_read(path, expected=_EXPECTED)
    except CsvUnreadable as exc:
        raise UnusableInput([str(exc)]) from None
    header = table.header
    columns = _check_header(path, header)
    mode_column = "selected" if "selected" in columns else "score"

    records: list[AuditRecord] = []
    problems: list[str] = []
    for row in table.rows:
        if len(row.cells) != len(header):
            problems.append(
                f"line {row.line}: expected {len(header)} fields as in the header, "
                f"found {len(row.cells)}"
            )
            continue
        record, row_problems = _parse_row(
            row.cells[columns["sex"]],
            row.cells[columns["race_ethnicity"]],
            mode_column,
            row.cells[columns[mode_column]],
        )
        problems.extend(f"line {row.line}, {problem}" for problem in row_problems)
        if record is not None:
            records.append(record)
    if problems:
        raise UnusableInput(problems)
    if not records:
        raise UnusableInput([f"{path}: no data rows (nothing to audit)"])
    return AuditInput(
        records=records, separator=table.separator, separator_note=table.separator_note
    )


def audit_file(path: Path) -> tuple[AuditResult, str]:
    """The audit of the CSV at ``path`` and its separator, or ``UnusableInput``.

    A plain file (``audit_plain_file``) is counted in one streamed pass; any other is
    read whole by ``read_records``, which lists every bad row, and audited record by
    record. Both give the same result.
    """
    fast = audit_plain_file(path)
    if fast is not None:
        return fast
    # A record per row, none of them in a cycle: the cyclic collector would only walk
    # them again and again as they pile up (half the time of a large file).
    collecting = gc.isenabled()
    gc.disable()
    try:
        given = read_records(path)
        return audit(given.records), given.separator
    finally:
        if collecting:
            gc.enable()


def _check_header(path: Path, header: Sequence[str]) -> dict[str, int]:
    problems = [
        f"{path}, line 1: column {name!r} appears more than once"
        for name in duplicate_columns(header)
    ]
    missing = [name for name in ("sex", "race_ethnicity") if name not in header]
    if missing:
        problems.append(f"{path}, line 1: missing column(s) {', '.join(map(repr, missing))}")
    outcome = [name for name in ("selected", "score") if name in header]
    if len(outcome) == 2:
        problems.append(
            f"{path}, line 1: both 'selected' and 'score' columns are present; "
            "give 'selected' (0/1) for a selection audit or 'score' for a scoring audit, not both"
        )
    elif not outcome:
        problems.append(
            f"{path}, line 1: missing column 'selected' (0/1, selection audit) "
            "or 'score' (a number, scoring audit)"
        )
    if problems:
        raise UnusableInput(problems)
    return {name: header.index(name) for name in ("sex", "race_ethnicity", *outcome)}


def _parse_row(
    sex_text: str, race_text: str, mode_column: str, outcome_text: str
) -> tuple[AuditRecord | None, list[str]]:
    problems: list[str] = []
    sex: Sex | None = None
    race: RaceEthnicity | None = None
    try:
        sex = sex_from_label(sex_text)
    except AuditInputError as exc:
        problems.append(f"sex: {exc}")
    try:
        race = race_ethnicity_from_label(race_text)
    except AuditInputError as exc:
        problems.append(f"race_ethnicity: {exc}")
    value = outcome_text.strip()
    selected: bool | None = None
    score: Decimal | None = None
    if mode_column == "selected":
        if value in {"0", "1"}:
            selected = value == "1"
        else:
            problems.append(f"selected: {value!r} is not 0 or 1")
    else:
        try:
            score = Decimal(value)
        except InvalidOperation:
            problems.append(f"score: {_shown(value)} is not a number")
        else:
            if not score.is_finite():
                problems.append(f"score: {_shown(value)} is not a finite number")
            elif not math.isfinite(float(score)):
                # The significance tests compute in floating point (about ±1.8e308).
                problems.append(
                    f"score: {_shown(value)} is beyond the range the audit can compute with "
                    f"(at most {sys.float_info.max:.1e} either way)"
                )
    if problems:
        return None, problems
    try:
        return AuditRecord(sex=sex, race_ethnicity=race, selected=selected, score=score), []
    except AuditInputError as exc:
        return None, [f"{mode_column}: {exc}"]


# --- the fast path: a plain file, counted column by column --------------------------

_CHUNK_BYTES: Final = 1 << 22
# A plain score: ASCII digits with an optional sign and at most one point (no exponent,
# no spaces). Made of these characters only, a text float() takes is such a decimal
# (float's grammar needs a letter for an exponent, infinity or NaN, and "_" for
# grouping). Floats keep the decimals' order, except that distinct decimals may share a
# float; those of at most 15 characters (15 digits at most, between 1e-15 and 1e15)
# never do (DBL_DIG is 15), and the float's shortest repr is the decimal again.
_PLAIN_SCORE_CHARACTERS: Final = str.maketrans("", "", "0123456789.+-\n")
_SHORT_SCORE_LENGTH: Final = 15
_SELECTED: Final = {"0": False, "1": True}


class _Codes(dict[tuple[str, str], int]):
    """Raw (sex, race/ethnicity) cell texts numbered as they are first seen."""

    def __missing__(self, key: tuple[str, str]) -> int:
        code = self[key] = len(self)
        return code


class _PlainFile:
    """Aggregates of a plain audit file, chunk by chunk; ``None`` answers mean "not plain"."""

    def __init__(self, header_line: str, separator: str) -> None:
        self.separator = separator
        self.header = [name.strip() for name in header_line.split(separator)]
        self.width = len(self.header)
        self.columns: dict[str, int] = {}
        self.triples: Counter[tuple[str, str, str]] = Counter()
        self.codes = _Codes()
        self.cell_codes: array[int] = array("I")
        self.scores: list[float] = []
        # From the first chunk with a score longer than _SHORT_SCORE_LENGTH on, the
        # scores' texts (their exact values) from score number ``texts_from``; a shorter
        # score's exact value is its float's repr.
        self.score_texts: list[str] = []
        self.texts_from: int | None = None

    def columns_ok(self, path: Path) -> bool:
        try:
            self.columns = _check_header(path, self.header)
        except UnusableInput:
            return False
        return True

    def add(self, lines: str) -> bool:
        """Take whole lines (each ending in ``\\n``); ``False`` when they are not plain."""
        rows = lines.count("\n")
        separator, width = self.separator, self.width
        # Each line's first cell is marked with a NUL (none is in the file): the cells of
        # every line line up with the header exactly when the cells number rows x width
        # and every mark sits in the first column. A used column's marks fail its checks
        # below; an unused one is looked at here.
        cells = lines[:-1].replace("\n", separator + "\x00").split(separator)
        if len(cells) != rows * width:
            return False
        wanted = {self.columns[name] for name in self.columns}
        for index in range(1, width):
            if index not in wanted and "\x00" in "".join(cells[index::width]):
                return False

        def column(name: str) -> list[str]:
            index = self.columns[name]
            values = cells[index::width]
            if index == 0:
                values[1:] = map(str.lstrip, values[1:], repeat("\x00"))
            return values

        sexes, races = column("sex"), column("race_ethnicity")
        if "selected" in self.columns:
            self.triples.update(zip(sexes, races, column("selected"), strict=True))
            return True
        scores = column("score")
        if "\n".join(scores).translate(_PLAIN_SCORE_CHARACTERS):
            return False
        try:
            values = list(map(float, scores))
        except ValueError:  # "", "-", ".", "1.2.3", "1-2", ...
            return False
        if math.isinf(min(values)) or math.isinf(max(values)):
            return False  # 309 digits or more: the careful path says it is out of range
        if self.texts_from is None and max(map(len, scores)) > _SHORT_SCORE_LENGTH:
            self.texts_from = len(self.scores)
        if self.texts_from is not None:
            self.score_texts.extend(scores)
        self.scores.extend(values)
        self.cell_codes.extend(map(self.codes.__getitem__, zip(sexes, races, strict=True)))
        return True

    def result(self) -> AuditResult | None:
        """The audit, or ``None`` when a label or outcome needs the careful path."""
        if "selected" in self.columns:
            cells: dict[CellKey, list[int]] = {}
            for (sex_text, race_text, outcome), n in self.triples.items():
                key = _categories(sex_text, race_text)
                won = _SELECTED.get(outcome)
                if key is None or won is None:
                    return None
                counts = cells.setdefault(key, [0, 0])
                counts[0] += n
                counts[1] += n * won
            return audit_counts(
                {key: (n, won) for key, (n, won) in cells.items()}, mode="selection"
            )
        keys: list[CellKey] = []
        for sex_text, race_text in self.codes:  # in code order
            key = _categories(sex_text, race_text)
            if key is None:
                return None
            keys.append(key)
        median, above = self._median_and_above()
        totals = Counter(self.cell_codes)
        scored: dict[CellKey, tuple[int, int]] = {}
        for code, n in totals.items():
            n_before, won_before = scored.get(keys[code], (0, 0))
            scored[keys[code]] = (n_before + n, won_before + above[code])
        return audit_counts(scored, mode="scoring", median=median)

    def _median_and_above(self) -> tuple[Fraction, Counter[int]]:
        """The exact median, and how many scored strictly above it per cell code.

        Above the median = above the lower middle score (no score lies strictly between
        the two middle ones). The two middle floats are found by float; when long scores
        may share a float, the scores at those floats are put in order by their exact
        values (every score at a smaller float is smaller than all of them).
        """
        scores, count = self.scores, len(self.scores)
        lower = (count - 1) // 2
        middle = _middle_scores(scores, lower, 1 if count % 2 else 2)
        threshold = middle[0]
        above = Counter(compress(self.cell_codes, map(threshold.__lt__, scores)))
        if self.texts_from is None:
            exact = [Decimal(repr(value)) for value in middle]
        else:
            texts_from, texts = self.texts_from, self.score_texts
            below = sum(map(threshold.__gt__, scores))
            at_middle = set(middle)
            tied = sorted(
                (
                    Decimal(texts[i - texts_from] if i >= texts_from else repr(scores[i])),
                    i,
                )
                for i in compress(range(count), map(at_middle.__contains__, scores))
            )
            exact = [value for value, _ in tied[lower - below : lower - below + len(middle)]]
            for value, i in tied:
                if scores[i] == threshold and value > exact[0]:
                    above[self.cell_codes[i]] += 1
        median = sum(map(Fraction, exact), Fraction(0)) / len(exact)
        return median, above


def _categories(sex_text: str, race_text: str) -> CellKey | None:
    try:
        return sex_from_label(sex_text), race_ethnicity_from_label(race_text)
    except AuditInputError:
        return None


_SAMPLE: Final = 20_000


def _middle_scores(scores: list[float], rank: int, count: int) -> list[float]:
    """``sorted(scores)[rank : rank + count]`` without sorting them all (``count`` <= 2).

    A sorted sample brackets the wanted ranks; only the scores within the bracket are
    sorted. When the bracket misses (an unlucky sample), everything is sorted.
    """
    if len(scores) <= 4 * _SAMPLE:
        return sorted(scores)[rank : rank + count]
    sample = sorted(scores[:: len(scores) // _SAMPLE])
    at = rank * len(sample) // len(scores)
    margin = 2 * math.isqrt(len(sample)) + 8  # a sampled rank strays about sqrt(n) / 2
    low = sample[max(at - margin, 0)]
    high = sample[min(at + margin, len(sample) - 1)]
    below = sum(map(low.__gt__, scores))
    bracket = [score for score in scores if low <= score <= high]
    bracket.sort()
    if below <= rank and rank + count <= below + len(bracket):
        return bracket[rank - below : rank - below + count]
    return sorted(scores)[rank : rank + count]


def audit_plain_file(path: Path) -> tuple[AuditResult, str] | None:
    """Audit the CSV at ``path`` without keeping its rows, when the file is plain.

    Plain: UTF-8, no quote character, no NUL, no blank line, every line as many fields
    as the header, known category labels, ``0``/``1`` outcomes or plain decimal scores
    (``_PLAIN_SCORE_CHARACTERS``) within float range. Read in chunks; counts are kept
    per raw (sex, race/ethnicity) pair, scores as floats (and, once a long one is seen,
    their texts: the exact values, read only where floats tie at the median). Returns the audit and the
    separator, or ``None`` for any other file: ``read_records`` then reads it, listing
    every problem, and ``audit`` computes the same result (the tests check that they
    agree).
    """
    try:
        handle = path.open("rb")
    except OSError:
        return None
    with handle:
        decoder = codecs.getincrementaldecoder("utf-8-sig")()
        plain: _PlainFile | None = None
        rest = ""
        final = False
        while not final:
            try:
                data = handle.read(_CHUNK_BYTES)
                final = not data
                text = rest + decoder.decode(data, final=final)
            except (OSError, UnicodeDecodeError):
                return None
            if not final:
                cut = text.rfind("\n") + 1
                text, rest = text[:cut], text[cut:]
            elif text and not text.endswith(("\n", "\r")):
                text += "\n"
            if not text:
                continue
            if "\x00" in text or '"' in text:
                return None
            if "\r" in text:
                text = text.replace("\r\n", "\n").replace("\r", "\n")
            if plain is None:
                header_line, _, text = text.partition("\n")
                plain = _plain_header(path, header_line)
                if plain is None:
                    return None
            if text and not plain.add(text):
                return None
        if plain is None or not (plain.triples or plain.scores):
            return None
        result = plain.result()
        return None if result is None else (result, plain.separator)


def _plain_header(path: Path, line: str) -> _PlainFile | None:
    if not line.strip():
        return None

    def fit(separator: str) -> tuple[int, int]:
        names = line.split(separator)
        return (sum(name.strip() in _EXPECTED for name in names), len(names))

    # As scoring.csvfile chooses (for a line without quotes): a comma wins a tie.
    plain = _PlainFile(line, max(SEPARATORS, key=fit))
    return plain if plain.columns_ok(path) else None


def _shown(value: str) -> str:
    """``value`` quoted, cut short when it is long (a 5,000-digit number fills no screen)."""
    if len(value) <= 40:
        return repr(value)
    return f"{value[:20]!r}... ({len(value):,} characters)"


# --- rendering ------------------------------------------------------------------


def _number(value: float | None) -> str:
    return "" if value is None else repr(value)


def render_json(result: AuditResult) -> str:
    """The audit as JSON (the shape ``hiring.fairness.bias_audit.audit_report`` defines)."""
    return json.dumps(audit_report(result), indent=2, allow_nan=False) + "\n"


def render_csv(result: AuditResult) -> str:
    """One CSV row per table row; empty cells where a value is undefined (null in JSON)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    report = audit_report(result)
    for table in result.tables:
        for row in report["tables"][table.name]:
            writer.writerow(
                [
                    table.name,
                    row["category"].get("sex", ""),
                    row["category"].get("race_ethnicity", ""),
                    row["count"],
                    row["favourable"],
                    _number(row["rate"]),
                    _number(row["impact_ratio"]),
                    "true" if row["below_four_fifths"] else "false",
                    _number(row["share"]),
                    "true" if row["under_two_percent"] else "false",
                    _number(row["fisher_p"]),
                    _number(row["z"]),
                ]
            )
    return buffer.getvalue()


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def _cells(values: Iterable[str], tag: str = "td") -> str:
    return "".join(f"<{tag}>{html.escape(value)}</{tag}>" for value in values)


def _html_row(table: AuditTable, row: CategoryRow) -> str:
    if row.impact_ratio is None:
        ratio, verdict = "n/a", "n/a: nobody in this table had a favourable outcome"
    else:
        ratio = f"{float(row.impact_ratio):.3f}"
        verdict = (
            "BELOW four-fifths: evidence of adverse impact"
            if row.below_four_fifths
            else "at or above four-fifths"
        )
    if row.is_reference:
        verdict += " (reference: highest rate)"
    notes = (
        "under 2% of this table: may be excluded from impact ratios (6 RCNY 5-301(d)), still reported"
        if row.under_two_percent
        else ""
    )
    values = [
        row.label,
        str(row.count),
        str(row.favourable),
        _pct(float(row.rate)),
        ratio,
        verdict,
        _pct(float(row.share)),
        notes,
        "" if row.fisher_p is None else f"{row.fisher_p:.4g}",
        "" if row.z is None else f"{row.z:.3f}",
    ]
    css = ' class="below"' if row.below_four_fifths else ""
    return f"<tr{css}>{_cells(values)}</tr>"


def render_html(result: AuditResult, *, source: str = "") -> str:
    """A self-contained HTML report; every value is escaped, and flags are in words."""
    favourable = "Selected" if result.mode == "selection" else "Scored above median"
    rate = "Selection rate" if result.mode == "selection" else "Scoring rate"
    headings = [
        "Category",
        "Individuals",
        favourable,
        rate,
        "Impact ratio",
        "Four-fifths rule (29 CFR 1607.4(D))",
        "Share of table",
        "2% rule",
        "Fisher exact p (two-sided)",
        "z (pooled)",
    ]
    facts = [
        ("Mode", f"{result.mode} ({rate.lower()} per category)"),
        ("Individuals assessed", str(result.individuals)),
        (
            "Median score (full sample, including unknown categories)",
            "n/a (selection mode)" if result.median is None else f"{float(result.median):.10g}",
        ),
        (
            "Individuals with an unknown sex or race/ethnicity category",
            f"{result.unknown} (sex unknown: {result.sex.unknown}; "
            f"race/ethnicity unknown: {result.race_ethnicity.unknown}); "
            "not included in the calculations that need the unknown category, and never inferred",
        ),
    ]
    if source:
        facts.insert(0, ("Input", source))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>Bias audit report</title>",
        "<style>body{font-family:system-ui,sans-serif;margin:2em;color:#111}"
        "table{border-collapse:collapse;margin:0 0 2em}"
        "th,td{border:1px solid #999;padding:.3em .6em;text-align:left}"
        "tr.below{background:#fde2e2;font-weight:bold}</style>",
        "</head><body>",
        "<h1>Bias audit report</h1>",
        "<p>Impact ratio = the category's rate divided by the highest rate in the same table "
        "(6 RCNY 5-300). A ratio below 4/5 is evidence of adverse impact (29 CFR 1607.4(D)); "
        "rows below four-fifths say so in the four-fifths column.</p>",
        "<dl>",
        *(f"<dt>{html.escape(term)}</dt><dd>{html.escape(value)}</dd>" for term, value in facts),
        "</dl>",
    ]
    for table in result.tables:
        parts.append(f"<h2>{html.escape(_TABLE_TITLES[table.name])}</h2>")
        if not table.rows:
            parts.append("<p>No individuals with known categories for this table.</p>")
            continue
        flagged = sum(row.below_four_fifths for row in table.rows)
        parts.append(
            f"<p>{table.total} individuals; {table.unknown} left out (unknown category); "
            f"{flagged} categor{'y' if flagged == 1 else 'ies'} below four-fifths.</p>"
        )
        parts.append(f"<table><thead><tr>{_cells(headings, 'th')}</tr></thead><tbody>")
        parts.extend(_html_row(table, row) for row in table.rows)
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


class Command(BaseCommand):
    # The audit reads a file and touches no model or database, so it should run
    # even where an unrelated app's system checks fail.
    requires_system_checks: list[str] = []
    help = (
        "Bias audit of a CSV of assessed individuals (columns sex, race_ethnicity and "
        "selected or score): rates, impact ratios and four-fifths flags per sex, "
        "race/ethnicity and intersectional category (29 CFR 1607.4(D); 6 RCNY 5-301)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", required=True, type=Path, help="The CSV file to audit.")
        parser.add_argument(
            "--format",
            choices=("json", "csv", "html"),
            default="json",
            help="Output format (default json), written to stdout.",
        )

    def handle(self, *args: str, **options: object) -> None:
        path = Path(str(options["input"]))  # call_command passes keyword options unconverted
        try:
            result, separator = audit_file(path)
        except UnusableInput as exc:
            rows = {m[1] for problem in exc.problems if (m := _ROW_PROBLEM.match(problem))}
            where = f" in {len(rows):,} row(s)" if rows else ""
            raise CommandError(
                f"unusable input, no audit produced ({len(exc.problems)} problem(s)):\n  "
                + "\n  ".join(exc.problems)
                # A long list ends with what it amounts to, where the eye lands.
                + f"\n{len(exc.problems):,} problem(s){where} of {path.name}; no audit produced.",
                returncode=EXIT_UNUSABLE_INPUT,
            ) from None
        if separator != ",":
            note = CsvTable(header=[], rows=[], separator=separator).separator_note
            self.stderr.write(note)  # stdout holds the report alone
        output_format = str(options["format"])
        if output_format == "csv":
            text = render_csv(result)
        elif output_format == "html":
            text = render_html(result, source=path.name)
        else:
            text = render_json(result)
        self.stdout.write(text, ending="")
