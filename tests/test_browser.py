"""The dashboard in a real browser (docs/architecture.md): JupyterLab + headless Debian Chromium.

JupyterLab is started on 127.0.0.1 (free port, token) in a temporary folder holding a small
generated dashboard notebook and a copy of chapter 00 (a copy, so the committed notebook is
never saved over).  For each: open it, wait for the kernel, Run All, wait for the dashboard
image, move the learning-rate slider with the keyboard, check that the image changed and the
run finished, and save a screenshot to test-artifacts/.  A burst of ten arrow-key presses must
end on the last value's picture with the UI still answering.  The server and browser launch
live in tests/browser_lab.py (benchmarks/bench_browser.py uses them too).

Needs /usr/bin/chromium (`apt-get install chromium`) and the `playwright` package (test
extra; never `playwright install`).  Without them the tests are skipped, except in CI
(env CI=true), where a missing browser is a failure.
"""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from browser_lab import chromium, kernel_ready, lab_server, missing_browser, run_all

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
CHAPTER00 = ROOT / "notebooks" / "00_getting_started.ipynb"
ARTIFACTS = ROOT / "test-artifacts"

TEST_NOTEBOOK = '''from course_utils import MLP, Optimizer, plots, train, widgets
from course_utils.data import make_moons

data = make_moons(200, 0.2, rng=0)


def experiment(lr, batch_size, live):
    net = MLP(2, [16], 2, rng=0)
    return {"sgd": train(net, data, Optimizer("sgd", lr=lr), epochs=12, batch_size=batch_size,
                         on_epoch=live.track("sgd"))}


def draw(axes, result, values):
    if "sgd" in result:
        plots.plot_curves(axes[0], result["sgd"], "loss")
        plots.plot_curves(axes[1], result["sgd"], "acc")
    axes[0].set_title(f"η = {values['lr']:.3g}, batch {values['batch_size']}")


dash = widgets.Dashboard(experiment, draw, figsize=(11, 4), title="browser test dashboard",
                         margins=dict(left=0.07, right=0.98, bottom=0.13, top=0.91, wspace=0.2),
                         lr=widgets.log_slider("learning rate η", 1e-3, 10, 0.1),
                         batch_size=widgets.batch_slider("batch size", 32, max_exp=7))
print("first run:", dash.history.status)'''


MISSING = missing_browser()
if MISSING and os.environ.get("CI") != "true":      # one skip line for the whole module
    pytest.skip(MISSING, allow_module_level=True)

# run after a burst of input: what the kernel shows, the η its last run trained with, and the
# picture of the same values drawn again from scratch (a synchronous run)
KERNEL_REPORT = '''import hashlib
dash.wait()
def digest():      # (the bytes the browser got: background, foreground coordinates, path codes)
    return hashlib.sha256(dash.frame_bytes + dash.overlay["xy"] + dash.overlay["codes"]).hexdigest()
shown, trained_lr = digest(), dash.history.lr[0]
dash.run(sync=True)
print(f"REPORT lr={dash.values['lr']:.4g} trained={trained_lr:.4g} shown={shown} redrawn={digest()}")'''


def _require_browser():
    if MISSING:                                     # only reached with CI=true: a failure
        pytest.fail(f"CI=true but {MISSING}", pytrace=False)


def _write_test_notebook(path, *extra_cells):
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    nb = new_notebook(cells=[new_markdown_cell(r"The update: $w \leftarrow w - \eta\, g$."),
                             new_code_cell(TEST_NOTEBOOK), new_code_cell("dash"),
                             *map(new_code_cell, extra_cells)],
                      metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                               "language": "python"}})
    nbformat.write(nb, path)


