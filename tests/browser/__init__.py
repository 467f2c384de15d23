"""Browser tests: Playwright drives Debian's headless Chromium against the live server.

Where Chromium, axe-core (``make browser-deps``) or Playwright is missing, tests/conftest.py
deselects the tests marked ``browser`` and says why; CI sets RENOWN_BROWSER_TESTS=required
so that there they always run.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS_DIR = Path(os.environ.get("RENOWN_TEST_ARTIFACTS", ROOT / "test-artifacts"))
SCREENSHOT_DIR = ARTIFACTS_DIR / "screenshots"
