"""Headless tests of the dashboard (ipywidgets works without a frontend) and of plots."""
import gc
import io
import threading
import time

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from course_utils import MLP, Optimizer, plots, train  # noqa: E402
from course_utils.data import make_moons  # noqa: E402
from course_utils.surfaces import get_surface, run_optimizer  # noqa: E402
from course_utils.training import History  # noqa: E402
from course_utils.widgets.frame import png_bytes  # noqa: E402
from course_utils.widgets import (Dashboard, batch_slider, checkbox, dropdown, int_slider,  # noqa: E402
                                  log_choice_slider, log_slider, slider)

DATA = make_moons(200, 0.2, rng=0)


def tiny_experiment(lr, batch_size, live, epochs=8):
    net = MLP(2, [16], 2, rng=0)
    return {"sgd": train(net, DATA, Optimizer("sgd", lr=lr), epochs=epochs,
                         batch_size=batch_size, on_epoch=live.track("sgd"))}


def draw_loss_acc(axes, result, values):
    if "sgd" in result:
        plots.plot_curves(axes[0], result["sgd"], "loss")
        plots.plot_curves(axes[1], result["sgd"], "acc")
    axes[0].set_title(f"η = {values['lr']:.3g}")


def tiny_dashboard(**kw):
    kw.setdefault("figsize", (4, 2))
    return Dashboard(tiny_experiment, draw_loss_acc,
                     lr=log_slider("learning rate η", 1e-3, 1e3, 0.1),
                     batch_size=batch_slider("batch size", 32, max_exp=7), **kw)


def is_png(data):
    return bytes(data).startswith(b"\x89PNG\r\n\x1a\n")


# ----------------------------------------------------------------------------- dashboard
def test_first_run_is_synchronous_and_driveable():
    dash = tiny_dashboard()
    assert dash._thread is None                       # no thread for the first run
    assert is_png(dash.image) and dash.frames == 1
    assert isinstance(dash.history, History) and dash.history.epochs == 8
    assert dash.values == {"lr": 0.1, "batch_size": 32}
    assert "done in" in dash.status and dash.error is None
    assert dash.seconds is not None and dash.seconds < 5
    bundle = dash._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_set_reruns_and_changes_the_image():
    dash = tiny_dashboard()
    before, history = dash.image, dash.history
    dash.set(lr=1.0, sync=True)
    assert dash.values["lr"] == 1.0 and dash.history is not history
    assert is_png(dash.image) and dash.image != before
    assert dash.frames == 2                           # one run per set(), not one per control
    dash.set(lr=0.01, batch_size=8, sync=True)
    assert dash.frames == 3 and dash.values == {"lr": 0.01, "batch_size": 8}
    # threaded (the default, as a slider does): streams, then the final frame
    shown = dash.image
    dash.stream_every = 1
    dash.set(lr=0.3)
    dash.wait()
    assert not dash._thread.is_alive()
    assert dash.image != shown and dash.history.epochs == 8
    assert dash.frames >= 3 + 2                       # streamed frame(s) + the final one
    with pytest.raises(ValueError, match="unknown control"):
        dash.set(learning_rate=0.1)


def test_moving_a_control_starts_a_threaded_run():
    dash = tiny_dashboard()
    before = dash.image
    dash.controls["lr"].value = 2.0                   # what the browser does
    assert dash._thread is not None
    dash.wait()
    assert dash.image != before and dash.result is not None
    assert dash.values["lr"] == 2.0 and "done in" in dash.status


def test_second_set_cancels_the_first_within_one_epoch():
    """A new value arriving during a threaded run stops that run within one epoch."""
    seen = {}                                        # lr -> epochs that finished in that run
    started = threading.Event()

    def experiment(lr, epochs, live):
        log = seen.setdefault(lr, [])
        track = live.track("sgd")

        def on_epoch(h):
            log.append(h.epochs)
            if lr == 0.2 and len(log) >= 2:
                started.set()
            time.sleep(0.02)                          # a visible epoch length
            return track(h)

        net = MLP(2, [16], 2, rng=0)
        return {"sgd": train(net, DATA, Optimizer("sgd", lr=lr), epochs=epochs, batch_size=32,
                             on_epoch=on_epoch), "lr": lr}

    dash = Dashboard(experiment, draw_loss_acc, figsize=(4, 2), stream_every=2,
                     lr=log_slider("η", 1e-3, 10, 0.1), epochs=int_slider("epochs", 1, 500, 3))
    assert dash.result["lr"] == 0.1
    dash.set(lr=0.2, epochs=400)                      # long threaded run
    assert started.wait(10), "the threaded run did not start"
    dash.set(lr=0.5, epochs=5)                        # the change, during the run
    at_change = len(seen[0.2])
    dash.wait(30)
    assert not dash._thread.is_alive()
    assert len(seen[0.2]) <= at_change + 1, (at_change, seen[0.2])
    assert len(seen[0.2]) < 50
    assert dash.result["lr"] == 0.5 and dash.values["lr"] == 0.5
    assert dash.history.epochs == 5 and not dash.history.cancelled
    assert seen[0.5] == [1, 2, 3, 4, 5]


def test_many_queued_changes_run_only_the_last():
    """Ten quick slider moves: the runs that were waiting for the lock never start."""
    calls = []

    def experiment(lr, live):
        calls.append(lr)
        for _ in range(20):
            time.sleep(0.005)
            if not live.tick():
                break
        return {"lr": lr}

    dash = Dashboard(experiment, lambda axes, r, v: axes[0].plot([0, r.get("lr", 0)]),
                     layout=(1, 1), figsize=(3, 2), lr=slider("x", 0, 1, 0.0, 0.1))
    for v in np.linspace(0.1, 1.0, 10):
        dash.controls["lr"].value = float(v)
    deadline = time.time() + 20
    while time.time() < deadline and dash.result.get("lr") != 1.0:
        time.sleep(0.02)
    assert dash.result["lr"] == 1.0
    assert len(calls) < 11 and calls[0] == 0.0 and calls[-1] == 1.0


def test_divergence_is_shown_in_status_and_on_plot():
    dash = tiny_dashboard()
    dash.set(lr=500.0, sync=True)
    assert dash.history.diverged_at == 1
    assert "diverged at epoch 1" in dash.status
    texts = [t.get_text() for ax in dash.axes for t in ax.texts]
    assert "diverged at epoch 1" in texts
    # the next good value clears it
    dash.set(lr=0.1, sync=True)
    assert "diverged" not in dash.status
    assert not [t for ax in dash.axes for t in ax.texts]


def test_divergence_in_a_thread_emits_no_warning(recwarn):
    dash = tiny_dashboard()
    dash.set(lr=1e3)
    dash.wait()
    assert "diverged at epoch" in dash.status
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_mark_divergence_adds_a_text():
    fig = Figure()
    ax = fig.subplots()
    h = History(train_loss=[1.0, 2.0], diverged_at=3)
    assert plots.mark_divergence(ax, h) is ax
    assert [t.get_text() for t in ax.texts] == ["diverged at epoch 3"]
    assert ax.get_xlim()[1] >= 4 and len(ax.lines) == 1
    ax2 = fig.add_subplot(2, 2, 4)
    plots.mark_divergence(ax2, History(train_loss=[1.0]))
    plots.mark_divergence(ax2, None)
    assert not ax2.texts and not ax2.lines


