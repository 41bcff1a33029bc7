"""How a dashboard turns ``draw(axes, result, values)`` into image bytes, fast enough to be live.

Measured (benchmarks/bench_widgets.py --frames): with ``ax.cla()`` before every draw, about
half of a frame went to re-creating the tick objects that ``cla()`` throws away, and a quarter
to constrained layout.  So a frame here

1. clears the axes *keeping their ticks* (``clear_keeping_ticks``): it removes what the draw
   function added and puts back titles, labels, limits, scales, locators, grid and axis
   visibility as ``cla()`` leaves them, so the same draw function gives the same picture;
2. runs the draw function;
3. runs the layout engine (constrained layout) only for a full frame whose *layout key*
   (tick label lengths, scales, axis labels, which titles and legends there are) differs
   from the last laid-out one; streamed frames never run it (the axes keep their place);
4. draws with Agg in two layers and encodes the buffer (``encode``: lossless WebP, else PNG).  The *background* is what a draw function rarely
   changes between frames: the figure and axes patches, ticks, tick labels, axis labels and
   grid (about half of an Agg draw is text).  The *foreground* is everything else (lines,
   markers, fills, titles, legends, spines), drawn over it in matplotlib's own order.  A
   frame whose background would come out the same as the last one's (``background_key``:
   the axes' place, limits, scales, tick positions and labels, axis labels, grid) restores
   the cached background and draws only the foreground (``blitted`` in the frame log); any
   other frame draws both layers and keeps the new background.  Both ways give the same pixels
   (tests/test_widgets.py compares them).  An axes whose foreground would have to go *under*
   its grid (an image, or anything with a zorder at or below the axis'), or that overlaps an
   earlier axes (a twin), is drawn whole in the foreground instead: correct, only not faster.

``Frame.render`` returns the bytes and a record of where the time went (``frame_log``).
A dashboard that wants a fresh ``cla()`` every frame (a draw function that leaves state a
clear cannot undo) passes ``fresh_axes=True``.
"""
import io
import threading
import time

import matplotlib as mpl
import numpy as np
import PIL.features
import PIL.Image
from matplotlib.legend import Legend
from matplotlib.transforms import Bbox

from ..dashboard_view import fit_titles
from .legends import LegendMemo


# what a frame travels as: lossless WebP where Pillow has it (every PyPI wheel does), else PNG.
# Measured on chapter 01's race (1250×480 px): PNG at compress_level=1 15.6 ms and 130 kB,
# lossless WebP at its fastest setting 9.3 ms and 85 kB, the same pixels; every browser
# JupyterLab supports decodes it.  Readers without a kernel still get a PNG (``as_png``).
FORMAT = "webp" if PIL.features.check("webp") else "png"


