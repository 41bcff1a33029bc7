"""Issue 15, "robust to what students type and to a day of lecture": one test per reproducer.

(The broad sweep over every entry point is tests/test_fuzz_robust.py.)
"""
import ctypes
import gc
import math
import sys
import threading
import time
import warnings

import numpy as np
import pytest

from course_utils import MLP, EarlyStopping, Optimizer, train
from course_utils import data as D
from course_utils import layers as L
from course_utils import schedules as S
from course_utils import search as SR
from course_utils.checks import adam_reference, check_adam, check_momentum, core, momentum_reference
from course_utils.gradcheck import numerical_gradient, rel_error
from course_utils.training import History

X, y = D.make_moons(40, 0.1, rng=0)


@pytest.fixture
def no_warnings():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught
    assert not caught, [str(w.message) for w in caught]


# ----------------------------------------------------------------------------- 1. BN inference loss
def test_batchnorm_net_loss_in_inference_mode_and_its_gradient():
    net = MLP(2, [8], 2, batchnorm=True, rng=0)
    train(net, (X, y), Optimizer("sgd", lr=0.1), epochs=3, batch_size=8)   # non-trivial running stats
    loss, grads = net.loss(X, y, train=False)
    assert loss == pytest.approx(net.evaluate(X, y)[0])
    running = {k: dict(v) for k, v in net.running.items()}
    for key in ("fc1.W", "bn1.gamma", "bn1.beta", "fc2.W"):
        num = numerical_gradient(lambda: net.loss(X, y, train=False)[0], net.params[key])
        assert rel_error(grads[key], num) < 1e-6, key
    assert all(np.array_equal(net.running[k][s], running[k][s]) for k in running for s in running[k])


def test_batchnorm_inference_backward_matches_numerical_gradient():
    g = np.random.default_rng(3)
    x, gamma, beta = g.standard_normal((5, 3)), g.random(3) + 0.5, g.standard_normal(3)
    running = {"mean": g.standard_normal(3), "var": g.random(3) + 0.1}
    dout = g.standard_normal((5, 3))
    out, cache, same = L.batchnorm_forward(x, gamma, beta, running, train=False)
    assert same is running and cache is None
    dx, dgamma, dbeta = L.batchnorm_inference_backward(dout, x, gamma, running)
    f = lambda: (L.batchnorm_forward(x, gamma, beta, running, train=False)[0] * dout).sum()
    assert rel_error(dx, numerical_gradient(f, x)) < 1e-7
    assert rel_error(dgamma, numerical_gradient(f, gamma)) < 1e-7
    np.testing.assert_allclose(dbeta, dout.sum(axis=0))


# ----------------------------------------------------------------------------- 2. one rule for whole numbers
def test_integral_floats_are_accepted_everywhere_and_mean_the_integer():
    a, b = D.load_mnist(n_train=0.8 * 1000, n_test=100.0), D.load_mnist(n_train=800, n_test=100)
    np.testing.assert_array_equal(a["X_train"], b["X_train"])
    for (ta, va), (tb, vb) in zip(D.kfold(y, k=5.0), D.kfold(y, k=5)):
        np.testing.assert_array_equal(ta, tb)
        np.testing.assert_array_equal(va, vb)
    h_float = train(MLP(2, [8], 2, rng=0), (X, y.astype(float)), "sgd", epochs=3, batch_size=8.0)
    h_int = train(MLP(2, [8], 2, rng=0), (X, y), "sgd", epochs=3, batch_size=8)
    assert h_float.train_loss == h_int.train_loss
    net = MLP(2.0, [8.0], 2.0, rng=0)
    assert net.accuracy(X, y.astype(float)) == net.accuracy(X, y)
    assert S.cosine(0.1, 20.0, warmup_steps=2.0)(1) == S.cosine(0.1, 20, warmup_steps=2)(1)