def test_no_figure_leaks_over_200_runs():
    def draw(axes, result, values):              # small, so 200 renders stay quick
        plots.plot_curves(axes[0], result["sgd"], "loss", parts=("train",))

    dash = Dashboard(lambda lr, live: {"sgd": train(MLP(2, [4], 2, rng=0), DATA, Optimizer("sgd", lr=lr),
                                                    epochs=2, batch_size=100, on_epoch=live.track("sgd"))},
                     draw, layout=(1, 1), figsize=(2.5, 1.8), lr=log_slider("η", 1e-3, 1e3, 0.1))
    gc.collect()
    fignums = plt.get_fignums()
    n_figs = sum(isinstance(o, Figure) for o in gc.get_objects())
    images = set()
    for i in range(200):
        dash.set(lr=float(10.0 ** (-2 + (i % 7) * 0.5)), sync=True)
        images.add(hash(dash.image))
    gc.collect()
    assert plt.get_fignums() == fignums
    assert sum(isinstance(o, Figure) for o in gc.get_objects()) <= n_figs + 1
    assert dash.frames == 201 and len(images) >= 5
    # the axes do not pile up artists either
    assert all(len(ax.lines) < 10 and len(ax.texts) <= 1 for ax in dash.axes)


def test_exception_in_experiment_shows_in_status():
    dash = tiny_dashboard()
    good = dash.image
    dash.set(batch_size=128, sync=True)               # fine: 200 samples
    shown = dash.image
    assert shown != good

    def broken(lr, batch_size, live):
        raise ValueError(f"batch_size must be at most 100, got {batch_size}")

    dash.experiment = broken
    dash.set(batch_size=64, sync=True)                # no exception reaches the caller
    assert isinstance(dash.error, ValueError)
    assert "ValueError: batch_size must be at most 100, got 64" in dash.status
    assert dash.image == shown                        # the last picture stays
    dash.set(batch_size=32)                           # in the thread: same
    dash.wait()
    assert "ValueError" in dash.status and "got 32" in dash.status
    dash.experiment = tiny_experiment
    dash.set(batch_size=16, sync=True)
    assert dash.error is None and "done in" in dash.status and dash.image != shown


def test_train_errors_are_readable_in_status():
    """A control reaching an invalid value for `train` (batch bigger than the data)."""
    dash = Dashboard(tiny_experiment, draw_loss_acc, figsize=(4, 2),
                     lr=log_slider("η", 1e-3, 10, 0.1), batch_size=batch_slider("b", 32, max_exp=10))
    dash.set(batch_size=1024, sync=True)
    assert "batch_size must be an integer in [1, 200]" in dash.status


def test_dashboard_validates():
    with pytest.raises(ValueError, match="at least one control"):
        Dashboard(tiny_experiment, draw_loss_acc)
    dash = Dashboard(tiny_experiment, draw_loss_acc, run_now=False, figsize=(3, 2),
                     lr=log_slider("η", 1e-3, 10, 0.1), batch_size=batch_slider("b", 32))
    assert dash.result is None and dash.frames == 0 and dash.history is None


# ----------------------------------------------------------------------------- controls
def test_log_slider():
    s = log_slider("learning rate η", 1e-4, 1, 0.05)
    assert s.base == 10 and s.min == pytest.approx(-4) and s.max == pytest.approx(0)
    assert s.value == pytest.approx(0.05) and s.continuous_update is False
    assert s.description == "learning rate η"
    for bad in [(1e-4, 1, 2.0), (1e-4, 1, 1e-5), (0, 1, 0.5), (1, 0.1, 0.5)]:
        with pytest.raises(ValueError, match="learning rate"):
            log_slider("learning rate", *bad)


def test_log_choice_slider_has_off():
    s = log_choice_slider("λ", 1e-4, 1e-1, 0.0)
    labels = [label for label, _ in s.options]
    values = [v for _, v in s.options]
    assert labels[0] == "off" and values[0] == 0.0 and s.value == 0.0
    assert values == sorted(values) and values[1] == pytest.approx(1e-4) and values[-1] == pytest.approx(0.1)
    assert 0.0003 in values and s.continuous_update is False
    assert s.options[s.index][0] == "off"          # (s.label is '' until the value changes)
    s.value = 0.001
    assert s.label == "0.001" and s.options[s.index][0] == "0.001"
    no_off = log_choice_slider("λ", 1e-3, 1e-1, 0.01, off=False, per_decade=3)
    assert "off" not in [label for label, _ in no_off.options] and 0.002 in [v for _, v in no_off.options]
    with pytest.raises(ValueError, match="not one of"):
        log_choice_slider("λ", 1e-4, 1e-1, 0.0005)
    with pytest.raises(ValueError):
        log_choice_slider("λ", 1e-4, 1e-1, 0.0, off=False)


def test_batch_slider_powers_of_two():
    s = batch_slider("batch size", 128)
    assert list(s.options) == [2 ** e for e in range(11)] and s.value == 128
    assert s.continuous_update is False
    for bad in (100, 2048, 0):
        with pytest.raises(ValueError, match="power of two"):
            batch_slider("batch size", bad)


def test_linear_sliders_dropdown_checkbox():
    s = slider("dropout rate p", 0.0, 0.9, 0.5, 0.05)
    assert s.value == 0.5 and s.step == 0.05 and s.continuous_update is False
    assert int_slider("epochs", 1, 50, 10).value == 10
    d = dropdown("optimizer", ["sgd", "adam"])
    assert d.value == "sgd"
    d2 = dropdown("penalty", {"none": 0, "L2": "l2"})
    assert d2.value == 0
    d3 = dropdown("init", [("Xavier", "xavier"), ("He", "he")], value="he")
    assert d3.value == "he"
    assert checkbox("batch norm", False).value is False


@pytest.mark.parametrize("make", [
    lambda: slider("dropout rate p", 0.0, 0.9, 1.5),
    lambda: slider("dropout rate p", 0.0, 0.9, -0.1),
    lambda: int_slider("epochs", 1, 50, 100),
    lambda: dropdown("optimizer", ["sgd", "adam"], value="adamw"),
])
def test_bad_defaults_raise_value_error(make):
    with pytest.raises(ValueError):
        make()


# ----------------------------------------------------------------------------- plots
OKABE_ITO = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}
# plots.py darkens Okabe-Ito's yellow (#F0E442 is nearly invisible on white) to this one:
DARK_YELLOW = "#B8A000"


def test_palette_is_okabe_ito():
    assert len(plots.PALETTE) == len(set(plots.PALETTE)) == 8
    assert set(plots.PALETTE) == OKABE_ITO - {"#F0E442"} | {DARK_YELLOW}
    assert set(plots.OPTIMIZER_COLORS.values()) <= set(plots.PALETTE + plots.EXTRA_COLORS)
    assert set(plots.SETTING_COLORS.values()) <= set(plots.PALETTE)
    cycle = [c["color"] for c in matplotlib.rcParams["axes.prop_cycle"]]
    assert cycle == plots.PALETTE


def test_optimizer_colors_distinct_and_stable():
    from course_utils import OPTIMIZERS

    colors = plots.OPTIMIZER_COLORS
    assert set(OPTIMIZERS) <= set(colors) and set(OPTIMIZERS) <= set(plots.OPTIMIZER_LABELS)
    assert len(set(colors.values())) == len(colors)
    for name, c in colors.items():
        assert plots.color_for(name) == c and plots.color_for(name.upper()) == c
    assert plots.color_for("train") == plots.SETTING_COLORS["train"]
    assert plots.color_for("something new", 2) == plots.PALETTE[2]
    assert plots.color_for("something new", 10) == plots.PALETTE[2]


