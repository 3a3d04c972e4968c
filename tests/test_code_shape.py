"""No app function grows past about 60 lines (ruff checks complexity; this checks length).

A longer function needs a reason: it is listed here with it."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("ppa", "cases", "referrals", "reports", "privacy")
MAX_LINES = 60
LONGER = {
    # reports/selectors.py is being split into one builder per statistics table.
    "reports/selectors.py:_annual_statistics",
    "reports/selectors.py:_rate_table",
}


def long_functions(root: Path, limit: int) -> list[str]:
    found = []
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    lines = (node.end_lineno or node.lineno) - node.lineno + 1
                    if lines > limit:
                        found.append(f"{path.relative_to(root)}:{node.name}")
    return found


def test_app_functions_stay_short():
    assert sorted(set(long_functions(ROOT, MAX_LINES)) - LONGER) == []


def test_the_length_check_sees_a_long_function(tmp_path):
    (tmp_path / "ppa").mkdir()
    body = "\n".join(f"    x{n} = {n}" for n in range(70))
    (tmp_path / "ppa" / "long.py").write_text(f"def long():\n{body}\n")
    assert long_functions(tmp_path, MAX_LINES) == ["ppa/long.py:long"]
