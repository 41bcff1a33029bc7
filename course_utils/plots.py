"""One look for the whole course: a projector-friendly style, the Okabe-Ito colour-blind-safe
palette with one colour per optimizer/setting, and the figure functions every chapter shares.

Every function draws into a given ``Axes`` and returns it.  Train curves are dashed,
validation/test curves solid, in the same colour.  Importing this module applies the style.
"""
import numpy as np
import matplotlib as mpl
from matplotlib.collections import PolyCollection

# Okabe & Ito (2008), safe for the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#B8A000"]
# Beyond the eight optimizers of the lecture: Paul Tol's "muted" scheme (also designed for the
# colour-vision deficiencies), in the order that keeps each colour furthest (CIE Lab, also under
# simulated deutan and protan vision) from Okabe-Ito and the ones before it; the light sand,
# weak on white, last.  Markers keep curves apart in greyscale; ``optimizer_styles`` hands both out.
EXTRA_COLORS = ["#332288", "#882255", "#117733", "#88CCEE", "#999933", "#AA4499", "#CC6677",
                "#44AA99", "#DDCC77"]
MARKERS = ["o", "s", "D", "^", "v", "P", "X", "*", "h", "<", ">", "p", "d", "H", "8"]


def optimizer_styles(entries=None):
    """name -> (label, colour, marker) of every registered optimizer (``optimizers.TABLE``).

    A row's own colour and marker are kept (the lecture's eight: Okabe-Ito, one marker each);
    for a row without, in table order: the first colour of PALETTE + EXTRA_COLORS no optimizer
    uses yet (when all are used, the least used one), and the first marker no optimizer uses
    (when all are used, the first not yet paired with that colour).  So the result depends on
    the table alone, and no two optimizers share both colour and marker.
    """
    from .optimizers import TABLE

    entries = TABLE if entries is None else entries
    colors, styles = PALETTE + EXTRA_COLORS, {}
    taken = {(e.color, e.marker) for e in entries if e.color and e.marker}
    for e in entries:
        used_c = [c for c, _ in taken]
        used_m = {m for _, m in taken}
        color = e.color or min(colors, key=used_c.count)           # the first least used
        free = [m for m in MARKERS if m not in used_m] or MARKERS
        marker = e.marker or next((m for m in free if (color, m) not in taken), None)
        if marker is None:
            raise ValueError(f"no unused colour and marker left for optimizer {e.name!r}")
        taken.add((color, marker))
        styles[e.name] = (e.label, color, marker)
    if len(set(s[1:] for s in styles.values())) < len(styles):
        raise ValueError(f"two optimizers share colour and marker: {styles}")
    return styles


_STYLES = optimizer_styles()
OPTIMIZER_LABELS = {name: s[0] for name, s in _STYLES.items()}
OPTIMIZER_COLORS = {name: s[1] for name, s in _STYLES.items()}
OPTIMIZER_MARKERS = {name: s[2] for name, s in _STYLES.items()}
# Settings that recur across chapters keep their colour too.
SETTING_COLORS = {
    "train": "#0072B2", "val": "#D55E00", "test": "#D55E00",
    "baseline": "#000000", "batchnorm": "#D55E00", "no batchnorm": "#0072B2",
    "dropout": "#009E73", "weight decay": "#CC79A7", "l2": "#CC79A7", "l1": "#E69F00",
    "he": "#D55E00", "xavier": "#009E73", "std=0.01": "#0072B2",
}
STYLE = {
    "figure.dpi": 100, "savefig.dpi": 100, "figure.facecolor": "white",
    "font.size": 13, "axes.titlesize": 14, "axes.labelsize": 13,
    "xtick.labelsize": 12, "ytick.labelsize": 12, "legend.fontsize": 11,
    "legend.frameon": False, "lines.linewidth": 2.0, "lines.markersize": 6,
    "axes.grid": True, "axes.axisbelow": True, "grid.alpha": 0.3, "axes.spines.top": False, "axes.spines.right": False,
    "axes.prop_cycle": mpl.cycler(color=PALETTE), "image.cmap": "viridis",
}


def use_style():
    """Apply the course style to matplotlib (done on import; call again after a reset,
    or to leave ``lecture_mode``)."""
    mpl.rcParams.update(STYLE)


use_style()