def test_style_is_projector_friendly():
    plots.use_style()
    assert matplotlib.rcParams["font.size"] >= 12 and matplotlib.rcParams["axes.titlesize"] >= 13


def test_smooth():
    v = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    np.testing.assert_allclose(plots.smooth(v, 3), [1.0, 1.5, 2.0, 3.0, 4.0, 5.0])
    np.testing.assert_allclose(plots.smooth(v, 1), v)
    np.testing.assert_allclose(plots.smooth(v, 100), np.cumsum(v) / np.arange(1, 7))
    rng = np.random.default_rng(0)
    x = rng.normal(size=50)
    want = [x[max(0, i - 9):i + 1].mean() for i in range(50)]
    np.testing.assert_allclose(plots.smooth(x, 10), want, rtol=1e-12)
    assert plots.smooth([], 5).shape == (0,)
    assert plots.smooth([1, 2], 5).dtype == np.float64


def _axes(n=1):
    fig = Figure()
    axes = fig.subplots(1, n, squeeze=False)[0]
    return fig, list(axes)


def _drawn(ax):
    return len(ax.lines) + len(ax.collections) + len(ax.patches) + len(ax.images)


@pytest.fixture(scope="module")
def history():
    from course_utils.data import load_mnist

    d = load_mnist(100, 50, 50)
    return train(MLP(784, [16], 10, rng=0), d, Optimizer("sgd", lr=0.1), epochs=4, batch_size=20)


