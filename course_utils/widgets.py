"""The live dashboard every chapter uses: controls + one figure + a status line.

    def experiment(lr, batch_size, live):
        net = MLP(784, [100, 100], 10)
        return {"sgd": train(net, data, Optimizer("sgd", lr=lr), epochs=20,
                             batch_size=batch_size, on_epoch=live.track("sgd"))}

    def draw(axes, result, values):
        plot_curves(axes[0], result["sgd"], "loss")

    dash = Dashboard(experiment, draw, lr=log_slider("learning rate η", 1e-4, 1, 0.05),
                     batch_size=batch_slider("batch size", 128))
    dash                                     # shows it; the first run already happened

How it works (docs/architecture.md, "The dashboard"): one persistent Agg ``Figure`` (never pyplot, so no
figure leaks) is rendered to PNG into an ``ipywidgets.Image``.  A control change returns at
once: it bumps a generation counter and starts the run on a daemon thread; the thread holds a
lock, runs with BLAS limited to one thread, redraws every ``stream_every`` epochs, and stops
within one epoch when a newer value arrives (``live.track``'s callback returns False).
``dash.set(lr=0.1)``, ``dash.run(sync=True)``, ``dash.wait()``, ``dash.result``,
``dash.history`` and ``dash.image`` drive it from Python, without a browser.
"""
import io
import threading
import time

import numpy as np
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from . import plots  # (importing it applies the course style)
from .dashboard_view import (arrange_controls, controls_height, done_message, epoch_message,  # noqa: F401
                             fit_titles, readout, step_control)
from . import validate as _v
from .widget_guard import check_control_value, close_tree, release_previous

_SHARED = dict(continuous_update=False, style={"description_width": "initial"})


# ----------------------------------------------------------------------------- controls
def _w():
    import ipywidgets
    return ipywidgets


def _layout(width):
    return _w().Layout(width=width)


def log_slider(description, min, max, value, *, width="340px", fmt=".1e"):
    """A base-10 log slider (learning rate, λ) from ``min`` to ``max``."""
    for name, x in (("min", min), ("max", max), ("value", value)):
        _v.number(f"{description}: {name}", x, 0.0, lo_open=True)
    if not 0 < min <= value <= max:
        raise ValueError(f"{description}: need 0 < min <= value <= max, got {min}, {value}, {max}")
    lo, hi = np.log10(min), np.log10(max)
    return _w().FloatLogSlider(value=value, base=10, min=lo, max=hi, step=(hi - lo) / 40,
                               description=description, readout_format=fmt,
                               layout=_layout(width), **_SHARED)


def log_choice_slider(description, min, max, value, *, per_decade=2, off=True, width="340px"):
    """A slider over log-spaced values with an "off" (0) position first (λ with "no decay")."""
    _v.number(f"{description}: min", min, 0.0, lo_open=True)
    _v.number(f"{description}: max", max, min, where=f">= min = {min:g}")
    _v.number(f"{description}: value", value, 0.0)
    if per_decade not in (1, 2, 3) or isinstance(per_decade, bool):
        raise ValueError(f"{description}: per_decade must be 1, 2 or 3, got {per_decade!r}")
    lo, hi = int(np.floor(np.log10(min))), int(np.ceil(np.log10(max)))
    steps = np.array([1.0, 3.0] if per_decade == 2 else [1.0, 2.0, 5.0] if per_decade == 3 else [1.0])
    vals = sorted({float(f"{m * 10.0 ** e:.3g}") for e in range(lo, hi + 1) for m in steps
                   if min <= m * 10.0 ** e <= max})
    options = ([("off", 0.0)] if off else []) + [(f"{v:g}", v) for v in vals]
    if value not in [v for _, v in options]:
        raise ValueError(f"{description}: value {value} is not one of {[v for _, v in options]}")
    return _w().SelectionSlider(options=options, value=value, description=description,
                                layout=_layout(width), **_SHARED)


