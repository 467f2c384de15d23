"""Count the uses of ``typing.Any`` in the product's code and fail above a budget.

Issue 16 asks for typed edges: fewer than a quarter of the 341 uses of ``Any`` the
engine had when it was filed. A use is a name ``Any`` (or ``typing.Any``) anywhere in
a module's code outside its imports: annotations, casts, type arguments. Tests,
migrations and benchmarks are not counted.

    python .ci/any_budget.py --max 84          # exit 1 above the budget
    python .ci/any_budget.py --list            # every use, by file
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import Counter
from pathlib import Path

PACKAGES = ("candidates", "hiring", "renown", "renown_site", "scoring")
SKIP_PARTS = {"migrations", "tests", "benchmarks"}


def _any_names(tree: ast.AST) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(tree)
        if (isinstance(node, ast.Name) and node.id == "Any")
        or (isinstance(node, ast.Attribute) and node.attr == "Any")
    ]


def uses(path: Path) -> list[int]:
    """The lines of each use of Any, string annotations (``cast("dict[str, Any]", x)``) too."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    lines = _any_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "Any" in node.value:
            try:
                expression = ast.parse(node.value, mode="eval")
            except SyntaxError:
                continue  # prose, not a type
            lines.extend(node.lineno for _ in _any_names(expression))
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=int, default=None, help="fail when the count is above this")
    parser.add_argument("--list", action="store_true", help="print every use")
    args = parser.parse_args()
    root = Path(__file__).resolve().parent.parent
    per_file: Counter[str] = Counter()
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if SKIP_PARTS & set(path.relative_to(root).parts):
                continue
            found = uses(path)
            if found:
                per_file[str(path.relative_to(root))] = len(found)
                if args.list:
                    for line in found:
                        print(f"{path.relative_to(root)}:{line}")
    total = sum(per_file.values())
    if not args.list:
        for name, count in per_file.most_common():
            print(f"{count:5d}  {name}")
    print(f"{total} uses of Any outside tests, migrations and benchmarks")
    if args.max is not None and total > args.max:
        print(f"above the budget of {args.max}: type the edge instead", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
