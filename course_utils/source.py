"""Show the course's own code in a chapter: a whole function, or a named region of it.

The chapters print the code that implements a formula instead of copying it.  To print only a
part of a function, mark the part in ``course_utils`` with two comments::

    # region epoch-loop
    for epoch in range(epochs):
        ...
    # endregion

and call ``show_source(training.train, "epoch-loop")``.  A region without ``# endregion`` runs
to the end of the function.  The marker lines themselves are never printed, and a renamed or
deleted region raises a ``ValueError`` that lists the regions the function has (so the
chapter's cell fails loudly instead of printing the wrong lines).  Editors such as VS Code and
PyCharm fold ``# region`` / ``# endregion`` blocks.
"""
import inspect
import re
import textwrap

_START = re.compile(r"^\s*#\s*region\s+([\w.-]+)")
_END = re.compile(r"^\s*#\s*endregion\b")


def _is_marker(line):
    return bool(_START.match(line) or _END.match(line))


def regions(obj):
    """Names of the regions marked in ``obj``'s source, in order."""
    return [m.group(1) for m in map(_START.match, inspect.getsource(obj).splitlines()) if m]


def source(obj, region=None, *, dedent=False):
    """The source of ``obj`` (function, method or class) as a string, without marker lines.

    region: the name after ``# region`` -- only the lines between that marker and the next
    ``# endregion`` (or the end of ``obj``).  dedent: remove the lines' common indentation
    (a region deep inside a loop then reads flush left).
    """
    lines = inspect.getsource(obj).splitlines()
    if region is not None:
        starts = [i for i, line in enumerate(lines)
                  if (m := _START.match(line)) and m.group(1) == region]
        if not starts:
            name = getattr(obj, "__qualname__", repr(obj))
            raise ValueError(f"{name} has no region {region!r}; its regions: {regions(obj)}")
        first = starts[0] + 1
        last = next((i for i in range(first, len(lines)) if _END.match(lines[i])), len(lines))
        lines = lines[first:last]
    text = "\n".join(line for line in lines if not _is_marker(line))
    return (textwrap.dedent(text) if dedent else text).rstrip()


def show_source(obj, region=None, *, dedent=False):
    """Print ``source(obj, region, dedent=dedent)``: what a chapter calls to show our code."""
    print(source(obj, region, dedent=dedent))
