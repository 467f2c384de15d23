"""The shared CSV reader: whole file or nothing, physical line numbers, three separators."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.csvfile import CsvTable, CsvUnreadable, csv_read


def read(tmp_path: Path, data: bytes, expected: tuple[str, ...] = ("a", "b")) -> CsvTable:
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    return csv_read(path, expected=expected)


@pytest.mark.parametrize(
    ("data", "lines"),
    [
        (b"a,b\n1,2\n3,4\n", [2, 3]),
        (b"a,b\r\n1,2\r\n3,4\r\n", [2, 3]),
        (b"a,b\r1,2\r3,4", [2, 3]),  # old Mac line ends
        (b'a,b\n1,"two\nlines"\n3,4\n', [2, 4]),  # a row is numbered by its first line
        (b"a,b\n\n1,2\n , \n3,4\n", [3, 5]),  # blank lines are no rows
        (b"\n\na,b\n1,2\n", [4]),
    ],
)
def test_rows_carry_the_physical_line_they_start_on(
    tmp_path: Path, data: bytes, lines: list[int]
) -> None:
    table = read(tmp_path, data)
    assert [row.line for row in table.rows] == lines


@pytest.mark.parametrize(
    ("data", "separator", "note"),
    [
        (b"a,b\n1;2,3\n", ",", "Read as comma-separated (,) values."),
        (b"a;b\n1,5;3\n", ";", "Read as semicolon-separated (;) values."),
        (b"a\tb\n1,5\t3\n", "\t", "Read as tab-separated (\\t) values."),
        (b'"a;x",b\n1,2\n', ",", "Read as comma-separated (,) values."),  # ; inside quotes
        (b"x;y;z\n1;2;3\n", ";", "Read as semicolon-separated (;) values."),  # most fields
    ],
)
def test_the_separator_is_recognised_and_said(
    tmp_path: Path, data: bytes, separator: str, note: str
) -> None:
    table = read(tmp_path, data)
    assert (table.separator, table.separator_note) == (separator, note)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"a,b\r\n1,2\r\n3,\xff\r\n", "line 3: not UTF-8 text (byte(s) ff at byte offset 12"),
        (b"a,b\r1,2\r3,\xc3\r", "line 3: not UTF-8 text"),
        (b"\xef\xbb\xbfa,b\n1,\x00\n", "line 2: contains a NUL byte"),
        (b'a,b\n1,2\n3,"4\n5,6\n', "line 3: a quoted field that starts here is never closed"),
        (b'a,b\n1,"2"x\n', "line 2: not valid CSV"),
        (b"", "empty file"),
        (b"\n \n", "empty file"),
    ],
)
def test_a_file_that_cannot_be_read_to_its_end_names_the_line(
    tmp_path: Path, data: bytes, message: str
) -> None:
    with pytest.raises(CsvUnreadable) as excinfo:
        read(tmp_path, data)
    assert message in str(excinfo.value)
