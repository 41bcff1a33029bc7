"""Fuzz test of the public entry points: what a student may type.

For every entry point, one parameter at a time is replaced (from a valid call) by each value of
a fixed table of awkward inputs (None, strings, booleans, NaN, ±inf, negatives, zero, tiny and
huge numbers, non-integral and integral floats, lists ...).  The parameter's spec says whether
the value is allowed.  Then:

- an invalid value must raise ``ValueError`` or ``TypeError`` whose message names the
  parameter ("clear"); any other exception, or a message without the name, is "unhelpful"; a
  call that returns is "silent";
- a valid value must run, give a finite result where one is checked, and leak no warning.

A hypothesis test (derandomized, a fixed number of examples) adds random numbers on top of the
table.  ``python tests/test_fuzz_robust.py`` prints the clear / unhelpful / silent figures per
entry point (``PYTHONPATH=<other checkout>`` measures another version of the package).
"""
import math
import sys
import warnings
from collections import Counter

import numpy as np
import pytest

from course_utils import MLP, EarlyStopping, Optimizer, train
from course_utils import data as D
from course_utils import layers as L
from course_utils import schedules as S
from course_utils import search as SR

nan, inf = float("nan"), float("inf")
MAX_TOY = getattr(D, "MAX_TOY", 10**6)               # (getattr: the script also measures
MAX_TRIALS = getattr(SR, "MAX_TRIALS", 100_000)      #  older versions of the package)
X40, Y40 = D.make_moons(40, 0.1, rng=0)

# the table of awkward values every numeric parameter meets
TABLE = [None, "1", "1e-3", "", True, False, [1], (2,), {"a": 1}, nan, inf, -inf, -1e300, -10,
         -1, -0.5, -1e-300, 0, 0.0, 1e-300, 1e-3, 0.1, 0.5, 0.9, 0.999, 1, 1.0, 1.5, 2, 2.0, 3,
         5.0, 7.5, 10, 128, 1000, 1e300, 10**9, np.float64(2.0), np.int64(3), np.float64(nan),
         complex(1, 1)]


# ----------------------------------------------------------------------------- specs
def _real(v):
    return (isinstance(v, (int, float, np.integer, np.floating))
            and not isinstance(v, (bool, np.bool_)))


class Int:
    """An integer (integral floats allowed) in [lo, hi]; valid values above ``run_max`` are
    allowed but not executed (a 10**9-epoch run is valid and slow)."""

    def __init__(self, lo=None, hi=None, run_max=10**4):
        self.lo, self.hi, self.run_max = lo, hi, run_max

    def ok(self, v):
        return (_real(v) and math.isfinite(v) and float(v).is_integer()
                and (self.lo is None or v >= self.lo) and (self.hi is None or v <= self.hi))

    def runnable(self, v):
        return v <= self.run_max

    values = TABLE


class Float:
    def __init__(self, lo=None, hi=None, lo_open=False, hi_open=False, run=None, none_ok=False):
        self.lo, self.hi, self.lo_open, self.hi_open, self.run = lo, hi, lo_open, hi_open, run
        self.none_ok = none_ok

    def ok(self, v):
        if v is None and self.none_ok:
            return True
        if not (_real(v) and math.isfinite(v)):
            return False
        if self.lo is not None and (v <= self.lo if self.lo_open else v < self.lo):
            return False
        return not (self.hi is not None and (v >= self.hi if self.hi_open else v > self.hi))

    def runnable(self, v):
        return self.run is None or self.run(v)

    values = TABLE


class PowerOfTwo(Int):
    def ok(self, v):
        return super().ok(v) and int(v) & (int(v) - 1) == 0 and v > 0


class OneOf:
    """Valid: exactly these values; tried: them, the table and ``extra``."""

    def __init__(self, options, extra=()):
        self.options, self.values = list(options), list(options) + TABLE + list(extra)

    def ok(self, v):
        return any(v is o or (type(v) is type(o) and v == o) for o in self.options)

    def runnable(self, v):
        return True