def _executed_copy(src, dst):
    """Execute ``src`` the way the chapters are committed (nbclient, outputs saved, no widget
    state: see README "How to present") into ``dst``."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(src, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", store_widget_state=False,
                   resources={"metadata": {"path": str(src.parent)}}).execute()
    nbformat.write(nb, dst)
    return nb


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 serving a temporary notebooks folder."""
    _require_browser()
    tmp = tmp_path_factory.mktemp("lab")
    nbdir = tmp / "notebooks"
    nbdir.mkdir()
    _write_test_notebook(nbdir / "dashboard_test.ipynb")
    _write_test_notebook(nbdir / "dashboard_nb7.ipynb")          # Notebook 7 gets its own file
    _write_test_notebook(nbdir / "dashboard_rapid.ipynb", KERNEL_REPORT)
    _executed_copy(nbdir / "dashboard_test.ipynb", nbdir / "dashboard_saved.ipynb")
    if CHAPTER00.exists():       # a clean copy: no saved outputs or widget state to mistake for new ones
        import nbformat

        nb = nbformat.read(CHAPTER00, as_version=4)
        nb.metadata.pop("widgets", None)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        nbformat.write(nb, nbdir / CHAPTER00.name)
    with lab_server(nbdir, tmp) as lab:
        yield lab


@pytest.fixture(scope="module")
def browser(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = chromium(p)
        yield b
        b.close()


def _run_all(page, run_timeout):
    state = run_all(page, run_timeout)
    assert state == "done", state
    frame = page.wait_for_selector(f"{FRAME}:not([data-frame='0'])", timeout=30_000)
    body = page.inner_text("body")
    for bad in ("Error displaying widget", "Failed to load model", "Model not found"):
        assert bad not in body, f"the widget did not render ({bad})"
    return frame


# the dashboard's picture: a FrameView canvas (course_utils/widgets/frame_view.js), whose
# data-frame attribute counts the frames it painted
FRAME = "canvas.course-frame"
NEW_FRAME = "([c, n]) => c.dataset.frame !== n"

# on-screen size of the dashboard's picture and of the notebook's visible area
MEASURE = """c => { const nb = document.querySelector('.jp-WindowedPanel-outer')
                     || document.querySelector('.jp-Notebook');
    const box = c.closest('.widget-vbox').getBoundingClientRect();
    return {shown: c.getBoundingClientRect().width, natural: c.width,
            dash_height: box.height, area_height: nb.getBoundingClientRect().height}; }"""


def _font_px(measured, figwidth):
    """Tick-label and title heights on screen: points × scale × dpi/72 × shown/natural."""
    from course_utils import plots

    k = plots.lecture_scale(figwidth) * plots.STYLE["figure.dpi"] / 72 * measured["shown"] / measured["natural"]
    return plots.STYLE["xtick.labelsize"] * k, plots.STYLE["axes.titlesize"] * k


def _press_and_wait(page, dashboard, locator, key, readout):
    """Focus ``locator``, press ``key``; return the readout before and after."""
    before = readout.inner_text()
    locator.scroll_into_view_if_needed()
    locator.focus()
    page.keyboard.press(key)
    try:
        page.wait_for_function("([e, v]) => e.textContent !== v", arg=[readout.element_handle(), before],
                               timeout=5_000)
    except Exception:
        pass
    return before, readout.inner_text()


def _wait_done(page, status, timeout_s):
    page.wait_for_function("e => e.textContent.includes('done in')", arg=status.element_handle(),
                           timeout=timeout_s * 1000)


def _run_dashboard_notebook(browser, lab, name, run_timeout, viewport=(1280, 720), ui="lab"):
    """Open, run all, measure, move the learning-rate slider (arrow key, then the "+" button
    with the keyboard); return what was seen."""
    ARTIFACTS.mkdir(exist_ok=True)
    stem = f"{ui}_{Path(name).stem}"
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    page.set_default_timeout(60_000)
    console = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type == "error" else None)
    try:
        url = f"/lab/tree/{name}?reset" if ui == "lab" else f"/notebooks/{name}?"
        page.goto(f"{lab['base']}{url}&token={lab['token']}")
        kernel_ready(page)
        frame = _run_all(page, run_timeout)
        dashboard = page.locator(".widget-vbox", has=page.locator(FRAME)).last
        status = dashboard.locator(".widget-html").last
        assert "done in" in status.inner_text(), status.inner_text()
        slider = dashboard.locator(".widget-slider", has=page.locator(".widget-label", has_text="learning rate"))
        assert slider.count() == 1, f"{name}: no 'learning rate' slider in the dashboard"
        readout = slider.locator(".widget-readout")
        track = slider.locator(".slider-container").bounding_box()["width"]
        dashboard.scroll_into_view_if_needed()
        measured = frame.evaluate(MEASURE)
        page.screenshot(path=str(ARTIFACTS / f"{stem}_{viewport[0]}x{viewport[1]}.png"))
        arrow = _press_and_wait(page, dashboard, slider.locator(".noUi-handle"), "ArrowRight", readout)
        if arrow[0] != arrow[1]:
            _wait_done(page, status, run_timeout)
        plus = dashboard.locator("button[title$='up one step']").first      # the η slider is first
        before = frame.get_attribute("data-frame")
        button = _press_and_wait(page, dashboard, plus, "Enter", readout)
        t0 = time.perf_counter()
        page.wait_for_function(NEW_FRAME, arg=[frame, before], timeout=60_000)
        first_frame = time.perf_counter() - t0
        _wait_done(page, status, run_timeout)
        done = time.perf_counter() - t0
        dashboard.screenshot(path=str(ARTIFACTS / f"{stem}_dashboard.png"))
        return {"arrow": arrow, "button": button, "first_frame": first_frame, "done": done,
                "status": status.inner_text(), "console": console, "measured": measured,
                "track": track, "page": page}
    except Exception:
        page.screenshot(path=str(ARTIFACTS / f"{stem}_FAILED.png"))
        print("browser console errors:", *console[-20:], sep="\n  ")
        print("server log tail:\n", lab["log"].read_text()[-3000:])
        page.close()
        raise