# JupyterLab at 1280×720 with the file browser open shows an output image 848 px wide and a
# notebook area 599 px tall (measured in Chromium, tests/test_browser.py); dashboards size
# their text for that screen, the smallest a lecture room is likely to project.
LECTURE_DISPLAY_PX = 850
LECTURE_AREA_PX = 599
# on that display, 12-pt tick labels in a figure `w` inches wide (100 dpi) are
# 12 · 100/72 · 850 / (100 w) px tall: this factor brings tick labels to >= 16 px and
# 14-pt titles to >= 19 px; figures shown at their own size only get bigger text.
_LECTURE_K = 1.0


def lecture_scale(width_inches, display_px=LECTURE_DISPLAY_PX):
    """How much to scale sizes in points (fonts, lines, markers) of a figure ``width_inches``
    wide so that, shown ``display_px`` wide, tick labels are >= 16 px and titles >= 19 px."""
    if not width_inches > 0 or not display_px > 0:
        raise ValueError(f"width_inches and display_px must be > 0, got {width_inches}, {display_px}")
    return max(1.0, _LECTURE_K * width_inches * STYLE["figure.dpi"] / display_px)


def scale_margins(margins, s):
    """Fixed ``subplots_adjust`` margins for text ``s`` times larger: the room kept for
    labels at each edge (and between panels) grows by ``s``."""
    if not margins:
        return margins
    out = dict(margins)
    for k in ("left", "bottom"):
        if k in out:
            out[k] = min(0.45, out[k] * s)
    for k in ("right", "top"):
        if k in out:
            out[k] = max(0.55, 1 - (1 - out[k]) * s)
    for k in ("wspace", "hspace"):
        if k in out:
            out[k] = out[k] * s
    return out


def lecture_mode(scale=1.4):
    """Bigger text and lines for every pyplot figure that follows (a projector preset);
    ``use_style()`` goes back.  Dashboards scale themselves (``Dashboard(font_scale=...)``)."""
    if not scale > 0:
        raise ValueError(f"scale must be > 0, got {scale}")
    sized = ("font.size", "axes.titlesize", "axes.labelsize", "xtick.labelsize", "ytick.labelsize",
             "legend.fontsize", "lines.linewidth", "lines.markersize")
    mpl.rcParams.update({k: STYLE[k] * scale for k in sized})


def color_for(name, i=0):
    """The course colour of an optimizer or setting name, else the i-th palette colour."""
    key = str(name).lower()
    return OPTIMIZER_COLORS.get(key) or SETTING_COLORS.get(key) or PALETTE[i % len(PALETTE)]


def marker_for(name, default="o"):
    """The course marker of an optimizer (so seven curves stay apart in greyscale too)."""
    return OPTIMIZER_MARKERS.get(str(name).lower(), default)


def smooth(values, window=10):
    """Moving average over ``window`` points (shorter at the start), NaN-free; same length."""
    v = np.asarray(values, dtype=np.float64)
    if window <= 1 or v.size == 0:
        return v
    c = np.cumsum(np.insert(v, 0, 0.0))
    idx = np.arange(1, v.size + 1)
    lo = np.maximum(idx - window, 0)
    return (c[idx] - c[lo]) / (idx - lo)


def mark_divergence(ax, history, color="#D55E00", y=0.92, updates_per_epoch=1):
    """Write "diverged at epoch N" on the axes when the run diverged (the dotted line at
    N × ``updates_per_epoch`` on an x axis of updates)."""
    if history is not None and history.diverged_at is not None:
        x = history.diverged_at * updates_per_epoch
        ax.axvline(x, color=color, ls=":", lw=2)
        ax.set_xlim(left=0, right=max(ax.get_xlim()[1], x + updates_per_epoch))
        ax.text(0.5, y, f"diverged at epoch {history.diverged_at}", transform=ax.transAxes,
                ha="center", va="top", color=color, fontsize=13, fontweight="bold",
                bbox=dict(facecolor="white", edgecolor=color, alpha=0.9))
    return ax


