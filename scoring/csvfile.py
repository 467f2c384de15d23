"""Reading a CSV file that people exported from a spreadsheet, in full or not at all (pure).

The one reader behind ``import_vendor_scores`` and ``bias_audit``. It reads the
whole file before anyone acts on a row, so that a file that cannot be read to its
end (not UTF-8, a NUL byte, a quoted field never closed) is refused as a whole,
naming the line, instead of half-imported. It recognises comma-, semicolon- and
tab-separated files (spreadsheets in many locales save ``;``) and says which it
chose. Line numbers count physical lines (``\\n``, ``\\r\\n`` or ``\\r``), the header
being line 1; a row whose quoted field spans lines is numbered by its first line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

SEPARATORS: Final = {",": "comma", ";": "semicolon", "\t": "tab"}
_LINE_BREAK: Final = re.compile(r"\r\n|\r|\n")


class CsvUnreadable(Exception):
    """The file cannot be read to its end; the message names the file and, if known, the line."""


@dataclass(frozen=True)
class CsvRow:
    """One data row: the physical line it starts on and its cells, as in the file."""

    line: int
    cells: list[str]


@dataclass(frozen=True)
class CsvTable:
    """A whole CSV file: its header (names stripped), data rows and the separator used."""

    header: list[str]
    rows: list[CsvRow]
    separator: str

    @property
    def separator_name(self) -> str:
        """``comma``, ``semicolon`` or ``tab``."""
        return SEPARATORS[self.separator]

    @property
    def separator_note(self) -> str:
        """A sentence saying how the file was read, e.g. ``Read as semicolon-separated (;).``"""
        shown = "\\t" if self.separator == "\t" else self.separator
        return f"Read as {self.separator_name}-separated ({shown}) values."

    def row_dict(self, row: CsvRow) -> dict[str, str]:
        """The row's cells by header name (check first that the row has as many as the header)."""
        return dict(zip(self.header, row.cells))  # noqa: B905 - the caller checked the count


def _lines_before(text: str, end: int) -> int:
    return len(_LINE_BREAK.findall(text, 0, end))


def _decode(path: Path, data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # exc.start counts in the data as given, BOM included, and the bytes before it decode
        line = len(_LINE_BREAK.findall(data[: exc.start].decode("utf-8-sig", "replace"))) + 1
        bad = data[exc.start : exc.end].hex(" ")
        raise CsvUnreadable(
            f"{path}, line {line}: not UTF-8 text (byte(s) {bad} at byte offset {exc.start}: "
            f"{exc.reason}); save the file as UTF-8 and try again"
        ) from None
    nul = text.find("\x00")
    if nul >= 0:
        raise CsvUnreadable(
            f"{path}, line {_lines_before(text, nul) + 1}: contains a NUL byte; "
            "this is not a text CSV file (was it saved as a spreadsheet?)"
        )
    return text


def _separator(first_line: str, expected: Collection[str]) -> str:
    """The separator under which the header names the most expected columns, then has most fields."""

    def score(separator: str) -> tuple[int, int]:
        try:
            names = next(csv.reader([first_line], delimiter=separator), [])
        except csv.Error:
            return (-1, -1)
        return (sum(name.strip() in expected for name in names), len(names))

    # max keeps the first of equals: a comma wins a tie (a one-column file, say)
    return max(SEPARATORS, key=score)


def csv_read(path: Path, *, expected: Collection[str] = ()) -> CsvTable:
    """Read the CSV file at ``path`` whole, or raise ``CsvUnreadable`` naming the line.

    ``expected`` holds column names the caller knows; they decide between ``,``,
    ``;`` and tab when the header could be read either way. Blank lines are
    skipped (they are no row). Raises ``CsvUnreadable`` when the file is absent,
    unreadable, not UTF-8, holds a NUL byte, has no header, or is not valid CSV
    (e.g. a quoted field that is never closed, or text after a closing quote).
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CsvUnreadable(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CsvUnreadable(f"{path}: is a directory, not a CSV file") from None
    except OSError as exc:
        raise CsvUnreadable(f"{path}: cannot be read ({exc.strerror})") from None
    text = _decode(path, data)
    match = _LINE_BREAK.search(text)
    separator = _separator(text[: match.start()] if match else text, expected)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    header: list[str] | None = None
    rows: list[CsvRow] = []
    start = 1
    try:
        for cells in reader:
            # a line of nothing but separators and spaces is as blank as an empty one
            if cells and (cells[0].strip() or any(cell.strip() for cell in cells)):
                if header is None:
                    header = [name.strip() for name in cells]
                else:
                    rows.append(CsvRow(line=start, cells=cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        if reader.line_num > start:
            reason = f"a quoted field that starts here runs to line {reader.line_num}: {exc}"
            if str(exc) == "unexpected end of data":
                reason = "a quoted field that starts here is never closed (the file ends inside it)"
        else:
            reason = f"not valid CSV ({exc})"
        raise CsvUnreadable(f"{path}, line {start}: {reason}; nothing was read") from None
    if header is None:
        raise CsvUnreadable(f"{path}: empty file (expected a header line)")
    return CsvTable(header=header, rows=rows, separator=separator)


def duplicate_columns(header: Sequence[str]) -> list[str]:
    """The non-empty column names that appear more than once in ``header``, sorted."""
    return sorted({name for name in header if name and header.count(name) > 1})