def test_dashboard_in_jupyterlab(browser, lab):
    """Run the dashboard notebook in JupyterLab's default layout (file browser open) at
    1280×720, then at 1920×1080: text big enough for a projector, the dashboard on one
    screen, a fixed slider track; the slider's arrow key and its "+" button by keyboard."""
    seen = _run_dashboard_notebook(browser, lab, "dashboard_test.ipynb", run_timeout=90)
    page = seen["page"]
    try:
        page.set_viewport_size({"width": 1920, "height": 1080})
        page.wait_for_timeout(1000)
        frame = page.locator(FRAME).last
        frame.scroll_into_view_if_needed()
        big = frame.evaluate(MEASURE)
        page.screenshot(path=str(ARTIFACTS / "lab_dashboard_test_1920x1080.png"))
    finally:
        page.close()
    for screen, m in (("1280x720", seen["measured"]), ("1920x1080", big)):
        tick, title = _font_px(m, 11)
        print(f"{screen}: picture shown {m['shown']:.0f} of {m['natural']} px, ticks {tick:.1f} px, "
              f"titles {title:.1f} px, dashboard {m['dash_height']:.0f} px tall of {m['area_height']:.0f}")
        assert tick >= 14 and title >= 18, (screen, tick, title)
        assert m["dash_height"] <= m["area_height"], f"{screen}: the dashboard does not fit on one screen"
    print(f"track {seen['track']:.0f} px; keys: arrow {seen['arrow']}, '+' {seen['button']}; first new "
          f"frame {seen['first_frame']:.2f} s, done {seen['done']:.2f} s ({seen['status']})")
    assert seen["track"] >= 200, f"slider track only {seen['track']} px"
    assert seen["arrow"] == ("1.0e-1", "1.3e-1"), seen["arrow"]
    assert seen["button"] == ("1.3e-1", "1.6e-1"), seen["button"]
    assert "epoch" not in seen["status"] and "done in" in seen["status"]


# the SHA-256 of the frame the browser painted last, from the bytes it received: the
# background image, then the foreground's coordinates and path codes (frame_view.js keeps
# them as the canvas' ``shownFrame``); KERNEL_REPORT hashes the same bytes in the kernel
SHOWN_SHA = """async c => { const f = c.shownFrame;
    const parts = [f.background, f.overlay.xy, f.overlay.codes].map(
        v => new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
    const h = new Uint8Array(await crypto.subtle.digest('SHA-256', all));
    return [...h].map(x => x.toString(16).padStart(2, '0')).join(''); }"""


