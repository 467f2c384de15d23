"""`manage.py import_vendor_scores`: bad rows named by line, good rows kept."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from scoring.models import VendorScore
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> object:
    org = factories.OrganizationFactory(slug="acme")
    factories.CandidateFactory(organization=org, external_id="c-1", email="ada@example.test")
    factories.CandidateFactory(organization=org, external_id="c-2", email="grace@example.test")
    factories.CandidateFactory(organization=org, external_id="c-3", email="twin@example.test")
    factories.CandidateFactory(organization=org, external_id="c-4", email="twin@example.test")
    factories.CandidateFactory(external_id="c-9")  # another organisation's
    return org


def run(tmp_path: Path, text: str) -> tuple[int, str, str]:
    path = tmp_path / "scores.csv"
    path.write_text(text)
    out, err = StringIO(), StringIO()
    code = 0
    try:
        call_command("import_vendor_scores", "--org", "acme", str(path), stdout=out, stderr=err)
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def test_every_row_taken_exits_zero(org: object, tmp_path: Path) -> None:
    code, out, err = run(
        tmp_path,
        "external_id,email,vendor,value,as_of,scale_min,scale_max\n"
        "c-1,,klout,42,2017-03-01,,\n"
        ",grace@example.test,kred,870,2021-06-30,,\n"
        "c-2,,Acme Reach,7.5,2024-01-01,0,10\n",
    )
    assert (code, err) == (0, "")
    assert "3 row(s) taken (3 new" in out
    klout = VendorScore.objects.get(vendor="klout")
    assert (klout.value, klout.scale_min, klout.scale_max) == (
        Decimal(42),
        Decimal(1),
        Decimal(100),
    )
    custom = VendorScore.objects.get(vendor="custom")
    assert (custom.vendor_name, custom.scale_max) == ("Acme Reach", Decimal(10))


def test_bad_rows_are_named_by_line_and_field_and_good_rows_kept(
    org: object, tmp_path: Path
) -> None:
    code, out, err = run(
        tmp_path,
        "external_id,email,vendor,value,as_of,scale_min,scale_max\n"
        "c-1,,klout,42,2017-03-01,,\n"  # 2: fine
        "c-1,,klout,101,2017-03-02,,\n"  # 3: outside 1-100
        "c-1,,kred,0,2020-01-01,,\n"  # 4: Kred starts at 1
        "c-1,,klout,40,2019-01-01,,\n"  # 5: after Klout closed
        "c-404,,klout,40,2017-01-01,,\n"  # 6: unknown candidate
        "c-9,,klout,40,2017-01-01,,\n"  # 7: another organisation's candidate
        ",twin@example.test,klout,40,2017-01-01,,\n"  # 8: ambiguous email
        "c-2,,klout,lots,2017-01-01,,\n"  # 9: not a number
        "c-2,,klout,40,01/02/2017,,\n"  # 10: not a date
        "c-2,,Acme Reach,5,2024-01-01,,\n"  # 11: custom without a scale
        "c-2,,Acme Reach,5,2024-01-01,10,0\n"  # 12: reversed scale
        "c-2,,klout,40,2017-01-01,0,10\n"  # 13: Klout's scale is not 0-10
        ",,klout,40,2017-01-01,,\n"  # 14: nobody named
        "c-2,,,40,2017-01-01,,\n"  # 15: no vendor
        "c-2,,kred,999,2099-01-01,,\n"  # 16: future
        "c-2,,kred,999,2022-01-01,,\n",  # 17: fine
    )
    assert code == 1
    assert err.strip().splitlines() == [
        "line 3, value: 101 is outside klout's scale 1-100",
        "line 4, value: 0 is outside kred's scale 1-1000",
        "line 5, as_of: klout closed on 2018-05-25; a score dated 2019-01-01 cannot be one",
        "line 6, external_id: no candidate with external_id 'c-404' in this organisation",
        "line 7, external_id: no candidate with external_id 'c-9' in this organisation",
        "line 8, email: email 'twin@example.test' matches 2 candidates; use the other column",
        "line 9, value: 'lots' is not a number",
        "line 10, as_of: '01/02/2017' is not a date (YYYY-MM-DD)",
        "line 11, scale_min: custom vendor 'Acme Reach' needs scale_min and scale_max",
        "line 12, scale_max: scale_min 10 must be below scale_max 0",
        "line 13, scale_min: klout scores are on 1-100, not the scale given",
        "line 14, external_id: external_id or email is required",
        "line 15, vendor: vendor is required",
        "line 16, as_of: 2099-01-01 is in the future",
    ]
    assert "2 row(s) taken" in out
    assert "14 rejected" in out
    assert VendorScore.objects.count() == 2


def test_reimport_is_idempotent_and_a_new_value_replaces(org: object, tmp_path: Path) -> None:
    header = "external_id,vendor,value,as_of\n"
    run(tmp_path, header + "c-1,klout,42,2017-03-01\n")
    code, out, _ = run(tmp_path, header + "c-1,klout,42,2017-03-01\n")
    assert (code, VendorScore.objects.count()) == (0, 1)
    assert "1 unchanged" in out
    _, out, _ = run(tmp_path, header + "c-1,klout,44,2017-03-01\n")
    assert "1 updated" in out
    assert VendorScore.objects.get().value == Decimal(44)


def test_line_numbers_count_quoted_newlines(org: object, tmp_path: Path) -> None:
    _, _, err = run(
        tmp_path,
        'external_id,vendor,value,as_of,note\nc-1,klout,42,2017-03-01,"two\nlines"\nc-1,klout,500,2017-03-02,x\n',
    )
    assert err.startswith("line 4, value:")


def test_missing_columns_and_unknown_org_and_file_fail_cleanly(org: object, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("name,score\nAda,40\n")
    with pytest.raises(CommandError, match="missing column"):
        call_command("import_vendor_scores", "--org", "acme", str(path))
    with pytest.raises(CommandError, match="No organisation"):
        call_command("import_vendor_scores", "--org", "nope", str(path))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_vendor_scores", "--org", "acme", str(tmp_path / "absent.csv"))


# --- a file that cannot be read to its end writes nothing --------------------------------

GOOD = "c-1,klout,42,2017-03-01\nc-2,kred,870,2021-06-30\n"  # lines 2 and 3


def run_bytes(tmp_path: Path, data: bytes) -> tuple[int, str, str]:
    path = tmp_path / "scores.csv"
    path.write_bytes(data)
    out, err = StringIO(), StringIO()
    try:
        call_command("import_vendor_scores", "--org", "acme", str(path), stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), str(exc)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(
            (f"external_id,vendor,value,as_of\n{GOOD}c-1,Caf\xe9 Reach,5,2024-01-01\n").encode(
                "latin-1"
            ),
            "line 4: not UTF-8 text (byte(s) e9",
            id="latin-1 byte on line 4",
        ),
        pytest.param(
            f"external_id,vendor,value,as_of\n{GOOD}c-1,klout,4\x002,2017-03-04\n".encode(),
            "line 4: contains a NUL byte",
            id="NUL byte on line 4",
        ),
        pytest.param(
            f'external_id,vendor,value,as_of\n{GOOD}c-1,"klout,42,2017-03-04\n{GOOD}'.encode(),
            "line 4: a quoted field that starts here is never closed",
            id="unterminated quote on line 4",
        ),
        pytest.param(
            f'external_id,vendor,value,as_of\n{GOOD}c-1,"klout"x,42,2017-03-04\n{GOOD}'.encode(),
            "line 4: not valid CSV",
            id="text after a closing quote on line 4",
        ),
        pytest.param(b"", "empty file", id="empty"),
        pytest.param(
            f"external_id,vendor,value\n{GOOD}".encode(),
            "line 1: missing column(s): as_of (read as comma-separated)",
            id="missing column",
        ),
        pytest.param(
            f"external_id,vendor,value,as_of,value\n{GOOD}".encode(),
            "line 1: column(s) value appear more than once",
            id="column twice",
        ),
    ],
)
def test_a_file_that_cannot_be_read_whole_writes_nothing_and_exits_2(
    org: object, tmp_path: Path, data: bytes, expected: str
) -> None:
    code, out, message = run_bytes(tmp_path, data)
    assert code == 2
    assert expected in message
    assert "nothing was imported" in message
    assert "taken" not in out
    assert VendorScore.objects.count() == 0


def test_a_bom_and_crlf_line_ends_are_read(org: object, tmp_path: Path) -> None:
    data = "\ufeffexternal_id,vendor,value,as_of\r\nc-1,klout,42,2017-03-01\r\nc-1,klout,x,2017-03-02\r\n"
    code, _, err = run_bytes(tmp_path, data.encode())
    assert (code, err) == (1, "line 3, value: 'x' is not a number\n")
    assert VendorScore.objects.count() == 1


# --- each bad row is named by line and field; exactly the good rows are written -----------

LONG_NAME = "V" * 101


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        pytest.param(
            "c-1,Acme Reach,5,2024-01-01,0,1000000",
            "scale_max: 1000000 does not fit: the column holds -999999.99 to 999999.99 "
            "(8 digits, 2 after the point)",
            id="custom scale >= 10^6",
        ),
        pytest.param(
            "c-1,Acme Reach,5,2024-01-01,-1000000,10",
            "scale_min: -1000000 does not fit",
            id="custom scale <= -10^6",
        ),
        pytest.param(
            "c-1,Acme Reach,5,2024-01-01,0,1e400", "scale_max: 1E+400 does not fit", id="1e400"
        ),
        pytest.param(
            f"c-1,{LONG_NAME},5,2024-01-01,0,10",
            "vendor: a custom vendor's name is at most 100 characters; 'VVVVVVVVVVVVVVVVVVVV'... has 101",
            id="101-character vendor",
        ),
        pytest.param(
            "c-1,klout,42.125,2017-03-01,,",
            "value: 42.125 has more than 2 decimal places; it would be rounded",
            id="more decimals than stored",
        ),
        pytest.param(
            "c-1,kred,1001,2021-01-01,,",
            "value: 1001 is outside kred's scale 1-1000",
            id="above the vendor's native range",
        ),
        pytest.param(
            "c-1,peerindex,-1,2013-01-01,,",
            "value: -1 is outside peerindex's scale 0-100",
            id="below the vendor's native range",
        ),
        pytest.param(
            "c-1,Acme Reach,11,2024-01-01,0,10",
            "value: 11 is outside acme reach's scale 0-10",
            id="outside a custom scale",
        ),
        pytest.param(
            'c-1,klout,"1,5",2017-03-01,,',
            "value: '1,5' is not a number (use a dot for decimals, no thousands separator)",
            id="decimal comma",
        ),
        pytest.param("c-1,klout,1_000,2017-03-01,,", "value: '1_000' is not a number", id="1_000"),
        pytest.param(
            "c-1,klout,Infinity,2017-03-01,,", "value: 'Infinity' is not a number", id="inf"
        ),
        pytest.param("c-1,klout,42,2017-02-30,,", "as_of: '2017-02-30' is not a date", id="30 Feb"),
        pytest.param("c-1,klout,42,20170301,,", "as_of: '20170301' is not a date", id="basic ISO"),
        pytest.param("c-1,klout,42,2017-W09-3,,", "as_of: '2017-W09-3' is not a date", id="week"),
        pytest.param("c-1,klout,42,2017-3-1,,", "as_of: '2017-3-1' is not a date", id="no zeros"),
        pytest.param("c-1,klout,42,,,", "as_of: '' is not a date", id="no date"),
        pytest.param(
            "c-1,klout,42,2017-03-01,,,extra",
            "row: 7 fields where the header has 6 (an unquoted comma in a value?)",
            id="one field too many",
        ),
    ],
)
def test_a_bad_row_is_named_and_only_the_good_rows_are_written(
    org: object, tmp_path: Path, row: str, expected: str
) -> None:
    code, out, err = run(
        tmp_path,
        "external_id,vendor,value,as_of,scale_min,scale_max\n"
        "c-1,klout,42,2017-03-01,,\n"
        f"{row}\n"
        "c-2,Acme Reach,7.5,2024-01-01,0,999999.99\n",
    )
    assert code == 1
    assert err.startswith(f"line 3, {expected}")
    assert err.count("\n") == 1
    assert "2 row(s) taken (2 new, 0 updated, 0 unchanged), 1 rejected." in out
    assert sorted(VendorScore.objects.values_list("vendor", "value")) == [
        ("custom", Decimal("7.5")),
        ("klout", Decimal(42)),
    ]


def test_the_largest_values_the_columns_hold_are_taken(org: object, tmp_path: Path) -> None:
    name = "V" * 100
    code, _, err = run(
        tmp_path,
        "external_id,vendor,value,as_of,scale_min,scale_max\n"
        f"c-1,{name},999999.99,2024-01-01,-999999.99,999999.99\n"
        "c-1,klout,42.500,2017-03-01,,\n",  # trailing zeros are no extra precision
    )
    assert (code, err) == (0, "")
    custom = VendorScore.objects.get(vendor="custom")
    assert (custom.vendor_name, custom.value, custom.scale_min) == (
        name,
        Decimal("999999.99"),
        Decimal("-999999.99"),
    )


def test_a_later_line_for_the_same_score_wins(org: object, tmp_path: Path) -> None:
    code, out, _ = run(
        tmp_path,
        "external_id,vendor,value,as_of\n"
        "c-1,klout,40,2017-03-01\n"
        "c-1,klout,41,2017-03-01\n"
        "c-1,klout,41,2017-03-01\n",
    )
    assert code == 0
    assert "3 row(s) taken (1 new, 1 updated, 1 unchanged)" in out
    assert VendorScore.objects.get().value == Decimal(41)


def test_an_update_keeps_imported_at_and_takes_the_new_source(org: object, tmp_path: Path) -> None:
    header = "external_id,vendor,value,as_of\n"
    run(tmp_path, header + "c-1,klout,42,2017-03-01\n")
    first = VendorScore.objects.get()
    path = tmp_path / "second.csv"
    path.write_text(header + "c-1,klout,43,2017-03-01\nc-2,klout,43,2017-03-01\n")
    call_command("import_vendor_scores", "--org", "acme", str(path), stdout=StringIO())
    again = VendorScore.objects.get(pk=first.pk)
    assert (again.value, again.source, again.imported_at) == (
        Decimal(43),
        "import:second.csv",
        first.imported_at,
    )
    assert VendorScore.objects.count() == 2


def test_a_long_file_name_fits_the_source_column(org: object, tmp_path: Path) -> None:
    path = tmp_path / ("s" * 240 + ".csv")
    path.write_text("external_id,vendor,value,as_of\nc-1,klout,42,2017-03-01\n")
    call_command("import_vendor_scores", "--org", "acme", str(path), stdout=StringIO())
    assert VendorScore.objects.get().source == f"import:{path.name}"[:200]


# --- separators -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("separator", "name"), [(";", "semicolon-separated (;)"), ("\t", "tab-separated (\\t)")]
)
def test_semicolon_and_tab_files_are_recognised_and_said_so(
    org: object, tmp_path: Path, separator: str, name: str
) -> None:
    rows = [
        ["external_id", "email", "vendor", "value", "as_of", "scale_min", "scale_max"],
        ["c-1", "", "klout", "42", "2017-03-01", "", ""],
        ["", "GRACE@example.test", "Acme, Inc. Reach", "7.5", "2024-01-01", "0", "10"],
        ["c-2", "", "kred", "8,5", "2021-06-30", "", ""],  # a decimal comma: refused
    ]
    code, out, err = run(tmp_path, "".join(separator.join(row) + "\n" for row in rows))
    assert out.startswith(f"Read as {name} values.\n")
    assert code == 1
    assert err == (
        "line 4, value: '8,5' is not a number (use a dot for decimals, no thousands separator)\n"
    )
    assert "2 row(s) taken (2 new" in out
    custom = VendorScore.objects.get(vendor="custom")
    assert (custom.vendor_name, custom.value) == ("Acme, Inc. Reach", Decimal("7.5"))


def test_a_comma_file_says_nothing_about_its_separator(org: object, tmp_path: Path) -> None:
    _, out, _ = run(tmp_path, "external_id,vendor,value,as_of\nc-1,klout,42,2017-03-01\n")
    assert out == "1 row(s) taken (1 new, 0 updated, 0 unchanged), 0 rejected.\n"


def test_an_import_is_a_handful_of_queries_whatever_its_length(
    org: object, tmp_path: Path, django_assert_max_num_queries: Any
) -> None:
    people = [factories.CandidateFactory(organization=org) for _ in range(300)]
    text = "external_id,email,vendor,value,as_of\n" + "".join(
        f",{person.email},kred,{100 + n},2021-06-30\n" for n, person in enumerate(people)
    )
    run(tmp_path, text.replace(",kred,100,", ",kred,99,"))  # one row on file already
    # The import's reads and writes, the latest readings of the candidates written (one
    # statement), then its one audit event: on PostgreSQL the chain's advisory lock, its
    # last event and the new one (three), whatever the length.
    with django_assert_max_num_queries(14):
        code, out, _ = run(tmp_path, text)
    assert (code, VendorScore.objects.count()) == (0, 300)
    assert "300 row(s) taken (0 new, 1 updated, 299 unchanged)" in out


def test_an_import_records_one_event_with_its_counts_and_a_digest(org: Any, tmp_path: Path) -> None:
    from renown.models import AuditEvent, AuditEventType
    from renown.trail import audit_trail_verify

    code, _, _ = run(
        tmp_path,
        "external_id,vendor,value,as_of\nc-1,klout,42,2017-03-01\nc-2,kred,870,2021-06-30\n"
        "c-9,kred,870,2021-06-30\n",
    )
    assert code == 1  # c-9 is another organisation's: rejected
    events = list(AuditEvent.objects.filter(organization=org))
    assert [e.event_type for e in events] == [AuditEventType.VENDOR_SCORES_IMPORTED]
    after = events[0].after
    assert after is not None
    assert (after["rows"], after["created"], after["rejected"]) == (3, 2, 1)
    assert len(after["written_keys_sha256"]) == 64
    assert events[0].actor_label == "command:import_vendor_scores"
    assert all(chain.intact for chain in audit_trail_verify())