class Cases:
    """Explicit (value, valid) pairs for arrays, dicts and callables."""

    def __init__(self, good, bad, names=()):
        self.names = names
        self.values = list(good) + list(bad)
        self._good = [id(g) for g in good]

    def ok(self, v):
        return id(v) in self._good

    def runnable(self, v):
        return True


def _labels_cases(n=40, classes=2):
    y = Y40[:n]
    good = [y, y.astype(float), list(y)]
    bad = [None, "y", y.reshape(-1, 1), np.r_[y[:-1], nan], np.r_[y[:-1], 0.5], y[:-1],
           np.r_[y[:-1], classes], np.r_[y[:-1], -1], y.astype(str), np.r_[y[:-1], inf]]
    return Cases(good, bad)


def _x_cases(d=2, n=40, any_width=False, empty_ok=False):
    X = X40[:n, :d] if d <= 2 else np.zeros((n, d))
    good = [X, X.astype(np.float32), X.tolist()]
    bad = [None, "X", np.r_[X[:-1], [[nan] * d]], np.full((n, d), "a"), {"X": X},
           np.r_[X[:-1], [[inf] * d]]]
    (good if empty_ok else bad).append(X[:0])
    other_width = [X[:, :1], X.ravel()]
    return Cases(good + other_width, bad) if any_width else Cases(good, bad + other_width)


def _split_label_cases():
    """Labels to split or fold by: any 1-D labels (ints, floats, strings), no NaN/inf."""
    y = Y40
    good = [y, y.astype(float), list(y), y.astype(str), np.r_[y[:-1], 7], np.r_[y[:-1], 0.5]]
    bad = [None, y.reshape(-1, 1), np.r_[y[:-1], nan], np.r_[y[:-1], inf], "y", 3.5]
    return Cases(good, bad)


class Part(Float):
    """train_val_test_split's val/test: a fraction in [0, 1) or a whole count, leaving rows."""

    def ok(self, v):
        if not super().ok(v) or (v >= 1 and not float(v).is_integer()):
            return False
        size = int(v) if v >= 1 else int(round(v * 40))
        return size + 8 < 40


# ----------------------------------------------------------------------------- entry points
BN_NET = MLP(2, [8], 2, batchnorm=True, rng=0)
NET = MLP(2, [4], 2, rng=0)


def _finite(x):
    arr = np.asarray(x, dtype=float)
    assert np.all(np.isfinite(arr)), f"non-finite result {x!r}"
    return x


def _sched(build):
    def call(**kw):
        s = build(**kw)
        for t in (0, 1, 7, 50):
            lr = s(t)
            assert _real(lr) and math.isfinite(lr) and lr >= 0, f"lr({t}) = {lr!r}"
    return call


def _objective(params, seed):
    return -sum((v if isinstance(v, (int, float)) else 0.0) ** 2 for v in params.values())


SPACE1 = {"x": SR.Uniform(-1.0, 1.0)}


def _dashboard():
    from course_utils.widgets import (Dashboard, batch_slider, checkbox, dropdown, int_slider,
                                      log_slider, slider)
    return Dashboard(lambda live, **v: dict(v), lambda axes, result, values: None,
                     layout=(1, 1), figsize=(2, 1),
                     lr=log_slider("η", 1e-3, 10, 0.1), bs=batch_slider("batch", 32, max_exp=7),
                     p=slider("p", 0.0, 0.9, 0.5), n=int_slider("n", 1, 5, 2),
                     dd=dropdown("opt", ["sgd", "adam"]), cb=checkbox("bn", True))


_DASH = []


def _dash_set(**kw):
    if not _DASH:
        _DASH.append(_dashboard())
    d = _DASH[0]
    d.set(sync=True, **kw)
    assert d.error is None, d.error
    assert d.values[next(iter(kw))] == next(iter(kw.values()))


