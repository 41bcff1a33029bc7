"""plots.log_ticks: several labelled ticks on a short log axis."""
import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402

from course_utils import plots  # noqa: E402


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
