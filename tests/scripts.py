"""Load a script of scripts/ (not a package) as a module, for its tests."""

import contextlib
import importlib.util
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def load_script(name: str) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@contextlib.contextmanager
def server_folder() -> Iterator[Path]:
    """A folder for an embedded PostgreSQL's data, removed afterwards. Not under pytest's
    tmp_path: as root the server runs as another user, who must traverse the folders above
    its data, and pytest (any run on the machine) resets /tmp/pytest-of-<user> to 0700."""
    folder = Path(tempfile.mkdtemp(prefix="sinergi-pg-test-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