def _render(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    assert is_png(buf.getvalue())


def test_plot_curves(history):
    fig, (a1, a2) = _axes(2)
    assert plots.plot_curves(a1, history, "loss", label="sgd") is a1
    assert plots.plot_curves(a2, history, "acc") is a2
    styles = {l.get_label(): (l.get_linestyle(), l.get_color()) for l in a1.lines}
    assert styles["sgd (train)"][0] == "--" and styles["sgd (validation)"][0] == "-"
    assert styles["sgd (test)"][0] == "-"
    assert len({c for _, c in styles.values()}) == 1
    assert a1.get_ylabel() == "loss" and a2.get_ylabel() == "accuracy" and a2.get_ylim() == (0, 1.02)
    assert {l.get_label() for l in a2.lines} == {"train", "validation", "test"}
    with pytest.raises(ValueError, match="metric"):
        plots.plot_curves(a1, history, "f1")
    _render(fig)


def test_plot_loss_per_iteration(history):
    fig, (ax,) = _axes()
    assert plots.plot_loss_per_iteration(ax, history, label="adam") is ax
    assert len(ax.lines) == 2 and len(ax.lines[0].get_xdata()) == len(history.batch_loss)
    assert ax.lines[1].get_color() == plots.OPTIMIZER_COLORS["adam"]
    _render(fig)


def test_contours_and_trajectory():
    fig, (ax,) = _axes()
    s = get_surface("textbook")
    assert plots.plot_contours(ax, s, n=50) is ax
    assert ax.collections or _drawn(ax)
    path = run_optimizer(s, "sgd", steps=10, lr=0.9)
    assert plots.plot_trajectory(ax, path, label="sgd") is ax
    assert ax.lines[-2].get_color() == plots.OPTIMIZER_COLORS["sgd"]
    assert ax.get_xlim() == tuple(float(v) for v in s.xlim)
    _render(fig)


def test_decision_boundary():
    X, y = DATA
    fig, (a1, a2) = _axes(2)
    net = MLP(2, [16], 2, rng=0)
    train(net, DATA, "adam", epochs=5, batch_size=32)
    assert plots.plot_decision_boundary(a1, net.predict, X, y, resolution=40) is a1
    assert _drawn(a1) >= 3
    assert plots.plot_decision_boundary(a2, net.predict, X, y, resolution=40,
                                        proba=lambda g: np.clip(g[:, 0] * 0.3 + 0.5, 0, 1)) is a2
    assert _drawn(a2) >= 3
    _render(fig)
    # a fixed view: the limits are the bounds, whatever points are shown
    fig, (a3, _) = _axes(2)
    plots.plot_decision_boundary(a3, net.predict, X[:10], y[:10], resolution=20, bounds=(-2, 3, -1.5, 2))
    assert a3.get_xlim() == (-2, 3) and a3.get_ylim() == (-1.5, 2)
    with pytest.raises(ValueError, match="bounds must be"):
        plots.plot_decision_boundary(a3, net.predict, X, y, bounds=(1, 0, 0, 1))


def test_histograms_and_digits():
    from course_utils.data import load_mnist

    fig, axes = _axes(3)
    acts = [np.random.default_rng(i).random(500) for i in range(3)]
    assert plots.plot_histograms(axes, acts, titles=["a", "b", "c"]) is axes
    counts = [np.histogram(a, bins=30, range=(0, 1))[0] for a in acts]
    for ax, c in zip(axes, counts):                     # one outline per panel, its tops the counts
        (shape,) = ax.collections
        np.testing.assert_allclose(shape.get_paths()[0].vertices[1:-1:2, 1][:30], c)
    assert axes[1].get_title() == "b" and axes[2].get_ylim()[1] == pytest.approx(1.05 * max(c.max() for c in counts))
    # an outline only (a line) and its checks
    line = plots.histogram_shape(axes[0], [1, 3], [0.0, 0.5, 1.0], fill=False, color="k")
    assert line.get_xydata().tolist() == [[0, 0], [0, 1], [0.5, 1], [0.5, 3], [1, 3], [1, 0]]
    with pytest.raises(ValueError, match="one more entry"):
        plots.histogram_shape(axes[0], [1, 2], [0, 1])
    fig2, (ax,) = _axes()
    net = MLP(784, [16], 10, rng=0)
    assert plots.plot_weight_histogram(ax, net, label="he") is ax
    assert len(ax.patches) == 60
    fig3 = Figure()
    grid = fig3.subplots(2, 3)
    d = load_mnist(10, 0, 0)
    assert plots.show_digits(grid, d["X_train"][:5], d["y_train"][:5], d["y_train"][:5]) is grid
    assert sum(len(a.images) for a in grid.ravel()) == 5
    for f in (fig, fig2, fig3):
        _render(f)


def test_figure_is_pyplot_and_sized():
    before = plt.get_fignums()
    fig, axes = plots.figure(1, 2)
    try:
        assert tuple(fig.get_size_inches()) == (10.5, 3.6) and len(axes) == 2
    finally:
        plt.close(fig)
    assert plt.get_fignums() == before


def test_streaming_first_frame_after_epoch_one_and_throttled():
    """The first streamed frame follows epoch 1; later ones every stream_every epochs unless
    drawing would take more time than the epochs in between (then frames get sparser)."""
    seen = []

    def experiment(lr, live, epochs=12, pause=0.0):
        for e in range(1, epochs + 1):
            time.sleep(pause)
            live.partial["e"] = e
            if not live.tick(f"epoch {e}"):
                break
        return {"e": epochs}

    def draw(axes, result, values):
        seen.append(result.get("e"))
        axes[0].plot([0, 1])

    dash = Dashboard(experiment, draw, layout=(1, 1), figsize=(2, 1.5), stream_every=3,
                     lr=log_slider("η", 1e-3, 1.0, 0.1))
    seen.clear()
    dash.render_seconds = 0.0                 # drawing is free: every third epoch from epoch 1
    dash._render = _patched_render(dash)
    dash.set(lr=0.2)
    dash.wait()
    assert seen == [1, 4, 7, 10, 12], seen   # 4 streamed frames + the final one
    seen.clear()
    dash._render_cost = 10.0                  # a frame "takes" 10 s: only the first one streams
    dash.set(lr=0.3)
    dash.wait()
    assert seen == [1, 12], seen


def _patched_render(dash):
    """_render that pretends each frame took ``dash._render_cost`` seconds to draw."""
    real = dash._render

    def render(result, status="", layout=True, values=None, **kw):
        real(result, status, layout, values, **kw)
        dash.render_seconds = getattr(dash, "_render_cost", 0.0)
    return render


def test_error_in_draw_of_a_threaded_run_shows_in_status_and_close_frees():
    """A draw function that raises on the final frame reports it instead of killing the thread."""
    import ipywidgets
    from course_utils.widgets import Dashboard, slider

    def experiment(a, live):
        return {"a": a}

    def draw(axes, result, values):
        if values["a"] > 0.5:
            raise RuntimeError("cannot draw this")
        axes[0].plot([0, 1], [0, result["a"]])

    dash = Dashboard(experiment, draw, layout=(1, 1), figsize=(3, 2), a=slider("a", 0, 1, 0.2))
    before = dash.image
    dash.set(a=0.9).wait()
    assert "RuntimeError: cannot draw this" in dash.status
    assert dash.image == before and isinstance(dash.image, bytes)
    dash.close()
    assert all(c.comm is None for c in dash.controls.values())
    assert len(dash.fig.axes) == 0


def test_fixed_margins_skip_constrained_layout_and_place_the_axes():
    from course_utils.widgets import Dashboard, slider

    def experiment(a, live):
        return a

    def draw(axes, result, values):
        for ax in axes:
            ax.plot([0, 1], [0, result])

    dash = Dashboard(experiment, draw, layout=(1, 2), figsize=(6, 3), a=slider("a", 0, 1, 0.5),
                     margins=dict(left=0.1, right=0.95, bottom=0.2, top=0.9, wspace=0.3))
    assert dash.fig.get_layout_engine() is None
    box = dash.axes[0].get_position()
    assert abs(box.x0 - 0.1) < 1e-9 and abs(box.y0 - 0.2) < 1e-9 and abs(box.y1 - 0.9) < 1e-9
    assert dash.image[:8] == b"\x89PNG\r\n\x1a\n"


# ----------------------------------------------------------------------------- seen everywhere (issue 19)
import base64  # noqa: E402
import colorsys  # noqa: E402
import glob  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
from pathlib import Path  # noqa: E402

from course_utils import dashboard_view  # noqa: E402
from course_utils.dashboard_view import done_message, epoch_message, step_control  # noqa: E402

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def test_mimebundle_carries_the_picture_and_a_deterministic_line():
    a, b = tiny_dashboard(title="Learning rate"), tiny_dashboard(title="Learning rate")
    bundle = a._repr_mimebundle_()
    assert WIDGET_VIEW in bundle                              # live front ends show the widget
    png = base64.b64decode(bundle["image/png"])
    assert is_png(png) and png == a.image                     # static readers get the picture
    text = bundle["text/plain"]
    assert text == b._repr_mimebundle_()["text/plain"]        # two runs, two timings: same line
    assert text == ("Dashboard: Learning rate [learning rate η = 1.0e-01, batch size = 32] "
                    "(static picture of the default run; run the notebook for the live controls)")
    assert not re.search(r"\d s\b", text) and "VBox" not in text
    a.set(lr=1.0, sync=True)
    assert "learning rate η = 1.0e+00" in a._repr_mimebundle_()["text/plain"]
    no_title = tiny_dashboard()._repr_mimebundle_()["text/plain"]
    assert no_title.startswith("Dashboard: learning rate η, batch size [")


def test_mimebundle_text_uses_option_labels():
    d = Dashboard(lambda lam, opt, live: None, lambda axes, r, v: None, layout=(1, 1), figsize=(3, 2),
                  lam=log_choice_slider("λ", 1e-4, 1e-2, 0.0), opt=dropdown("optimizer", {"SGD": "sgd", "Adam": "adam"}, "adam"),
                  show=checkbox("show train", True))
    assert "λ = off, optimizer = Adam, show train = True" in d._repr_mimebundle_()["text/plain"]


def test_status_strings():
    h = History(train_loss=[1.0, 0.9, 0.8], planned_epochs=20)
    assert epoch_message("sgd", h) == "sgd: epoch 3 / 20"
    assert epoch_message("run", h) == "epoch 3 / 20"
    assert epoch_message("adam", h, total=50) == "adam: epoch 3 / 50"
    assert epoch_message("run", History(train_loss=[1.0])) == "epoch 1"
    assert done_message(0.1, 0.3) == "done in 0.40 s (computing 0.10 s, drawing 0.30 s)"
    assert done_message(0.0, 0.31, cached=True) == "done in 0.31 s (cached result; drawing 0.31 s)"


def test_train_records_the_planned_epochs():
    assert train(MLP(2, [4], 2, rng=0), DATA, "sgd", epochs=3, batch_size=50).planned_epochs == 3
    diverged = train(MLP(2, [4], 2, rng=0), DATA, Optimizer("sgd", lr=1e6), epochs=7, batch_size=50)
    assert diverged.diverged_at is not None and diverged.planned_epochs == 7


def test_streamed_and_final_status_say_epoch_of_total_and_the_whole_time():
    dash = tiny_dashboard(stream_every=1)
    seen, real = [], dash._render
    dash._render = lambda result, status="", **kw: (seen.append(status), real(result, status, **kw))
    dash.set(lr=0.2)
    dash.wait()
    assert any(s == "running… sgd: epoch 1 / 8" for s in seen), seen
    final = re.search(r"done in ([\d.]+) s \(computing ([\d.]+) s, drawing ([\d.]+) s\)", dash.status)
    assert final, dash.status
    total, comp, draw = map(float, final.groups())
    assert abs(total - comp - draw) <= 0.011 and draw > 0
    assert "font-size:1.3em" in dash.status                  # larger than the old 1.05em


def test_status_says_cached():
    store = {}

    def cached_experiment(lr, live):
        if lr in store:
            live.cached = True                              # the experiment says so
        else:
            store[lr] = train(MLP(2, [8], 2, rng=0), DATA, Optimizer("sgd", lr=lr), epochs=3,
                              batch_size=50, on_epoch=live.track("run"))
        return store[lr]

    def replay(lr, live):                                   # no work at all: detected
        return store.get(0.1)

    def draw(axes, result, values):
        if result is not None:
            plots.plot_curves(axes[0], result, "loss")

    d = Dashboard(cached_experiment, draw, layout=(1, 1), figsize=(3, 2), lr=log_slider("η", 1e-3, 1, 0.1))
    assert "computing" in d.status and "cached" not in d.status
    d.set(lr=0.1, sync=True)
    assert "cached result" in d.status
    r = Dashboard(replay, draw, layout=(1, 1), figsize=(3, 2), lr=log_slider("η", 1e-3, 1, 0.1))
    assert "cached result" in r.status


def test_step_control_moves_one_position_and_stays_in_range():
    lr = log_slider("η", 1e-3, 10, 0.1)                      # 40 steps of 0.1 decade
    assert step_control(lr, +1) == pytest.approx(10 ** (-1 + 0.1)) and f"{lr.value:.1e}" == "1.3e-01"
    off_grid = log_slider("η", 1e-3, 1e3, 0.1)                # steps of 0.15 decade from 1e-3
    assert step_control(off_grid, +1) == pytest.approx(10 ** -0.9)   # snaps to the grid
    step_control(lr, -1)
    assert lr.value == pytest.approx(0.1)
    lr.value = 10
    assert step_control(lr, +1) == pytest.approx(10)
    bs = batch_slider("batch size", 32, max_exp=7)
    assert step_control(bs, +1) == 64 and step_control(bs, -1) == 32
    bs.value = 128
    assert step_control(bs, +1) == 128
    p = slider("p", 0.0, 0.9, 0.5, 0.1)
    assert step_control(p, -1) == pytest.approx(0.4)
    k = int_slider("k", 1, 3, 3)
    assert step_control(k, +1) == 3 and step_control(k, -1) == 2


def test_sliders_get_a_fixed_track_their_label_space_and_buttons():
    dash = tiny_dashboard()
    long_, short = log_slider("learning rate η (Adam)", 1e-3, 1, 0.1), log_slider("η", 1e-3, 1, 0.1)
    rows = dashboard_view.arrange_controls([long_, short, dropdown("opt", ["a", "b"])])
    for c in (long_, short):
        em = float(c.style.description_width[:-2])
        assert em >= 0.6 * len(c.description)                      # the label has its own room
        assert c.layout.width == f"calc({em:.1f}em + {dashboard_view.TRACK_PX}px + 6em)"
    assert type(rows[2]).__name__ == "Dropdown"
    # the dashboard's "+" button steps the slider and starts a run
    box = dash.widget.children[0].children[0]
    slider_, minus, plus = box.children
    assert slider_ is dash.controls["lr"] and (minus.description, plus.description) == ("−", "+")
    plus.click()
    dash.wait()
    assert dash.values["lr"] == pytest.approx(10 ** -0.9)     # the next point of the slider's grid
    assert dash.result["sgd"].epochs == 8


def test_lecture_scale_makes_text_readable_where_shown():
    for width in (11, 12, 12.5, 13, 14, 15):
        s = plots.lecture_scale(width)
        on_screen = 100 / 72 * s * plots.LECTURE_DISPLAY_PX / (100 * width)   # px per point
        assert plots.STYLE["xtick.labelsize"] * on_screen >= 16
        assert plots.STYLE["axes.titlesize"] * on_screen >= 18.5
    assert plots.lecture_scale(5) == 1.0                      # small figures shown at their size
    with pytest.raises(ValueError, match="width_inches"):
        plots.lecture_scale(0)


def test_dashboard_scales_points_not_pixels():
    big = tiny_dashboard(figsize=(11, 4))
    plain = tiny_dashboard(figsize=(11, 4), font_scale=1)
    for d in (big, plain):
        img = plt.imread(io.BytesIO(d.image))
        assert img.shape[:2] == (400, 1100)                   # the same pixels ...
    assert plain.fig.dpi == 100 and big.fig.dpi == pytest.approx(100 * big.font_scale)
    assert big.font_scale == pytest.approx(plots.lecture_scale(11))   # ... bigger text
    assert big._image.css_max_height.startswith("calc(100vh - ")             # (the canvas CSS)
    image = Dashboard(tiny_experiment, draw_loss_acc, figsize=(11, 4), view="image",
                      lr=log_slider("learning rate η", 1e-3, 1e3, 0.1))
    assert "max_height" in image._image.layout.keys and image._image.layout.max_height.startswith("calc(100vh - ")
    image.close()


def test_scale_margins():
    m = plots.scale_margins(dict(left=0.07, right=0.98, bottom=0.13, top=0.91, wspace=0.2), 1.5)
    assert m == pytest.approx(dict(left=0.105, right=0.97, bottom=0.195, top=0.865, wspace=0.3))
    assert plots.scale_margins(None, 2) is None
    assert plots.scale_margins(dict(left=0.4), 3)["left"] == 0.45


def _lab(hex_color, wash=0.0):
    """CIE L*a*b* of an sRGB colour, optionally mixed with white (a washed-out projector)."""
    rgb = np.array(matplotlib.colors.to_rgb(hex_color)) * (1 - wash) + wash
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ lin
    f = np.cbrt(xyz / [0.9505, 1.0, 1.089])
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_the_seven_optimizers_stay_apart_on_a_washed_out_projector():
    race = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam"]
    for wash in (0.0, 0.4):
        labs = {n: _lab(plots.color_for(n), wash) for n in race}
        gaps = {(a, b): np.linalg.norm(labs[a] - labs[b]) for i, a in enumerate(race) for b in race[i + 1:]}
        assert min(gaps.values()) >= (20 if wash == 0 else 12), sorted(gaps.items(), key=lambda kv: kv[1])[:3]
    hue = {n: colorsys.rgb_to_hsv(*matplotlib.colors.to_rgb(plots.color_for(n)))[0] * 360
           for n in ("momentum", "rmsprop", "adam")}               # the three the issue named
    for a, b in [("momentum", "rmsprop"), ("momentum", "adam"), ("rmsprop", "adam")]:
        d = abs(hue[a] - hue[b])
        assert min(d, 360 - d) >= 55, hue
    markers = [plots.marker_for(n) for n in plots.OPTIMIZER_COLORS]
    assert len(set(markers)) == len(markers) and plots.marker_for("Adam") == "X"
    assert plots.marker_for("baseline") == "o"
    ax = plots.plot_trajectory(_axes()[1][0], np.zeros((3, 2)), label="RMSProp")
    assert ax.lines[0].get_marker() == "v"


def test_lecture_mode_scales_pyplot_text_and_use_style_restores():
    try:
        plots.lecture_mode(1.5)
        assert matplotlib.rcParams["xtick.labelsize"] == pytest.approx(18)
        assert matplotlib.rcParams["lines.linewidth"] == pytest.approx(3)
        with pytest.raises(ValueError, match="scale"):
            plots.lecture_mode(0)
    finally:
        plots.use_style()
    assert matplotlib.rcParams["xtick.labelsize"] == plots.STYLE["xtick.labelsize"]


def test_committed_dashboards_carry_their_picture():
    """Every executed dashboard output in notebooks/ has the PNG and the one-line text, and
    no notebook stores widget state: with it, `nbconvert --to html` picks the widget view,
    which needs scripts from a CDN (an empty slot offline).  Execute with
    `--ExecutePreprocessor.store_widget_state=False` (JupyterLab's own save stores none)."""
    paths = sorted(glob.glob(str(Path(__file__).resolve().parents[1] / "notebooks" / "*.ipynb")))
    if not paths:
        pytest.skip("no chapter notebooks")
    problems = []
    for p in paths:
        nb = json.load(open(p, encoding="utf-8"))
        name = Path(p).name
        if nb.get("metadata", {}).get("widgets"):
            problems.append(f"{name}: stores widget state")
        built = sum(len(re.findall(r"\bDashboard\(", "".join(c["source"])))
                    for c in nb["cells"] if c["cell_type"] == "code")
        shown = sum(1 for c in nb["cells"] for out in c.get("outputs", [])
                    if WIDGET_VIEW in out.get("data", {}) and "image/png" in out["data"]
                    and "".join(out["data"].get("text/plain", "")).startswith("Dashboard:"))
        if shown < built:
            problems.append(f"{name}: {built - shown} of {built} dashboards saved without their picture")
    assert not problems, "re-execute these notebooks: " + "; ".join(problems)


def test_long_titles_shrink_to_their_panel_short_ones_keep_their_size():
    def draw(axes, result, values):
        axes[0].set_title("short")
        axes[1].set_title("accuracy: validation 91.8 % after 320 updates, and more words here")

    d = Dashboard(lambda lr, live: None, draw, figsize=(11, 4), lr=log_slider("η", 1e-3, 1, 0.1),
                  margins=dict(left=0.07, right=0.98, bottom=0.13, top=0.91, wspace=0.2))
    short, long_ = d.axes[0].title, d.axes[1].title
    assert short.get_fontsize() == plots.STYLE["axes.titlesize"]
    assert long_.get_fontsize() < plots.STYLE["axes.titlesize"]
    r = d.fig.canvas.get_renderer()
    assert long_.get_window_extent(r).width <= d.axes[1].get_position().width * d.fig.bbox.width * 1.09


# ----------------------------------------------------------------------------- frames (issue 16)
def test_a_burst_of_ten_changes_ends_on_the_last_value_and_runs_no_stale_experiment():
    """Ten arrow-key presses in a row: the picture, result and status are the last value's;
    the experiments of the values in between stop at once (at most one of them gets past
    epoch 1), and no run paints a frame after a newer value arrived."""
    beyond_epoch_1, painted = [], []

    def experiment(a, live):
        for epoch in range(1, 31):
            time.sleep(0.01)
            live.partial["a"] = a
            if epoch == 2:
                beyond_epoch_1.append(a)
            if not live.tick(f"epoch {epoch}"):
                break
        return {"a": a}

    def draw(axes, result, values):
        axes[0].plot([0, 1], [0, result.get("a", 0)])
        axes[0].set_title(f"a = {values['a']}")

    fixed = dict(margins=dict(left=0.15, right=0.95, bottom=0.15, top=0.85))   # (pixel-exact:
    # constrained layout's positions depend a little on where the axes were before)
    dash = Dashboard(experiment, draw, layout=(1, 1), figsize=(3, 2), stream_every=1,
                     a=int_slider("a", 0, 10, 0), **fixed)
    real = dash._render

    def render(result, status="", layout=True, values=None, gen=None):
        shown = real(result, status, layout, values, gen)
        if shown:
            painted.append((gen, dash._generation))     # gen None: sync, always current
        return shown

    dash._render = render
    beyond_epoch_1.clear()
    control = dash.controls["a"]
    for _ in range(10):
        dashboard_view.step_control(control, +1)        # what the + button / an arrow key does
    assert control.value == 10
    dash.wait(30)
    assert not dash._thread.is_alive()
    assert dash.result == {"a": 10} and "done in" in dash.status
    assert beyond_epoch_1.count(10) == 1
    stale = [a for a in beyond_epoch_1 if a != 10]
    assert len(stale) <= 1, beyond_epoch_1               # the run under way when the burst came
    ref = Dashboard(experiment, draw, layout=(1, 1), figsize=(3, 2), a=int_slider("a", 0, 10, 10), **fixed)
    assert dash.image == ref.image                       # the picture of a = 10
    assert painted and all(gen is None or gen == current for gen, current in painted), painted


def test_a_stale_run_never_paints_after_a_newer_value():
    """A frame that finishes drawing after a newer value arrived is dropped, not shown."""
    go = threading.Event()

    def experiment(a, live):
        return {"a": a}

    def draw(axes, result, values):
        if values["a"] == 0.5:
            go.wait(10)                                  # a slow final frame of a = 0.5 ...
        axes[0].plot([0, 1], [0, result["a"]])

    dash = Dashboard(experiment, draw, layout=(1, 1), figsize=(3, 2), a=slider("a", 0, 1, 0.2))
    frames = dash.frames
    dash.set(a=0.5)
    time.sleep(0.2)
    dash.set(a=0.8)                                      # ... overtaken by a = 0.8
    go.set()
    dash.wait(30)
    assert dash.result == {"a": 0.8} and dash.frames == frames + 1    # only 0.8's frame shown
    assert dash.frame_log[-2]["streamed"] is False       # 0.5's frame was drawn, then dropped


def test_frames_keep_their_ticks_and_look_like_a_fresh_cla():
    """The fast clear (ticks kept) gives the picture cla() gives, after frames that changed
    scales, locators, limits, grid, legends, insets and axis visibility."""
    def draw(axes, result, values):
        ax = axes[0]
        if values["a"] > 0.5:                            # state a later frame must not inherit
            ax.set_yscale("log")
            ax.set_xticks([0, 0.3, 1], labels=["a", "b", "c"])
            ax.yaxis.set_minor_locator(plt.NullLocator())
            ax.grid(False)
            ax.inset_axes([0.5, 0.5, 0.3, 0.3]).plot([1, 2])
            ax.text(0.5, 0.5, "x")
            axes[1].axis("off")
            ax.set_ylim(1e-3, 10)
        if values["a"] > 0.7:                            # settings changed in place, scale kept linear
            axes[1].locator_params(axis="y", nbins=3)
            axes[1].ticklabel_format(axis="y", style="sci", scilimits=(0, 0))
            axes[1].xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"<{v:g}>"))
            axes[1].set_title("only now", loc="left", fontsize=20)
        ax.plot([0, 1], [0.1, 1 + values["a"]], label="line")
        ax.legend()
        ax.set(title=f"a = {values['a']}", xlabel="x")
        axes[1].bar([1, 2], [values["a"], 1])

    def experiment(a, live):
        return a

    made = lambda a, **kw: Dashboard(experiment, draw, figsize=(5, 2.5), a=slider("a", 0, 1, a),
                                     margins=dict(left=0.1, right=0.95, bottom=0.2, top=0.85), **kw)
    dash = made(0.9)
    frame_ticks = dash.axes[0].xaxis.get_major_ticks()[0]
    dash.set(a=0.2, sync=True)
    assert dash.axes[0].xaxis.get_major_ticks()[0] is frame_ticks       # ticks were kept
    assert dash.image == made(0.2).image == made(0.9, fresh_axes=True).set(a=0.2, sync=True).image
    dash.set(a=0.6, sync=True)                           # (the frame before was the reset one)
    assert dash.image == made(0.6).image
    dash = made(0.2)                                     # a fast clear, in-place settings, a plain frame
    for a in (0.25, 0.8, 0.3):
        dash.set(a=a, sync=True)
    assert dash.image == made(0.3).image


