"""What benchmarks/bench_browser.py measures: which control of each dashboard it moves, the
chapter copies it opens, the naive notebook it compares with, and the in-page timer.

A dashboard is found by the cell that shows it (a code cell whose last line is the name of a
``... = W.Dashboard(`` / ``widgets.Dashboard(`` in that chapter); a dashboard not listed in
CONTROLS gets its first slider moved one step right, so a new one is measured too.
"""
import re

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

# (chapter, variable): (row label, control's label text, key: "ArrowRight"/"ArrowLeft"; a
# dropdown gets its next option).  Keys go the way that keeps the runs typical (μ 0.9 → 0.87).
CONTROLS = {
    ("00", "dash"): ("00 learning rate / batch size", "learning rate η", "ArrowRight"),
    ("01", "batch_dash"): ("01 batch size and time per epoch", "learning rate η", "ArrowRight"),
    ("01", "race_dash"): ("01 2-D race (μ slider)", "μ (Momentum, Nesterov)", "ArrowLeft"),
    ("01", "mnist_dash"): ("01 MNIST race", "learning rate × (all)", "ArrowRight"),
    ("01", "decay_dash"): ("01 LR decay (schedule dropdown)", "schedule", None),
    ("02", "dash"): ("02 activation histograms", "weight std σ", "ArrowRight"),
    ("03", "dash"): ("03 BN vs plain", "learning rate η", "ArrowRight"),
    ("03", "dash_running"): ("03 running averages", "momentum m", "ArrowLeft"),
    ("03", "dash_small"): ("03 small batches", "batch size", "ArrowRight"),
    ("04", "toy_dash"): ("04 bias/variance", "training points", "ArrowRight"),
    ("04", "wd_dash"): ("04 weight decay", "λ (weight decay)", "ArrowRight"),
    ("04", "es_dash"): ("04 early stopping", "patience", "ArrowRight"),
    ("05", "mnist_dash"): ("05 dropout on MNIST", "dropout rate p", "ArrowRight"),
    ("05", "toy_dash"): ("05 dropout + λ on the moons", "dropout rate p", "ArrowRight"),
    ("06", "bo_dash"): ("06 BO step by step", "iteration", "ArrowRight"),
}

NAIVE_NOTEBOOK = '''# the naive dashboard: interact re-trains chapter 00's net and re-plots with pyplot inline
%matplotlib inline
import matplotlib.pyplot as plt
from ipywidgets import FloatLogSlider, SelectionSlider, interact

from course_utils import MLP, Optimizer, train
from course_utils.data import load_mnist

data = {k: v for k, v in load_mnist(n_train=1024, n_val=500, n_test=1000, rng=0).items()
        if not k.endswith("_test")}


@interact(lr=FloatLogSlider(value=0.1, base=10, min=-4, max=1, step=0.125, description="learning rate η"),
          batch_size=SelectionSlider(options=[2 ** k for k in range(2, 11)], value=64, description="batch size"))
def lr_experiment(lr, batch_size):
    hist = train(MLP(784, [100, 100], 10, rng=0), data, Optimizer("sgd", lr=lr), epochs=20,
                 batch_size=batch_size, rng=0)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4))
    ax_loss.plot(hist.train_loss, label="train")
    ax_loss.plot(hist.val_loss, label="validation")
    ax_loss.set(xlabel="epoch", title=f"loss (η = {lr:.2g}, batch {batch_size})")
    ax_acc.plot(hist.train_acc, label="train")
    ax_acc.plot(hist.val_acc, label="validation")
    ax_acc.set(xlabel="epoch", title="accuracy")
    ax_loss.legend()
    plt.show()'''

