"""How fast does a dashboard answer?  Timings for chapter 00's dashboard (docs/architecture.md).

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_widgets.py [--repeats 3]

1. server-side time per re-render (``dash.redraw()``, ``dash.frame_log``: clear, draw, layout, PNG) of
   chapter 00's figure: two axes, loss and accuracy curves of a 20-epoch run; also a streamed
   frame (``layout=False``: the axes stay where the last full layout put them);
2. time from ``set()`` to the first new frame and to the last frame, and the run's own time;
3. the same when the change arrives while a run is in progress (it cancels that run first).

The dashboard is chapter 00's own: the cells of notebooks/00_getting_started.ipynb that define
``lr_experiment`` and ``dash`` are executed (with their imports).  If that fails (notebook
missing or renamed), a replica with the same settings is used: 1,024 training and 500
validation digits, MLP 784-100-100-10, SGD, batch 64, 20 epochs; loss (with the faint
per-mini-batch loss) and accuracy curves.

``--frames [NN ...]`` instead: every dashboard of the chapters (all by default), built by
executing each chapter's cells up to its last dashboard; per dashboard, input -> first frame
and -> done (the first slider moved one position, three times), the experiment's share of the
first frame, a full frame the old way (``cla()`` + draw, constrained layout, Agg, PNG, kB) and
the dashboard's own streamed and full frames, and how many pixels both ways share.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_widgets.py --frames 00 01

Targets: <= 50 ms per re-render (server share of the first frame), first new frame
<= 100 ms after a change, complete run <= 1.5 s.  Timings are wall clock on a 2-core machine; the load average is printed because
other processes inflate them, and the thread CPU time of a re-render is printed as well.
"""
import argparse
import contextlib
import io
import os
import re
import statistics
import sys
import time
import types
from pathlib import Path

import numpy as np
import PIL.Image
from threadpoolctl import threadpool_limits

from course_utils import MLP, Optimizer, load_mnist, plots, train
from course_utils import dashboard_view
from course_utils import widgets as _widgets
from course_utils.widgets.frame import png_bytes

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "notebooks" / "00_getting_started.ipynb"
TARGETS = {"render": 0.050, "first": 0.100, "run": 1.5}


def from_notebook(widgets=_widgets):
    """Execute chapter 00's import cell and the cells defining its dashboard; return ``dash``."""
    import nbformat

    cells = [c.source for c in nbformat.read(CHAPTER, as_version=4).cells if c.cell_type == "code"]
    wanted = [cells[0]] + [s for s in cells if "def lr_experiment" in s or "widgets.Dashboard(" in s]
    if len(wanted) < 3:
        raise LookupError("chapter 00 has no lr_experiment / widgets.Dashboard cells")
    ns = {}
    for src in wanted:
        src = "\n".join(l for l in src.split("\n") if not l.lstrip().startswith(("%", "!")))
        src = re.sub(r"^runs = .*$", "runs = {}", src, flags=re.M)   # skip its static figure runs
        src = re.sub(r"^for lr, h in runs.items\(\):", "for lr, h in []:", src, flags=re.M)
        ns["widgets"] = widgets
        exec(compile(src, str(CHAPTER), "exec"), ns)
        ns["widgets"] = widgets
    return ns["dash"]