def encode(fig, fmt=FORMAT):
    """The figure's Agg buffer (already drawn) as image bytes, without drawing again:
    ``"webp"`` lossless at the fastest method, or ``"png"`` at compress_level=1 (~30 %
    faster than the default 6 for ~10 % more bytes)."""
    width, height = fig.canvas.get_width_height(physical=True)
    buf = io.BytesIO()
    image = PIL.Image.frombuffer("RGBA", (width, height), fig.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    if fmt == "webp":
        image.save(buf, format="webp", lossless=True, method=0, quality=0)
    elif fmt == "png":
        image.save(buf, format="png", compress_level=1)
    else:
        raise ValueError(f"fmt must be 'webp' or 'png', got {fmt!r}")
    return buf.getvalue()


def png_bytes(fig):
    """The figure's Agg buffer as PNG bytes (``encode(fig, "png")``)."""
    return encode(fig, "png")


def as_png(data, fmt):
    """Frame bytes in ``fmt`` as PNG (the same pixels): for the static picture a notebook keeps."""
    if fmt == "png" or not data:                 # (no picture yet: b"")
        return data
    buf = io.BytesIO()
    PIL.Image.open(io.BytesIO(data)).save(buf, format="png")
    return buf.getvalue()


def _grid_as_rc(ax):
    """True when the grid lines are on/off and styled as the rc says (as cla() leaves them)."""
    rc = mpl.rcParams
    for axis, name in ((ax.xaxis, "x"), (ax.yaxis, "y")):
        for which, ticks in (("major", axis.majorTicks), ("minor", axis.minorTicks)):
            want = bool(rc["axes.grid"]) and rc["axes.grid.which"] in (which, "both") \
                and rc["axes.grid.axis"] in (name, "both")
            if not ticks:
                return False
            line = ticks[0].gridline
            if line.get_visible() != want:
                return False
            if want and not (mpl.colors.same_color(line.get_color(), rc["grid.color"])
                             and line.get_linestyle() == rc["grid.linestyle"]
                             and line.get_linewidth() == rc["grid.linewidth"]
                             and line.get_alpha() == rc["grid.alpha"]):
                return False
    return True


# what a locator or formatter derives from the ticks of the last draw (not a setting)
_DERIVED = frozenset({"axis", "locs", "offset", "_orderOfMagnitude", "_format"})


def _ticker_state(axis):
    """What ``set_*scale("linear")`` would put back: the scale, which four tickers the axis
    has and their settings (so ``locator_params`` or ``ticklabel_format`` in a draw count)."""
    def settings(ticker):
        return type(ticker), id(ticker), [
            (k, v.tolist() if isinstance(v, np.ndarray) else v)
            for k, v in sorted(vars(ticker).items()) if k not in _DERIVED]

    return (axis.get_scale(), id(axis._scale),
            axis.isDefault_majloc, axis.isDefault_majfmt, axis.isDefault_minloc, axis.isDefault_minfmt,
            *(settings(t) for t in (axis.major.locator, axis.major.formatter,
                                    axis.minor.locator, axis.minor.formatter)))


def clear_keeping_ticks(ax):
    """``ax.cla()`` without re-creating the tick objects (the costly part of the next draw)."""
    # 1. what the draw function added: artists, legend, insets
    for artist in (*ax.lines, *ax.collections, *ax.patches, *ax.texts, *ax.images,
                   *ax.tables, *ax.artists):
        artist.remove()
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    for child in list(ax.child_axes):
        child.remove()
    # 2. texts, axis visibility and grid as cla() leaves them (set_title("") also puts back the
    # title's rc font: only for titles the draw used; measured ~0.2 ms a call)
    for loc, title in (("center", ax.title), ("left", ax._left_title), ("right", ax._right_title)):
        if title.get_text():
            ax.set_title("", loc=loc)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_axis_on()
    ax.set_prop_cycle(None)                  # colours start again at the first
    if not _grid_as_rc(ax):                  # (re-setting it touches every tick: only if needed)
        ax.grid(False)
        if mpl.rcParams["axes.grid"]:
            ax.grid(True, which=mpl.rcParams["axes.grid.which"], axis=mpl.rcParams["axes.grid.axis"])
    # 3. scales with their default locators and formatters (set_*scale resets both), unless
    # the axis still has exactly what the last reset left (measured ~0.6 ms an axis)
    for axis, set_scale in ((ax.xaxis, ax.set_xscale), (ax.yaxis, ax.set_yscale)):
        if getattr(axis, "_linear_as_reset", None) != _ticker_state(axis):
            set_scale("linear")
            axis._linear_as_reset = _ticker_state(axis)
    # 4. limits: autoscaled again from nothing, cla's 0..1 while nothing is drawn (the
    # margins first: setting them asks for an autoscale, which on no data gives ±0.055)
    ax.set_xmargin(mpl.rcParams["axes.xmargin"])
    ax.set_ymargin(mpl.rcParams["axes.ymargin"])
    ax.dataLim.set(Bbox.null())
    ax.ignore_existing_data_limits = True
    ax.set_autoscale_on(True)
    ax.set_xlim(0, 1, auto=None)
    ax.set_ylim(0, 1, auto=None)
    # 5. ticks and axis labels on the sides the rc says (a draw that called tick_top() is undone)
    rc = mpl.rcParams
    for axis, n, (a, b) in ((ax.xaxis, "x", ("bottom", "top")), (ax.yaxis, "y", ("left", "right"))):
        usual = rc[f"{n}tick.{a}"] and not rc[f"{n}tick.{b}"] and rc[f"{n}tick.label{a}"] \
            and not rc[f"{n}tick.label{b}"]
        if not usual or axis.get_ticks_position() != a:
            axis.set_tick_params(which="both", **{s: rc[f"{n}tick.{s}"] for s in (a, b)},
                                 **{"label" + s: rc[f"{n}tick.label{s}"] for s in (a, b)})
        if axis.get_label_position() != a:
            axis.set_label_position(a)


def _label_lengths(axis):
    lo, hi = sorted(axis.get_view_interval())
    locs = [x for x in axis.get_major_locator()() if lo <= x <= hi]
    formatter = axis.get_major_formatter()
    labels = formatter.format_ticks(locs) if locs else []
    offset = formatter.get_offset() if hasattr(formatter, "get_offset") else ""
    return (max(map(len, labels), default=0), len(labels[0]) if labels else 0,
            len(labels[-1]) if labels else 0, offset)


def _legend_key(legend):
    # (a legend outside its axes takes room by its number of entries, columns and place)
    return None if legend is None else (len(legend.texts), legend._ncols, legend._loc,
                                        legend.get_title().get_text() != "")


def layout_key(fig):
    """What decides where constrained layout puts the axes, cheaply: the length of the tick
    labels (longest, first, last), axis labels, which titles are set and their number of
    lines, legends (entries, columns, place), the figure's
    title (limits that move the ticks without lengthening their labels do not count)."""
    key = [len(fig.axes), len(fig.legends), bool(fig.get_suptitle())]
    for ax in fig.axes:
        ax.get_xlim(), ax.get_ylim()                  # (applies a pending autoscale)
        key += [_label_lengths(ax.xaxis), _label_lengths(ax.yaxis),
                ax.get_xscale(), ax.get_yscale(), ax.get_xlabel(), ax.get_ylabel(),
                tuple(ax.get_title(loc=loc).count("\n") + 1 if ax.get_title(loc=loc) else 0
                      for loc in ("center", "left", "right")),
                _legend_key(ax.get_legend()), ax.axison]
    return tuple(key)


# ----------------------------------------------------------------------------- two layers
def _axis_key(axis):
    """What an axis draws into the background: view, scale, ticks and their labels, label."""
    lo, hi = sorted(axis.get_view_interval())
    key = [lo, hi, axis.get_scale(), axis.get_visible(), axis.get_label_position(),
           axis.get_ticks_position(), repr(sorted(axis.get_tick_params().items())),
           repr(sorted(axis.get_tick_params(which="minor").items()))]
    for locator, formatter, ticks in ((axis.get_major_locator(), axis.get_major_formatter(), axis.majorTicks),
                                      (axis.get_minor_locator(), axis.get_minor_formatter(), axis.minorTicks)):
        locs = [x for x in locator() if lo <= x <= hi]
        key += [tuple(locs), tuple(formatter.format_ticks(locs)) if locs else (),
                formatter.get_offset() if hasattr(formatter, "get_offset") else "",
                ticks[0].gridline.get_visible() if ticks else None]    # (grid style: in tick params)
    label = axis.label
    key += [label.get_text(), label.get_visible(), label.get_color(), label.get_fontsize(),
            label.get_fontweight(), label.get_rotation()]
    return key


def background_key(fig, split):
    """Everything the background layer of ``fig`` depends on (``split`` from ``layers``)."""
    key = [tuple(fig.bbox.bounds), fig.dpi, fig.patch.get_facecolor()]
    for ax in split["background"]:
        key += [tuple(ax.get_position().bounds), ax.patch.get_facecolor(), ax.patch.get_visible(),
                *_axis_key(ax.xaxis), *_axis_key(ax.yaxis)]
    return tuple(key)


def layers(fig):
    """Split ``fig`` into the axes whose patch and axis can be a cached background and the
    foreground drawn over them, in the order ``Figure.draw`` would draw it; None when the
    figure's order cannot be reproduced that way (then a frame is drawn the ordinary way)."""
    if fig.suppressComposite:
        return None
    background, foreground = [], []
    for ax in fig.axes:
        if ax.get_zorder() != 0 or not ax.get_visible():
            return None
        ax.apply_aspect()                           # (the axes' final place, before the key)
        behind = (ax.patch, ax.xaxis, ax.yaxis)
        front = [a for a in ax.get_children() if all(a is not b for b in behind)]
        floor = max(ax.xaxis.get_zorder(), ax.yaxis.get_zorder())   # (the patch goes first anyway)
        place = ax.get_position()
        if (not any(place.overlaps(b.get_position()) for b in fig.axes[:fig.axes.index(ax)])
                and ax.axison and ax.get_frame_on() and ax.get_rasterization_zorder() is None
                and all(a.get_zorder() > floor and not a.get_animated() for a in front)):
            background.append(ax)
            foreground.append(("front", ax, sorted(front, key=lambda a: a.get_zorder())))
        else:
            foreground.append(("whole", ax, [ax]))
    others = [a for a in fig.get_children()
              if a is not fig.patch and not any(a is ax for ax in fig.axes)]
    if any(a.get_zorder() <= 0 for a in others):
        return None
    foreground.append(("figure", None, sorted(others, key=lambda a: a.get_zorder())))
    return dict(background=background, foreground=foreground)


def _titles_stay_put(ax, renderer):
    """True when Axes.draw would leave the titles where ``set_title`` put them (y = 1): the
    usual case, x ticks and label at the bottom, no y offset text, each title above the top
    of the axes and its insets.  Checking costs one text extent per title; matplotlib's own
    placement measures every tick label (~3 ms an axes), so it runs only when this is False."""
    family = [ax, *ax.child_axes]
    if any(a.xaxis.get_ticks_position() != "bottom" or a.xaxis.get_label_position() != "bottom"
           or (a.yaxis.offsetText.get_visible() and a.yaxis.offsetText.get_text()) for a in family):
        return False
    top = max(a.get_window_extent(renderer).ymax for a in family)
    titles = (ax.title, ax._left_title, ax._right_title)    # (the three set_title places)
    return all(t.get_position()[1] == 1.0 and
               (not t.get_text() or t.get_window_extent(renderer).ymin >= top) for t in titles)


def _draw_foreground(fig, split, renderer, legends=None):
    """The foreground artists in order; with ``legends`` (a ``LegendMemo``, recording for the
    canvas) a legend drawn as last time is replayed from its recorded commands."""
    for kind, ax, artists in split["foreground"]:
        if kind == "front" and not _titles_stay_put(ax, renderer):
            ax._update_title_position(renderer)     # (as Axes.draw does before its artists)
        for a in artists:
            if legends is not None and isinstance(a, Legend):
                legends.draw(a, renderer)
            else:
                a.draw(renderer)


def draw_background(fig, split):
    """Draw the background alone (everything in the foreground hidden); returns a copy of it."""
    hidden = [a for _, _, artists in split["foreground"] for a in artists if a.get_visible()]
    for a in hidden:
        a.set_visible(False)
    try:
        fig.canvas.draw()
    finally:
        for a in hidden:
            a.set_visible(True)
    return fig.canvas.copy_from_bbox(fig.bbox)


def draw_layers(fig, split):
    """Draw the background alone, keep a copy of it, then draw the foreground over it;
    returns the copy."""
    background = draw_background(fig, split)
    _draw_foreground(fig, split, fig.canvas.get_renderer())
    return background


def blit(fig, split, background):
    """The cached background back, the foreground drawn over it."""
    fig.canvas.restore_region(background)
    _draw_foreground(fig, split, fig.canvas.get_renderer())


class Frame:
    """Renders one persistent figure, as image bytes (``render``: the whole picture, Agg,
    ``FORMAT``) or for the browser's canvas (``render_client``: a background image when it
    changed, plus the foreground as drawing commands, ``canvas.pack``)."""

    def __init__(self, fig, axes, fresh_axes=False):
        self.fig, self.axes, self.fresh_axes = fig, axes, fresh_axes
        self.frame_log = []                 # one dict per frame: where its time went
        self._laid_out = None               # layout_key of the last frame that ran the engine
        self._background = None             # (background_key, the cached pixels)
        self._recorder = None               # (one per figure: matplotlib caches text metrics per renderer)
        self.lock = threading.Lock()        # one frame at a time
        self.legends = LegendMemo()         # legends built and drawn once while they stay the same
        self.legends.install(fig, axes)

    def _prepare(self, draw, result, values, streamed):
        """Steps 1-3: clear, draw, fit titles, layout; returns (t, laid_out, engine)."""
        fig, engine = self.fig, self.fig.get_layout_engine()
        t = [time.perf_counter()]
        # 1-2. clear (keeping ticks, unless the first frame or fresh_axes) and draw; axes the
        # last draw added (a twin, a colorbar) go: the draw function makes them again
        for ax in [a for a in fig.axes if not any(a is b for b in self.axes)]:
            ax.remove()
        for ax in self.axes:
            ax.cla() if self.fresh_axes or not self.frame_log else clear_keeping_ticks(ax)
        draw(self.axes, result, values)
        fit_titles(fig, self.axes)
        t.append(time.perf_counter())
        # 3. layout only when it may have changed
        laid_out = False
        if engine is not None and not streamed:
            key = layout_key(fig)
            if key != self._laid_out:
                engine.execute(fig)
                # (the key again: the new axes sizes can change the ticks, e.g. how many
                # decades a log axis labels; the next frame compares with what it will see)
                self._laid_out, laid_out = layout_key(fig), True
        t.append(time.perf_counter())
        return t, laid_out, engine

    def _log(self, t, **info):
        self.frame_log.append(dict(
            seconds=t[-1] - t[0], **info,
            **{k: b - a for k, a, b in zip(("draw", "layout", "agg", "encode", "record"), t, t[1:])}))
        del self.frame_log[:-200]           # (a day of lecture: keep the last 200)

    def render(self, draw, result, values, streamed=False):
        """Draw and encode one frame; streamed frames skip the layout engine."""
        with self.lock:
            fig = self.fig
            t, laid_out, engine = self._prepare(draw, result, values, streamed)
            # 4. Agg (the engine off: it ran above or is not due): a streamed frame over the cached
            # background when that would come out the same, else both layers; encoded from the buffer
            blitted = False
            if engine is not None:
                fig.set_layout_engine("none")
            try:
                split = layers(fig)
                if split is None or not split["background"]:       # (nothing to re-use)
                    self._background = None
                    fig.canvas.draw()
                else:
                    key = background_key(fig, split)
                    if self._background is not None and self._background[0] == key:
                        blit(fig, split, self._background[1])
                        blitted = True
                    else:
                        self._background = (key, draw_layers(fig, split))
            finally:
                if engine is not None:
                    fig.set_layout_engine(engine)
            t.append(time.perf_counter())
            data = encode(fig)
            t.append(time.perf_counter())
            self._log(t, streamed=streamed, laid_out=laid_out, blitted=blitted, bytes=len(data))
            return data

    def render_client(self, draw, result, values, streamed=False):
        """One frame for ``view.FrameView``: ``(background, overlay)``.  ``background`` is image
        bytes (``FORMAT``) when the background changed since the last frame, else None (the
        browser has it); ``overlay`` is the foreground as a ``canvas.pack`` message.  A figure
        that ``layers`` cannot split comes whole as the background, with an empty overlay."""
        from .canvas import Recorder, pack

        with self.lock:
            fig = self.fig
            t, laid_out, engine = self._prepare(draw, result, values, streamed)
            # 4. the background with Agg, only when its key changed
            background, split, new_background = None, None, False
            if engine is not None:
                fig.set_layout_engine("none")
            try:
                split = layers(fig)
                if split is not None and not split["background"]:
                    split = None
                if split is None:
                    fig.canvas.draw()
                    self._background = None
                else:
                    key = background_key(fig, split)
                    if self._background is None or self._background[0] != key:
                        self._background = (key, draw_background(fig, split))
                        new_background = True
                t.append(time.perf_counter())
                if split is None or new_background:
                    background = encode(fig)
                t.append(time.perf_counter())
                # 5. the foreground as commands
                commands, renderer = [], fig.canvas.get_renderer()
                if split is not None:
                    if self._recorder is None or self._recorder.agg is not renderer:
                        self._recorder = Recorder(renderer)
                    self._recorder.start()
                    _draw_foreground(fig, split, self._recorder, self.legends)
                    commands = self._recorder.commands
                overlay = pack(commands, self._recorder.fonts if split is not None else None)
                t.append(time.perf_counter())
            finally:
                if engine is not None:
                    fig.set_layout_engine(engine)
            size = len(background or b"") + len(overlay["xy"]) + len(overlay["codes"]) + \
                sum(map(len, overlay["images"])) + 40 * len(overlay["ops"])
            self._log(t, streamed=streamed, laid_out=laid_out, blitted=background is None,
                      client=True, commands=len(commands), bytes=size)
            return background, overlay

    def forget_background(self):
        """The next frame draws and sends its background again."""
        with self.lock:
            self._background = None
