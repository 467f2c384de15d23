"""axe-core in the page: inject node_modules/axe-core/axe.min.js, run it, read the violations."""

from __future__ import annotations

from functools import cache
from typing import Any

from tests.browser import AXE_PATH

BLOCKING = ("serious", "critical")


@cache
def _source() -> str:
    return AXE_PATH.read_text(encoding="utf-8")


_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary || ""})),
  }));
}"""


def violations(page: Any) -> list[dict[str, Any]]:
    """Every axe-core violation on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated by the browser's debugging protocol, not as a <script> element: the
        # pages' Content-Security-Policy (script-src 'self') rightly refuses inline scripts.
        page.evaluate(_source())
    found: list[dict[str, Any]] = page.evaluate(_RUN)
    return found


def describe(where: str, found: list[dict[str, Any]]) -> str:
    """The violations in words, one block per rule, each failing element under it."""
    lines = [f"{where}: {len(found)} serious or critical accessibility violation(s)"]
    for v in found:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']}")
        for node in v["nodes"][:10]:
            summary = " ".join(node["summary"].split())
            lines.append(f"      at {node['target']}: {summary}")
        if len(v["nodes"]) > 10:
            lines.append(f"      ... and {len(v['nodes']) - 10} more elements")
    return "\n".join(lines)


def blocking_violations(page: Any) -> list[dict[str, Any]]:
    """The violations of impact serious or critical: the ones a page must not have."""
    return [v for v in violations(page) if v["impact"] in BLOCKING]


def assert_accessible(page: Any, where: str) -> None:
    """Fail, listing each element, if axe finds a serious or critical violation."""
    found = blocking_violations(page)
    assert not found, describe(where, found)
