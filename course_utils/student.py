"""Student copies of the chapter notebooks: solutions out, outputs cleared.

    python -m course_utils.student notebooks student        # what `make student` runs

In a code cell, every block between a line ``# BEGIN SOLUTION <hint>`` and a line
``# END SOLUTION`` (markers included) becomes one line ``raise NotImplementedError("<hint>")``
at the BEGIN line's indentation, so a function keeps a valid body and its check prints
"not implemented yet".  Outputs, execution counts and saved widget state are removed.
Unbalanced or nested markers raise ``ValueError`` naming the notebook, cell and line.
"""
import argparse
import re
import sys
from pathlib import Path

BEGIN = re.compile(r"^(?P<indent>[ \t]*)#[ \t]*BEGIN SOLUTION\b[ \t]*:?[ \t]*(?P<hint>.*?)[ \t]*$")
END = re.compile(r"^[ \t]*#[ \t]*END SOLUTION\b")
DEFAULT_HINT = "write your solution here"


def _literal(text):
    """A double-quoted Python string literal for ``text``."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def strip_solutions(source, where="cell"):
    """``source`` with every solution block replaced by a ``raise NotImplementedError``.

    Returns ``(new_source, n_blocks)``.  ``where`` names the cell in error messages.
    """
    out, begin_line, blocks = [], None, 0
    for i, line in enumerate(source.split("\n"), start=1):
        m = BEGIN.match(line)
        if m:
            if begin_line is not None:
                raise ValueError(f"{where}, line {i}: BEGIN SOLUTION inside the block opened "
                                 f"on line {begin_line} (nested or missing END SOLUTION)")
            begin_line, blocks = i, blocks + 1
            out.append(f"{m['indent']}raise NotImplementedError({_literal(m['hint'] or DEFAULT_HINT)})")
        elif END.match(line):
            if begin_line is None:
                raise ValueError(f"{where}, line {i}: END SOLUTION without a BEGIN SOLUTION before it")
            begin_line = None
        elif begin_line is None:
            out.append(line)
    if begin_line is not None:
        raise ValueError(f"{where}, line {begin_line}: BEGIN SOLUTION without a matching END SOLUTION")
    return "\n".join(out), blocks


def student_notebook(nb, name="notebook"):
    """A student copy of an nbformat notebook (the input is not modified)."""
    import copy

    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)                # saved ipywidgets state
    for k, cell in enumerate(nb.cells):
        cell.metadata.pop("execution", None)        # timing stamps
        cell.metadata.pop("widgets", None)
        if cell.cell_type != "code":
            continue
        cell.source, _ = strip_solutions(cell.source, where=f"{name}, cell {k}")
        cell.outputs, cell.execution_count = [], None
    return nb


def build(src_dir="notebooks", dst_dir="student"):
    """Write a student copy of every ``src_dir/*.ipynb`` into ``dst_dir``; return the paths."""
    import nbformat

    src, dst = Path(src_dir), Path(dst_dir)
    if not src.is_dir():
        raise ValueError(f"no such folder: {src}")
    written = []
    for path in sorted(src.glob("*.ipynb")):
        nb = student_notebook(nbformat.read(path, as_version=4), name=str(path))
        dst.mkdir(parents=True, exist_ok=True)
        out = dst / path.name
        nbformat.write(nb, out)
        written.append(out)
    return written


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m course_utils.student", description=__doc__.split("\n")[0])
    p.add_argument("src", nargs="?", default="notebooks", help="folder of chapter notebooks")
    p.add_argument("dst", nargs="?", default="student", help="folder for the student copies")
    args = p.parse_args(argv)
    try:
        written = build(args.src, args.dst)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    if not written:
        print(f"no notebooks in {args.src}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
