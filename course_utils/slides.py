"""Lecture slides from the chapter notebooks themselves: slide metadata chosen by rules.

    python -m course_utils.slides notebooks/*.ipynb        # what `make slide-metadata` runs

A chapter becomes a reveal.js slideshow (live in JupyterLab with jupyterlab-rise, or static with
``jupyter nbconvert --to slides``) through each cell's ``metadata.slideshow.slide_type``.  The
rules below give every cell one, the same way in every chapter, so a lecture needs no second copy:

1. a ``#`` or ``##`` heading starts a **slide**, a ``###`` heading a **sub-slide** (below it);
2. "What you (should) see" paragraphs become **notes** (the speaker view, key T);
3. no code cell is ever skipped: the live slideshow runs each cell as the lecturer reaches it
   (Shift+Enter), so the setup cell sits on the title slide, and the cell right before a
   dashboard (the experiment's definition) gets a **sub-slide** of its own;
4. a dashboard (a cell whose output is a widget) gets a **sub-slide** of its own, so controls,
   figure and status fit one screen; a cell with a figure after text on the same slide comes in
   as a **fragment**;
5. exercises: each "**Exercise k**" paragraph starts a sub-slide, its code cells follow on it;
6. everything else continues the current slide ("-") until the slide would be taller than one
   screen (``budget`` lines, a figure counting as ``FIGURE_LINES``): then a sub-slide starts.

A cell tagged ``slide-manual`` keeps the slide type a lecturer chose by hand (RISE's Shift-I,
Shift-B, Shift-G shortcuts, or the property inspector); add the tag when you change one.
The notebook's ``metadata.rise`` gets the presentation settings (scrolling slides, no transition,
slide numbers).
"""
import argparse
import re
import sys
from pathlib import Path

MANUAL_TAG = "slide-manual"
FIGURE_LINES = 16          # a figure is about as tall as 16 lines of text on a 720-pixel screen
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
RISE_SETTINGS = {"scroll": True, "transition": "none", "slideNumber": "c/t", "center": False,
                 "controls": True, "progress": True, "start_slideshow_at": "selected",
                 "width": "100%", "height": "100%"}

_NOTES = re.compile(r"^\s*\*\*What you (should )?see", re.IGNORECASE)
_EXERCISE = re.compile(r"^\s*\*\*Exercise\b", re.IGNORECASE)
_EXERCISES_HEADING = re.compile(r"^##\s+.*\bExercises?\b", re.IGNORECASE)
_TIMING_CELL = re.compile(r"whole notebook")


def _heading_level(source):
    m = re.match(r"^(#{1,6})\s", source.lstrip("\n"))
    return len(m.group(1)) if m else 0


def _outputs(cell):
    return cell.get("outputs", []) if cell.get("cell_type") == "code" else []


def _has_widget(cell):
    return any(WIDGET_VIEW in o.get("data", {}) for o in _outputs(cell))


def _has_figure(cell):
    return any("image/png" in o.get("data", {}) for o in _outputs(cell)) and not _has_widget(cell)


def _height(cell):
    """Rough height in text lines on a slide."""
    src = "".join(cell.get("source", ""))
    lines = src.count("\n") + 1 if src.strip() else 0
    if cell.get("cell_type") == "markdown":
        return lines + 2 * src.count("$$")
    h = min(lines, 30)
    for o in _outputs(cell):
        if o.get("output_type") == "stream":
            h += min("".join(o.get("text", "")).count("\n") + 1, 20)
        elif "image/png" in o.get("data", {}):
            h += FIGURE_LINES
    return h


def slide_types(cells, budget=36):
    """The slide type of each cell (a list of strings), by the module's rules."""
    types, height, in_exercises, first_code = [], 0, False, True
    for k, cell in enumerate(cells):
        before_dashboard = k + 1 < len(cells) and _has_widget(cells[k + 1])
        src = "".join(cell.get("source", ""))
        kind, level = cell.get("cell_type"), _heading_level(src) if cell.get("cell_type") == "markdown" else 0
        h = _height(cell)
        if kind == "markdown" and level in (1, 2):                             # rule 1
            t, height = "slide", h
            in_exercises = bool(_EXERCISES_HEADING.match(src.lstrip("\n")))
        elif kind == "markdown" and level >= 3:
            t, height = "subslide", h
        elif kind == "markdown" and _NOTES.match(src):                           # rule 2
            t = "notes"
        elif kind == "code" and (first_code or _TIMING_CELL.search(src) and len(src.splitlines()) <= 2):
            t, height = "-", height + min(h, 8)                                  # rule 3
        elif kind == "code" and before_dashboard and not _has_widget(cell):
            t, height = "subslide", h
        elif kind == "code" and _has_widget(cell):                               # rule 4
            t, height = "subslide", h
        elif in_exercises and kind == "markdown" and _EXERCISE.match(src):       # rule 5
            t, height = "subslide", h
        elif height + h > budget and height > 0:                                 # rule 6
            t, height = "subslide", h
        elif kind == "code" and _has_figure(cell) and height > 0:
            t, height = "fragment", height + h
        else:
            t, height = "-", height + h
        if kind == "code":
            first_code = False
        types.append(t)
    return types


def apply(nb, budget=36):
    """Set every cell's ``metadata.slideshow`` (except cells tagged ``slide-manual``) and the
    notebook's ``metadata.rise``, in place.  Returns the number of cells changed."""
    changed = 0
    for cell, t in zip(nb["cells"], slide_types(nb["cells"], budget)):
        meta = cell.setdefault("metadata", {})
        if MANUAL_TAG in meta.get("tags", []):
            continue
        if meta.get("slideshow", {}).get("slide_type") != t:
            meta["slideshow"] = {"slide_type": t}
            changed += 1
    nb.setdefault("metadata", {})["rise"] = dict(RISE_SETTINGS)
    return changed


def main(argv=None):
    import nbformat

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebooks", nargs="+", type=Path)
    ap.add_argument("--budget", type=int, default=36, help="lines per slide before a sub-slide starts")
    ap.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook would change")
    args = ap.parse_args(argv)
    stale = []
    for path in args.notebooks:
        nb = nbformat.read(path, as_version=4)
        before = nbformat.writes(nb)
        n = apply(nb, args.budget)
        if nbformat.writes(nb) != before:
            stale.append(path)
            if not args.check:
                nbformat.write(nb, path)
        counts = {}
        for c in nb.cells:
            t = c.metadata.get("slideshow", {}).get("slide_type", "-")
            counts[t] = counts.get(t, 0) + 1
        print(f"{path.name}: {counts.get('slide', 0)} slides, {counts.get('subslide', 0)} sub-slides, "
              f"{counts.get('fragment', 0)} fragments, {counts.get('notes', 0)} notes, "
              f"{counts.get('skip', 0)} skipped; {n} cells changed")
    if args.check and stale:
        print("slide metadata out of date:", ", ".join(p.name for p in stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
