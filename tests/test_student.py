"""`make student`: solution blocks become stubs, outputs go, the student copy still runs."""
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from course_utils import student

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"

EXERCISE = '''import numpy as np

def softmax(z):
    """The exercise."""
    # BEGIN SOLUTION subtract the max before exp
    e = np.exp(z - np.max(z))
    return e / e.sum()
    # END SOLUTION

def cross_entropy(p, label):
    # BEGIN SOLUTION
    return -np.log(p[label])
    # END SOLUTION
'''


def _synthetic(path):
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                               "language": "python"},
                                "widgets": {"application/vnd.jupyter.widget-state+json": {
                                    "state": {}, "version_major": 2, "version_minor": 0}}})
    exercise = new_code_cell(EXERCISE, execution_count=3,
                             outputs=[new_output("stream", name="stdout", text="hello\n")])
    exercise.metadata["execution"] = {"iopub.status.busy": "2024-01-01T00:00:00Z"}
    shown = new_code_cell("softmax(np.array([1.0, 2.0]))", execution_count=4,
                          outputs=[new_output("execute_result", data={"text/plain": "array([0.2689, 0.7311])"},
                                              execution_count=4)])
    shown.metadata["tags"] = ["nbval-ignore-output"]
    nb.cells = [new_markdown_cell("# BEGIN SOLUTION in markdown is left alone"), exercise, shown]
    nbformat.write(nb, path)
    return nb


def test_blocks_replaced_outputs_cleared(tmp_path):
    src, dst = tmp_path / "nb", tmp_path / "student"
    src.mkdir()
    _synthetic(src / "01_x.ipynb")
    written = student.build(src, dst)
    assert written == [dst / "01_x.ipynb"]
    nb = nbformat.read(dst / "01_x.ipynb", as_version=4)
    nbformat.validate(nb)
    md, ex, shown = nb.cells
    assert md.source == "# BEGIN SOLUTION in markdown is left alone"
    assert "np.exp" not in ex.source and "np.log" not in ex.source and "SOLUTION" not in ex.source
    assert '    raise NotImplementedError("subtract the max before exp")' in ex.source.splitlines()
    assert f'    raise NotImplementedError("{student.DEFAULT_HINT}")' in ex.source.splitlines()
    assert '    """The exercise."""' in ex.source.splitlines()   # lines outside the blocks stay
    for cell in (ex, shown):
        assert cell.outputs == [] and cell.execution_count is None
        assert "execution" not in cell.metadata
    assert shown.metadata["tags"] == ["nbval-ignore-output"]
    assert "widgets" not in nb.metadata
    assert nb.metadata["kernelspec"]["name"] == "python3"
    # the stubs are valid Python and raise with the hint
    ns = {}
    exec(ex.source, ns)
    with pytest.raises(NotImplementedError, match="subtract the max"):
        ns["softmax"](None)
    with pytest.raises(NotImplementedError, match=student.DEFAULT_HINT):
        ns["cross_entropy"](None, 0)


def test_indentation_quotes_and_top_level():
    src = "# BEGIN SOLUTION use \"np.max\" \\ here\nx = 1\n# END SOLUTION\ny = 2"
    out, n = student.strip_solutions(src)
    assert n == 1
    assert out == 'raise NotImplementedError("use \\"np.max\\" \\\\ here")\ny = 2'
    with pytest.raises(NotImplementedError, match=r'use "np.max" \\ here'):
        exec(out, {})
    out, n = student.strip_solutions("def f():\n\t# BEGIN SOLUTION: tabs\n\treturn 1\n\t# END SOLUTION")
    assert (out, n) == ('def f():\n\traise NotImplementedError("tabs")', 1)


@pytest.mark.parametrize("source, message", [
    ("def f():\n    # BEGIN SOLUTION\n    return 1\n", "without a matching END"),
    ("def f():\n    return 1\n    # END SOLUTION\n", "without a BEGIN"),
    ("# BEGIN SOLUTION a\n# BEGIN SOLUTION b\n# END SOLUTION\n", "nested"),
])
def test_unbalanced_markers_raise(source, message):
    with pytest.raises(ValueError, match=message):
        student.strip_solutions(source, where="nb.ipynb, cell 3")


def test_unbalanced_markers_in_a_notebook_name_it(tmp_path):
    src = tmp_path / "nb"
    src.mkdir()
    nb = new_notebook(cells=[new_code_cell("x = 1"), new_code_cell("# BEGIN SOLUTION\nx = 2")])
    nbformat.write(nb, src / "bad.ipynb")
    with pytest.raises(ValueError, match=r"bad\.ipynb, cell 1, line 1"):
        student.build(src, tmp_path / "out")
    # the command line says so in one line and exits non-zero
    r = subprocess.run([sys.executable, "-m", "course_utils.student", str(src), str(tmp_path / "out")],
                       capture_output=True, text=True)
    assert r.returncode == 1 and "BEGIN SOLUTION without a matching END SOLUTION" in r.stderr


# ----------------------------------------------------------------------------- real notebooks
REAL = sorted(NOTEBOOKS.glob("[0-9]*.ipynb"))
needs_notebooks = pytest.mark.skipif(not REAL, reason="no chapter notebooks in notebooks/ yet")


def _solution_lines(nb):
    """Lines only found inside solution blocks (so they must vanish from the student copy)."""
    inside, outside = set(), set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        in_block = False
        for line in cell.source.split("\n"):
            if student.BEGIN.match(line):
                in_block = True
            elif student.END.match(line):
                in_block = False
            elif line.strip():
                (inside if in_block else outside).add(line.strip())
    return inside - outside


@needs_notebooks
def test_real_notebooks_have_no_solutions_left(tmp_path):
    written = student.build(NOTEBOOKS, tmp_path)
    assert [p.name for p in written] == [p.name for p in sorted(NOTEBOOKS.glob("*.ipynb"))]
    for path in REAL:
        original = nbformat.read(path, as_version=4)
        copy = nbformat.read(tmp_path / path.name, as_version=4)
        code = "\n".join(c.source for c in copy.cells if c.cell_type == "code")
        assert "BEGIN SOLUTION" not in code and "END SOLUTION" not in code, path.name
        leaked = [l for l in _solution_lines(original) if l in {s.strip() for s in code.split("\n")}]
        assert not leaked, f"{path.name}: solution lines left in the student copy: {leaked}"
        for cell in copy.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, path.name
        assert "widgets" not in copy.metadata


CHECK_CALL = re.compile(r"\bcheck_\w+\s*\(")


@needs_notebooks
def test_student_copy_of_one_chapter_runs(tmp_path):
    """Execute ONE student notebook (chapter 00 if present: CI time): no error, and every
    exercise check prints "not implemented yet"."""
    from nbclient import NotebookClient

    path = next((p for p in REAL if p.name.startswith("00_")), REAL[0])
    nb = student.student_notebook(nbformat.read(path, as_version=4), name=path.name)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()   # raises on error
    check_cells = [c for c in nb.cells if c.cell_type == "code" and CHECK_CALL.search(c.source)
                   and "def check_" not in c.source]
    n_blocks = sum(student.strip_solutions(c.source)[1]
                   for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
    if n_blocks:
        assert check_cells, f"{path.name} has exercises but no check_<exercise>(...) call"
    for cell in check_cells:
        text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        assert "not implemented yet" in text, f"{path.name}: check cell printed {text!r}\n{cell.source}"
