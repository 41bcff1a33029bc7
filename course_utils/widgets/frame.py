"""How a dashboard turns ``draw(axes, result, values)`` into PNG bytes, fast enough to be live.

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
4. draws with Agg once and encodes the buffer as PNG (``compress_level=1``: faster than
   the default and ~10 % larger).

``Frame.render`` returns the bytes and a record of where the time went (``frame_log``).
A dashboard that wants a fresh ``cla()`` every frame (a draw function that leaves state a
clear cannot undo) passes ``fresh_axes=True``.
"""
import io
import time

import matplotlib as mpl
import PIL.Image
from matplotlib.transforms import Bbox

from ..dashboard_view import fit_titles


def png_bytes(fig):
    """The figure's Agg buffer (already drawn) as PNG bytes, without drawing again.

    compress_level=1: encoding ~30 % faster than the default 6 for ~10 % more bytes."""
    width, height = fig.canvas.get_width_height(physical=True)
    buf = io.BytesIO()
    PIL.Image.frombuffer("RGBA", (width, height), fig.canvas.buffer_rgba(),
                         "raw", "RGBA", 0, 1).save(buf, format="png", compress_level=1)
    return buf.getvalue()


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
    # 2. texts, axis visibility and grid as cla() leaves them
    for loc in ("center", "left", "right"):
        ax.set_title("", loc=loc)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_axis_on()
    ax.set_prop_cycle(None)                  # colours start again at the first
    ax.grid(False)
    if mpl.rcParams["axes.grid"]:
        ax.grid(True, which=mpl.rcParams["axes.grid.which"], axis=mpl.rcParams["axes.grid.axis"])
    # 3. scales with their default locators and formatters (set_*scale resets both)
    ax.set_xscale("linear")
    ax.set_yscale("linear")
    # 4. limits: autoscaled again from nothing (cla's 0..1 when nothing is drawn)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_autoscale_on(True)
    ax.dataLim.set(Bbox.null())
    ax.ignore_existing_data_limits = True
    ax.set_xmargin(mpl.rcParams["axes.xmargin"])
    ax.set_ymargin(mpl.rcParams["axes.ymargin"])


def _label_lengths(axis):
    lo, hi = sorted(axis.get_view_interval())
    locs = [x for x in axis.get_major_locator()() if lo <= x <= hi]
    formatter = axis.get_major_formatter()
    labels = formatter.format_ticks(locs) if locs else []
    offset = formatter.get_offset() if hasattr(formatter, "get_offset") else ""
    return (max(map(len, labels), default=0), len(labels[0]) if labels else 0,
            len(labels[-1]) if labels else 0, offset)


def layout_key(fig):
    """What decides where constrained layout puts the axes, cheaply: the length of the tick
    labels (longest, first, last), axis labels, which titles are set, legends, the figure's
    title (limits that move the ticks without lengthening their labels do not count)."""
    key = [len(fig.axes), len(fig.legends), bool(fig.get_suptitle())]
    for ax in fig.axes:
        ax.get_xlim(), ax.get_ylim()                  # (applies a pending autoscale)
        key += [_label_lengths(ax.xaxis), _label_lengths(ax.yaxis),
                ax.get_xscale(), ax.get_yscale(), ax.get_xlabel(), ax.get_ylabel(),
                tuple(bool(ax.get_title(loc=loc)) for loc in ("center", "left", "right")),
                ax.get_legend() is not None, ax.axison]
    return tuple(key)


class Frame:
    """Renders one persistent figure: ``render(draw, result, values, streamed)`` -> PNG bytes."""

    def __init__(self, fig, axes, fresh_axes=False):
        self.fig, self.axes, self.fresh_axes = fig, axes, fresh_axes
        self.frame_log = []                 # one dict per frame: where its time went
        self._laid_out = None               # layout_key of the last frame that ran the engine

    def render(self, draw, result, values, streamed=False):
        """Draw and encode one frame; streamed frames skip the layout engine."""
        fig, engine = self.fig, self.fig.get_layout_engine()
        t = [time.perf_counter()]
        # 1-2. clear (keeping ticks, unless the first frame or fresh_axes) and draw
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
                self._laid_out, laid_out = key, True
        t.append(time.perf_counter())
        # 4. one Agg draw (the engine off: it ran above or is not due), PNG from its buffer
        if engine is not None:
            fig.set_layout_engine("none")
        try:
            fig.canvas.draw()
        finally:
            if engine is not None:
                fig.set_layout_engine(engine)
        t.append(time.perf_counter())
        png = png_bytes(fig)
        t.append(time.perf_counter())
        self.frame_log.append(dict(
            streamed=streamed, laid_out=laid_out, bytes=len(png), seconds=t[-1] - t[0],
            **{k: b - a for k, a, b in zip(("draw", "layout", "agg", "png"), t, t[1:])}))
        del self.frame_log[:-200]           # (a day of lecture: keep the last 200)
        return png