def plot_curves(ax, history, metric="acc", *, label=None, color=None, parts=("train", "val", "test"),
                smooth_window=1, updates_per_epoch=None):
    """Per-epoch curves of one run: train dashed, validation/test solid, one colour.

    Each point sits at the epoch it was measured (``history.epochs_of``), so a run trained with
    ``eval_every=k`` draws its evaluated epochs only.

    metric: "acc" or "loss".  With a label, the legend reads "label (train)" etc.
    ``updates_per_epoch`` (optional): the x axis counts parameter updates instead of epochs
    (epoch e ends after e × updates_per_epoch updates), for runs of one budget of updates
    over training sets of different sizes.
    """
    if metric not in ("acc", "loss"):
        raise ValueError(f"metric must be 'acc' or 'loss', got {metric!r}")
    if updates_per_epoch is not None and not (updates_per_epoch >= 1):
        raise ValueError(f"updates_per_epoch must be >= 1, got {updates_per_epoch!r}")
    per = 1 if updates_per_epoch is None else updates_per_epoch
    color = color or color_for(label or "train")
    for part in parts:
        values = getattr(history, f"{part}_{metric}")
        if not len(values):
            continue
        name = {"val": "validation"}.get(part, part)
        epochs = (history.epochs_of(f"{part}_{metric}") if hasattr(history, "epochs_of")
                  else np.arange(1, len(values) + 1))     # evaluated epochs (train(eval_every=k))
        ax.plot(np.asarray(epochs) * per, smooth(values, smooth_window),
                ls="--" if part == "train" else "-", color=color,
                label=f"{label} ({name})" if label else name)
    ax.set_xlabel("epoch" if updates_per_epoch is None else "updates")
    ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
    ax.set_ylabel("accuracy" if metric == "acc" else "loss")
    if metric == "acc":
        ax.set_ylim(0, 1.02)
    mark_divergence(ax, history, color="#D55E00", updates_per_epoch=per)
    return ax


def plot_gap(ax, history, *, color=None, title=None, gap_label="title", legend="lower right"):
    """Training (dashed) and validation (solid) accuracy of one run with the gap between them
    shaded: the overfitting panel of chapters 04 and 05.

    gap_label: "title" appends ": gap X.X points" (train − validation at the last epoch) to
    ``title``; "end" writes it beside the curves' last epoch, in ``color``; None leaves it out.
    Returns the last epoch's gap in percentage points (None before the first epoch).
    """
    if gap_label not in ("title", "end", None):
        raise ValueError(f"gap_label must be 'title', 'end' or None, got {gap_label!r}")
    color = color or color_for("train")
    plot_curves(ax, history, "acc", parts=("train", "val"), color=color)
    n = min(len(history.train_acc), len(history.val_acc))
    if not n:
        return None
    train, val = history.train_acc[:n], history.val_acc[:n]
    epochs = history.epochs_of("val_acc")[:n]           # train(eval_every=k): not every epoch
    ax.fill_between(epochs, val, train, color=color, alpha=0.12, lw=0)
    gap = 100 * (train[-1] - val[-1])
    if gap_label == "end":
        ax.annotate(f"gap {gap:.1f} points", xy=(epochs[-1], (train[-1] + val[-1]) / 2), xytext=(-10, 0),
                    textcoords="offset points", ha="right", va="center", fontsize=13, color=color)
    if title is not None:
        ax.set_title(f"{title}: gap {gap:.1f} points" if gap_label == "title" else title)
    if legend:
        ax.legend(loc=legend)
    return gap


def plot_loss_per_iteration(ax, history, *, label=None, color=None, smooth_window=20, raw=True):
    """Mini-batch loss against iterations: the raw, noisy values faint, their moving average bold."""
    color = color or color_for(label or "train")
    losses = np.asarray(history.batch_loss, dtype=np.float64)
    finite = losses[np.isfinite(losses)]
    it = np.arange(1, finite.size + 1)
    if raw and finite.size:
        ax.plot(it, finite, color=color, alpha=0.25, lw=1)
    ax.plot(it, smooth(finite, smooth_window), color=color, label=label)
    ax.set_xlabel("iteration")
    ax.set_ylabel("training loss")
    mark_divergence(ax, history)
    return ax


def plot_contours(ax, surface, *, n=200, levels=None):
    """Contour lines of a 2-D ``Surface`` over its bounds, with its minimum marked."""
    xs = np.linspace(*surface.xlim, n)
    ys = np.linspace(*surface.ylim, n)
    X, Y = np.meshgrid(xs, ys)
    Z = surface.f(X, Y)
    if levels is None:
        levels = surface.levels if surface.levels is not None else 20
    ax.contour(X, Y, Z, levels=levels, colors="0.6", linewidths=0.8)
    ax.plot(*surface.minimum, marker="+", color="0.2", ms=12, mew=2, ls="none")
    ax.set_xlim(*surface.xlim)
    ax.set_ylim(*surface.ylim)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.grid(False)
    return ax


