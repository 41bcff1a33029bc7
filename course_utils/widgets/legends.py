"""Legends that a dashboard does not build and lay out again when nothing in them changed.

Measured (benchmarks/bench_widgets.py --frames, the same frames with ``ax.legend`` made a
no-op): a legend costs ~3 ms to build (one text, one handle proxy and two offset boxes per
entry) and ~4-5 ms to draw (the offset boxes measure every text again); the two legends of
chapter 01's learning-rate-decay panel were 16 of its 27 ms a frame, chapter 00's two were
17 of 26 ms.  Between two frames of a dashboard the legend rarely changes: the same labels
beside lines of the same colours and styles.  ``LegendMemo`` therefore

1. *builds* a legend once: ``ax.legend(...)`` and ``fig.legend(...)`` of a dashboard's figure
   go through ``LegendMemo.axes_legend`` / ``figure_legend``, which hand back the legend made
   last time (re-attached to its axes or figure) when the call, its labels and the look of
   every handle are the same (``handle_key``) and nobody changed that legend after it was made
   (``legend_state`` then equals what it was when new); otherwise matplotlib builds a new one;
2. *draws* a legend once for the canvas view: ``recorded`` gives the drawing commands
   recorded the last time the same legend object was drawn with the same state, at the same
   place (its anchor box, the figure's size; a legend at ``loc="best"`` moves with the data, so
   it is always drawn again).

Both steps key on everything the picture depends on, so a frame is the same whether or not
a legend came from the memo (tests/test_canvas.py compares them).  A handle whose look the
memo cannot read (an artist type it does not know) makes the legend be built afresh.
"""
import functools

import matplotlib.legend as mlegend
from matplotlib.collections import Collection
from matplotlib.colors import to_rgba_array
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

KEEP = 32          # legends remembered per figure (a dashboard shows a few; old ones go first)


def _colours(value):
    try:
        return tuple(map(tuple, to_rgba_array(value).round(6)))
    except (TypeError, ValueError):
        return repr(value)


def handle_key(artist):
    """What a legend entry shows of ``artist`` (type, colours, widths, styles, marker), or None
    when the type is not one the memo reads (then the legend is always built afresh)."""
    common = (type(artist).__name__, artist.get_visible(), artist.get_alpha(), artist.get_label())
    if isinstance(artist, Line2D):
        return common + (_colours(artist.get_color()), artist.get_linewidth(), repr(artist.get_linestyle()), repr(artist._dash_pattern),
                         artist.get_marker() if isinstance(artist.get_marker(), str) else repr(artist.get_marker()),
                         artist.get_markersize(), _colours(artist.get_markerfacecolor()),
                         _colours(artist.get_markeredgecolor()), artist.get_markeredgewidth(),
                         artist.get_fillstyle(), artist.get_drawstyle(), artist.get_solid_capstyle(),
                         artist.get_dash_capstyle())
    if isinstance(artist, Patch):
        return common + (_colours(artist.get_facecolor()), _colours(artist.get_edgecolor()),
                         artist.get_linewidth(), repr(artist.get_linestyle()), artist.get_hatch(),
                         artist.get_fill())
    if isinstance(artist, Collection):
        sizes = artist.get_sizes() if hasattr(artist, "get_sizes") else ()
        paths = artist.get_paths()
        return common + (_colours(artist.get_facecolor()), _colours(artist.get_edgecolor()),
                         tuple(artist.get_linewidth()), repr(artist.get_linestyle()), artist.get_hatch(),
                         tuple(sizes[:1]), repr(paths[0].vertices.round(6).tolist()) if len(paths) else None)
    return None


def legend_state(legend):
    """What a drawn legend shows, read off the legend itself: its entries' texts and handles,
    title, frame, place settings.  None when a handle is of a type ``handle_key`` cannot read."""
    handles = tuple(handle_key(h) for h in legend.legend_handles)
    if any(h is None for h in handles):
        return None
    texts = tuple((t.get_text(), _colours(t.get_color()), t.get_fontsize(), t.get_visible(),
                   t.get_fontweight(), t.get_fontfamily()[0] if t.get_fontfamily() else None)
                  for t in (*legend.texts, legend.get_title()))
    frame = legend.get_frame()
    return (legend.get_visible(), legend.get_alpha(), legend.get_zorder(), legend._loc, legend._ncols, texts, handles,
            frame.get_visible(), _colours(frame.get_facecolor()), _colours(frame.get_edgecolor()),
            frame.get_linewidth(), legend.get_draggable())


