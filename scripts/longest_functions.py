"""Print the longest functions of the app packages (lines from `def` to the last line).

Usage: python scripts/longest_functions.py [N] [paths...]   (default: 10, the app packages)
"""

import ast
import sys
from pathlib import Path

APPS = ("ppa", "cases", "referrals", "reports", "privacy")


def functions(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            found.append((length, f"{path}:{node.lineno} {node.name}"))
    return found


def main(argv: list[str]) -> None:
    count = int(argv[0]) if argv and argv[0].isdigit() else 10
    roots = [a for a in argv if not a.isdigit()] or list(APPS)
    rows: list[tuple[int, str]] = []
    for root in roots:
        for path in sorted(Path(root).rglob("*.py")):
            if "migrations" not in path.parts:
                rows.extend(functions(path))
    for length, where in sorted(rows, reverse=True)[:count]:
        print(f"{length:5d}  {where}")


if __name__ == "__main__":
    main(sys.argv[1:])