def plot_trajectory(ax, path, *, label=None, color=None, marker=None):
    """A trajectory (steps, 2) as connected points, start marked with a square; an
    optimizer's label picks its marker (``marker_for``), anything else gets circles."""
    path = np.asarray(path)
    color = color or color_for(label or "")
    marker = marker or marker_for(label or "")
    ax.plot(path[:, 0], path[:, 1], marker=marker, ms=4, lw=1.5, color=color, label=label)
    ax.plot(path[0, 0], path[0, 1], marker="s", ms=8, color=color)
    return ax


def data_bounds(X, pad=0.3):
    """``(x0, x1, y0, y1)``: the range of 2-D points ``X`` plus ``pad`` on every side."""
    return X[:, 0].min() - pad, X[:, 0].max() + pad, X[:, 1].min() - pad, X[:, 1].max() + pad


def plot_decision_boundary(ax, predict, X, y, *, resolution=150, pad=0.3, proba=None, bounds=None):
    """Class regions of ``predict(points) -> labels`` over the data's range, and the points.

    ``proba`` (optional) is a function returning class-1 probability, shaded instead of labels.
    ``bounds`` (optional): ``(x0, x1, y0, y1)``, the region shown instead of
    ``data_bounds(X, pad)`` (a dashboard whose points change keeps one view, and its cached
    background: ``bounds=data_bounds(all_points)``).
    """
    x0, x1, y0, y1 = map(float, data_bounds(X, pad) if bounds is None else bounds)
    if not (x0 < x1 and y0 < y1):
        raise ValueError(f"bounds must be (x0, x1, y0, y1) with x0 < x1 and y0 < y1, got {bounds!r}")
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    grid = np.c_[gx.ravel(), gy.ravel()]
    Z = (proba(grid) if proba is not None else predict(grid)).reshape(gx.shape)
    classes = np.unique(y)
    cmap = mpl.colors.ListedColormap([PALETTE[i % len(PALETTE)] for i in range(len(classes))])
    if proba is not None:
        ax.contourf(gx, gy, Z, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.35)
    else:
        ax.contourf(gx, gy, Z, levels=np.arange(len(classes) + 1) - 0.5, cmap=cmap, alpha=0.25)
    ax.contour(gx, gy, Z, levels=[0.5] if proba is not None else np.arange(len(classes)) + 0.5,
               colors="0.2", linewidths=1)
    markers = "os^vD"
    for i, c in enumerate(classes):
        sel = y == c
        ax.scatter(X[sel, 0], X[sel, 1], s=18, color=PALETTE[i % len(PALETTE)],
                   marker=markers[i % len(markers)], edgecolor="white", linewidth=0.5, label=f"class {c}")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    return ax


def histogram_shape(ax, counts, edges, *, fill=True, autolim=True, **style):
    """The bars of a histogram (``counts`` between ``edges``, as ``np.histogram`` returns them)
    as one artist: a filled outline (a ``PolyCollection``, no edge line unless ``linewidths=``
    says) or, ``fill=False``, the outline alone (a ``Line2D``, like ``hist(histtype="step")``).
    ``style``: matplotlib keywords of that artist (``color``, ``alpha``, ``label``, ...).

    A dashboard redraws its histograms every frame: ``ax.hist`` makes one Rectangle per bin
    and ``ax.stairs`` measures its outline segment by segment for the axes' limits, ~4 ms a
    panel; this takes ~1 ms (0.3 ms with ``autolim=False``, for axes whose limits are set
    anyway).  Returns the artist."""
    counts, edges = np.asarray(counts, dtype=float), np.asarray(edges, dtype=float)
    if counts.ndim != 1 or edges.shape != (len(counts) + 1,):
        raise ValueError(f"edges must have one more entry than counts, got {edges.shape} edges "
                         f"for {counts.shape} counts")
    x, y = np.repeat(edges, 2), np.r_[0.0, np.repeat(counts, 2), 0.0]
    if not fill:
        (line,) = ax.plot(x, y, **style)
        line.sticky_edges.y.append(0.0)
        return line
    style.setdefault("linewidths", 0)
    poly = PolyCollection([np.column_stack([x, y])], **style)
    poly.sticky_edges.y.append(0.0)              # (as hist and stairs: no margin below 0)
    ax.add_collection(poly, autolim=autolim)
    return poly