def test_rapid_arrow_keys_end_on_the_last_value(browser, lab):
    """Ten ArrowRight presses in a burst on the focused η slider (0.1, a tenth of a decade a
    step): the readout ends at 1.0, the run that finishes is the one for η = 1.0 (no stale run
    finishes after it), the browser shows the kernel's picture, which equals that value's
    picture drawn again from scratch, and one more press still answers (no frozen UI)."""
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{lab['base']}/lab/tree/dashboard_rapid.ipynb?reset&token={lab['token']}")
        kernel_ready(page)
        _run_all(page, 90)
        dashboard = page.locator(".widget-vbox", has=page.locator(FRAME)).last
        frame, status = dashboard.locator(FRAME), dashboard.locator(".widget-html").last
        slider = dashboard.locator(".widget-slider", has=page.locator(".widget-label", has_text="learning rate"))
        readout, handle = slider.locator(".widget-readout"), slider.locator(".noUi-handle")
        assert readout.inner_text() == "1.0e-1" and "done in" in status.inner_text()
        # 1. the burst: ten presses as fast as the keyboard sends them
        handle.scroll_into_view_if_needed()
        handle.focus()
        before = frame.get_attribute("data-frame")
        for _ in range(10):
            page.keyboard.press("ArrowRight")
        expect(readout).to_have_text("1.0e+0", timeout=5_000)
        page.wait_for_function(NEW_FRAME, arg=[frame.element_handle(), before])
        _wait_done(page, status, 60)
        page.wait_for_timeout(1_500)              # a stale run finishing late would show by now
        final_status, shown = status.inner_text(), frame.evaluate(SHOWN_SHA)
        assert "done in" in final_status and "epoch" not in final_status, final_status
        dashboard.screenshot(path=str(ARTIFACTS / "lab_rapid_input_dashboard.png"))
        # 2. ask the kernel (the notebook's last cell): its values, its last run, its picture
        report_cell = page.locator(".jp-Notebook .jp-CodeCell").nth(2)      # (Shift+Enter adds a cell)
        prompt = report_cell.locator(".jp-InputArea-prompt")
        ran_before = prompt.inner_text()
        report_cell.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")
        page.wait_for_function("([p, t]) => /^\\[\\d+\\]:$/.test(p.textContent.trim()) && p.textContent.trim() !== t",
                               arg=[prompt.element_handle(), ran_before], timeout=60_000)
        report = report_cell.locator(".jp-OutputArea-output", has_text="REPORT")
        fields = dict(f.split("=", 1) for f in report.inner_text().split()[1:])
        print(f"after 10 presses: readout {readout.inner_text()}, status {final_status!r}; kernel {fields}")
        assert fields["lr"] == "1" and fields["trained"] == "1", fields
        assert fields["shown"] == shown, "the browser shows another picture than the kernel's"
        assert fields["redrawn"] == shown, "the picture shown is not that of η = 1.0"
        # 3. not frozen: one more press moves the slider and brings a new finished run
        before = frame.get_attribute("data-frame")
        handle.focus()
        page.keyboard.press("ArrowRight")
        expect(readout).to_have_text("1.3e+0", timeout=5_000)
        page.wait_for_function(NEW_FRAME, arg=[frame.element_handle(), before], timeout=30_000)
        _wait_done(page, status, 60)
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "lab_rapid_input_FAILED.png"))
        raise
    finally:
        page.close()


def test_keyboard_in_notebook7(browser, lab):
    """Notebook 7 (same ipywidgets, its own keyboard shortcuts): the "+" button by keyboard
    always steps the slider; whether the arrow key does is printed."""
    seen = _run_dashboard_notebook(browser, lab, "dashboard_nb7.ipynb", run_timeout=90, ui="nb7")
    seen["page"].close()
    print(f"Notebook 7: arrow key {seen['arrow']}, '+' button {seen['button']}, ({seen['status']})")
    assert seen["button"][1] != seen["button"][0], seen["button"]


def test_saved_notebook_shows_the_picture_before_it_runs(browser, lab):
    """Opened with its saved outputs and not run: the dashboard cell shows the PNG, not
    'VBox(children=...'."""
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        page.goto(f"{lab['base']}/lab/tree/dashboard_saved.ipynb?reset&token={lab['token']}")
        img = page.wait_for_selector(".jp-OutputArea-output img[src^='data:image/png']", timeout=60_000)
        assert img.evaluate("i => i.naturalWidth") == 1100
        assert "VBox(children" not in page.inner_text("body")
        img.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "lab_unrun_saved_notebook.png"))
    finally:
        page.close()