def test_fast_clear_resets_only_what_the_draw_changed():
    """The fast clear skips set_*scale("linear") and empty titles only when nothing differs."""
    from course_utils.widgets.frame import _ticker_state, clear_keeping_ticks

    ax = Figure().subplots()
    clear_keeping_ticks(ax)
    state = _ticker_state(ax.yaxis)
    clear_keeping_ticks(ax)
    assert _ticker_state(ax.yaxis) == state              # nothing changed: nothing reset
    ax.locator_params(axis="y", nbins=3)
    assert _ticker_state(ax.yaxis) != state              # an in-place setting is seen ...
    clear_keeping_ticks(ax)
    assert ax.yaxis.get_major_locator()._nbins == "auto"  # ... and undone
    ax.yaxis.set_major_locator(plt.MaxNLocator(4))
    clear_keeping_ticks(ax)
    assert type(ax.yaxis.get_major_locator()).__name__ == "AutoLocator"
    ax.set_title("t", fontsize=30)
    clear_keeping_ticks(ax)
    assert ax.title.get_text() == ""
    assert ax.title.get_fontsize() == Figure().subplots().title.get_fontsize() != 30


def test_streamed_frames_skip_layout_and_full_frames_lay_out_only_when_needed():
    def experiment(a, live):
        for e in range(3):
            live.partial["y"] = a * (e + 1)
            live.tick()
        return {"y": a * 3}

    def draw(axes, result, values):
        axes[0].plot([0, 1], [0, result.get("y", 0)])
        axes[0].set_ylim(0, 10 if values["a"] < 2 else 100)

    dash = Dashboard(experiment, draw, layout=(1, 1), figsize=(3, 2), stream_every=1,
                     a=slider("a", 0, 5, 1.0, 0.5))
    assert dash.frame_log[-1]["laid_out"]                # the first frame
    dash._render_cost = 0.0                              # drawing is free: no frame skipped
    dash._render = _patched_render(dash)
    dash.set(a=1.5).wait()
    log = dash.frame_log
    assert [f["streamed"] for f in log[-4:]] == [True, True, True, False]
    assert not any(f["laid_out"] for f in log[-4:])      # same limits: the same layout
    dash.set(a=3.0, sync=True)
    assert dash.frame_log[-1]["laid_out"]                # new tick labels: laid out again
    assert set(log[-1]) >= {"draw", "layout", "agg", "encode", "bytes", "seconds"}


