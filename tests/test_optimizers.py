"""Optimizers, driven by the registry (``optimizers.TABLE``): every registered rule gets the
generic tests (its row, its docstring, a first step downhill, no step without a gradient, no
mutation of inputs, its hyperparameters' errors, the decay mask).  On top, one table of
hand-computed checks (optax style): a first and a third step computed here from the slide
formulas, line by line, and convergence on the textbook bowl x²/20 + y²; a registered rule
without a row there is reported as skipped.  Plus Nesterov's look-ahead equivalence and
AdamW's decay of weight matrices only."""
import copy
import inspect

import numpy as np
import pytest

from course_utils.optimizers import (DEFAULTS, INIT, OPTIMIZERS, RANGES, REGISTRY, TABLE,
                                     Optimizer, OptimizerEntry, _index, lookup, weights_only,
                                     zero_state)
from course_utils.surfaces import SURFACES, run_optimizer

NAMES = list(REGISTRY)
DECAYING = [n for n in NAMES if "weight_decay" in REGISTRY[n].defaults]
LECTURE = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "adamw"]
W0 = np.array([1.0, -2.0, 0.5])
GRADS = [np.array([0.5, -1.0, 0.25]), np.array([-0.2, 0.4, 1.0]), np.array([0.3, 0.3, -0.6])]


# ----------------------------------------------------------------------------- the formulas
# Each returns the weights after every step, written from the lecture's formulas without
# calling the course's rules.
def expected_sgd(w, grads, lr):
    out = []
    for g in grads:
        w = w - lr * g                                  # w ← w − η·g
        out.append(w)
    return out


def expected_momentum(w, grads, lr, momentum):
    v, out = np.zeros_like(w), []
    for g in grads:
        v = momentum * v + lr * g                       # v ← μ·v + η·g
        w = w - v                                       # w ← w − v
        out.append(w)
    return out


def expected_nesterov(w, grads, lr, momentum):
    # on the look-ahead point: v ← μ·v + η·g;  w ← w − μ·v − η·g  (new v)
    v, out = np.zeros_like(w), []
    for g in grads:
        v = momentum * v + lr * g
        w = w - momentum * v - lr * g
        out.append(w)
    return out


def expected_adagrad(w, grads, lr, eps):
    G, out = np.zeros_like(w), []
    for g in grads:
        G = G + g * g                                   # G ← G + g⊙g
        w = w - lr * g / np.sqrt(G + eps)               # w ← w − η·g/√(G + ε)
        out.append(w)
    return out


def expected_rmsprop(w, grads, lr, rho, eps):
    s, out = np.zeros_like(w), []
    for g in grads:
        s = rho * s + (1 - rho) * g * g                 # s ← ρ·s + (1 − ρ)·g⊙g
        w = w - lr * g / np.sqrt(s + eps)               # w ← w − η·g/√(s + ε)
        out.append(w)
    return out


def expected_adadelta(w, grads, rho, eps, lr=1.0):
    s, d, out = np.zeros_like(w), np.zeros_like(w), []
    for g in grads:
        s = rho * s + (1 - rho) * g * g                 # s ← ρ·s + (1 − ρ)·g⊙g
        dw = -np.sqrt(d + eps) / np.sqrt(s + eps) * g   # Δw ← −√(d + ε)/√(s + ε)·g
        d = rho * d + (1 - rho) * dw * dw               # d ← ρ·d + (1 − ρ)·Δw⊙Δw
        w = w + lr * dw                                 # w ← w + Δw   (lr = 1: no η)
        out.append(w)
    return out


def expected_adam(w, grads, lr, beta1, beta2, eps, weight_decay=0.0):
    m, v, out = np.zeros_like(w), np.zeros_like(w), []
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g                 # m ← β₁·m + (1 − β₁)·g
        v = beta2 * v + (1 - beta2) * g * g             # v ← β₂·v + (1 − β₂)·g⊙g
        m_hat = m / (1 - beta1 ** t)                    # bias corrections
        v_hat = v / (1 - beta2 ** t)
        w = w - lr * (m_hat / (np.sqrt(v_hat) + eps) + weight_decay * w)   # AdamW: + λ·w
        out.append(w)
    return out