def _w(name):
    def call(**kw):
        from course_utils import widgets
        return getattr(widgets, name)(**kw).close()
    return call


def _check_labels(name):
    return Cases([Y40, Y40.astype(float)],
                 [None, Y40.reshape(-1, 1), np.r_[Y40[:-1], nan], np.r_[Y40[:-1], 0.5]])


ENTRY_POINTS = {
    # name: (call, valid keyword arguments, {parameter: spec})
    "load_mnist": (D.load_mnist, dict(n_train=50, n_val=0, n_test=50),
                   {"n_train": Int(1, 4950), "n_val": Int(0, 4900), "n_test": Int(0, 4950),
                    "normalize": OneOf(["minmax", "standardize", None], ["MINMAX", "zscore"])}),
    "minmax_scale": (D.minmax_scale, dict(X_train=X40, feature_range=(0.0, 1.0)),
                     {"X_train": _x_cases(any_width=True),
                      "feature_range": Cases([(0, 1), (-1.0, 1.0), [0, 255]],
                                             [None, (1, 0), (0, 0), (0, nan), (0,), "01",
                                              (0, "1"), (-inf, 1)])}),
    "standardize": (D.standardize, dict(X_train=X40), {"X_train": _x_cases(any_width=True),
                                                       "eps": Float(0)}),
    "train_val_test_split": (D.train_val_test_split, dict(X=X40, y=Y40, val=0.2, test=0.2),
                             {"val": Part(0), "test": Part(0), "y": _split_label_cases()}),
    "kfold": (D.kfold, dict(y=Y40, k=5), {"k": Int(2, 40), "y": _split_label_cases()}),
    "make_moons": (D.make_moons, dict(n=20, noise=0.1),
                   {"n": Int(2, MAX_TOY, run_max=2000), "noise": Float(0),
                    "shuffle": Cases([True, False], [None, "yes", 1, 0.0])}),
    "make_circles": (D.make_circles, dict(n=20, noise=0.1, factor=0.5),
                     {"n": Int(2, MAX_TOY, run_max=2000), "noise": Float(0),
                      "factor": Float(0, 1, lo_open=True)}),
    "make_xor": (D.make_xor, dict(n=20, noise=0.1), {"n": Int(2, MAX_TOY, run_max=2000),
                                                      "noise": Float(0)}),
    "make_spirals": (D.make_spirals, dict(n=20, noise=0.1, classes=2),
                     {"n": Int(2, MAX_TOY, run_max=2000), "noise": Float(0),
                      "classes": Int(2, None, run_max=1000)}),
    "MLP": (MLP, dict(input_dim=2, hidden_dims=[4], output_dim=2),
            {"input_dim": Int(1, 10**5, run_max=1000), "output_dim": Int(2, 10**5, run_max=1000),
             "hidden_dims": Cases([[4], [], (4, 3), [4.0], np.array([3])],
                                  [100, None, "8", [0], [2.5], ["a"], [-1], [nan], [10**9]]),
             "activation": OneOf(["relu", "sigmoid", "tanh", "leaky_relu", "elu"], ["ReLU", "softmax"]),
             "dropout": Float(0, 1, hi_open=True), "weight_decay": Float(0),
             "penalty": OneOf(["l2", "l1"], ["L2", "l3"]),
             "init": Cases(["he", "xavier", 0.1, 1], [None, "x", -1, 0, nan, inf, "0.1"]),
             "batchnorm": Cases([True, False], [None, "yes", 2]),
             "dropout_form": OneOf(["inverted", "original"], ["Inverted", "keep"])}),
    "MLP.loss": (lambda **kw: _finite(BN_NET.loss(**kw)[0]), dict(X=X40, y=Y40, train=False),
                 {"X": _x_cases(), "y": _labels_cases()}),
    "MLP.predict": (lambda **kw: NET.predict(**kw), dict(X=X40),
                    {"X": _x_cases(empty_ok=True), "batch_size": Int(1)}),
    "MLP.evaluate": (lambda **kw: _finite(NET.evaluate(**kw)), dict(X=X40, y=Y40),
                     {"X": _x_cases(), "y": _labels_cases()}),
    "MLP.accuracy": (lambda **kw: _finite(NET.accuracy(**kw)), dict(X=X40, y=Y40),
                     {"X": _x_cases(), "y": _labels_cases()}),
    "dropout_forward": (lambda **kw: L.dropout_forward(train=True, rng=0, **kw),
                        dict(x=X40, p=0.5), {"p": Float(0, 1, hi_open=True),
                                             "form": OneOf(["inverted", "original"], ["Original"])}),
    "batchnorm_forward": (lambda **kw: _finite(L.batchnorm_forward(
        X40, np.ones(2), np.zeros(2), None, train=True, **kw)[0]), dict(),
        {"momentum": Float(0, 1), "eps": Float(0, lo_open=True)}),
    "softmax_cross_entropy": (lambda **kw: _finite(L.softmax_cross_entropy(**kw)[0]),
                              dict(scores=X40, y=Y40), {"y": _labels_cases()}),
    "Optimizer": (lambda **kw: Optimizer(kw.pop("name"), **kw), dict(name="adam", lr=1e-3),
                  {"name": OneOf(["adam", "sgd", "ADAM", "momentum"], ["adamm", "Adam "]),
                   "lr": Float(0, lo_open=True), "beta1": Float(0, 1, hi_open=True),
                   "beta2": Float(0, 1, hi_open=True), "eps": Float(0, lo_open=True)}),
    "Optimizer.update": (lambda **kw: Optimizer("sgd").update(
        NET.params, {k: np.zeros_like(v) for k, v in NET.params.items()},
        Optimizer("sgd").init(NET.params), **kw), dict(lr=0.1), {"lr": Float(0, none_ok=True)}),
    "constant": (_sched(S.constant), dict(lr=0.1), {"lr": Float(0, lo_open=True)}),
    "step_decay": (_sched(S.step_decay), dict(lr=0.1, drop=0.5, every=10),
                   {"lr": Float(0, lo_open=True), "drop": Float(0, 1, lo_open=True),
                    "every": Float(1)}),
    "exponential": (_sched(S.exponential), dict(lr=0.1, decay_rate=0.95, decay_steps=1),
                    {"lr": Float(0, lo_open=True), "decay_rate": Float(0, 1, lo_open=True),
                     "decay_steps": Float(0, lo_open=True)}),
    "inverse_time": (_sched(S.inverse_time), dict(lr=0.1, decay_rate=1.0, power=0.5),
                     {"lr": Float(0, lo_open=True), "decay_rate": Float(0), "power": Float(0)}),
    "cosine": (_sched(S.cosine), dict(lr=0.1, total_steps=20, min_lr=0.0, warmup_steps=0),
               {"lr": Float(0.0, lo_open=True), "total_steps": Int(1),
                "min_lr": Float(0, 0.1), "warmup_steps": Int(0, 19)}),
    "schedule(step)": (lambda step: S.cosine(0.1, 20, warmup_steps=2)(step), dict(step=3),
                       {"step": Float(0)}),
    "train": (lambda **kw: train(MLP(2, [4], 2, rng=0), **kw),
              dict(data=(X40, Y40), optimizer="sgd", epochs=2, batch_size=8),
              {"epochs": Int(1, None, run_max=20), "batch_size": Int(1, 40),
               "optimizer": Cases(["adam", Optimizer("momentum", lr=0.1)],
                                  [None, 3, "nope", Optimizer, {"lr": 0.1}]),
               "schedule": Cases([None, S.constant(0.1), lambda e: 0.0],
                                 [3, "cosine", lambda e: None, lambda e: nan, lambda e: -1.0,
                                  lambda e: "0.1", lambda e: inf]),
               "data": Cases([(X40, Y40), {"X_train": X40, "y_train": Y40.astype(float)},
                              (X40, Y40, X40[:10], Y40[:10])],
                             [None, {"X": X40, "y": Y40}, (X40,), (X40, Y40, X40),
                              {"X_train": X40}, (X40, Y40.reshape(-1, 1)),
                              (X40, np.r_[Y40[:-1], nan]), (X40[:, :1], Y40),
                              {"X_train": X40, "y_train": Y40, "X_val": X40},
                              (X40, Y40, X40[:5], np.r_[Y40[:4], 7])],
                             names=("X_train", "y_train", "X", "y", "data")),
               "early_stopping": Cases([None, EarlyStopping(2, monitor="train_loss")],
                                       [3, "yes", EarlyStopping]),
               "on_epoch": Cases([None, lambda h: None], [3, "print"])}),
    "EarlyStopping": (EarlyStopping, dict(patience=3),
                      {"patience": Int(0), "min_delta": Float(0),
                       "monitor": OneOf(["val_loss", "val_acc", "train_loss"], ["loss", "VAL_LOSS"])}),
    "Uniform": (SR.Uniform, dict(lo=0.0, hi=1.0), {"lo": Float(None, 1, hi_open=True),
                                                   "hi": Float(0, lo_open=True)}),
    "LogUniform": (SR.LogUniform, dict(lo=1e-3, hi=1.0),
                   {"lo": Float(0, 1, lo_open=True, hi_open=True), "hi": Float(1e-3, lo_open=True)}),
    "OneMinusLogUniform": (SR.OneMinusLogUniform, dict(lo=0.5, hi=0.99),
                           {"lo": Float(0, 0.99, hi_open=True), "hi": Float(0.5, 1, True, True)}),
    "IntRange": (SR.IntRange, dict(lo=1, hi=5), {"lo": Int(None, 5), "hi": Int(1)}),
    "Choice": (SR.Choice, dict(options=["a", "b"]),
               {"options": Cases([["a"], (1, 2), range(3)], [[], "ab", None, 3, ()])}),
    "Space.sample": (lambda **kw: SR.LogUniform(1e-3, 1.0).sample(**kw), dict(rng=0),
                     {"rng": Cases([0, np.random.default_rng(1), np.int64(2)],
                                   [None, "0", 1.5, [1], True]),
                      "size": Cases([None, 0, 3, 3.0, (2, 2)], [-1, 2.5, "3", nan, 10**12,
                                                               (10**6, 10**6)])}),
    "random_search": (lambda **kw: SR.random_search(_objective, SPACE1, **kw), dict(n_trials=3, rng=0),
                      {"n_trials": Int(1, MAX_TRIALS, run_max=1000),
                       "rng": Cases([0, np.random.default_rng(0)], ["0", 1.5, [0]])}),
    "grid_search": (lambda **kw: SR.grid_search(_objective, SPACE1, **kw), dict(n_per_dim=3, rng=0),
                    {"n_per_dim": Int(1, MAX_TRIALS, run_max=1000)}),
    "coarse_to_fine": (lambda **kw: SR.coarse_to_fine(_objective, SPACE1, **kw),
                       dict(n_trials=6, rng=0, rounds=2),
                       {"n_trials": Int(2, MAX_TRIALS, run_max=1000), "rounds": Int(1, 6),
                        "keep": Float(0, 1, lo_open=True), "widen": Float(0)}),
    "bayes_opt": (lambda **kw: SR.bayes_opt(_objective, SPACE1, **kw),
                  dict(n_trials=6, rng=0, n_init=5, n_candidates=50),
                  {"n_trials": Int(1, MAX_TRIALS, run_max=10), "n_init": Int(1),
                   "xi": Float(0), "noise": Float(0, run=lambda v: v < 1e100),
                   "batch_size": Int(1), "n_candidates": Int(1, 10**6, run_max=1000)}),
    "log_slider": (_w("log_slider"), dict(description="η", min=1e-3, max=1.0, value=0.1),
                   {"min": Float(0, 0.1, lo_open=True), "max": Float(0.1, run=lambda v: v < 1e300),
                    "value": Float(1e-3, 1.0)}),
    "log_choice_slider": (_w("log_choice_slider"), dict(description="λ", min=1e-4, max=0.1, value=0.0),
                          {"min": Float(0, 0.1, lo_open=True), "max": Float(1e-4),
                           "value": OneOf([0.0, 0, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1])}),
    "slider": (_w("slider"), dict(description="p", min=0.0, max=1.0, value=0.5),
               {"value": Float(0, 1), "min": Float(None, 0.5), "max": Float(0.5),
                "step": Float(0, lo_open=True, none_ok=True)}),
    "int_slider": (_w("int_slider"), dict(description="n", min=0, max=10, value=5),
                   {"value": Int(0, 10), "min": Int(None, 5), "max": Int(5), "step": Int(1)}),
    "batch_slider": (_w("batch_slider"), dict(description="b", value=128),
                     {"value": PowerOfTwo(1, 1024), "min_exp": Int(0, 7),
                      "max_exp": Int(7, 20)}),
    "dropdown": (_w("dropdown"), dict(description="o", options=["a", "b"]),
                 {"options": Cases([["a"], {"A": 1}, [("x", 1)]], [[], {}, None, "ab", 3])}),
    "checkbox": (_w("checkbox"), dict(description="c"),
                 {"value": OneOf([True, False, np.True_])}),
    "Dashboard.set": (_dash_set, dict(lr=0.1),
                      {"lr": Float(1e-3, 10), "bs": PowerOfTwo(1, 128),
                       "p": Float(0, 0.9), "n": Int(1, 5), "dd": OneOf(["sgd", "adam"]),
                       "cb": OneOf([True, False])}),
}