def slider(description, min, max, value, step=None, *, width="340px", fmt=".2f"):
    """A linear float slider (dropout rate, init scale, momentum...)."""
    _check_range(description, min, max, value)
    if step is not None:
        _v.number(f"{description}: step", step, 0.0, lo_open=True)
    step = step if step is not None else (max - min) / 20
    return _w().FloatSlider(value=value, min=min, max=max, step=step, description=description,
                            readout_format=fmt, layout=_layout(width), **_SHARED)


def int_slider(description, min, max, value, step=1, *, width="340px"):
    min, max, value = (_v.integer(f"{description}: {name}", x)
                       for name, x in (("min", min), ("max", max), ("value", value)))
    step = _v.integer(f"{description}: step", step, 1)
    _check_range(description, min, max, value)
    return _w().IntSlider(value=value, min=min, max=max, step=step, description=description,
                          layout=_layout(width), **_SHARED)


def _check_range(description, min, max, value):
    # ipywidgets would silently clamp a default outside [min, max]
    for name, x in (("min", min), ("max", max), ("value", value)):
        _v.number(f"{description}: {name}", x)
    if not min <= value <= max:
        raise ValueError(f"{description}: need min <= value <= max, got {min}, {value}, {max}")


def batch_slider(description="batch size", value=128, *, min_exp=0, max_exp=10, width="340px"):
    """Batch size restricted to powers of two, 2**min_exp .. 2**max_exp."""
    min_exp = _v.integer(f"{description}: min_exp", min_exp, 0, 20)
    max_exp = _v.integer(f"{description}: max_exp", max_exp, min_exp, 20)
    options = [2 ** e for e in range(min_exp, max_exp + 1)]
    value = _v.integer(f"{description}: value", value)
    if value not in options:
        raise ValueError(f"{description}: value must be a power of two in [{options[0]}, {options[-1]}] "
                         f"(2**min_exp .. 2**max_exp), got {value}")
    return _w().SelectionSlider(options=options, value=value, description=description,
                                layout=_layout(width), **_SHARED)


def dropdown(description, options, value=None, *, width="260px"):
    if isinstance(options, (str, bytes)) or not hasattr(options, "__iter__") or not _values(options):
        raise ValueError(f"{description}: options must be a non-empty list (or dict), got {options!r}")
    if value is not None and value not in _values(options):
        raise ValueError(f"{description}: value {value!r} is not one of {_values(options)}")
    return _w().Dropdown(options=options, value=value if value is not None else _first(options),
                         description=description, layout=_layout(width),
                         style={"description_width": "initial"})


def checkbox(description, value=True, *, width="auto"):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{description}: value must be True or False, got {value!r}")
    value = bool(value)
    return _w().Checkbox(value=value, description=description, indent=False, layout=_layout(width))


def _first(options):
    return _values(options)[0]


def _values(options):
    items = list(options.values()) if isinstance(options, dict) else list(options)
    return [o[1] if isinstance(o, tuple) else o for o in items]


# ----------------------------------------------------------------------------- the run handle
class Live:
    """Handed to the experiment function: streams partial results and reports cancellation."""

    def __init__(self, dash, generation, stream, values=None):
        self._dash, self._gen, self._stream = dash, generation, stream
        self.values = values
        self.partial = {}
        self._epochs_seen = 0
        # set ``live.cached = True`` when the result came from a cache: the status says so
        # (left at None, a run that did no tracked work and took < 5 ms counts as cached)
        self.cached = None

    @property
    def cancelled(self):
        """True once a newer control value has started another run."""
        return self._dash._generation != self._gen

    def track(self, key, total=None):
        """An ``on_epoch`` callback for ``train``: keeps ``partial[key]``, redraws every
        ``stream_every`` epochs, and returns False (stop) when the run is cancelled.
        The status reads "key: epoch 3 / 20": the total is ``total``, else the epochs
        ``train`` was asked for (``history.planned_epochs``)."""
        def on_epoch(history):
            self.partial[key] = history
            return self.tick(epoch_message(key, history, total))
        return on_epoch

    def tick(self, message=""):
        """Call once per unit of work in custom loops; returns False when cancelled."""
        if self.cancelled:
            return False
        self._epochs_seen += 1
        if self._stream and (self._epochs_seen == 1 or (
                (self._epochs_seen - 1) % self._dash.stream_every == 0 and self._dash._frame_due())):
            self._dash._render(self.partial, status=f"running… {message}", layout=False,
                               values=self.values)
        return True