def replica(widgets=_widgets):
    parts = load_mnist(1024, 500, 0, rng=0)
    n_train = 1024

    def experiment(lr, batch_size, live):
        net = MLP(784, [100, 100], 10, rng=0)
        return {"sgd": train(net, parts, Optimizer("sgd", lr=lr), epochs=20, batch_size=batch_size,
                             rng=0, on_epoch=live.track("sgd"))}

    def draw(axes, result, values):
        h = result.get("sgd")
        if h is None:
            return
        per_epoch = -(-n_train // values["batch_size"])
        axes[0].plot(np.arange(1, len(h.batch_loss) + 1) / per_epoch, h.batch_loss,
                     color=plots.color_for("train"), alpha=0.25, lw=1, label="train (each mini-batch)")
        for ax, metric in zip(axes, ("loss", "acc")):
            plots.plot_curves(ax, h, metric, parts=("train",), color=plots.color_for("train"))
            plots.plot_curves(ax, h, metric, parts=("val",), color=plots.color_for("val"))
            ax.legend(fontsize=10)
            ax.set_xlim(0, 20.5)
        axes[0].set_ylim(0, 3)
        axes[0].set_title(f"loss (η = {values['lr']:.2g}, batch {values['batch_size']})")
        axes[1].set_title(f"accuracy: validation {h.val_acc[-1]:.1%}" if h.val_acc else "accuracy")

    return widgets.Dashboard(experiment, draw, figsize=(11, 4), title="replica of chapter 00",
                             lr=widgets.log_slider("learning rate η", 1e-4, 10, 0.1),
                             batch_size=widgets.batch_slider("batch size", 64, min_exp=2, max_exp=10))


def chapter00_dashboard(widgets=_widgets):
    try:
        return from_notebook(widgets), f"cells of {CHAPTER.relative_to(ROOT)}"
    except Exception as exc:  # noqa: BLE001 - any failure: fall back to the replica
        return replica(widgets), f"replica ({type(exc).__name__}: {exc})"


def bench_render(dash, n, layout=True):
    wall, cpu = [], []
    for _ in range(n):
        c0 = time.thread_time()
        dash.redraw(streamed=not layout)
        cpu.append(time.thread_time() - c0)
        wall.append(dash.frame_log[-1]["seconds"])
    return wall, cpu


def bench_change(dash, settings, busy=False):
    """set() -> first / last frame of the new run.  busy=True: a slower run is started first
    and the change arrives 0.3 s into it."""
    first, last, run, returns = [], [], [], []
    for values in settings:
        if busy:
            dash.set(lr=0.01, batch_size=8)
            time.sleep(0.3)
        n0 = len(dash.frame_times)
        t0 = time.perf_counter()
        dash.set(**values)
        returns.append(time.perf_counter() - t0)
        dash.wait(60)
        new = dash.frame_times[n0:]           # (a cancelled run paints nothing after set())
        first.append(new[0] - t0)
        last.append(new[-1] - t0)
        run.append(dash.seconds)
    return first, last, run, returns


def measure(dash, repeats, renders):
    bench_render(dash, 3)                               # warm up
    r = {}
    r["render"], r["render_cpu"] = bench_render(dash, renders)
    r["stream"], r["stream_cpu"] = bench_render(dash, renders, layout=False)
    settings = [dict(lr=0.3, batch_size=64), dict(lr=0.03, batch_size=128),
                dict(lr=0.1, batch_size=32)] * repeats
    r["first"], r["last"], r["run"], r["returns"] = bench_change(dash, settings)
    r["bfirst"], r["blast"], _, _ = bench_change(dash, settings[:3], busy=True)
    r["sync"] = []                                      # the same runs without streaming
    for values in settings[:3]:
        dash.set(sync=True, **values)
        r["sync"].append(dash.seconds)
    return r


ROWS = [("render", "re-render, full layout", "render"),
        ("render_cpu", "  (its thread CPU time)", "render"),
        ("stream", "streamed frame (no layout)", "render"),
        ("stream_cpu", "  (its thread CPU time)", "render"),
        ("returns", "set() returns after", None),
        ("first", "set() -> first new frame", "first"),
        ("last", "set() -> last frame", "run"),
        ("run", "run alone (dash.seconds)", "run"),
        ("sync", "run without streaming (sync)", "run"),
        ("bfirst", "busy: set() -> first frame", "first"),
        ("blast", "busy: set() -> last frame", "run")]


def table(results):
    """results: {column name: measure() output}."""
    names = list(results)
    print(f"{'measure (median, max)':30s}" + "".join(f"{n:>22s}" for n in names) + f"{'target':>10s}")
    for key, label, target in ROWS:
        cells = []
        for n in names:
            xs = results[n].get(key)
            cells.append(f"{statistics.median(xs) * 1e3:7.0f} ms ({max(xs) * 1e3:5.0f})" if xs else "-")
        tgt = f"{TARGETS[target] * 1e3:.0f} ms" if target else ""
        print(f"{label:30s}" + "".join(f"{c:>22s}" for c in cells) + f"{tgt:>10s}")

# ----------------------------------------------------------------------------- every dashboard
# ``--frames``: where a frame's time goes, server side, for the dashboards of every chapter.
# Each chapter's code cells are executed in order up to its last dashboard (``%`` lines dropped);
# every Dashboard made on the way is kept.  Then, per dashboard, the first slider (or the one
# named in STEP_CONTROL) is moved one position three times, as an arrow key does, and timed.
STEP_CONTROL = {"race_dash": "lr_sgd"}      # the step slider of the race only redraws


def chapter_dashboards(path, widgets=_widgets):
    """[(name, dashboard)] of one chapter, made by executing its cells up to the last one."""
    import nbformat

    cells = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    last = max((i for i, s in enumerate(cells) if "Dashboard(" in s), default=-1)
    made, init = [], widgets.Dashboard.__init__

    def recording_init(self, *a, **kw):
        init(self, *a, **kw)
        made.append(self)

    widgets.Dashboard.__init__ = recording_init
    # a registered module, so process pools (chapter 06) can pickle the chapter's functions
    module = types.ModuleType("__chapter__")
    sys.modules[module.__name__] = module
    ns, names = module.__dict__, []
    try:
        for src in cells[:last + 1]:
            src = "\n".join(l for l in src.split("\n") if not l.lstrip().startswith(("%", "!")))
            n0 = len(made)
            with contextlib.redirect_stdout(io.StringIO()):      # the chapter's own printing
                exec(compile(src, str(path), "exec"), ns)
            names += re.findall(r"^(\w+) = \w+\.Dashboard\(", src, flags=re.M)[:len(made) - n0]
    finally:
        widgets.Dashboard.__init__ = init
    return list(zip(names, made))


def _slider(dash, name):
    wanted = STEP_CONTROL.get(name)
    for key, c in dash.controls.items():
        if key == wanted or (wanted is None and type(c).__name__ in dashboard_view._SLIDERS):
            return key, c
    raise LookupError(f"{name} has no slider")


def time_steps(dash, name, steps=3):
    """Move the slider one position ``steps`` times (a run each): input -> first / last frame."""
    key, c = _slider(dash, name)
    default, first, done = c.value, [], []
    direction = +1 if dashboard_view.step_control(c, +1) != default else -1
    dash.wait(120)
    for _ in range(steps):
        n0 = len(dash.frame_times)
        t0 = time.perf_counter()
        dashboard_view.step_control(c, direction)
        dash.wait(120)
        if len(dash.frame_times) > n0:
            first.append(dash.frame_times[n0] - t0)
            done.append(dash.frame_times[-1] - t0)
    dash.set(**{key: default})
    dash.wait(120)
    return first, done


def phases(dash, n=5, layout=True):
    """The full redraw of the latest result, phase by phase: clear + draw, layout, Agg, PNG."""
    fig, out = dash.fig, {k: [] for k in ("draw", "layout", "agg", "png")}
    engine, size = fig.get_layout_engine(), 0
    for _ in range(n):
        t = [time.perf_counter()]
        for ax in dash.axes:
            ax.cla()
        dash.draw_fn(dash.axes, dash.result, dash.values)
        dashboard_view.fit_titles(fig, dash.axes)
        t.append(time.perf_counter())
        if engine is not None and layout:
            engine.execute(fig)
        t.append(time.perf_counter())
        fig.set_layout_engine("none") if engine is not None else None
        try:
            fig.canvas.draw()
        finally:
            fig.set_layout_engine(engine) if engine is not None else None
        t.append(time.perf_counter())
        png = png_bytes(fig)
        t.append(time.perf_counter())
        for k, a, b in zip(out, t, t[1:]):
            out[k].append(b - a)
    r = {k: statistics.median(v) for k, v in out.items()}
    r["bytes"], r["image"] = len(png), png
    return r


def own_phases(dash, n=5):
    """The dashboard's own frames (``dash.redraw``, ``dash.frame_log``): streamed and full."""
    if not hasattr(dash, "redraw"):
        return None
    dash.redraw()                                        # ticks made once, after phases()' cla()
    r = {}
    for streamed in (True, False):
        log = [dash.redraw(streamed=streamed).frame_log[-1] for _ in range(n)]
        r[streamed] = {k: statistics.median(f[k] for f in log) for k in ("seconds", "draw", "layout", "agg", "encode", "bytes")}
    r["image"] = dash.image
    return r


def differing_pixels(png_a, png_b):
    """Fraction of pixels that differ between two PNGs (of the same size; 1.0 if not)."""
    a, b = (np.asarray(PIL.Image.open(io.BytesIO(p)).convert("RGB"), dtype=int) for p in (png_a, png_b))
    return 1.0 if a.shape != b.shape else float(np.mean(np.any(a != b, axis=-1)))


FRAME_COLUMNS = ("dashboard", "first", "done", "exp→1st", "| cla+draw", "layout", "Agg", "PNG",
                 "kB", "| stream", "draw", "Agg", "encode", "full", "layout", "same px")


def frames_table(chapters, steps):
    """Per dashboard: input -> first frame / done (medians of ``steps`` one-position moves),
    the experiment's share of the first frame, then the phases of a full frame the old way
    (cla() + draw, constrained layout, Agg, PNG, its size) and, where the dashboard has
    ``redraw``/``frame_log``, its own streamed and full frames, and the share of pixels
    that are the same in its full frame and in the cla() one."""
    print("".join(f"{c:>{24 if i == 0 else 9}s}" for i, c in enumerate(FRAME_COLUMNS)))
    ms = lambda x: f"{x * 1e3:7.0f}ms"
    for path in chapters:
        for name, dash in chapter_dashboards(path):
            first, done = time_steps(dash, name, steps)
            old = phases(dash)
            own = own_phases(dash)
            stream = own[True]["seconds"] if own else old["draw"] + old["agg"] + old["png"]
            f1 = statistics.median(first) if first else float("nan")
            cells = [f"{path.name[:2]} {name}".ljust(24), ms(f1),
                     f"{statistics.median(done) if done else float('nan'):8.2f}s", ms(f1 - stream),
                     ms(old["draw"]), ms(old["layout"]), ms(old["agg"]), ms(old["png"]), f"{old['bytes'] / 1024:9.0f}"]
            if own:
                s, f = own[True], own[False]
                same = 1 - differing_pixels(old["image"], own["image"])
                cells += [ms(s["seconds"]), ms(s["draw"]), ms(s["agg"]), ms(s["encode"]), ms(f["seconds"]),
                          ms(f["layout"]), f"{same:9.1%}"]
            print("".join(cells), flush=True)
            dash.close()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--repeats", type=int, default=3, help="repeats of the three control changes")
    p.add_argument("--renders", type=int, default=20, help="number of timed re-renders")
    p.add_argument("--frames", nargs="*", metavar="NN",
                   help="instead: the frame breakdown of every dashboard of these chapters (all if none given)")
    args = p.parse_args()
    threadpool_limits(1)
    if args.frames is not None:
        import matplotlib
        matplotlib.use("Agg")
        chapters = sorted(p for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")
                          if not args.frames or p.name[:2] in args.frames)
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
        frames_table(chapters, args.repeats)
        print(f"load average at the end {os.getloadavg()[0]:.2f}")
        return
    modules = {"widgets": _widgets}
    load0 = os.getloadavg()[0]
    results, source = {}, ""
    for name, mod in modules.items():
        t = time.perf_counter()
        dash, source = chapter00_dashboard(mod)
        build = time.perf_counter() - t
        results[name] = measure(dash, args.repeats, args.renders)
        info = (f"stream_every={dash.stream_every}, figure {tuple(float(x) for x in dash.fig.get_size_inches())} in at "
                f"{dash.fig.dpi:.0f} dpi, PNG {len(dash.image) / 1024:.0f} KB, "
                f"frames per threaded run {_frames_per_run(dash)}")
        print(f"[{name}] built in {build:.1f} s; {info}")
    load1 = os.getloadavg()[0]
    print(f"dashboard: {source}")
    print(f"machine: {os.cpu_count()} cores, load average {load0:.2f} -> {load1:.2f} "
          "(wall-clock timings are inflated by other processes)\n")
    table(results)


def _frames_per_run(dash):
    n0 = dash.frames
    dash.set(lr=0.1, batch_size=64)
    dash.wait(60)
    return dash.frames - n0


if __name__ == "__main__":
    main()