# ----------------------------------------------------------------------------- running
SKIP_HUGE = False           # the script's --skip-huge: for measuring older versions
def _short(v):
    if isinstance(v, np.ndarray):
        return f"array{v.shape}:{v.dtype}"
    if isinstance(v, (tuple, list, dict)) and len(repr(v)) > 60:
        items = v.values() if isinstance(v, dict) else v
        return f"{type(v).__name__}({', '.join(_short(x) for x in items)})"
    return repr(v)


def _names(param, spec):
    return {param, param.split(".")[-1], *getattr(spec, "names", ())}


def outcome(call, kwargs, param, value, spec=None):
    """("ok" | "clear" | "unhelpful" | "silent" | "warned", detail) for one call."""
    kw = {**kwargs, param: value}
    if SKIP_HUGE and _real(value) and abs(value) >= 10**9 and not (isinstance(value, float) and math.isinf(value)):
        return "skipped", "huge value not run (older versions hang or exhaust memory)"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            call(**kw)
        except (ValueError, TypeError) as exc:
            text = str(exc)
            named = any(n in text for n in _names(param, spec))
            return ("clear" if named else "unhelpful"), f"{type(exc).__name__}: {text[:120]}"
        except Exception as exc:             # noqa: BLE001 — classifying is the point
            return "unhelpful", f"{type(exc).__name__}: {str(exc)[:120]}"
    leaked = [w for w in caught if issubclass(w.category, (RuntimeWarning, np.exceptions.ComplexWarning
                                                          if hasattr(np, "exceptions") else RuntimeWarning))]
    return ("warned" if leaked else "ok"), (str(leaked[0].message) if leaked else "")