# ----------------------------------------------------------------------------- dashboard
class Dashboard:
    """Controls + figure + status line, re-running ``experiment`` when a control changes.

    experiment(**values, live) -> result    (any object; usually a dict of Histories)
    draw(axes, result, values)              (result may be partial while streaming)

    ``layout=(rows, cols)`` and ``figsize`` shape the persistent figure; ``margins`` (a dict
    for ``subplots_adjust``, e.g. ``dict(left=0.07, right=0.98, wspace=0.25)``) fixes the axes'
    place instead of re-fitting it around the labels at every frame; ``stream_every``
    sets how many epochs pass between redraws of a threaded run (the first right after epoch 1;
    later ones are skipped while a frame takes longer to draw than the epochs since the last).
    ``font_scale`` ("auto") scales text, lines and markers, not pixels, so that the figure
    shown at JupyterLab's width on a 1280×720 screen has tick labels >= 16 px (1 = as before).

    Displayed, a dashboard is the live widget plus its current picture as an ordinary PNG
    and one line of text (``describe()``), for readers without a kernel.  The status line
    reads "running… sgd: epoch 3 / 20", then "done in … s (computing …, drawing …)" or
    "(cached result …)" when the experiment set ``live.cached = True`` (or did no tracked
    work in under 5 ms).  Each slider has −/+ buttons (``step_control``).
    """

    def __init__(self, experiment, draw, *, layout=(1, 2), figsize=(11, 4), stream_every=3,
                 title=None, run_now=True, margins=None, font_scale="auto", key=None, **controls):
        if not controls:
            raise ValueError("a Dashboard needs at least one control")
        _v.function("experiment", experiment, "experiment(**values, live) -> result")
        _v.function("draw", draw, "draw(axes, result, values)")
        for name, c in controls.items():
            if not hasattr(c, "observe") or not hasattr(c, "value"):
                raise TypeError(f"control {name!r} must be an ipywidgets control (log_slider, "
                                f"slider, dropdown, ...), got {type(c).__name__}")
        self._closed = False
        release_previous(self, experiment, key)
        self.experiment, self.draw_fn = experiment, draw
        self.controls, self.stream_every = controls, max(1, int(stream_every))
        self.title = title
        # Readable on a projector: the PNG keeps figsize × 100 dpi pixels, but every size in
        # points (fonts, lines, markers) is scaled by ``font_scale`` (default: sized for the
        # width JupyterLab shows it at on a 1280-px screen, plots.lecture_scale).
        # The image may use the notebook area's height left by the controls (one screen at
        # 1280×720: plots.LECTURE_AREA_PX); the text is sized for the width it is shown at.
        # (capped: a dashboard with many controls keeps an image at least 399 px tall there)
        chrome = min(controls_height(controls.values(), title), 200)
        shown = min(plots.LECTURE_DISPLAY_PX, (plots.LECTURE_AREA_PX - chrome) * figsize[0] / figsize[1])
        self.font_scale = plots.lecture_scale(figsize[0], shown) if font_scale == "auto" else float(font_scale)
        s, dpi = self.font_scale, plots.STYLE["figure.dpi"]
        # constrained layout fits the axes around their labels at every frame; fixed margins
        # (subplots_adjust's left/right/bottom/top/wspace/hspace) skip that: ~40 % of a frame
        self.fig = Figure(figsize=(figsize[0] / s, figsize[1] / s), dpi=dpi * s,
                          layout=None if margins else "constrained")
        FigureCanvasAgg(self.fig)
        axes = self.fig.subplots(*layout, squeeze=False,
                                 gridspec_kw=plots.scale_margins(margins, s) if margins else None)
        self.axes = list(axes.ravel())
        self.result, self.error, self.seconds, self._cached = None, None, None, False
        self.frames, self.frame_times = 0, []
        self._generation, self._lock, self._thread = 0, threading.Lock(), None
        w = _w()
        # never wider than its pixels, nor taller than the screen left under the controls
        # (121 px: JupyterLab's menu, tabs, toolbar and status bar)
        self._image = w.Image(format="png", layout=w.Layout(
            width="auto", max_width="100%", max_height=f"calc(100vh - {121 + chrome}px)",
            align_self="flex-start"))
        self._status = w.HTML(value="")
        self._title = w.HTML(f"<b style='font-size:1.35em'>{title}</b>") if title else None
        for c in controls.values():
            c.observe(self._on_change, names="value")
        rows = arrange_controls(controls.values())
        box = w.HBox(rows, layout=w.Layout(flex_flow="row wrap", grid_gap="4px 24px", align_items="center"))
        # the layout's own widgets (rows, −/+ buttons, the box): close() should close them too
        self.layout_widgets = [box] + [x for r in rows if r not in controls.values()
                                       for x in (r, *r.children[1:])]
        self.widget = w.VBox(([self._title] if self._title else []) + [box, self._image, self._status])
        if run_now:
            self.run(sync=True)

    # --------------------------------------------------------------- values
    @property
    def values(self):
        return {k: c.value for k, c in self.controls.items()}

    def set(self, *, sync=False, **values):
        """Set controls (without triggering one run per control), then run once."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise ValueError(f"unknown control(s) {sorted(unknown)}; this dashboard has {sorted(self.controls)}")
        if self._closed:
            raise RuntimeError("this dashboard was closed (or replaced by re-running its cell)")
        values = {k: check_control_value(k, self.controls[k], v)   # all checked first:
                  for k, v in values.items()}                       # no half-applied set()
        self._muted = True
        try:
            for k, v in values.items():
                self.controls[k].value = v
        finally:
            self._muted = False
        return self.run(sync=sync)

    def _on_change(self, change):
        if not getattr(self, "_muted", False):
            self.run(sync=False)

    # --------------------------------------------------------------- running
    def run(self, sync=False):
        """Start a run with the current values: on a daemon thread, or here if ``sync``."""
        if getattr(self, "_closed", False):
            raise RuntimeError("this dashboard was closed (or replaced by re-running its cell)")
        self._generation += 1
        gen, values = self._generation, self.values
        if sync:
            self._work(gen, values, stream=False)
        else:
            self._set_status("running…")
            self._thread = threading.Thread(target=self._work, args=(gen, values, True), daemon=True)
            self._thread.start()
        return self

    def wait(self, timeout=30.0):
        """Block until the latest threaded run has finished (for tests and scripts)."""
        t = self._thread
        if t is not None:
            t.join(timeout)
        return self

    def _work(self, gen, values, stream):
        from threadpoolctl import threadpool_limits

        with self._lock:
            if gen != self._generation:          # a newer value arrived while waiting
                return
            live = Live(self, gen, stream, values)
            t0 = time.perf_counter()
            try:
                with threadpool_limits(1), np.errstate(all="ignore"):
                    result = self.experiment(**values, live=live)
                if live.cancelled:
                    return
                self.error, self.result = None, result
                self.seconds = time.perf_counter() - t0
                self._cached = live.cached if live.cached is not None else (
                    live._epochs_seen == 0 and self.seconds < 0.005)
                self._render(result, status="drawing…", values=values)
                self._set_status(self._final_status(result))
            except Exception as exc:             # bad input: say so, keep the last picture
                self.error = exc
                self._set_status(f"<span style='color:#D55E00'>⚠ {type(exc).__name__}: {exc}</span>")

    def _final_status(self, result):
        notes = [f"{k}: {h.status}" for k, h in _histories(result)
                 if h.diverged_at is not None or getattr(h, "near_chance", False)]
        done = done_message(self.seconds, getattr(self, "render_seconds", 0.0), self._cached)
        return done + ("; " + "; ".join(notes) if notes else "")

    # --------------------------------------------------------------- drawing
    def _render(self, result, status="", layout=True, values=None):
        """Draw ``result`` and show it.  ``layout=False`` (streamed frames) keeps the axes
        where the last full layout put them: constrained layout is half the cost of a frame."""
        t0 = time.perf_counter()
        for ax in self.axes:
            ax.cla()
        self.draw_fn(self.axes, result, self.values if values is None else values)
        fit_titles(self.fig, self.axes)
        buf = io.BytesIO()
        engine = self.fig.get_layout_engine()
        if not layout and engine is not None and self.frames:
            self.fig.set_layout_engine("none")
        try:
            # one Agg draw, then PNG straight from its buffer: savefig would draw twice (a
            # no-output pass for the layout, then the real one), ~20 % of a frame more.
            # compress_level=1: encoding ~30 % faster than the default 6, ~10 % more bytes.
            self.fig.canvas.draw()
            width, height = self.fig.canvas.get_width_height(physical=True)
            PIL.Image.frombuffer("RGBA", (width, height), self.fig.canvas.buffer_rgba(),
                                 "raw", "RGBA", 0, 1).save(buf, format="png", compress_level=1)
        finally:
            if self.fig.get_layout_engine() is not engine:
                self.fig.set_layout_engine(engine)
        self._image.value = buf.getvalue()
        self.frames += 1
        self.frame_times.append(time.perf_counter())
        self.render_seconds = time.perf_counter() - t0
        self._set_status(status)

    def _frame_due(self):
        """A streamed frame is skipped while less time has passed since the last frame than
        that frame took to render: drawing never takes more than half of a run (slow machines)."""
        return not self.frame_times or \
            time.perf_counter() - self.frame_times[-1] >= getattr(self, "render_seconds", 0.0)

    def _set_status(self, html):
        self._status.value = f"<span style='font-size:1.3em;line-height:1.6'>{html}</span>"

    @property
    def image(self):
        """The PNG bytes currently shown."""
        return bytes(self._image.value)

    def close(self):
        """Stop any run, close the widgets and free the figure (re-running a dashboard cell
        otherwise keeps the old one alive, since the controls refer back to it)."""
        if self._closed:
            return
        self._closed = True
        self._generation += 1
        self.wait(timeout=5.0)
        for c in self.controls.values():
            c.unobserve(self._on_change, names="value")
        # every widget it made, with their Layout and Style models (ipywidgets keeps each
        # one registered until closed): ~18 models per dashboard otherwise stay alive
        close_tree(self.widget)
        self.fig.clear()

    @property
    def status(self):
        return self._status.value

    @property
    def history(self):
        """The first History of the latest finished result (None if there is none)."""
        hs = _histories(self.result)
        return hs[0][1] if hs else None

    def _repr_mimebundle_(self, **kwargs):
        """The live widget, plus the current picture as an ordinary PNG and one line of text:
        wherever the widget cannot run (a notebook opened but not run, a static HTML export,
        GitHub, nbviewer, PDF) the picture shows; JupyterLab / Notebook 7 / Voilà with a
        kernel prefer the widget view.  The text is deterministic (nbval compares it)."""
        import base64

        bundle = dict(self.widget._repr_mimebundle_(**kwargs) or {})
        if self.image:
            bundle["image/png"] = base64.b64encode(self.image).decode("ascii")
        bundle["text/plain"] = self.describe()
        return bundle

    def describe(self):
        """One deterministic line: the title, the controls at their current values."""
        name = self.title or ", ".join(c.description for c in self.controls.values())
        values = ", ".join(f"{c.description} = {readout(c)}" for c in self.controls.values())
        return (f"Dashboard: {name} [{values}] (static picture of the default run; "
                "run the notebook for the live controls)")


def _histories(result):
    from .training import History

    if isinstance(result, History):
        return [("run", result)]
    if isinstance(result, dict):
        return [(k, v) for k, v in result.items() if isinstance(v, History)]
    if isinstance(result, (list, tuple)):
        return [(str(i), v) for i, v in enumerate(result) if isinstance(v, History)]
    return []
