"""Smoke test of a plain (non-editable) install: `make test-wheel` runs it in a fresh virtual
environment holding only the built wheel and its declared dependencies, from a folder outside
the repository, so `course_utils` can only come from site-packages.

1. every module of the package imports (subpackages such as course_utils.checks included);
2. the bundled MNIST subset loads;
3. chapter 00's first code cells run as a student would run them (magics dropped, Agg backend).
"""
import importlib
import os
import pkgutil
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import nbformat  # noqa: E402  (a declared dependency of course_utils)

import course_utils  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
where = Path(course_utils.__file__).resolve()
assert "site-packages" in where.parts, f"course_utils imported from {where}, not from the wheel"

# 1. every module
names = sorted(m.name for m in pkgutil.walk_packages(course_utils.__path__, "course_utils."))
for name in names:
    importlib.import_module(name)
assert "course_utils.checks" in names and "course_utils.checks.ch00" in names, names
print(f"imported {len(names)} modules from {where.parent}")

# 2. the bundled data
from course_utils import load_mnist  # noqa: E402

d = load_mnist(n_train=100, n_val=50, n_test=50, rng=0)
assert d["X_train"].shape == (100, 784) and d["X_test"].shape == (50, 784), {k: v.shape for k, v in d.items()}
print("bundled MNIST loads:", {k: v.shape for k, v in d.items()})

# 3. chapter 00's first code cells (the setup cell and the first data cells)
nb = nbformat.read(REPO / "notebooks" / "00_getting_started.ipynb", as_version=4)
cells = [c.source for c in nb.cells if c.cell_type == "code"][:4]
namespace = {"__name__": "__chapter00__"}
os.chdir(REPO / "notebooks")
for i, src in enumerate(cells, start=1):
    code = "\n".join(line for line in src.splitlines() if not line.lstrip().startswith(("%", "!")))
    exec(compile(code, f"<chapter 00, code cell {i}>", "exec"), namespace)
print(f"chapter 00: first {len(cells)} code cells ran with the installed package")
sys.exit(0)
