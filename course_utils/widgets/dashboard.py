"""The dashboard itself: controls + one persistent figure + a status line (docs/architecture.md,
"The dashboard").  Frames are drawn by ``frame.Frame``; the experiment sees a ``live.Live``."""
import threading
import time

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .. import plots  # (importing it applies the course style)
from .. import validate as _v
from ..dashboard_view import arrange_controls, controls_height, done_message, readout
from ..widget_guard import check_control_value, close_tree, release_previous
from .canvas import picture as canvas_picture
from .frame import FORMAT, Frame, as_png
from .live import Live


def _w():
    import ipywidgets
    return ipywidgets


RUNNING_AFTER_S = 0.2    # a run with nothing to show yet says "running…" after this long


class Dashboard:
    """Controls + figure + status line, re-running ``experiment`` when a control changes.

    experiment(**values, live) -> result    (any object; usually a dict of Histories)
    draw(axes, result, values)              (result may be partial while streaming)

    ``layout=(rows, cols)`` and ``figsize`` shape the persistent figure; ``margins`` (a dict
    for ``subplots_adjust``, e.g. ``dict(left=0.07, right=0.98, wspace=0.25)``) fixes the axes'
    place instead of constrained layout; ``width_ratios`` (one positive number per column)
    makes some columns wider than others; ``stream_every`` sets how many epochs pass between
    streamed frames (the first right after epoch 1; ``live.track(key, every=k)`` overrides it;
    frames are skipped while a frame takes longer to draw than the epochs since the last).
    ``font_scale`` ("auto") scales text, lines and markers, not pixels, so that the figure
    shown at JupyterLab's width on a 1280×720 screen has tick labels >= 16 px.
    ``controls_layout(controls) -> widget`` replaces the default arrangement of the controls
    (a dict, name -> control) above the image.  ``fresh_axes=True`` clears the axes with
    ``cla()`` before every frame instead of ``frame.clear_keeping_ticks`` (slower).
    ``view="canvas"`` (the default) shows the picture in a ``view.FrameView``: the kernel
    sends the background image only when it changes and each frame's foreground as drawing
    commands the browser draws; ``view="image"`` sends every frame whole as an image (an
    ``ipywidgets.Image``: slower, ~20 % on the median in benchmarks/results/browser.txt, but
    needs no anywidget front end).

    Displayed, a dashboard is the live widget plus its current picture as an ordinary PNG
    and one line of text (``describe()``), for readers without a kernel.  The status line
    reads "running… sgd: epoch 3 / 20" (a plain "running…" only when a run has shown nothing
    for ``RUNNING_AFTER_S``, so a fast run's status goes from one "done" to the next), then
    "done in … s (computing …, drawing …)" or "(cached result …)".  Each slider has −/+ buttons (``step_control``).
    """

    def __init__(self, experiment, draw, *, layout=(1, 2), figsize=(11, 4), stream_every=3,
                 title=None, run_now=True, margins=None, font_scale="auto", key=None,
                 controls_layout=None, fresh_axes=False, view="canvas", width_ratios=None, **controls):
        if not controls:
            raise ValueError("a Dashboard needs at least one control")
        if view not in ("canvas", "image"):
            raise ValueError(f"view must be 'canvas' or 'image', got {view!r}")
        if width_ratios is not None:
            width_ratios = [_v.number("width_ratios", r, 0, None, lo_open=True) for r in width_ratios]
            if len(width_ratios) != layout[1]:
                raise ValueError(f"width_ratios must have one number per column ({layout[1]}), "
                                 f"got {len(width_ratios)}")
        _v.function("experiment", experiment, "experiment(**values, live) -> result")
        _v.function("draw", draw, "draw(axes, result, values)")
        if controls_layout is not None:
            _v.function("controls_layout", controls_layout, "controls_layout(controls) -> widget")
        for name, c in controls.items():
            if not hasattr(c, "observe") or not hasattr(c, "value"):
                raise TypeError(f"control {name!r} must be an ipywidgets control (log_slider, "
                                f"slider, dropdown, ...), got {type(c).__name__}")
        self._closed, self._muted, self._changed_at = False, False, None
        release_previous(self, experiment, key)
        self.experiment, self.draw_fn = experiment, draw
        self.controls, self.stream_every = controls, max(1, int(stream_every))
        self.title = title
        # 1. the figure: the PNG keeps figsize × 100 dpi pixels, every size in points is
        # scaled by ``font_scale`` (sized for the width JupyterLab shows it at on a 1280-px
        # screen, the height left under the controls: plots.lecture_scale, LECTURE_AREA_PX)
        chrome = min(controls_height(controls.values(), title), 200)
        shown = min(plots.LECTURE_DISPLAY_PX, (plots.LECTURE_AREA_PX - chrome) * figsize[0] / figsize[1])
        self.font_scale = plots.lecture_scale(figsize[0], shown) if font_scale == "auto" else float(font_scale)
        s, dpi = self.font_scale, plots.STYLE["figure.dpi"]
        self.fig = Figure(figsize=(figsize[0] / s, figsize[1] / s), dpi=dpi * s,
                          layout=None if margins else "constrained")
        FigureCanvasAgg(self.fig)
        grid = dict(plots.scale_margins(margins, s) if margins else {},
                    **({"width_ratios": width_ratios} if width_ratios else {}))
        axes = self.fig.subplots(*layout, squeeze=False, gridspec_kw=grid or None)
        self.axes = list(axes.ravel())
        self._frame = Frame(self.fig, self.axes, fresh_axes=fresh_axes)
        # 2. the state of runs: results only of the newest value (generation) are shown
        self.result, self.error, self.seconds, self._cached = None, None, None, False
        self.frames, self.frame_times, self.render_seconds = 0, [], 0.0
        self._generation, self._pending, self._draining = 0, None, False
        self._lock = threading.Lock()        # one run at a time
        self._paint = threading.Lock()       # generation bumps vs. painting a frame
        self._thread = None
        self._run_started = None             # (wall clock, thread CPU) when the last run began
        self._shown_gen = None               # the generation of the last frame or status shown
        # 3. the widgets: never wider than its pixels, nor taller than the screen left under
        # the controls (121 px: JupyterLab's menu, tabs, toolbar and status bar)
        w = _w()
        self.view = view
        max_height = f"calc(100vh - {121 + chrome}px)"
        if view == "canvas":
            from .view import FrameView
            width, height = self.fig.canvas.get_width_height(physical=True)
            self._image = FrameView(format=FORMAT, width=width, height=height, css_max_height=max_height,
                                    layout=w.Layout(max_width="100%", align_self="flex-start"))
        else:
            self._image = w.Image(format=FORMAT, layout=w.Layout(
                width="auto", max_width="100%", max_height=max_height, align_self="flex-start"))
        self._status, self.status_text = w.HTML(value=""), ""
        self._title = w.HTML(f"<b style='font-size:1.35em'>{title}</b>") if title else None
        for c in controls.values():
            c.observe(self._on_change, names="value")
        if controls_layout is None:
            rows = arrange_controls(controls.values())
            box = w.HBox(rows, layout=w.Layout(flex_flow="row wrap", grid_gap="4px 24px",
                                               align_items="center"))
        else:
            box = controls_layout(dict(controls))
        self.controls_box = box
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
        self._check_open()
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
        if not self._muted:
            self._changed_at = time.time()
            self.run(sync=False)

    def _check_open(self):
        if self._closed:
            raise RuntimeError("this dashboard was closed (or replaced by re-running its cell)")

    # --------------------------------------------------------------- running
    def run(self, sync=False):
        """Start a run with the current values: on the worker thread, or here if ``sync``.
        Returns at once: a burst of changes leaves one pending request (the newest); the
        run in progress stops within one epoch and paints nothing more."""
        self._check_open()
        with self._paint:
            self._generation += 1
            gen, values = self._generation, self.values
            if not sync:
                self._pending, start = (gen, values), not self._draining
                self._draining = True
        if sync:
            self._work(gen, values, stream=False)
            return self
        # "running…" only if no frame or final status came first: a fast run's status goes
        # from one "done" to the next without a flash, and the browser does less work
        # while the first frame is being computed
        timer = threading.Timer(RUNNING_AFTER_S, self._say_running, args=(gen,))
        timer.daemon = True
        timer.start()
        if start:
            self._thread = threading.Thread(target=self._drain, daemon=True)
            self._thread.start()
        return self

    def _say_running(self, gen):
        with self._paint:
            if self.is_current(gen) and self._shown_gen != gen and not self._closed:
                self._set_status("running…")

    def _drain(self):
        while True:                          # the newest pending request, until none is left
            with self._paint:
                request, self._pending = self._pending, None
                if request is None:
                    self._draining = False
                    return
            self._work(*request, stream=True)

    def wait(self, timeout=30.0):
        """Block until the latest threaded run has finished (for tests and scripts)."""
        t = self._thread
        if t is not None:
            t.join(timeout)
        return self

    def is_current(self, generation):
        """True while no newer value has arrived since the run ``generation`` started."""
        return generation == self._generation

    def show_partial(self, partial, message, generation, values=None, first=False):
        """Stream a frame of a run in progress (``Live.tick`` calls this): the first one
        always, later ones only when drawing does not take more time than the work."""
        if first or self._frame_due():
            self._render(partial, status=message, layout=False, values=values, gen=generation)

    def _work(self, gen, values, stream):
        with self._lock:
            if not self.is_current(gen):      # a newer value arrived while waiting
                return
            live = Live(self, gen, stream, values)
            t0, cpu0 = time.perf_counter(), time.thread_time()
            self._run_started = (time.time(), cpu0)
            try:
                with _one_blas_thread(), np.errstate(all="ignore"):
                    result = self.experiment(**values, live=live)
                if live.cancelled:
                    return
                seconds = time.perf_counter() - t0
                # (no tracked work and < 5 ms of this thread's CPU: a lookup, whatever the load)
                cached = live.cached if live.cached is not None else \
                    (live.units == 0 and time.thread_time() - cpu0 < 0.005)
                if self._render(result, status="drawing…", values=values, gen=gen):
                    self.error, self.result, self.seconds, self._cached = None, result, seconds, cached
                    with self._paint:                # (vs. a late "running…": _say_running)
                        self._set_status(self._final_status(result), gen)
            except Exception as exc:             # bad input: say so, keep the last picture
                with self._paint:
                    if self.is_current(gen):
                        self.error = exc
                        self._set_status(f"<span style='color:#D55E00'>⚠ {type(exc).__name__}: {exc}</span>", gen)

    def _final_status(self, result):
        notes = [f"{k}: {h.status}" for k, h in _histories(result)
                 if h.diverged_at is not None or getattr(h, "near_chance", False)]
        done = done_message(self.seconds, self.render_seconds, self._cached)
        return done + ("; " + "; ".join(notes) if notes else "")

    # --------------------------------------------------------------- drawing
    def _render(self, result, status="", layout=True, values=None, gen=None):
        """Draw ``result`` and show it unless a newer value arrived meanwhile (then nothing
        is painted and False is returned).  ``layout=False``: a streamed frame."""
        t0 = time.perf_counter()
        values = self.values if values is None else values
        if self.view == "canvas":
            background, overlay = self._frame.render_client(self.draw_fn, result, values, streamed=not layout)
        else:
            data = self._frame.render(self.draw_fn, result, values, streamed=not layout)
        with self._paint:
            if gen is not None and not self.is_current(gen):
                if self.view == "canvas" and background is not None:
                    self._frame.forget_background()          # (the browser never got this one)
                return False
            if self.view == "canvas":
                # (timings for benchmarks/bench_browser.py: when the frame left the kernel,
                # and how long after the last control change, in ms)
                now = time.time()
                overlay["sent"] = now * 1e3
                overlay["since_change"] = (now - self._changed_at) * 1e3 if self._changed_at else None
                overlay["render_ms"] = (time.perf_counter() - t0) * 1e3
                if self._changed_at and self._run_started:     # (when the run began; its CPU)
                    overlay["started_ms"] = (self._run_started[0] - self._changed_at) * 1e3
                    overlay["cpu_ms"] = (time.thread_time() - self._run_started[1]) * 1e3
                self._image.know_fonts(overlay["fonts"])
                self._image.show(background, overlay)
            else:
                self._image.value = data
            self.frames += 1
            self.frame_times.append(time.perf_counter())
            self.render_seconds = time.perf_counter() - t0
            self._set_status(status)
        return True

    def redraw(self, streamed=False):
        """Draw the latest result again and show it (``streamed=True``: as a streamed frame,
        without the layout engine); ``frame_log[-1]`` says where its time went."""
        self._check_open()
        self._render(self.result, status=self.status_text, layout=not streamed)
        return self

    def _frame_due(self):
        """A streamed frame is skipped while less time has passed since the last frame than
        that frame took to render: drawing never takes more than half of a run (slow machines)."""
        return not self.frame_times or time.perf_counter() - self.frame_times[-1] >= self.render_seconds

    def _set_status(self, html, gen=None):
        if gen is None or self.is_current(gen):
            self._shown_gen = self._generation
            self.status_text = html
            self._status.value = f"<span style='font-size:1.3em;line-height:1.6'>{html}</span>"

    @property
    def frame_log(self):
        """One dict per frame drawn (newest last): streamed, laid_out, bytes, seconds and
        the seconds of its parts draw (clear + draw function), layout, agg and png."""
        return list(self._frame.frame_log)

    @property
    def image(self):
        """The picture currently shown, as PNG bytes: ``view="canvas"``: the background the
        browser has with the foreground commands it drew, drawn again here by Agg
        (``canvas.replay``); ``view="image"``: the frame the widget carries, as PNG."""
        if not self.frames:
            return b""
        if self.view == "canvas":
            return canvas_picture(bytes(self._image.background), self._image.overlay)
        return as_png(bytes(self._image.value), self._image.format)

    @property
    def frame_format(self):
        """The format of the images sent to the browser ("webp" or "png")."""
        return self._image.format

    @property
    def frame_bytes(self):
        """The image bytes the browser has: the whole picture (``view="image"``) or the
        background the canvas draws the foreground over (``view="canvas"``)."""
        return bytes(self._image.background if self.view == "canvas" else self._image.value)

    @property
    def overlay(self):
        """The foreground of the current frame as drawing commands (``canvas.pack``;
        ``view="canvas"`` only, else None)."""
        return self._image.overlay if self.view == "canvas" else None

    def close(self):
        """Stop any run, close the widgets and free the figure (re-running a dashboard cell
        otherwise keeps the old one alive, since the controls refer back to it)."""
        if self._closed:
            return
        self._closed = True
        with self._paint:
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


_BLAS = None


def _one_blas_thread():
    """One BLAS thread while a run computes (``threadpoolctl``), from one controller made
    once: ``threadpool_limits(1)`` looks the libraries up again each time (1-4 ms a run,
    measured in a kernel with ipywidgets and matplotlib loaded)."""
    global _BLAS
    if _BLAS is None:
        from threadpoolctl import ThreadpoolController
        _BLAS = ThreadpoolController()
    return _BLAS.limit(limits=1)


def _histories(result):
    from ..training import History

    if isinstance(result, History):
        return [("run", result)]
    if isinstance(result, dict):
        return [(k, v) for k, v in result.items() if isinstance(v, History)]
    if isinstance(result, (list, tuple)):
        return [(str(i), v) for i, v in enumerate(result) if isinstance(v, History)]
    return []