def test_a_frame_like_the_last_laid_out_one_is_not_laid_out_again():
    """The layout key is taken after the layout: narrower axes can have fewer, shorter tick
    labels ("0", "1" instead of "0.0" .. "1.0"), and the next frame sees those."""
    def draw(axes, result, values):
        for ax in axes:
            ax.plot([0, 1], [0, result])
            ax.set(xlim=(0, 1), ylabel="a long\nlabel\nhere", title="t")

    dash = Dashboard(lambda a, live: a, draw, layout=(1, 4), figsize=(6, 2), a=slider("a", 0, 1, 0.5))
    assert dash.frame_log[-1]["laid_out"]
    assert list(dash.axes[0].get_xticks()) == [0, 1]     # (the narrow axes' ticks)
    dash.redraw()
    assert not dash.frame_log[-1]["laid_out"]


def test_layout_key_counts_title_lines_and_outside_legends():
    from course_utils.widgets.frame import layout_key

    fig = Figure(layout="constrained")
    ax = fig.subplots()
    ax.set_title("one")
    k1 = layout_key(fig)
    ax.set_title("one\ntwo")
    k2 = layout_key(fig)
    ax.plot([0, 1], label="a")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0))
    k3 = layout_key(fig)
    ax.plot([0, 1], label="b")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0))
    assert len({k1, k2, k3, layout_key(fig)}) == 4