def _call_key(kind, owner, handles, labels, kwargs):
    keys = tuple(handle_key(h) for h in handles)
    if any(k is None for k in keys):
        return None
    try:
        options = repr(sorted(kwargs.items()))
    except TypeError:
        return None
    if " at 0x" in options:                    # (an object without a value repr: never the same)
        return None
    return (kind, id(owner), tuple(labels), keys, options)


class LegendMemo:
    """The legends of one figure, kept for the next frame (see the module docstring).
    ``install(fig, axes)`` routes the figure's and the axes' ``legend`` methods through it;
    ``built`` and ``reused`` count legends made and legends handed back; ``redrawn`` and
    ``replayed`` the same for drawing."""

    def __init__(self):
        self._made = {}                        # call key -> (legend, its state when new)
        self._drawn = {}                       # id(legend) -> (legend, key, commands, fonts)
        self.built = self.reused = self.redrawn = self.replayed = 0

    def install(self, fig, axes):
        for ax in axes:
            ax.legend = functools.partial(self.axes_legend, ax)
        fig.legend = functools.partial(self.figure_legend, fig)

    # ----------------------------------------------------------------- 1. building
    def _cached(self, key):
        if key is None or key not in self._made:
            return None
        legend, fresh = self._made[key]
        if legend.axes is not None or legend.get_figure(root=False) is not None:
            return None                        # (still shown: a second, identical legend)
        if legend_state(legend) != fresh:      # (changed after it was made: build anew)
            return None
        self._made[key] = self._made.pop(key)  # (most recently used last)
        self.reused += 1
        return legend

    def _keep(self, key, legend):
        self.built += 1
        state = legend_state(legend) if key is not None else None
        if state is not None:
            self._made[key] = (legend, state)
            for old in list(self._made)[:-KEEP]:
                del self._made[old]

    def _legend(self, owner, axs, args, kwargs, attach):
        """The legend ``owner.legend(*args, **kwargs)`` would make: the kept one, re-attached by
        ``attach(legend)``, when nothing in it changed; else a new one from matplotlib."""
        handles, labels, options = mlegend._parse_legend_args(axs, *args, **kwargs)
        key = _call_key(type(owner).__name__, owner, handles, labels, options)
        legend = self._cached(key)
        if legend is None:
            legend = type(owner).legend(owner, handles, labels, **options)
            self._keep(key, legend)
        else:
            attach(legend)
        return legend

    def axes_legend(self, ax, *args, **kwargs):
        """``ax.legend(*args, **kwargs)``, the last one made when nothing in it changed."""
        def attach(legend):                     # (what Axes.legend sets up, and remove() undid)
            legend.axes = ax
            legend.set_figure(ax.get_figure(root=False))
            ax.legend_ = legend
            legend._remove_method = ax._remove_legend
            legend.stale = True
        return self._legend(ax, [ax], args, kwargs, attach)

    def figure_legend(self, fig, *args, **kwargs):
        """``fig.legend(*args, **kwargs)``, the last one made when nothing in it changed."""
        def attach(legend):                     # (what Figure.legend sets up)
            legend.set_figure(fig)
            fig.legends.append(legend)
            legend._remove_method = fig.legends.remove
            fig.stale = True
        return self._legend(fig, fig.axes, args, kwargs, attach)

    # ----------------------------------------------------------------- 2. drawing
    def draw(self, legend, recorder):
        """Draw ``legend`` into the canvas ``recorder``: the commands recorded last time when
        the same legend, in the same state, would be drawn at the same place."""
        state = legend_state(legend)
        key = None if state is None or legend._loc == 0 else \
            (state, tuple(legend.get_bbox_to_anchor().bounds),
             tuple(legend.get_figure(root=True).bbox.bounds), recorder.dpi)
        seen = self._drawn.get(id(legend))
        if key is not None and seen is not None and seen[0] is legend and seen[1] == key:
            recorder.commands.extend(seen[2])
            recorder.fonts.update(seen[3])
            self.replayed += 1
            return
        n0 = len(recorder.commands)
        legend.draw(recorder)
        self.redrawn += 1
        if key is not None:
            commands = recorder.commands[n0:]
            fonts = {c["font"]: recorder.fonts[c["font"]] for c in commands if c["kind"] == "text"}
            self._drawn[id(legend)] = (legend, key, commands, fonts)
            for old in list(self._drawn)[:-KEEP]:
                del self._drawn[old]
