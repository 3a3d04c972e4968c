"""The layers point one way and no app module is part of an import cycle.

ppa <- cases <- referrals, privacy <- reports (docs/architecture.md). The graph is read from
the source (every import statement, also inside functions) by scripts/import_graph.py.
"""

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "import_graph", Path(__file__).resolve().parent.parent / "scripts" / "import_graph.py"
)
assert _spec is not None and _spec.loader is not None
import_graph = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(import_graph)


def test_every_app_has_a_layer():
    assert import_graph.unlisted_apps() == []


def test_no_layer_imports_a_layer_above_it():
    assert import_graph.layer_violations() == []


def test_no_import_cycles_between_app_modules():
    assert import_graph.cycles(import_graph.graph()) == []


def test_the_checker_sees_an_upward_import_and_a_cycle(tmp_path):
    """The checks can fail: an import inside a function and a two-module loop are reported."""
    source = tmp_path / "fake.py"
    source.write_text("def f():\n    from reports.models import ReportRun\n    return ReportRun\n")
    found = import_graph.imports_of("ppa.fake", source, import_graph.app_modules())
    assert found == {("reports.models", 2)}
    assert import_graph.is_upward("ppa.fake", "reports.models")
    assert import_graph.is_upward("privacy.services", "referrals.models")
    assert not import_graph.is_upward("reports.views", "cases.models")
    edges = {"ppa.a": {"ppa.b"}, "ppa.b": {"ppa.a"}, "ppa.c": {"ppa.a"}}
    assert import_graph.cycles(edges) == [["ppa.a", "ppa.b"]]