def test_track_every_streams_every_kth_epoch():
    seen = []

    def experiment(a, live):
        net = MLP(2, [8], 2, rng=0)
        return {"run": train(net, DATA, Optimizer("sgd", lr=a), epochs=10, batch_size=64,
                             on_epoch=live.track("run", every=4))}

    def draw(axes, result, values):
        if "run" in result:
            seen.append(result["run"].epochs)

    dash = Dashboard(experiment, draw, layout=(1, 1), figsize=(3, 2), a=slider("a", 0.01, 1, 0.1))
    seen.clear()
    dash._render_cost = 0.0                   # drawing is free: no frame skipped
    dash._render = _patched_render(dash)
    dash.set(a=0.2).wait()
    assert seen == [1, 4, 8, 10], seen        # 3 streamed frames + the final one
    from course_utils.widgets import Live
    with pytest.raises(ValueError, match="every"):
        Live(dash, 0, False).track("x", every=0)


def test_track_streams_on_the_epochs_train_evaluated():
    seen = []

    def experiment(a, live):
        net = MLP(2, [8], 2, rng=0)
        return {"run": train(net, DATA, Optimizer("sgd", lr=a), epochs=10, batch_size=64,
                             eval_every=3, on_epoch=live.track("run"))}

    def draw(axes, result, values):
        if "run" in result:
            seen.append(result["run"].epochs)

    dash = Dashboard(experiment, draw, layout=(1, 1), figsize=(3, 2), stream_every=2,
                     a=slider("a", 0.01, 1, 0.1))
    seen.clear()
    dash._render_cost = 0.0                   # drawing is free: no frame skipped
    dash._render = _patched_render(dash)
    dash.set(a=0.2).wait()
    # evaluated on epochs 1, 3, 6, 9, 10: a frame on each (not stream_every's 1, 3, 5, ...)
    assert seen == [1, 3, 6, 9, 10, 10], seen


def test_run_cache_keeps_finished_runs_only():
    from course_utils.widgets import Live, RunCache

    class Run:
        def __init__(self, cancelled):
            self.cancelled = cancelled

    runs, calls = RunCache(), []
    first = runs.get_or_run("a", lambda: calls.append(1) or Run(False))
    assert runs.get_or_run("a", lambda: calls.append(2) or Run(False)) is first and calls == [1]
    stopped = runs.get_or_run("b", lambda: Run(True))
    assert stopped.cancelled and "b" not in runs
    dash = tiny_dashboard()
    live = Live(dash, dash._generation, False)
    runs.get_or_run("a", lambda: Run(False), live)
    assert live.cached is True
    runs.get_or_run("c", lambda: Run(False), live)
    assert live.cached is False and "c" in runs


def test_controls_layout_replaces_the_arrangement():
    import ipywidgets

    made = {}

    def layout(controls):
        made["box"] = ipywidgets.VBox([controls["lr"], controls["batch_size"]])
        return made["box"]

    dash = tiny_dashboard(controls_layout=layout)
    assert dash.widget.children[0] is made["box"] is dash.controls_box
    dash.close()
    assert made["box"].comm is None


# ---------------------------------------------------------------- two-layer frames (blitting)
def _fixed(axes, i):
    for ax in axes:
        ax.plot(np.arange(i + 1), np.linspace(1, 0.2, i + 1) ** (1 + 0.1 * i), marker="o", label="loss")
        ax.set(xlim=(0, 12), ylim=(0, 1.05), xlabel="epoch", ylabel="loss", title=f"epoch {i}")
        ax.legend(loc="upper right")


def _autoscaled(axes, i):
    axes[0].plot(np.arange(i + 2), np.exp(-0.3 * np.arange(i + 2)) * (1 + i))
    axes[1].semilogy(np.arange(i + 2), 10.0 ** -np.arange(i + 2))


def _collections(axes, i):
    rng = np.random.default_rng(i)
    axes[0].scatter(rng.random(20), rng.random(20), c=rng.random(20))
    axes[0].fill_between([0, 1], [0.2, 0.1 * i], alpha=0.3)
    axes[1].bar(np.arange(4), rng.random(4))
    axes[0].set(xlim=(0, 1), ylim=(0, 1.2))
    axes[1].set_ylim(0, 1)


def _images_twins_figure_texts(axes, i):
    axes[0].imshow(np.arange(12.0).reshape(3, 4) * i)
    twin = axes[1].twinx()
    axes[1].plot([0, 1], [0, i])
    twin.plot([0, 1], [i, 0], color="C1")
    axes[0].figure.suptitle(f"frame {i}")
    axes[1].text(0.5, 0.5, f"{i}", transform=axes[1].transAxes)


def _styles_change(axes, i):
    axes[0].plot([0, 1], [0, 1])
    axes[0].set_ylabel("loss", color="C1" if i % 2 else "C0")
    axes[0].tick_params(axis="x", labelrotation=30 * (i % 2))
    axes[1].plot([0, 1], [1, 0])
    if i % 3 == 0:
        axes[1].axis("off")
    axes[1].grid(i % 2 == 0)
    axes[0].set_title(f"title {i}\nsecond line" if i % 2 else "a title")   # (placed over the ticks)
    axes[1].set_title("left", loc="left")
    if i % 4 == 1:
        axes[0].xaxis.tick_top()