# ----------------------------------------------------------------------------- the table
# name, hyperparameters (not the defaults, so swapped names would show), the formula,
# the first step of w = 1 with g = 0.5 worked out by hand, and the bowl run (hp, steps, tol).
# A registered rule without a row here gets its two tests reported as skipped.
HAND = [
    ("sgd", dict(lr=0.1), expected_sgd,
     0.95,                               # 1 − 0.1·0.5
     dict(lr=0.9), 200, 1e-6),
    ("momentum", dict(lr=0.1, momentum=0.8), expected_momentum,
     0.95,                               # v = 0.05
     dict(lr=0.1, momentum=0.9), 300, 1e-5),
    ("nesterov", dict(lr=0.1, momentum=0.8), expected_nesterov,
     0.91,                               # v = 0.05;  1 − 0.8·0.05 − 0.05
     dict(lr=0.1, momentum=0.9), 300, 1e-5),
    ("adagrad", dict(lr=0.1, eps=1e-6), expected_adagrad,
     0.9000002,                          # G = 0.25;  1 − 0.05/√0.250001
     dict(lr=1.5), 300, 1e-6),
    ("rmsprop", dict(lr=0.01, rho=0.8, eps=1e-6), expected_rmsprop,
     0.9776395,                          # s = 0.2·0.25 = 0.05;  1 − 0.005/√0.050001
     dict(lr=0.01), 1500, 1e-2),         # constant η: ends oscillating within ~η of 0
    ("adadelta", dict(rho=0.9, eps=1e-4), expected_adadelta,
     0.9684403,                          # s = 0.025;  Δw = −(0.01/√0.0251)·0.5
     dict(), 2000, 1e-6),
    ("adadelta", dict(rho=0.9, eps=1e-4, lr=0.5), expected_adadelta,
     0.9842201,                          # lr scales the last line only: 1 − 0.5·0.0315597
     dict(lr=0.5), 3000, 1e-4),
    ("adam", dict(lr=0.1, beta1=0.8, beta2=0.9, eps=1e-6), expected_adam,
     0.9000002,                          # m̂ = 0.5, v̂ = 0.25;  1 − 0.1·0.5/(0.5 + 1e-6)
     dict(lr=0.1), 500, 1e-6),
    ("adamw", dict(lr=0.1, beta1=0.8, beta2=0.9, eps=1e-6, weight_decay=0.1), expected_adam,
     0.8900002,                          # Adam's step, then − 0.1·0.1·1
     dict(lr=0.1, weight_decay=0.01), 500, 1e-6),
]
IDS = [row[0] + ("-lr" if "lr" in row[1] and row[0] == "adadelta" else "") for row in HAND]
WITHOUT_HAND = [pytest.param(n, None, None, None, None, None, None, id=n, marks=pytest.mark.skip(
    reason=f"{n}: no hand-computed step yet, add a row to HAND (docs/CONTRIBUTING.md)"))
    for n in NAMES if n not in {row[0] for row in HAND}]
HAND_PARAMS = [pytest.param(*row, id=i) for row, i in zip(HAND, IDS)] + WITHOUT_HAND


def run_rule(name, w, grads, hp):
    """The course's rule applied step by step; returns the weights and states after each step."""
    rule, state, ws, states = OPTIMIZERS[name], INIT[name](w), [], []
    for g in grads:
        w, state = rule(w, g, state, **hp)
        ws.append(w)
        states.append(state)
    return ws, states


