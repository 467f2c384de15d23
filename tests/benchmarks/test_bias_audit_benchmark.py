"""benchmarks.bias_audit: its pandas scripts and the command agree on its own files, and it
notices when they do not (its exit 1 is a wrong answer, not a slow one)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.bias_audit import (
    command_rates,
    disagreements,
    pandas_rates,
    run_command,
    write_input,
)


@pytest.mark.parametrize(("mode", "decimals"), [("scoring", 2), ("scoring", 17), ("selection", 2)])
def test_the_command_and_both_pandas_scripts_agree(
    tmp_path: Path, mode: str, decimals: int
) -> None:
    path = tmp_path / "audit.csv"
    write_input(path, 3001, mode, decimals=decimals)
    ours = command_rates(json.loads(run_command(path, keep=True)))
    assert disagreements(ours, pandas_rates(path, mode)) == []
    assert disagreements(ours, pandas_rates(path, mode, tuned=True)) == []
    assert sum(n for n, _, _ in ours["tables"]["sex"].values()) < 3001  # blanks are unknown


def test_a_different_count_is_a_disagreement(tmp_path: Path) -> None:
    path = tmp_path / "audit.csv"
    write_input(path, 500, "selection")
    ours = command_rates(json.loads(run_command(path, keep=True)))
    theirs = pandas_rates(path, "selection")
    category, (n, won, rate) = next(iter(theirs["tables"]["sex"].items()))
    theirs["tables"]["sex"][category] = (n, won + 1, rate)
    assert disagreements(ours, theirs) == [
        f"sex {category}: command {ours['tables']['sex'][category]}, pandas {(n, won + 1, rate)}"
    ]