@pytest.mark.parametrize("call, name", [
    (lambda: D.load_mnist(n_train=800.5), "n_train"),
    (lambda: D.kfold(y, k=5.5), "k"),
    (lambda: train(MLP(2, [8], 2), (X, y + 0.5), "sgd", epochs=1, batch_size=8), "y"),
    (lambda: MLP(2, [8], 2).accuracy(X, y + 0.25), "y"),
    (lambda: MLP(2, [8], 2).loss(X, np.r_[y[:-1], np.nan]), "y"),
    (lambda: train(MLP(2, [8], 2), (X, y), "sgd", epochs=True, batch_size=8), "epochs"),
])
def test_non_integral_values_get_a_clear_error(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()


def test_checked_wrappers_keep_the_printed_source_and_signature():
    import inspect

    from course_utils.net import init_std
    for fn in (L.batchnorm_forward, L.dropout_forward, S.cosine, S.inverse_time, D.standardize,
               init_std, SR.LogUniform.sample):
        src = inspect.getsource(fn)
        assert src.lstrip().startswith("def ") and "_v." not in src, fn.__name__
    assert str(inspect.signature(S.cosine)) == "(lr, total_steps, min_lr=0.0, warmup_steps=0)"


def test_one_shared_validator_module():
    import inspect

    from course_utils import net, optimizers, spaces, training, validate, widgets
    for mod in (D, net, L, optimizers, S, training, SR, spaces, widgets):
        assert "validate" in inspect.getsource(mod), mod.__name__
    assert validate.integer("n", 5.0) == 5 and type(validate.integer("n", np.int64(5))) is int


# ----------------------------------------------------------------------------- 3. Dashboard.set
def _dash():
    from course_utils.widgets import Dashboard, batch_slider, log_slider
    calls = []

    def experiment(lr, batch_size, live):
        calls.append((lr, batch_size))
        return {"lr": lr}
    d = Dashboard(experiment, lambda axes, r, v: None, layout=(1, 1), figsize=(2, 1), key="test-set",
                  lr=log_slider("learning rate η", 1e-4, 10, 0.1),
                  batch_size=batch_slider("batch size", 32, max_exp=7))
    return d, calls


@pytest.mark.parametrize("bad", [1e3, 1e-5, -1.0, 0.0, float("inf"), float("nan"), "0.1", None])
def test_dashboard_set_out_of_range_raises_instead_of_clamping(bad):
    d, calls = _dash()
    try:
        with pytest.raises((ValueError, TypeError), match=r"lr \(learning rate η\) must be"):
            d.set(lr=bad, sync=True)
        assert d.values["lr"] == 0.1 and len(calls) == 1          # nothing ran, nothing changed
        with pytest.raises(ValueError, match="batch_size"):
            d.set(lr=0.5, batch_size=100, sync=True)            # not a power of two: no half-set
        assert d.values["lr"] == 0.1
        d.set(lr=10, batch_size=64.0, sync=True)                # the ends are allowed
        assert d.values == {"lr": 10, "batch_size": 64} and d.error is None
    finally:
        d.close()


# ----------------------------------------------------------------------------- 4. predict batch_size
@pytest.mark.parametrize("bad", [-1, 0, 2.5, "10", None])
def test_predict_batch_size(bad):
    net = MLP(2, [8], 2)
    with pytest.raises((ValueError, TypeError), match="batch_size must be an integer >= 1"):
        net.predict(X, batch_size=bad)
    np.testing.assert_array_equal(net.predict(X, batch_size=7), net.predict(X))


# ----------------------------------------------------------------------------- 5. schedules
@pytest.mark.parametrize("build, name", [
    (lambda: S.cosine(0.1, 20, warmup_steps=0.1), "warmup_steps"),
    (lambda: S.cosine(0.1, 20, warmup_steps=1e-300), "warmup_steps"),
    (lambda: S.inverse_time(0.1, decay_rate=float("nan")), "decay_rate"),
    (lambda: S.inverse_time(0.1, decay_rate=float("inf")), "decay_rate"),
    (lambda: S.inverse_time(0.1, power=float("nan")), "power"),
    (lambda: S.inverse_time(0.1, power=-1), "power"),
    (lambda: S.exponential(0.1, decay_steps=float("nan")), "decay_steps"),
    (lambda: S.step_decay(0.1, every=float("nan")), "every"),
])
def test_schedules_reject_values_that_explode(build, name):
    with pytest.raises(ValueError, match=name):
        build()


@pytest.mark.parametrize("bad", [lambda e: None, lambda e: float("nan"), lambda e: -0.1,
                                 lambda e: "0.1", lambda e: float("inf")])
def test_train_rejects_a_schedule_that_returns_no_learning_rate(bad):
    with pytest.raises(ValueError, match=r"schedule\(0\) must return a learning rate >= 0"):
        train(MLP(2, [8], 2), (X, y), "sgd", epochs=2, batch_size=8, schedule=bad)


def test_inverse_time_with_a_huge_power_decays_to_zero_not_overflow():
    s = S.inverse_time(0.1, decay_rate=1.0, power=1e3)
    assert s(0) == 0.1 and s(1e6) == 0.0


# ----------------------------------------------------------------------------- 6. silent wrong results
@pytest.mark.parametrize("call, match", [
    (lambda: D.kfold(np.r_[y[:-1], np.nan], k=5), "NaN"),
    (lambda: D.kfold(y.reshape(-1, 1), k=5), "1-D"),
    (lambda: D.kfold(np.c_[y, y], k=5), "1-D"),
    (lambda: D.standardize(X, eps=-1), "eps must be >= 0"),
    (lambda: D.minmax_scale(None, X), "X_train must be a numeric array"),
    (lambda: D.minmax_scale(X, None), r"others\[0\]"),
    (lambda: D.standardize(np.r_[X, [[np.nan, 0]]]), "NaN"),
    (lambda: EarlyStopping(min_delta=float("nan")), "min_delta"),
    (lambda: D.train_val_test_split(X, np.r_[y[:-1], np.nan]), "NaN"),
])
def test_no_silent_wrong_result(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_kfold_covers_every_row_once():
    folds = D.kfold(y, k=4)
    assert sorted(np.concatenate([v for _, v in folds]).tolist()) == list(range(len(y)))


# ----------------------------------------------------------------------------- 7. unhelpful messages
@pytest.mark.parametrize("call, exc, match", [
    (lambda: MLP(784, 100, 10), TypeError, r"hidden_dims must be a list of layer widths such as \[100, 100\]"),
    (lambda: Optimizer("adam", lr="1e-3"), TypeError, r"lr must be a number > 0, got '1e-3' \(str\)"),
    (lambda: Optimizer("sgd", lr=None), TypeError, "lr must be a number > 0, got None"),
    (lambda: train(MLP(2, [8], 2), (X, y), None, epochs=1, batch_size=8), TypeError,
     "optimizer must be an Optimizer"),
    (lambda: train(MLP(2, [8], 2), {"X": X, "y": y}, "sgd", epochs=1, batch_size=8), ValueError,
     r"data must be a dict with the keys X_train, y_train .* got keys \['X', 'y'\]"),
    (lambda: train(MLP(2, [8], 2), {"X_train": X, "y_train": y, "X_val": X}, "sgd", epochs=1,
                   batch_size=8), ValueError, "in pairs"),
])
def test_clear_messages(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_space_sample_takes_a_seed_like_everything_else():
    s = SR.LogUniform(1e-4, 1e-1)
    assert s.sample(0) == s.sample(np.random.default_rng(0))
    np.testing.assert_array_equal(s.sample(0, 5), s.sample(np.random.default_rng(0), 5))
    assert SR.Choice(["a", "b"]).sample(3) == SR.Choice(["a", "b"]).sample(np.random.default_rng(3))


@pytest.mark.parametrize("call, match", [
    (lambda w: w.batch_slider("batch size", 128, min_exp=8, max_exp=4), "need min_exp <= max_exp"),
    (lambda w: w.dropdown("x", []), "options must be a non-empty list"),
    (lambda w: w.log_choice_slider("λ", 0, 0.1, 0.0), "λ: min must be > 0"),
    (lambda w: w.log_slider("η", "1e-4", 1, 0.1), "η: min must be a number > 0"),
    (lambda w: w.int_slider("n", 0, 10, 2.5), "n: value must be an integer"),
    (lambda w: w.checkbox("BN", "yes"), "True or False"),
])
def test_widget_helpers_error_paths_do_not_crash_themselves(call, match, no_warnings):
    from course_utils import widgets
    with pytest.raises((ValueError, TypeError), match=match):
        call(widgets)


# ----------------------------------------------------------------------------- 8. bounded search
def test_random_search_with_a_billion_trials_fails_fast():
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match=r"n_trials must be an integer in \[1, 100000\]"):
        SR.random_search(lambda p, s: 0.0, {"x": SR.Uniform(0, 1)}, 10**9, rng=0)
    with pytest.raises(ValueError, match="grid_search would run"):
        SR.grid_search(lambda p, s: 0.0, {"x": SR.Uniform(0, 1), "y": SR.Uniform(0, 1)}, 1000, rng=0)
    with pytest.raises(ValueError, match="size"):
        SR.Uniform(0, 1).sample(0, 10**9)
    assert time.perf_counter() - t0 < 1.0


# ----------------------------------------------------------------------------- 9. near chance
def test_near_chance_run_says_so_and_a_normal_run_keeps_its_wording(no_warnings):
    d = D.load_mnist(300, 0, 100)
    bad = train(MLP(784, [32], 10, activation="tanh"), d, Optimizer("sgd", lr=10.0), epochs=5,
                batch_size=50)
    assert bad.diverged_at is None and bad.near_chance
    assert bad.status == "finished 5 epochs — loss did not decrease (near chance)"
    good = train(MLP(784, [32], 10), d, Optimizer("sgd", lr=0.1), epochs=5, batch_size=50)
    assert not good.near_chance and good.status == "finished 5 epochs"


def test_near_chance_rule():
    h = History(train_loss=[2.3, 2.31], train_acc=[0.1, 0.12], batch_loss=[2.4], n_classes=10)
    assert h.near_chance
    h.train_acc[-1] = 0.5                       # learned something: not near chance
    assert not h.near_chance
    h = History(train_loss=[2.3, 1.0], train_acc=[0.1, 0.15], batch_loss=[2.4], n_classes=10)
    assert not h.near_chance                    # the loss fell: just slow
    assert not History(train_loss=[2.3], train_acc=[0.1], batch_loss=[2.4]).near_chance  # C unknown


def test_evaluating_a_diverged_net_leaks_no_warning(no_warnings):
    net = MLP(2, [8], 2, activation="sigmoid", rng=0)
    net.params["fc1.W"] = net.params["fc1.W"] * 1e300
    net.params["fc2.W"] = net.params["fc2.W"] * 1e300
    loss, acc = net.evaluate(X, y)
    assert 0.0 <= acc <= 1.0 and (loss > 0 or math.isnan(loss))
    net.accuracy(X, y)
    net.predict(X)
    net.loss(X, y)


def test_dashboard_status_notes_a_near_chance_run():
    from course_utils.widgets import Dashboard, log_slider
    h = History(train_loss=[2.3, 2.31], train_acc=[0.1, 0.12], batch_loss=[2.4], n_classes=10)
    d = Dashboard(lambda lr, live: {"sgd": h}, lambda axes, r, v: None, layout=(1, 1),
                  figsize=(2, 1), key="test-near-chance", lr=log_slider("η", 1e-3, 10, 0.1))
    try:
        assert "sgd: finished 2 epochs — loss did not decrease (near chance)" in d.status
    finally:
        d.close()


# ----------------------------------------------------------------------------- 10-11. checks
def test_check_stops_waiting_for_a_sleeping_function(monkeypatch, capsys):
    monkeypatch.setattr(core, "TIMEOUT", 0.5)
    t0 = time.perf_counter()
    assert check_momentum(lambda *a: time.sleep(3)) is False
    assert time.perf_counter() - t0 < 2.0
    assert capsys.readouterr().out.strip() == (
        "✗ Momentum update: your function took more than 0.5 s on case 1 of 3 "
        "(an endless loop, or a sleep?) — stopped waiting for it.")


def test_check_stops_an_endless_loop_and_its_thread(capsys):
    def endless(*args):
        while True:
            pass
    t0 = time.perf_counter()
    assert core.check("loop", endless, momentum_reference,
                      [(np.zeros(2), np.ones(2), np.zeros(2), 0.1, 0.9)], timeout=0.3) is False
    assert "took more than 0.3 s on case 1 of 1" in capsys.readouterr().out
    deadline = time.perf_counter() + 3.0
    while any(t.name == "course-check" for t in threading.enumerate()) and time.perf_counter() < deadline:
        time.sleep(0.05)
    assert not any(t.name == "course-check" for t in threading.enumerate())  # the loop was stopped
    assert time.perf_counter() - t0 < 4.0


def test_check_second_case_timeout_names_the_case(capsys):
    calls = []

    def slow_on_second(*args):
        calls.append(1)
        if len(calls) == 2:
            time.sleep(1.0)
        return momentum_reference(*args)
    assert core.check("Momentum update", slow_on_second, momentum_reference,
                      [(np.zeros(2), np.ones(2), np.zeros(2), 0.1, 0.9)] * 3, timeout=0.2) is False
    assert "more than 0.2 s on case 2 of 3" in capsys.readouterr().out


def test_lists_are_answers_too(capsys):
    assert check_adam(lambda *a: list(adam_reference(*a))) is True
    assert check_momentum(lambda *a: list(momentum_reference(*a))) is True
    out = capsys.readouterr().out.splitlines()
    assert out == ["✓ Adam update: correct on all 4 cases.", "✓ Momentum update: correct on all 3 cases."]


@pytest.mark.parametrize("fn, expected", [
    (lambda *a: tuple(x.astype(complex) for x in momentum_reference(*a)), "complex numbers on case 1"),
    (lambda *a: [1, 2, 3], "returned a list of 3 on case 1; the exercise expects a tuple of 2"),
    (lambda *a: momentum_reference(*a)[0], "returned one ndarray on case 1"),
    (lambda *a: "done", "returned one str on case 1"),
    (lambda *a: [[1, 2], [3]], "wrong on case 1 of 3 (output 1 has shape (2,), expected (4,))"),
    (lambda *a: 1 / 0, "your function raised ZeroDivisionError: division by zero"),
    (lambda *a: sys.exit(3), "your function raised SystemExit: 3"),
])
def test_every_misbehaviour_gets_one_clear_line(fn, expected, capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # no ComplexWarning or anything else leaks
        assert check_momentum(fn) is False
    out = capsys.readouterr()
    first = out.out.splitlines()[0]
    assert first.startswith("✗ Momentum update: ") and expected in first, out.out
    assert out.err == ""


def test_printing_student_function_does_not_flood(capsys):
    def chatty(*args):
        for i in range(20_000):
            print("debug", i)
        return momentum_reference(*args)
    assert check_momentum(chatty) is True
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == core.MAX_LINES + 2
    assert lines[:2] == ["debug 0", "debug 1"]
    assert lines[-2] == "… (59,980 more lines printed by your function hidden)"
    assert lines[-1] == "✓ Momentum update: correct on all 3 cases."


# ----------------------------------------------------------------------------- 12. long use
def _rss_mb():
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)     # freed memory back to the OS before measuring
    except (OSError, AttributeError):
        pass
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024


def _instances():
    from ipywidgets.widgets.widget import _instances as inst
    return len(inst)


def _lecture_dashboard(**kw):
    from course_utils.widgets import Dashboard, batch_slider, checkbox, dropdown, log_slider

    def experiment(lr, batch_size, opt, bn, live):
        return {"curve": lr * np.arange(20.0)}

    def draw(axes, result, values):
        axes[0].plot(result["curve"])
        axes[1].plot(result["curve"][::-1])
        axes[0].set_title(f"η = {values['lr']:.3g}")
    return Dashboard(experiment, draw, figsize=(3, 1.5), title="lecture",
                     margins=dict(left=0.15, right=0.95, bottom=0.2, top=0.8, wspace=0.3),
                     lr=log_slider("η", 1e-3, 1, 0.1), batch_size=batch_slider("batch", 32),
                     opt=dropdown("opt", ["sgd", "adam"]), bn=checkbox("BN"), **kw)


def test_close_releases_every_widget_it_made():
    before = _instances()
    d = _lecture_dashboard()
    assert _instances() - before >= 18           # controls, layouts, styles, boxes, image, status
    d.close()
    d.close()                                    # twice is harmless
    assert _instances() == before
    with pytest.raises(RuntimeError, match="closed"):
        d.set(lr=0.2)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_200_recreated_dashboards_release_memory_and_widgets():
    before = _instances()
    one = _lecture_dashboard(key="lecture-cell")
    per_dashboard = _instances() - before        # controls, −/+ buttons, rows, layouts, styles
    for _ in range(5):                           # warm matplotlib's caches first
        d = _lecture_dashboard(key="lecture-cell")
    assert one._closed
    rss0 = _rss_mb()
    for _ in range(200):                         # re-running the cell, never calling close()
        d = _lecture_dashboard(key="lecture-cell")
    grown = _rss_mb() - rss0
    alive = _instances() - before                # only the last dashboard's widgets
    d.close()
    assert _instances() == before, "widgets left behind"
    assert alive == per_dashboard, f"{alive} widgets alive after 206 dashboards of {per_dashboard}: the old ones leaked"
    assert grown < 20, f"memory grew by {grown:.1f} MB over 200 re-created dashboards"


def test_rerunning_a_notebook_cell_replaces_its_dashboard(monkeypatch):
    from course_utils import widget_guard
    state = {"cell": "cell-A", "count": 1}
    monkeypatch.setattr(widget_guard, "_cell_context", lambda: (state["cell"], state["count"]))
    first = _lecture_dashboard()
    second_same_run = _lecture_dashboard()       # two dashboards made by one execution: both stay
    assert not first._closed and not second_same_run._closed
    state["count"] = 2                           # the cell runs again
    third = _lecture_dashboard()
    assert first._closed and second_same_run._closed and not third._closed
    state["cell"] = "cell-B"                     # another cell: independent
    other = _lecture_dashboard()
    assert not third._closed
    for d in (third, other):
        d.close()


def test_outside_a_notebook_without_key_nothing_is_closed():
    a, b = _lecture_dashboard(), _lecture_dashboard()
    try:
        assert not a._closed and not b._closed
    finally:
        a.close()
        b.close()


def test_train_accepts_an_optimizer_like_object():
    """Chapters wrap an Optimizer (max-norm after each step, a proximal L1 step): anything with
    init/update trains; an object without them gets the clear TypeError."""
    class Wrapped:
        def __init__(self):
            self.inner, self.calls = Optimizer("sgd", lr=0.1), 0
            self.lr = self.inner.lr

        def init(self, params):
            return self.inner.init(params)

        def update(self, params, grads, state, lr=None):
            self.calls += 1
            return self.inner.update(params, grads, state, lr=lr)

    opt = Wrapped()
    h = train(MLP(2, [8], 2), {"X_train": X, "y_train": y}, opt, epochs=2, batch_size=8)
    assert h.epochs == 2 and opt.calls == 2 * len(y) // 8
    with pytest.raises(TypeError, match=r"lr, init\(params\) and update"):
        train(MLP(2, [8], 2), {"X_train": X, "y_train": y}, object(), epochs=1, batch_size=8)