def _export_and_open_offline(browser, notebook, out_dir, *extra):
    """`nbconvert --to html` (+ ``extra`` options), opened with every network request refused."""
    subprocess.run([sys.executable, "-m", "nbconvert", "--to", "html", "--output-dir", str(out_dir), *extra,
                    str(notebook)], check=True, capture_output=True)
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    refused = []
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
               else (refused.append(route.request.url), route.abort()))
    page.on("requestfailed", lambda r: refused.append(r.url))
    page.goto((out_dir / (notebook.stem + ".html")).as_uri())
    return page, refused


def test_static_html_export_offline_shows_the_picture(browser, lab, tmp_path):
    """`jupyter nbconvert --to html` of the executed notebook, opened offline: the dashboard
    output is the PNG (no widget scripts from a CDN needed).  Formulas stay raw offline with
    nbconvert's default MathJax (from a CDN); with a local MathJax (the jupyter-server-mathjax
    package, if installed) they are typeset."""
    saved = lab["dir"] / "dashboard_saved.ipynb"
    page, refused = _export_and_open_offline(browser, saved, tmp_path)
    try:
        img = page.wait_for_selector(".jp-OutputArea-output img[src^='data:image/png']", timeout=20_000)
        assert img.evaluate("i => i.complete && i.naturalWidth") == 1100
        text = page.inner_text("body")
        assert "VBox(children" not in text
        assert "$w \\leftarrow" in text                   # MathJax could not load: raw TeX
        print("refused:", refused)
        img.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "html_export_offline.png"))
    finally:
        page.close()
    try:
        import jupyter_server_mathjax
    except ImportError:
        return
    local = Path(jupyter_server_mathjax.__file__).parent / "static" / "MathJax.js"
    page, refused = _export_and_open_offline(
        browser, saved, tmp_path / "local", f"--HTMLExporter.mathjax_url={local.as_uri()}?config=TeX-AMS-MML_HTMLorMML-full,Safe")
    try:
        page.wait_for_selector(".MathJax, .MathJax_CHTML", timeout=20_000)
        assert "$w \\leftarrow" not in page.inner_text("body")
        print("refused with the local MathJax:", refused)
        page.screenshot(path=str(ARTIFACTS / "html_export_offline_local_mathjax.png"))
    finally:
        page.close()


@pytest.mark.skipif(not CHAPTER00.exists(), reason="chapter 00 not written yet")
def test_chapter00_dashboard_in_jupyterlab_and_its_html_export_offline(browser, lab, tmp_path):
    """Chapter 00 run in JupyterLab, its slider moved by arrow key and "+" button; then saved
    from JupyterLab and exported with `nbconvert --to html`: offline, the dashboard's output
    is its PNG."""
    import nbformat

    seen = _run_dashboard_notebook(browser, lab, CHAPTER00.name, run_timeout=240)
    page = seen["page"]
    try:
        page.keyboard.press("Control+s")
        page.wait_for_function("() => !document.querySelector('.jp-mod-dirty')", timeout=30_000)
    finally:
        page.close()
    print(f"chapter 00: η {seen['arrow']} then {seen['button']}, first new frame "
          f"{seen['first_frame']:.2f} s, run done {seen['done']:.2f} s ({seen['status']})")
    assert seen["arrow"][1] != seen["arrow"][0] and seen["button"][1] != seen["button"][0]
    saved = nbformat.read(lab["dir"] / CHAPTER00.name, as_version=4)
    pngs = [o["data"]["image/png"] for c in saved.cells for o in c.get("outputs", [])
            if "application/vnd.jupyter.widget-view+json" in o.get("data", {}) and "image/png" in o["data"]]
    assert pngs, "JupyterLab saved the dashboard without its picture"
    page, refused = _export_and_open_offline(browser, lab["dir"] / CHAPTER00.name, tmp_path)
    try:
        img = page.locator(f"img[src^='data:image/png;base64,{pngs[-1][:200]}']")
        img.wait_for(timeout=20_000)
        assert img.evaluate("i => i.complete && i.naturalWidth") == 1100
        img.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "html_export_offline_chapter00.png"))
    finally:
        page.close()


