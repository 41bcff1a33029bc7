"""The committed notebooks as files (not their outputs: nbval checks those): each has its text
pair in sync, carries no volatile metadata, and was saved fully executed without errors."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
TEXT_DIR = ROOT / "notebooks_py"
STRIP_FLAGS = ["--keep-output", "--keep-count", "--keep-id"]   # as in the Makefile and .gitattributes


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 7


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_text_pair_in_sync(path):
    jupytext = pytest.importorskip("jupytext")
    from jupytext.config import load_jupytext_config

    config = load_jupytext_config(str(path.parent))
    assert config is not None, "jupytext.toml not found"
    twin = TEXT_DIR / (path.stem + ".py")
    assert twin.exists(), f"{twin.name} missing: run `make execute` (or `jupytext --sync {path.name}`)"
    expected = jupytext.writes(jupytext.read(path), fmt="py:percent", config=config)
    assert twin.read_text(encoding="utf-8") == expected, (
        f"{twin.relative_to(ROOT)} is out of sync with {path.name}: run `jupytext --sync notebooks/*.ipynb`")


def test_no_text_file_without_its_notebook():
    stems = {p.stem for p in NOTEBOOKS}
    orphans = [p.name for p in TEXT_DIR.glob("*.py") if p.stem not in stems]
    assert not orphans, f"text pairs without a notebook: {orphans}"


def test_notebooks_carry_no_volatile_metadata():
    pytest.importorskip("nbstripout")
    r = subprocess.run([sys.executable, "-m", "nbstripout", "--verify", *STRIP_FLAGS,
                        *map(str, NOTEBOOKS)], capture_output=True, text=True)
    assert r.returncode == 0, ("notebooks with volatile metadata (run `make execute`, or "
                               f"`nbstripout {' '.join(STRIP_FLAGS)} notebooks/*.ipynb`):\n{r.stdout}{r.stderr}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_saved_fully_executed_without_errors(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    unrun = [i for i, c in enumerate(code) if c.get("execution_count") is None]
    assert not unrun, f"code cells {unrun} have no stored execution: nbval would check nothing there"
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), "not executed top to bottom from a clean kernel"
    bad = [(i, o.get("output_type"), o.get("name")) for i, c in enumerate(code) for o in c.get("outputs", [])
           if o.get("output_type") == "error" or o.get("name") == "stderr"]
    assert not bad, f"stored errors or stderr (a reader sees them; nbval compares stderr): {bad}"


def _requirement_names_and_bounds(reqs):
    import re
    out = {}
    for r in reqs:
        m = re.match(r"^\s*([A-Za-z0-9_.-]+)\s*(.*)$", r)
        name, spec = m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")
        out[name] = spec.replace("==", "=")          # conda writes an exact pin with one '='
    return out


def test_environment_yml_matches_pyproject():
    """Binder/conda users get the same packages and bounds as pip users (minus what the
    environment file says it leaves out)."""
    import tomllib

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = _requirement_names_and_bounds(pyproject["dependencies"] + pyproject["optional-dependencies"]["test"])
    wanted.pop("playwright")                         # left out on purpose (see environment.yml)
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    lines = text.split("\ndependencies:", 1)[1].splitlines()
    conda = [ln.strip()[2:] for ln in lines if ln.startswith("  - ") and not ln.strip().startswith("- pip")
             and not ln.strip().startswith("- python=")]
    have = _requirement_names_and_bounds(conda)
    assert have == wanted
