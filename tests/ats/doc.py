"""Run the curl example of one ATS's section of docs/integrations.md, as a reader would.

Each section holds one ```sh block. It reads ``$RENOWN_URL`` (Renown's address),
``$SECRET`` (the webhook secret) and a file ``delivery.json`` in the current directory;
its comment line ``# delivery.json: tests/...`` names the recorded delivery the test puts
there. The block runs in bash with ``set -euo pipefail``; curl's ``--fail-with-body``
makes an answer other than 2xx fail it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from renown.json_types import JSONValue

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "integrations.md"


def section(ats: str) -> str:
    """The text of ``## <ATS>`` in docs/integrations.md (between its section markers)."""
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"<!-- section: {ats} -->")
    end = text.index("<!-- ", start + 1)
    return text[start:end]


def example(ats: str) -> tuple[str, Path]:
    """The section's shell block and the recorded delivery it posts."""
    blocks = re.findall(r"```sh\n(.*?)```", section(ats), flags=re.S)
    assert len(blocks) == 1, f"the {ats} section must hold exactly one ```sh block"
    named = re.search(r"^# delivery\.json: (\S+)$", blocks[0], flags=re.M)
    assert named, f"the {ats} example must name its delivery (# delivery.json: tests/...)"
    return blocks[0], ROOT / named.group(1)


def run_example(
    ats: str, *, renown_url: str, secret: str, workdir: Path, env: dict[str, str] | None = None
) -> JSONValue:
    """Run the section's example; return the JSON Renown answered (AssertionError on failure)."""
    script, delivery = example(ats)
    shutil.copy(delivery, workdir / "delivery.json")
    result = subprocess.run(
        ["/bin/bash", "-c", "set -euo pipefail\n" + script],
        cwd=workdir,
        env={"PATH": os.environ["PATH"], "RENOWN_URL": renown_url, "SECRET": secret} | (env or {}),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, f"{ats} example failed: {result.stdout}\n{result.stderr}"
    found: JSONValue = json.loads(result.stdout)
    return found
