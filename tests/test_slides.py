"""Slide metadata for lecture mode (course_utils.slides): the rules on small notebooks, and every
committed chapter carrying up-to-date slide metadata with its dashboards on slides of their own."""
import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from course_utils import slides

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _widget_output():
    return new_output("execute_result", data={slides.WIDGET_VIEW: {"model_id": "x"}, "text/plain": "VBox()"},
                      execution_count=1)


def _figure_output():
    return new_output("display_data", data={"image/png": "iVBOR", "text/plain": "<Figure>"})


def _chapter():
    return [
        new_markdown_cell("# 09 · A chapter\n\nGoals."),                               # 0 slide
        new_code_cell("import numpy as np"),                                         # 1 - (setup, on the title slide)
        new_markdown_cell("## 1 · An idea\n\nThe formula $$x$$"),                     # 2 slide
        new_code_cell("plot()", outputs=[_figure_output()]),                         # 3 fragment
        new_markdown_cell("**What you should see.** It goes down."),                 # 4 notes
        new_markdown_cell("### A detail"),                                           # 5 subslide
        new_code_cell("\n".join(f"line{i} = {i}" for i in range(20))),               # 6 - (fits)
        new_code_cell("def experiment(lr, live):\n    ..."),                          # 7 subslide (defines the dashboard)
        new_code_cell("dash", outputs=[_widget_output()]),                           # 8 subslide
        new_markdown_cell("## 2 · Exercises\n\n**Exercise 1 — x.** Write f."),        # 9 slide
        new_code_cell("def f():\n    pass"),                                          # 10 -
        new_markdown_cell("**Exercise 2 — y.** Write g."),                           # 11 subslide
        new_code_cell("\n".join(f"g{i} = {i}" for i in range(20))),                  # 12 - (exercise code stays)
        new_markdown_cell("## Summary\n\n1. done"),                                  # 13 slide
        new_code_cell('print(f"whole notebook ⏱ {t:.1f} s")'),                       # 14 -
    ]


def test_rules_on_a_small_chapter():
    assert slides.slide_types(_chapter()) == [
        "slide", "-", "slide", "fragment", "notes", "subslide", "-", "subslide", "subslide",
        "slide", "-", "subslide", "-", "slide", "-"]


def test_a_slide_taller_than_the_budget_continues_on_a_subslide():
    cells = [new_code_cell("import numpy"), new_markdown_cell("## Long\n\n" + "\n".join(["text"] * 10))] + \
            [new_code_cell("x", outputs=[_figure_output()]) for _ in range(3)]
    types = slides.slide_types(cells, budget=36)
    assert types[:2] == ["-", "slide"] and "subslide" in types[2:]
    assert slides.slide_types(cells, budget=10_000)[2:] == ["fragment", "fragment", "fragment"]


def test_apply_sets_metadata_keeps_manual_choices_and_is_idempotent():
    nb = new_notebook(cells=_chapter())
    nb.cells[3].metadata.update(tags=[slides.MANUAL_TAG], slideshow={"slide_type": "subslide"})
    assert slides.apply(nb) == len(nb.cells) - 1
    assert not any(c.metadata["slideshow"]["slide_type"] == "skip" for c in nb.cells)
    assert nb.cells[3].metadata["slideshow"] == {"slide_type": "subslide"}       # hand-chosen, kept
    assert nb.cells[0].metadata["slideshow"] == {"slide_type": "slide"}
    assert nb.metadata["rise"]["scroll"] is True
    assert slides.apply(nb) == 0


def test_cli_check_reports_stale_notebooks(tmp_path, capsys):
    path = tmp_path / "09_x.ipynb"
    nbformat.write(new_notebook(cells=_chapter()), path)
    assert slides.main([str(path), "--check"]) == 1
    assert slides.main([str(path)]) == 0
    assert slides.main([str(path), "--check"]) == 0
    assert "4 slides" in capsys.readouterr().out


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_chapters_carry_current_slide_metadata(path):
    nb = nbformat.read(path, as_version=4)
    stale = nbformat.writes(nb)
    slides.apply(nb)
    assert nbformat.writes(nb) == stale, f"run `make slide-metadata` ({path.name} is out of date)"
    cells = nb.cells
    assert cells[0].metadata["slideshow"]["slide_type"] == "slide"
    dashboards = [c for c in cells if slides._has_widget(c)]
    assert all(c.metadata["slideshow"]["slide_type"] == "subslide" for c in dashboards)
    assert json.loads(json.dumps(nb.metadata["rise"]))["scroll"] is True