@pytest.mark.parametrize("name, hp, expected, first, bowl_hp, steps, tol", HAND_PARAMS)
def test_first_and_third_step(name, hp, expected, first, bowl_hp, steps, tol):
    # the scalar step worked out by hand
    w1, _ = OPTIMIZERS[name](np.array([1.0]), np.array([0.5]), INIT[name](np.array([1.0])), **hp)
    assert w1[0] == pytest.approx(first, abs=1e-7)
    # three steps on an array, against the formula
    ws, states = run_rule(name, W0, GRADS, hp)
    want = expected(W0, GRADS, **hp)
    np.testing.assert_allclose(ws[0], want[0], rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(ws[2], want[2], rtol=1e-13, atol=1e-15)
    assert all(w.shape == W0.shape and w.dtype == np.float64 for w in ws)
    # the same through Optimizer on a dict of parameters
    opt = Optimizer(name, **hp)
    params = {"fc1.W": W0.copy()}
    state = opt.init(params)
    for g in GRADS:
        params, state = opt.update(params, {"fc1.W": g}, state)
    np.testing.assert_allclose(params["fc1.W"], want[2], rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name, hp, expected, first, bowl_hp, steps, tol", HAND_PARAMS)
def test_converges_on_textbook_bowl(name, hp, expected, first, bowl_hp, steps, tol):
    surface = SURFACES["textbook"]
    assert surface.start == (-7.0, 2.0)
    path = run_optimizer(surface, name, steps=steps, **bowl_hp)
    assert path.shape == (steps + 1, 2)                 # never left the finite range
    np.testing.assert_array_equal(path[0], [-7.0, 2.0])
    assert np.linalg.norm(path[-1]) < tol
    assert surface.value(path[-1]) < 1e-3 * surface.value(path[0])


@pytest.mark.parametrize("name, hp", [(row[0], row[1]) for row in HAND] + [(n, {}) for n in NAMES],
                         ids=IDS + [f"{n}-defaults" for n in NAMES])
def test_rule_does_not_mutate_inputs(name, hp):
    rule = OPTIMIZERS[name]
    w, state = W0.copy(), INIT[name](W0)
    for g in GRADS:                                     # a state that is not all zeros
        g_copy, w_copy, state_copy = g.copy(), w.copy(), copy.deepcopy(state)
        w_new, state_new = rule(w, g, state, **hp)
        np.testing.assert_array_equal(w, w_copy)
        np.testing.assert_array_equal(g, g_copy)
        assert state.keys() == state_copy.keys()
        for k in state:
            np.testing.assert_array_equal(state[k], state_copy[k])
        assert w_new is not w
        w, state = w_new, state_new


@pytest.mark.parametrize("name", NAMES)
def test_optimizer_update_does_not_mutate_inputs(name):
    g = np.random.default_rng(0)
    params = {"fc1.W": g.standard_normal((3, 2)), "fc1.b": g.standard_normal(2),
              "bn1.gamma": np.ones(2), "bn1.beta": np.zeros(2)}
    grads = {k: g.standard_normal(v.shape) for k, v in params.items()}
    opt = Optimizer(name)
    state = opt.init(params)
    for _ in range(2):
        before = copy.deepcopy((params, grads, state))
        new_params, new_state = opt.update(params, grads, state, lr=0.05)
        for a, b in zip((params, grads), before[:2]):
            assert a.keys() == b.keys()
            for k in a:
                np.testing.assert_array_equal(a[k], b[k])
        for k in state:
            for s in state[k]:
                np.testing.assert_array_equal(state[k][s], before[2][k][s])
        assert all(new_params[k] is not params[k] for k in params)
        assert not all(np.array_equal(new_params[k], params[k]) for k in params), name
        params, state = new_params, new_state


def test_update_lr_overrides_eta():
    opt = Optimizer("sgd", lr=0.1)
    params, grads = {"w": np.array([1.0])}, {"w": np.array([2.0])}
    out, _ = opt.update(params, grads, opt.init(params), lr=0.25)
    assert out["w"][0] == pytest.approx(0.5)
    out, _ = opt.update(params, grads, opt.init(params))
    assert out["w"][0] == pytest.approx(0.8)
    # a schedule may reach 0 (cosine's end): no step; negative or NaN is an error
    out, _ = opt.update(params, grads, opt.init(params), lr=0.0)
    assert out["w"][0] == 1.0
    for bad in (-0.1, np.nan, np.inf):
        with pytest.raises(ValueError, match="lr must be"):
            opt.update(params, grads, opt.init(params), lr=bad)


# ----------------------------------------------------------------------------- every registered rule
def keyword_defaults(rule):
    """The rule's hyperparameters read here from its signature (independently of the registry)."""
    return {p.name: p.default for p in inspect.signature(rule).parameters.values()
            if p.kind is p.KEYWORD_ONLY}


@pytest.mark.parametrize("name", NAMES)
def test_registry_row(name):
    entry = REGISTRY[name]
    assert lookup(name) is lookup(name.upper()) is entry and entry.name == name
    assert OPTIMIZERS[name] is entry.rule and INIT[name] is entry.init
    assert DEFAULTS[name] == entry.defaults == keyword_defaults(entry.rule) != {}
    assert "lr" in entry.defaults                       # schedules set η through update(lr=...)
    opt = Optimizer(name)
    assert opt.hp == DEFAULTS[name] and opt.lr == DEFAULTS[name]["lr"] and opt.name == name
    assert repr(opt) == f"Optimizer({name!r}, " + ", ".join(f"{k}={v}" for k, v in opt.hp.items()) + ")"
    assert isinstance(entry.label, str) and entry.label.strip()


@pytest.mark.parametrize("name", NAMES)
def test_docstring_has_formula_and_note(name):
    doc = inspect.getdoc(REGISTRY[name].rule)
    assert doc and "←" in doc, f"{name}: write the update's formula (w ← ...) in the docstring"
    assert "Note:" in doc, f"{name}: add a Note: on PyTorch/Keras/textbook conventions"


def no_decay(name):
    return {"weight_decay": 0.0} if name in DECAYING else {}


@pytest.mark.parametrize("name", NAMES)
def test_first_step_goes_downhill(name):
    g = np.array([0.5, -1.0, 0.25, -3.0])
    state0 = INIT[name](np.zeros(4))
    w1, state1 = OPTIMIZERS[name](np.zeros(4), g, state0, **no_decay(name))    # from w = 0
    assert w1.shape == g.shape and w1.dtype == np.float64 and np.all(np.isfinite(w1))
    np.testing.assert_array_equal(np.sign(w1), -np.sign(g))     # against the gradient, everywhere
    assert state1.keys() == state0.keys()
    for k in state0:
        assert np.shape(state1[k]) == np.shape(state0[k]), (name, k)


@pytest.mark.parametrize("name", NAMES)
def test_no_gradient_no_step(name):
    w, state = W0.copy(), INIT[name](W0)
    for _ in range(3):
        w, state = OPTIMIZERS[name](w, np.zeros(3), state, **no_decay(name))
    np.testing.assert_array_equal(w, W0)


@pytest.mark.parametrize("name", NAMES)
def test_defaults_go_down_the_textbook_bowl(name):
    surface = SURFACES["textbook"]
    path = run_optimizer(surface, name, steps=100)
    assert path.shape == (101, 2)
    values = [surface.value(p) for p in path]
    assert values[-1] < values[0] and values[10] < values[0]


@pytest.mark.parametrize("name", NAMES)
def test_every_hyperparameter_is_checked(name):
    for key in DEFAULTS[name]:
        for bad in (-1.0, np.nan):                   # out of every range in RANGES
            with pytest.raises(ValueError, match=f"{key} must be"):
                Optimizer(name, **{key: bad})
            with pytest.raises(ValueError, match=f"{key} must be"):
                run_optimizer(SURFACES["textbook"], name, steps=1, **{key: bad})
        with pytest.raises(TypeError, match=key):
            Optimizer(name, **{key: "0.1"})
    with pytest.raises(ValueError, match=f"{name} has no hyperparameter 'betas'; allowed: "):
        Optimizer(name, betas=(0.9, 0.999))


@pytest.mark.parametrize("name", NAMES)
def test_optimizer_applies_the_rule_to_every_array(name):
    g = np.random.default_rng(2)
    params = {"fc1.W": g.standard_normal((3, 2)), "fc1.b": g.standard_normal(2), "bn1.gamma": np.ones(2)}
    grads = {k: g.standard_normal(v.shape) for k, v in params.items()}
    opt = Optimizer(name, lr=0.03)
    out, state = opt.update(params, grads, opt.init(params))
    for k in params:                                    # decoupled decay: weight matrices only
        hp = {**DEFAULTS[name], "lr": 0.03, **({} if k.endswith(".W") else no_decay(name))}
        w, s = OPTIMIZERS[name](params[k], grads[k], INIT[name](params[k]), **hp)
        np.testing.assert_array_equal(out[k], w)
        assert state[k].keys() == s.keys()


# ----------------------------------------------------------------------------- the registry
def toy_rule(w, dw, state, *, lr=0.1):
    """w ← w − η·g.  Note: a test's rule."""
    return w - lr * dw, state


def test_zero_state():
    init = zero_state("m", "v", t=0)
    s = init(np.ones((2, 3)))
    assert list(s) == ["m", "v", "t"] and s["t"] == 0
    np.testing.assert_array_equal(s["m"], np.zeros((2, 3)))
    assert s["m"] is not s["v"] and s["m"].dtype == np.float64
    assert zero_state()(np.ones(2)) == {}


def test_a_table_row_reads_its_defaults_from_the_rule():
    entry = OptimizerEntry("toy", toy_rule, zero_state(), "Toy")
    assert entry.defaults == {"lr": 0.1} and entry.hyperparameters({"lr": 0.5}) == {"lr": 0.5}
    assert entry.color is None and entry.marker is None
    with pytest.raises(ValueError, match="toy has no hyperparameter 'momentum'"):
        entry.check({"momentum": 0.9})


def bad_signature(w, dw, state, lr=0.1):
    return w, state


def no_default(w, dw, state, *, lr):
    return w, state


def new_name(w, dw, state, *, lr=0.1, temperature=1.0):
    return w, state


def bad_default(w, dw, state, *, lr=0.1, beta1=1.0):
    return w, state


@pytest.mark.parametrize("rule, error, match", [
    (bad_signature, TypeError, r"rule\(w, dw, state, \*, name=default, ...\)"),
    (no_default, TypeError, r"rule\(w, dw, state, \*, name=default, ...\)"),
    (new_name, ValueError, r"\['temperature'\] have no row in optimizers.RANGES"),
    (bad_default, ValueError, r"beta1 must be in \[0, 1\)"),
])
def test_a_wrong_row_fails_on_import(rule, error, match):
    with pytest.raises(error, match=match):
        OptimizerEntry("toy", rule, zero_state(), "Toy")


def test_names_are_registered_once_and_lower_case():
    with pytest.raises(ValueError, match="'sgd' is registered twice"):
        _index(TABLE + [OptimizerEntry("sgd", toy_rule, zero_state(), "SGD again")])
    for bad in ("Toy", " toy", ""):
        with pytest.raises(ValueError, match="lower case"):
            OptimizerEntry(bad, toy_rule, zero_state(), "Toy")
    with pytest.raises(TypeError, match="a state init"):
        OptimizerEntry("toy", toy_rule, None, "Toy")
    assert set(RANGES) >= {k for e in TABLE for k in e.defaults}


# ----------------------------------------------------------------------------- Nesterov
def test_nesterov_equals_look_ahead_form():
    """v ← μ·v + η·∇L(θ − μ·v);  θ ← θ − v.  The course's w is θ − μ·v at every step."""
    surface, lr, mu, steps = SURFACES["textbook"], 0.1, 0.9, 60
    path = run_optimizer(surface, "nesterov", steps=steps, lr=lr, momentum=mu)
    theta, v = np.array(surface.start), np.zeros(2)
    np.testing.assert_allclose(path[0], theta - mu * v)
    for t in range(1, steps + 1):
        v = mu * v + lr * surface.gradient(theta - mu * v)
        theta = theta - v
        np.testing.assert_allclose(path[t], theta - mu * v, rtol=1e-12, atol=1e-13)
    # and it differs from plain momentum (the gradient really is taken elsewhere)
    plain = run_optimizer(surface, "momentum", steps=steps, lr=lr, momentum=mu)
    assert np.abs(plain[5] - path[5]).max() > 1e-3


# ----------------------------------------------------------------------------- AdamW
def test_adamw_decays_only_weight_matrices():
    params = {"fc1.W": np.full((2, 3), 2.0), "fc1.b": np.full(3, 2.0),
              "bn1.gamma": np.full(3, 2.0), "bn1.beta": np.full(3, 2.0), "fc2.W": np.full((3, 1), -1.0)}
    zero = {k: np.zeros_like(v) for k, v in params.items()}
    opt = Optimizer("adamw", lr=0.1, weight_decay=0.5)
    out, _ = opt.update(params, zero, opt.init(params))
    np.testing.assert_allclose(out["fc1.W"], 2.0 * (1 - 0.1 * 0.5), rtol=1e-15)   # 1.9
    np.testing.assert_allclose(out["fc2.W"], -1.0 * (1 - 0.1 * 0.5), rtol=1e-15)
    for k in ("fc1.b", "bn1.gamma", "bn1.beta"):
        np.testing.assert_array_equal(out[k], params[k])
    # with gradients: non-W keys take exactly Adam's step, W keys Adam's step plus the decay
    g = np.random.default_rng(1)
    grads = {k: g.standard_normal(v.shape) for k, v in params.items()}
    hp = dict(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8)
    adam = Optimizer("adam", **hp)
    a, _ = adam.update(params, grads, adam.init(params))
    w, _ = Optimizer("adamw", weight_decay=0.5, **hp).update(params, grads, opt.init(params))
    for k in params:
        decay = 0.1 * 0.5 * params[k] if k.endswith(".W") else 0.0
        np.testing.assert_allclose(w[k], a[k] - decay, rtol=1e-14, atol=1e-15)


# ----------------------------------------------------------------------------- decay_mask
def test_default_decay_mask_is_the_old_adamw_rule():
    """Today's mask, written out: the adamw rule with λ on keys ending in ".W", λ = 0 elsewhere."""
    assert weights_only("fc3.W") and not weights_only("fc1.b") and not weights_only("bn1.gamma")
    assert not weights_only("W") and Optimizer("adamw").decay_mask is weights_only
    g = np.random.default_rng(3)
    params = {"fc1.W": g.standard_normal((2, 2)), "fc1.b": g.standard_normal(2), "bn1.beta": g.standard_normal(2)}
    opt = Optimizer("adamw", lr=0.1, weight_decay=0.3)
    p, s = params, opt.init(params)
    by_hand = {k: (v, INIT["adamw"](v)) for k, v in params.items()}      # key -> (w, state)
    for _ in range(3):
        grads = {k: g.standard_normal(v.shape) for k, v in params.items()}
        p, s = opt.update(p, grads, s)
        for k, (w, state) in by_hand.items():
            lam = 0.3 if k.endswith(".W") else 0.0
            by_hand[k] = OPTIMIZERS["adamw"](w, grads[k], state, lr=0.1, beta1=0.9, beta2=0.999,
                                             eps=1e-8, weight_decay=lam)
    for k in params:
        np.testing.assert_array_equal(p[k], by_hand[k][0])
    assert not np.array_equal(p["fc1.W"], Optimizer("adam", lr=0.1).update(
        params, grads, Optimizer("adam").init(params))[0]["fc1.W"])


@pytest.mark.parametrize("name", DECAYING)
def test_decay_mask_option(name):
    params = {"fc1.W": np.full(2, 2.0), "fc1.b": np.full(2, 2.0), "fc2.W": np.full(2, -1.0)}
    zero = {k: np.zeros_like(v) for k, v in params.items()}
    first_layer = Optimizer(name, lr=0.1, weight_decay=0.5, decay_mask=lambda k: k.startswith("fc1."))
    out, _ = first_layer.update(params, zero, first_layer.init(params))
    np.testing.assert_allclose(out["fc1.W"], 1.9, rtol=1e-15)                 # 2·(1 − 0.1·0.5)
    np.testing.assert_allclose(out["fc1.b"], 1.9, rtol=1e-15)
    np.testing.assert_array_equal(out["fc2.W"], params["fc2.W"])
    everything = Optimizer(name, lr=0.1, weight_decay=0.5, decay_mask=lambda k: True)
    out, _ = everything.update(params, zero, everything.init(params))
    np.testing.assert_allclose(out["fc2.W"], -0.95, rtol=1e-15)
    assert "decay_mask=" in repr(everything) and "decay_mask" not in everything.hp


def test_decay_mask_errors():
    decaying = Optimizer("adamw", decay_mask=lambda k: "yes")
    params = {"fc1.W": np.ones(2)}
    with pytest.raises(TypeError, match=r"decay_mask\('fc1.W'\) must return True or False"):
        decaying.update(params, params, decaying.init(params))
    with pytest.raises(TypeError, match="decay_mask must be a function key -> bool"):
        Optimizer("adamw", decay_mask="*.W")
    with pytest.raises(ValueError, match=r"decay_mask applies to rules with decoupled weight decay \[.*'adamw'"):
        Optimizer("adam", decay_mask=weights_only)
    with pytest.raises(ValueError, match="has no hyperparameter 'decay_mask'"):
        run_optimizer(SURFACES["textbook"], "adamw", decay_mask=weights_only)


# ----------------------------------------------------------------------------- hyperparameters
def test_defaults_follow_the_lecture():
    assert Optimizer("rmsprop").hp == {"lr": 0.001, "rho": 0.9, "eps": 1e-7}
    assert Optimizer("adadelta").hp == {"rho": 0.95, "eps": 1e-6, "lr": 1.0}
    assert Optimizer("adam").hp == {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    assert Optimizer("Momentum", lr=0.5).hp == {"lr": 0.5, "momentum": 0.9}
    assert list(REGISTRY)[:8] == LECTURE                # the lecture's eight, in slide order
    assert list(DEFAULTS) == list(OPTIMIZERS) == list(INIT) == NAMES == [e.name for e in TABLE]
    Optimizer("momentum", momentum=0.0)                 # the closed end of [0, 1) is allowed
    Optimizer("adam", beta1=0.0)


@pytest.mark.parametrize("name, hp, match", [
    ("sgd", dict(lr=0.0), r"lr must be > 0"),
    ("adam", dict(lr=-1e-3), r"lr must be > 0"),
    ("momentum", dict(lr=np.nan), r"lr must be > 0"),
    ("adagrad", dict(lr=np.inf), r"lr must be > 0"),
    ("momentum", dict(momentum=1.0), r"momentum must be in \[0, 1\)"),
    ("nesterov", dict(momentum=-0.1), r"momentum must be in \[0, 1\)"),
    ("rmsprop", dict(rho=1.0), r"rho must be in \[0, 1\)"),
    ("adadelta", dict(rho=-0.5), r"rho must be in \[0, 1\)"),
    ("adam", dict(beta1=1.0), r"beta1 must be in \[0, 1\)"),
    ("adam", dict(beta2=1.5), r"beta2 must be in \[0, 1\)"),
    ("adamw", dict(beta2=-0.01), r"beta2 must be in \[0, 1\)"),
    ("rmsprop", dict(eps=0.0), r"eps must be > 0"),
    ("adamw", dict(weight_decay=-0.1), r"weight_decay must be >= 0"),
    ("sgd", dict(momentum=0.9), r"sgd has no hyperparameter 'momentum'"),
    ("adam", dict(rho=0.9), r"adam has no hyperparameter 'rho'"),
    ("adadelta", dict(beta1=0.9), r"adadelta has no hyperparameter 'beta1'"),
])
def test_bad_hyperparameters(name, hp, match):
    with pytest.raises(ValueError, match=match):
        Optimizer(name, **hp)
    with pytest.raises(ValueError, match=match):                 # the optimizer race too
        run_optimizer(SURFACES["textbook"], name, steps=2, **hp)


@pytest.mark.parametrize("name", ["adamax", "SGDM", ""])
def test_unknown_optimizer(name):
    with pytest.raises(ValueError, match="unknown optimizer"):
        Optimizer(name)
    with pytest.raises(ValueError, match="unknown optimizer"):
        run_optimizer(SURFACES["textbook"], name)


# ----------------------------------------------------------------------------- post-steps
from course_utils.layers import max_norm as _layers_max_norm          # noqa: E402
from course_utils.optimizers import (Optimizer as _Opt, post_max_norm, post_prox_l1,  # noqa: E402
                                     soft_threshold, weights_only, with_post_step)


def test_soft_threshold_by_hand():
    # t = 0.5: 2 → 1.5, −0.7 → −0.2, 0.3 → 0 (|w| ≤ t), −0.5 → 0 (the edge), 0 → 0
    got = soft_threshold(np.array([2.0, -0.7, 0.3, -0.5, 0.0]), 0.5)
    np.testing.assert_allclose(got, [1.5, -0.2, 0.0, 0.0, 0.0], rtol=0, atol=1e-15)
    assert np.sum(got == 0.0) == 3


def test_prox_l1_sgd_one_step_by_hand():
    # η = 0.1, λ = 1: u = w − η·g; threshold ηλ = 0.1; biases get plain SGD (weights_only)
    # W: [0.5, −0.05] − 0.1·[1, 0] = [0.4, −0.05] → [0.3, 0.0];  b: 0.2 − 0.1·(−1) = 0.3 (no threshold)
    opt = with_post_step(_Opt("sgd", lr=0.1), post_prox_l1(1.0))
    params = {"fc1.W": np.array([[0.5, -0.05]]), "fc1.b": np.array([0.2])}
    grads = {"fc1.W": np.array([[1.0, 0.0]]), "fc1.b": np.array([-1.0])}
    new, _ = opt.update(params, grads, opt.init(params))
    np.testing.assert_allclose(new["fc1.W"], [[0.3, 0.0]], rtol=0, atol=1e-15)
    assert new["fc1.W"][0, 1] == 0.0
    np.testing.assert_allclose(new["fc1.b"], [0.3], rtol=0, atol=1e-15)
    # the η of the call (a schedule's) sets the threshold: η = 0.2 → u = 0.3, threshold 0.2 → 0.1
    new, _ = opt.update(params, grads, opt.init(params), lr=0.2)
    np.testing.assert_allclose(new["fc1.W"], [[0.1, 0.0]], rtol=0, atol=1e-15)


def test_prox_l1_is_the_exercise_reference_bit_for_bit():
    from course_utils.checks.ch04 import prox_l1_step_reference
    g = np.random.default_rng(0)
    w, dw = g.normal(size=(5, 4)), g.normal(size=(5, 4))
    opt = with_post_step(_Opt("sgd", lr=0.01), post_prox_l1(0.3))
    new, _ = opt.update({"a.W": w}, {"a.W": dw}, opt.init({"a.W": w}))
    assert np.array_equal(new["a.W"], prox_l1_step_reference(w, dw, 0.01, 0.3))


def test_max_norm_one_step_by_hand():
    # columns (3, 4) with norm 5 and (0.6, 0.8) with norm 1; c = 2: the first becomes (1.2, 1.6),
    # the second stays; the output layer (not in keys) is not projected
    opt = with_post_step(_Opt("sgd", lr=0.5), post_max_norm(2.0), keys=["fc1.W"])
    params = {"fc1.W": np.array([[3.0, 0.6], [4.0, 0.8]]), "fc2.W": np.array([[3.0], [4.0]])}
    grads = {k: np.zeros_like(w) for k, w in params.items()}
    new, _ = opt.update(params, grads, opt.init(params))
    np.testing.assert_allclose(new["fc1.W"], [[1.2, 0.6], [1.6, 0.8]], rtol=1e-15)
    assert np.array_equal(new["fc2.W"], params["fc2.W"])
    assert np.array_equal(post_max_norm(2.0)(params["fc1.W"], 0.5), _layers_max_norm(params["fc1.W"], 2.0))


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_no_op_post_step_is_the_plain_optimizer(name):
    g = np.random.default_rng(1)
    params = {"fc1.W": g.normal(size=(4, 3)), "fc1.b": g.normal(size=3)}
    plain, wrapped = _Opt(name), with_post_step(_Opt(name), lambda w, lr: w)
    assert wrapped.lr == plain.lr
    p1, s1 = params, plain.init(params)
    p2, s2 = params, wrapped.init(params)
    for step in range(3):
        grads = {k: g.normal(size=w.shape) for k, w in params.items()}
        lr = None if step < 2 else 0.5 * plain.lr
        p1, s1 = plain.update(p1, grads, s1, lr=lr)
        p2, s2 = wrapped.update(p2, grads, s2, lr=lr)
        for k in params:
            assert np.array_equal(p1[k], p2[k]), (name, step, k)


def test_post_step_inputs_are_not_modified_and_it_nests():
    params = {"fc1.W": np.array([[3.0, -0.001]]), "fc1.b": np.array([1.0])}
    before = copy.deepcopy(params)
    opt = with_post_step(with_post_step(_Opt("sgd", lr=0.1), post_prox_l1(0.1)), post_max_norm(1.0))
    new, _ = opt.update(params, {k: np.zeros_like(w) for k, w in params.items()}, opt.init(params))
    assert all(np.array_equal(params[k], before[k]) for k in params)
    # prox: 3 → 2.99, −0.001 → 0; max-norm (column norms 2.99 and 0): 2.99 → 1.0
    np.testing.assert_allclose(new["fc1.W"], [[1.0, 0.0]], rtol=1e-15)
    assert opt.lr == 0.1 and "post_max_norm(1.0)" in repr(opt) and "post_prox_l1(0.1)" in repr(opt)


def test_post_step_errors():
    opt = with_post_step(_Opt("sgd"), post_max_norm(3.0), keys=["fc9.W"])
    params = {"fc1.W": np.ones((2, 2))}
    with pytest.raises(ValueError, match="fc9.W"):
        opt.update(params, params, opt.init(params))
    with pytest.raises(TypeError, match=r"post\(w, lr\)"):
        with_post_step(_Opt("sgd"), 3.0)
    with pytest.raises(TypeError, match="init"):
        with_post_step("sgd", post_max_norm(3.0))
    with pytest.raises(TypeError, match="keys"):
        with_post_step(_Opt("sgd"), post_max_norm(3.0), keys="fc1.W")
    with pytest.raises(ValueError, match="c"):
        post_max_norm(0.0)
    with pytest.raises(ValueError, match="lam"):
        post_prox_l1(-0.1)
    assert with_post_step(_Opt("sgd"), post_max_norm(3.0)).keys is weights_only