# window.__bench: armed on a dashboard's output area just before the input; records (in the
# page's performance.now() time) the input event, the first changed picture, its decoding, and
# the status line turning to "done in" after the input.
ARM = r"""root => {
    if (window.__bench && window.__bench.stop) window.__bench.stop();
    const STATUS = /^(done in|running|drawing|⚠)/;
    // the status line: the deepest element whose text reads like one; watched through its parent
    // (an HTML widget replaces its content on each update)
    let status = null;
    for (const e of root.querySelectorAll('*'))
        if (STATUS.test(e.textContent.trim()) && ![...e.children].some(c => STATUS.test(c.textContent.trim())))
            status = e;
    const holder = status && status.parentElement;
    const text = () => holder ? holder.textContent.trim() : null;
    const seen = new Set([...root.querySelectorAll('img')].map(i => i.src));
    const m = {t_input: null, t_frame: null, t_decoded: null, t_done: null, error: null,
               has_status: !!holder, status0: text(), saw_other: false};
    const onInput = e => { if (m.t_input === null) m.t_input = e.timeStamp; };
    const types = ['keydown', 'pointerdown', 'change'];
    types.forEach(t => document.addEventListener(t, onInput, true));
    const isPicture = n => n.nodeType === 1 && (n.matches('img, canvas, svg') || n.querySelector('img, canvas, svg'));
    const obs = new MutationObserver(records => {
        const now = performance.now();
        if (m.t_input === null) return;
        if (m.t_frame === null) {
            for (const r of records) {
                const el = r.target;
                const changed = (r.type === 'attributes' && el.tagName === 'IMG' && r.attributeName === 'src'
                                 && !seen.has(el.src)) ||
                                (r.type === 'attributes' && r.attributeName === 'data-frame') ||
                                (r.type === 'childList' && [...r.addedNodes].some(isPicture));
                if (changed) {
                    m.t_frame = now;
                    if (el.dataset && el.dataset.received) {       // a FrameView canvas says more
                        m.t_received = parseFloat(el.dataset.received);
                        m.paint_ms = parseFloat(el.dataset.paintMs);
                        m.kernel_ms = el.dataset.kernelMs ? parseFloat(el.dataset.kernelMs) : null;
                        m.transit_ms = el.dataset.transitMs ? parseFloat(el.dataset.transitMs) : null;
                        m.render_ms = el.dataset.renderMs ? parseFloat(el.dataset.renderMs) : null;
                        m.started_ms = el.dataset.startedMs ? parseFloat(el.dataset.startedMs) : null;
                        m.cpu_ms = el.dataset.cpuMs ? parseFloat(el.dataset.cpuMs) : null;
                    }
                    const img = el.tagName === 'IMG' ? el : root.querySelector('img');
                    if (img && img.decode) img.decode().then(() => { m.t_decoded = performance.now(); },
                                                             () => { m.t_decoded = performance.now(); });
                    else m.t_decoded = now;
                    break;
                }
            }
        }
        const s = text();
        if (s === null) return;
        if (s !== m.status0) m.saw_other = true;
        if (/^⚠/.test(s)) m.error = s.slice(0, 80);
        if (m.t_done === null && m.saw_other && /^done in/.test(s)) m.t_done = now;
    });
    obs.observe(root, {subtree: true, childList: true, attributes: true, characterData: true});
    m.stop = () => { obs.disconnect(); types.forEach(t => document.removeEventListener(t, onInput, true)); };
    window.__bench = m;
}"""


def dashboard_cells(nb, chapter):
    """[(cell index, variable)] of the cells showing a dashboard, in notebook order."""
    names, shown = set(), []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        names |= set(re.findall(r"^(\w+)\s*=\s*\w+\.Dashboard\(", cell.source, re.M))
        lines = [ln.strip() for ln in cell.source.splitlines() if ln.strip() and not ln.strip().startswith("#")]
        if lines and lines[-1] in names and lines[-1] not in {v for _, v in shown}:
            shown.append((i, lines[-1]))
    return shown


def chapter_copy(notebooks, chapter, nbdir):
    """Write chapter ``chapter``'s notebook into ``nbdir`` without outputs and without the
    cells after its last dashboard; returns (file name, [(label, cell, control, key)])."""
    paths = sorted(notebooks.glob(f"{chapter}_*.ipynb"))
    if not paths:
        raise SystemExit(f"no notebook {notebooks}/{chapter}_*.ipynb")
    nb = nbformat.read(paths[0], as_version=4)
    shown = dashboard_cells(nb, chapter)
    if not shown:
        return paths[0].name, []
    nb.cells = nb.cells[:shown[-1][0] + 1]
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(nb, nbdir / paths[0].name)
    plan = []
    for i, var in shown:
        label, control, key = CONTROLS.get((chapter, var), (f"{chapter} {var}", None, "ArrowRight"))
        plan.append((label, i, control, key))
    return paths[0].name, plan


def naive_copy(nbdir, label):
    nb = new_notebook(cells=[new_code_cell(NAIVE_NOTEBOOK)],
                      metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                               "language": "python"}})
    nbformat.write(nb, nbdir / "naive_interact.ipynb")
    return "naive_interact.ipynb", [(label, 0, "learning rate η", "ArrowRight")]


def find_control(page, root, label):
    """("slider" | "dropdown", locator) of the control whose label contains ``label`` (None:
    the dashboard's first slider)."""
    sliders = root.locator(".widget-slider")
    if label is None:
        return "slider", sliders.first
    has_label = page.locator(".widget-label", has_text=label)
    for kind, loc in (("slider", sliders), ("dropdown", root.locator(".widget-dropdown"))):
        hit = loc.filter(has=has_label)
        if hit.count():
            return kind, hit.first
    raise LookupError(f"no control labelled {label!r}")