def run_table(names=None):
    """{entry point: Counter of outcomes} and the list of failures (call, value, outcome)."""
    figures, failures = {}, []
    for name, (call, base, params) in ENTRY_POINTS.items():
        if names and name not in names:
            continue
        count = Counter()
        for param, spec in params.items():
            for value in spec.values:
                valid = spec.ok(value)
                if valid and not spec.runnable(value):
                    continue
                got, detail = outcome(call, base, param, value, spec)
                if got == "skipped":
                    count["skipped"] += 1
                    continue
                if valid:
                    count["valid ok" if got == "ok" else "valid broken"] += 1
                    if got != "ok":
                        failures.append((name, param, value, "valid", got, detail))
                else:
                    key = {"ok": "silent", "warned": "silent"}.get(got, got)
                    count[key] += 1
                    if key != "clear":
                        failures.append((name, param, value, "invalid", key, detail))
        figures[name] = count
    return figures, failures


@pytest.fixture(autouse=True, scope="module")
def _close_dashboard():
    yield
    while _DASH:
        _DASH.pop().close()


@pytest.mark.parametrize("name", list(ENTRY_POINTS))
def test_every_invalid_input_gets_a_clear_error(name):
    _, failures = run_table([name])
    assert not failures, "\n".join(f"{n}({p}={v!r}) [{kind}]: {got} — {detail}"
                                   for n, p, v, kind, got, detail in failures)


