"""plots.plot_gap: the train-vs-validation panel of chapters 04 and 05."""
import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from course_utils import plots  # noqa: E402
from course_utils.training import History  # noqa: E402


def _ax():
    fig = Figure()
    FigureCanvasAgg(fig)
    return fig.add_subplot()


def _history():
    return History(train_loss=[1.0, 0.5, 0.2], train_acc=[0.5, 0.8, 0.975],
                   val_loss=[1.1, 0.8, 0.9], val_acc=[0.45, 0.7, 0.8])


def test_gap_in_the_title():
    ax = _ax()
    gap = plots.plot_gap(ax, _history(), color="#0072B2", title="no dropout")
    assert gap == pytest.approx(17.5)
    assert ax.get_title() == "no dropout: gap 17.5 points"
    train, val = ax.get_lines()[:2]
    np.testing.assert_array_equal(train.get_ydata(), [0.5, 0.8, 0.975])
    assert train.get_linestyle() == "--" and val.get_linestyle() == "-"
    shaded = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(shaded) == 1
    ys = shaded[0].get_paths()[0].vertices[:, 1]
    assert ys.min() == pytest.approx(0.45) and ys.max() == pytest.approx(0.975)   # between the curves
    assert ax.get_legend() is not None


def test_gap_at_the_end_and_none():
    ax = _ax()
    plots.plot_gap(ax, _history(), title="L2", gap_label="end")
    assert ax.get_title() == "L2"
    assert [t.get_text() for t in ax.texts] == ["gap 17.5 points"]
    ax = _ax()
    plots.plot_gap(ax, _history(), gap_label=None, legend=None)
    assert not ax.texts and ax.get_title() == "" and ax.get_legend() is None


def test_streaming_and_empty_runs():
    h = _history()
    h.val_acc = h.val_acc[:2]                      # mid-epoch: validation one epoch behind
    assert plots.plot_gap(_ax(), h) == pytest.approx(10.0)
    assert plots.plot_gap(_ax(), History()) is None


def test_bad_gap_label():
    with pytest.raises(ValueError, match="gap_label"):
        plots.plot_gap(_ax(), _history(), gap_label="left")


@pytest.mark.parametrize("x, want", [(0.37, 0.5), (0.5, 0.5), (0.51, 1.0), (1.0, 1.0), (1.01, 2.0),
                                     (1200, 2000), (7e-5, 1e-4), (3.0, 5.0), (9.99, 10.0)])
def test_nice_ceiling_is_the_next_1_2_5_step(x, want):
    assert plots.nice_ceiling(x) == pytest.approx(want)


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf")])
def test_nice_ceiling_rejects_non_positive(bad):
    with pytest.raises(ValueError, match="nice_ceiling"):
        plots.nice_ceiling(bad)