def _grid_colour_only(axes, i):
    _fixed(axes, 0)                                   # the same data, limits and ticks every frame
    axes[0].grid(True, color="C3" if i >= 4 else "0.8")     # only the grid changes, at frame 4


def _legends(axes, i):
    """Legends that stay, change label, get changed after they were made, move (loc="best")."""
    for ax in axes:
        ax.plot([0, 1], [0, 1 + i], label="train", color="C0")
        ax.plot([0, 1], [1, 0], ls="--", label="val" if i < 5 else "validation")
        ax.fill_between([0, 1], [0, 0.2], alpha=0.3, label="band")
        ax.scatter([0.5], [0.5], marker="s", label="point")
        ax.set(xlim=(0, 1), ylim=(0, 9))
    legend = axes[0].legend(loc="upper left")
    if i % 2:
        legend.get_texts()[0].set_color("C3")              # on odd frames only
    axes[1].legend(loc="best" if i % 3 else "lower right", ncols=2)
    for old in list(axes[0].figure.legends):
        old.remove()
    axes[0].figure.legend(*axes[0].get_legend_handles_labels(), loc="upper center", ncols=4)


BLIT_CASES = {"legends": _legends, "grid colour only": _grid_colour_only, "fixed limits": _fixed, "autoscaled": _autoscaled, "collections": _collections,
              "images, twins, figure texts": _images_twins_figure_texts, "styles change": _styles_change}


@pytest.mark.parametrize("case", BLIT_CASES)
def test_blitted_streamed_frames_equal_a_fresh_figure(case):
    """Each streamed frame (over the cached background, or both layers when that would
    differ) has exactly the pixels of the same draw on a brand-new figure."""
    from course_utils.widgets.frame import Frame
    import PIL.Image

    margins = dict(left=0.12, right=0.9, bottom=0.2, top=0.8, wspace=0.35)

    def figure():
        fig = Figure(figsize=(6, 2.5), dpi=80)
        FigureCanvasAgg(fig)
        return fig, list(fig.subplots(1, 2, gridspec_kw=margins))

    fn = BLIT_CASES[case]
    frame = Frame(*figure())
    for i in range(8):
        png = frame.render(lambda axes, result, values: fn(axes, i), None, {}, streamed=i > 0)
        fig, axes = figure()
        fn(axes, i)
        fig.canvas.draw()
        got = np.asarray(PIL.Image.open(io.BytesIO(png)).convert("RGBA"))
        want = np.asarray(PIL.Image.open(io.BytesIO(png_bytes(fig))).convert("RGBA"))
        assert got.shape == want.shape
        assert (got == want).all(), f"frame {i} differs in {(got != want).any(-1).mean():.2%} of pixels"
    blitted = sum(f["blitted"] for f in frame.frame_log)
    if case in ("fixed limits", "collections"):
        assert blitted == 7                  # the background was re-used on every streamed frame
    if case == "grid colour only":
        assert blitted == 6                  # all but the first frame and the one with a new grid


def test_frames_travel_as_lossless_webp_and_readers_get_the_same_pixels_as_png():
    """``view="image"``: the widget carries WebP (where Pillow has it): smaller and faster to
    encode than PNG, and decoded it is the figure's Agg buffer exactly; ``dash.image`` and the
    static picture in the notebook are PNG.  (The canvas view: tests/test_canvas.py.)"""
    from course_utils.widgets import frame
    import PIL.Image

    dash = tiny_dashboard(view="image")
    raw = dash.frame_bytes
    assert dash.frame_format == frame.FORMAT
    if frame.FORMAT == "webp":
        assert raw[:4] == b"RIFF" and raw[8:12] == b"WEBP"
    buffer = np.asarray(dash.fig.canvas.buffer_rgba())
    shown = np.asarray(PIL.Image.open(io.BytesIO(raw)).convert("RGBA"))
    assert (shown == buffer).all()                               # lossless
    assert is_png(dash.image)
    assert (np.asarray(PIL.Image.open(io.BytesIO(dash.image)).convert("RGBA")) == buffer).all()
    with pytest.raises(ValueError, match="fmt must be"):
        frame.encode(dash.fig, "gif")


def test_fit_titles_keeps_a_title_inside_the_figure():
    """A panel that reaches the figure's right edge: its long title is shrunk until it fits
    between the edges (it was allowed 4 % past the panel, which the edge cut off)."""
    from course_utils.dashboard_view import fit_titles

    fig = Figure(figsize=(8, 3), dpi=100)
    FigureCanvasAgg(fig)
    axes = list(fig.subplots(1, 2, gridspec_kw=dict(left=0.08, right=0.995, wspace=0.3)))
    title, renderer = axes[1].set_title("after 200 steps: mean 0.019, var 0.023"), fig.canvas.get_renderer()
    panel = axes[1].get_position().width * fig.bbox.width
    size = title.get_fontsize() * 1.05 * panel / title.get_window_extent(renderer).width
    title.set_fontsize(size)                        # 5 % wider than its panel: past the edge
    fit_titles(fig, axes)
    box = title.get_window_extent(renderer)
    assert 0 <= box.x0 and box.x1 <= fig.bbox.width
    assert title.get_fontsize() < size


def test_width_ratios_widen_columns_and_are_checked():
    def draw(axes, result, values):
        for ax in axes:
            ax.plot([0, 1], [0, result])

    dash = Dashboard(lambda a, live: a, draw, layout=(1, 3), figsize=(9, 3), width_ratios=(1, 1, 2),
                     a=slider("a", 0, 1, 0.5))
    widths = [ax.get_position().width for ax in dash.axes]
    assert widths[2] > 1.6 * widths[0] and abs(widths[0] - widths[1]) < 0.01
    with pytest.raises(ValueError, match="width_ratios must have one number per column"):
        Dashboard(lambda a, live: a, draw, layout=(1, 3), width_ratios=(1, 2), a=slider("a", 0, 1, 0.5))
    with pytest.raises(ValueError, match="width_ratios must be"):
        Dashboard(lambda a, live: a, draw, layout=(1, 2), width_ratios=(1, 0), a=slider("a", 0, 1, 0.5))


def test_running_is_said_only_when_a_run_has_shown_nothing_for_a_while():
    import course_utils.widgets.dashboard as dashboard_module

    def experiment(a, live):
        if a > 0.5:
            time.sleep(dashboard_module.RUNNING_AFTER_S + 0.3)     # a slow start: nothing to show
        return a

    def draw(axes, result, values):
        axes[0].plot([0, 1], [0, result])

    dash = Dashboard(experiment, draw, layout=(1, 1), figsize=(3, 2), a=slider("a", 0, 1, 0.2))
    seen = []
    dash._status.observe(lambda change: seen.append(change["new"]), "value")
    dash.set(a=0.3).wait()                                # fast: "done" follows "done"
    time.sleep(dashboard_module.RUNNING_AFTER_S + 0.1)    # (the timer has fired and said nothing)
    assert seen and not any("running" in s for s in seen), seen
    seen.clear()
    dash.set(a=0.9).wait()                                # slow: "running…" before its frame
    assert [("running" in s, "done in" in s) for s in seen][0] == (True, False), seen
    assert "done in" in seen[-1]