def test_table_is_broad():
    n_calls = sum(len(spec.values) for _, _, params in ENTRY_POINTS.values() for spec in params.values())
    assert len(ENTRY_POINTS) >= 41 and n_calls >= 2000


# ----------------------------------------------------------------------------- hypothesis
hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

settings.register_profile("course-fuzz", derandomize=True, max_examples=60, deadline=None,
                          database=None, suppress_health_check=list(HealthCheck))
FUZZ = settings.get_profile("course-fuzz")

NUMBERS = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**12, 10**12),
                    st.floats(-5, 5).map(lambda x: round(x, 1)), st.sampled_from([None, "0.1", True]))
CHEAP = ["load_mnist", "standardize", "kfold", "make_moons", "make_spirals", "MLP", "MLP.predict",
         "dropout_forward", "batchnorm_forward", "Optimizer", "step_decay", "exponential",
         "inverse_time", "cosine", "EarlyStopping", "LogUniform", "IntRange", "random_search",
         "coarse_to_fine", "slider", "int_slider", "batch_slider"]
NUMERIC = [(n, p) for n in CHEAP for p, s in ENTRY_POINTS[n][2].items() if isinstance(s, (Int, Float))]


@pytest.mark.parametrize("name, param", NUMERIC)
@FUZZ
@given(value=NUMBERS)
def test_random_numbers_get_a_clear_error_or_a_correct_run(name, param, value):
    call, base, params = ENTRY_POINTS[name]
    spec = params[param]
    valid = spec.ok(value)
    if valid and not spec.runnable(value):
        return
    got, detail = outcome(call, base, param, value, spec)
    assert got == ("ok" if valid else "clear"), f"{name}({param}={value!r}): {got} — {detail}"