def plot_histograms(axes, activations, *, bins=30, range=(0, 1), color=None, titles=None):
    """One histogram per layer (the textbook's activation-distribution figure).

    ``axes``: a row of Axes, one per layer; ``activations``: list of arrays.  All panels
    share one y-limit (the tallest bar), so only the first panel carries y tick labels.
    """
    color = color or PALETTE[0]
    top = 0.0
    for i, (ax, a) in enumerate(zip(axes, activations)):
        a = np.asarray(a).ravel()
        counts, edges = np.histogram(a[np.isfinite(a)], bins=bins, range=range)
        histogram_shape(ax, counts, edges, color=color, autolim=False)     # (limits: below)
        top = max(top, float(np.max(counts)) if len(counts) else 0.0)
        ax.set_title(titles[i] if titles else f"layer {i + 1}")
        ax.set_xlim(*range)
    for i, ax in enumerate(axes[:len(activations)]):
        ax.set_ylim(0, 1.05 * top if top else 1)
        if i:
            ax.set_yticklabels([])
    return axes


def plot_weight_histogram(ax, net, *, bins=60, label=None, color=None, range=None):
    """Histogram of all weight matrices of a net (biases and BN parameters left out)."""
    w = np.concatenate([v.ravel() for k, v in net.params.items() if k.endswith(".W")])
    ax.hist(w, bins=bins, range=range, color=color or color_for(label or ""), alpha=0.7, label=label)
    ax.set_xlabel("weight value")
    ax.set_ylabel("count")
    return ax


def show_digits(axes, images, labels=None, predictions=None):
    """MNIST digits (28x28 or 784-vectors) in a grid of Axes, titles showing label/prediction."""
    for i, ax in enumerate(np.ravel(axes)):
        ax.axis("off")
        if i >= len(images):
            continue
        ax.imshow(np.asarray(images[i]).reshape(28, 28), cmap="gray_r")
        if labels is not None:
            t = f"{labels[i]}" if predictions is None else f"{labels[i]} → {predictions[i]}"
            ax.set_title(t, fontsize=12,
                         color="#D55E00" if predictions is not None and labels[i] != predictions[i] else "black")
    return axes


def figure(nrows=1, ncols=1, *, width=None, height=3.6, **kw):
    """A pyplot figure sized for a projector: 5 inches a panel, capped at 14 wide."""
    import matplotlib.pyplot as plt
    width = width or min(14, 5 * ncols + 0.5)
    return plt.subplots(nrows, ncols, figsize=(width, height * nrows), **kw)


def log_ticks(ax, axis="y", subs=(1.0, 2.0, 5.0)):
    """Label a log axis at 1, 2, 5 × 10ᵏ in plain numbers (0.01, 0.02, 0.05, ...), so a short
    log range shows several labelled ticks instead of one power of ten."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(LogLocator(base=10, subs=subs))
    target.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    target.set_minor_locator(NullLocator())
    return ax


def nice_ceiling(x, steps=(1, 2, 5)):
    """The smallest 1, 2, 5 × 10ᵏ that is >= ``x`` (> 0): an axis limit that moves in a few
    big steps instead of with every new number.  A dashboard whose limits stay put between
    frames and between nearby slider values keeps its axes, tick labels and grid, so a frame
    re-draws only the data (widgets.frame: the cached background) and the eye compares curves
    against the same scale.  nice_ceiling(0.37) == 0.5, nice_ceiling(1200) == 2000."""
    x = float(x)
    if not np.isfinite(x) or x <= 0:
        raise ValueError(f"nice_ceiling needs a finite x > 0, got {x!r}")
    k = np.floor(np.log10(x))
    for decade in (k, k + 1):
        for s in steps:
            v = float(s * 10.0 ** decade)
            if v >= x * (1 - 1e-12):
                return v
    return float(steps[0] * 10.0 ** (k + 2))     # (not reached for steps starting at 1)
