"""plots: log_ticks (several labelled ticks on a short log axis) and the optimizers' styles
(read from the registry, extended beyond the palette)."""
import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402

import pytest  # noqa: E402
from course_utils import plots  # noqa: E402
from course_utils.optimizers import REGISTRY, TABLE, OptimizerEntry, zero_state  # noqa: E402


def _labels(ax, axis="y"):
    ax.figure.canvas.draw()
    ticks = ax.get_yticklabels() if axis == "y" else ax.get_xticklabels()
    lo, hi = ax.get_ylim() if axis == "y" else ax.get_xlim()
    locs = ax.get_yticks() if axis == "y" else ax.get_xticks()
    return [t.get_text() for t, v in zip(ticks, locs) if lo <= v <= hi]


def test_log_ticks_labels_one_two_five():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.loglog([1, 512], [0.008, 0.6])
    ax.set_ylim(0.006, 0.9)                      # less than two decades: one power of ten by default
    assert plots.log_ticks(ax, "y") is ax
    labels = _labels(ax)
    assert labels == ["0.01", "0.02", "0.05", "0.1", "0.2", "0.5"], labels
    plots.log_ticks(ax, "x", subs=(1.0,))
    assert _labels(ax, "x") == ["1", "10", "100"]


# ----------------------------------------------------------------------------- optimizer styles
# the lecture's eight keep the colours and markers chapter 01's figures were drawn with
LECTURE_STYLES = {
    "sgd": ("SGD", "#000000", "o"), "momentum": ("Momentum", "#0072B2", "s"),
    "nesterov": ("Nesterov", "#56B4E9", "D"), "adagrad": ("AdaGrad", "#009E73", "^"),
    "rmsprop": ("RMSProp", "#CC79A7", "v"), "adadelta": ("AdaDelta", "#B8A000", "P"),
    "adam": ("Adam", "#D55E00", "X"), "adamw": ("AdamW", "#E69F00", "*"),
}


def _toy(w, dw, state, *, lr=0.1):
    return w - lr * dw, state


def test_every_registered_optimizer_has_its_own_style():
    import matplotlib.colors
    import matplotlib.markers

    styles = plots.optimizer_styles()
    assert list(styles) == list(REGISTRY)
    pairs = [(c, m) for _, c, m in styles.values()]
    assert len(set(pairs)) == len(pairs)                      # never the same colour and marker
    for name, (label, color, marker) in styles.items():
        assert label == REGISTRY[name].label == plots.OPTIMIZER_LABELS[name]
        assert plots.color_for(name) == plots.color_for(name.upper()) == color
        assert plots.marker_for(name) == marker == plots.OPTIMIZER_MARKERS[name]
        assert color in plots.PALETTE + plots.EXTRA_COLORS and matplotlib.colors.is_color_like(color)
        assert marker in matplotlib.markers.MarkerStyle.markers
    for name, style in LECTURE_STYLES.items():
        assert styles[name] == style, name


def test_styles_extend_beyond_the_palette_deterministically():
    extra = [OptimizerEntry(f"new{i}", _toy, zero_state(), f"New {i}") for i in range(40)]
    table = TABLE[:8] + extra[:3] + [OptimizerEntry("own", _toy, zero_state(), "Own", "#332288", "o")] + extra[3:]
    styles = plots.optimizer_styles(table)
    assert styles == plots.optimizer_styles(table)            # the table alone decides
    for name, style in LECTURE_STYLES.items():
        assert styles[name] == style
    assert styles["own"] == ("Own", "#332288", "o")           # a row's own colour is kept ...
    # ... and the first new ones get Tol's colours in order (indigo skipped: "own" has it)
    # and the markers no optimizer uses yet, in order
    assert [styles[f"new{i}"][1] for i in range(8)] == plots.EXTRA_COLORS[1:9]
    assert [styles[f"new{i}"][2] for i in range(7)] == plots.MARKERS[8:]
    pairs = [s[1:] for s in styles.values()]
    assert len(set(pairs)) == len(pairs) == 8 + 1 + 40
    assert {c for c, _ in pairs} == set(plots.PALETTE + plots.EXTRA_COLORS)   # all used, then reused
    counts = [[c for c, _ in pairs].count(c) for c in plots.PALETTE + plots.EXTRA_COLORS]
    assert max(counts) - min(counts) <= 1                     # reused evenly
    too_many = [OptimizerEntry(f"n{i}", _toy, zero_state(), "N") for i in range(
        len(plots.PALETTE + plots.EXTRA_COLORS) * len(plots.MARKERS) + 1)]
    with pytest.raises(ValueError, match="no unused colour and marker left for optimizer"):
        plots.optimizer_styles(too_many)


def test_two_rows_with_the_same_style_are_refused():
    table = [OptimizerEntry("a", _toy, zero_state(), "A", "#000000", "o"),
             OptimizerEntry("b", _toy, zero_state(), "B", "#000000", "o")]
    with pytest.raises(ValueError, match="share colour and marker"):
        plots.optimizer_styles(table)