if __name__ == "__main__":            # the figures per entry point, for the report
    args = sys.argv[1:]
    if "--skip-huge" in args:
        args.remove("--skip-huge")
        SKIP_HUGE = True
    figs, fails = run_table(args or None)
    total = Counter()
    print(f"{'entry point':24} {'invalid':>7} {'clear':>6} {'unhelpful':>9} {'silent':>6} {'valid ok':>8} {'broken':>6}")
    for name, c in figs.items():
        inv = c["clear"] + c["unhelpful"] + c["silent"]
        total.update(c)
        print(f"{name:24} {inv:7d} {c['clear']:6d} {c['unhelpful']:9d} {c['silent']:6d} "
              f"{c['valid ok']:8d} {c['valid broken']:6d}")
    inv = total["clear"] + total["unhelpful"] + total["silent"]
    print(f"{'TOTAL':24} {inv:7d} {total['clear']:6d} {total['unhelpful']:9d} {total['silent']:6d} "
          f"{total['valid ok']:8d} {total['valid broken']:6d}")
    print("skipped (huge values, --skip-huge):", total["skipped"])
    for f in fails[:int(__import__("os").environ.get("FUZZ_SHOW", "400"))]:
        print("  ", f[0], f"{f[1]}={_short(f[2])}", f[3], f[4], "—", f[5][:100])
    for d in _DASH:
        d.close()