# ----------------------------------------------------------------------------- lecture mode
RUNNING = "() => [...document.querySelectorAll('.jp-InputArea-prompt')].some(p => p.textContent.includes('*'))"


@pytest.mark.skipif(not CHAPTER00.exists(), reason="chapter 00 not written yet")
def test_chapter00_as_live_slides(browser, lab):
    """Lecture mode (jupyterlab-rise): chapter 00 opened as a slideshow, its cells run there one
    by one with Shift+Enter as a lecturer does, up to the dashboard; the dashboard's slide shown
    at 1280×720 and 1920×1080; a click on the learning-rate slider changes the picture while the
    slide stays."""
    import nbformat

    nb = nbformat.read(CHAPTER00, as_version=4)
    assert nb.metadata.get("rise", {}).get("scroll") is True, "chapter 00 has no lecture settings"
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    name = "00_as_slides.ipynb"
    nbformat.write(nb, lab["dir"] / name)
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{lab['base']}/rise/{name}?token={lab['token']}")
        page.wait_for_selector(".reveal section .jp-Cell", timeout=90_000)
        page.wait_for_timeout(2_000)
        page.click(".reveal .jp-Cell >> nth=0")
        # 1. run cell after cell (Shift+Enter runs one and moves on) until the dashboard shows
        for presses in range(1, len(nb.cells) + 1):
            page.keyboard.press("Shift+Enter")
            page.wait_for_timeout(150)
            page.wait_for_function(f"() => !({RUNNING})()", timeout=240_000)
            if page.locator(f"{FRAME}:not([data-frame='0'])").count():
                break
        frame = page.locator(f"{FRAME}:not([data-frame='0'])").first
        assert frame.count(), "no dashboard appeared in the slideshow"
        assert "Error" not in page.locator(".jp-OutputArea-output[data-mime-type*='stderr']").all_inner_texts().__str__()
        slide_id = frame.evaluate("i => i.closest('section').id")
        # 2. go to the dashboard's slide the way a lecturer does: from the first slide, page down
        page.keyboard.press("Escape")
        page.keyboard.press("Home")
        for _ in range(80):
            if page.evaluate("id => document.getElementById(id).classList.contains('present')", slide_id):
                break
            page.keyboard.press("PageDown")
            page.wait_for_timeout(250)
        assert page.evaluate("id => document.getElementById(id).classList.contains('present')", slide_id)
        page.wait_for_timeout(1_000)
        box = frame.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= 720 + 1, f"the figure leaves the screen: {box}"
        page.screenshot(path=str(ARTIFACTS / "slides_chapter00_dashboard_1280x720.png"))
        page.set_viewport_size({"width": 1920, "height": 1080})
        page.wait_for_timeout(1_500)
        page.screenshot(path=str(ARTIFACTS / "slides_chapter00_dashboard_1920x1080.png"))
        page.set_viewport_size({"width": 1280, "height": 720})
        page.wait_for_timeout(1_000)
        # 3. move the learning-rate slider (a click on its track: the arrow keys belong to reveal.js)
        section = page.locator(f"#{slide_id}")
        slider = section.locator(".widget-slider", has=page.locator(".widget-label", has_text="learning rate"))
        readout = slider.locator(".widget-readout").first
        before_value, before = readout.inner_text(), frame.get_attribute("data-frame")
        track = slider.locator(".noUi-target").first.bounding_box()
        page.mouse.click(track["x"] + 0.85 * track["width"], track["y"] + track["height"] / 2)
        page.wait_for_function(NEW_FRAME, arg=[frame.element_handle(), before], timeout=60_000)
        assert readout.inner_text() != before_value, "the slider did not move"
        assert page.evaluate("id => document.getElementById(id).classList.contains('present')", slide_id), \
            "moving the slider left the dashboard's slide"
        page.wait_for_timeout(1_500)
        page.screenshot(path=str(ARTIFACTS / "slides_chapter00_dashboard_moved.png"))
        print(f"slides: {presses} Shift+Enter to the dashboard on #{slide_id}; η {before_value} -> {readout.inner_text()}")
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "slides_chapter00_FAILED.png"))
        raise
    finally:
        page.close()
