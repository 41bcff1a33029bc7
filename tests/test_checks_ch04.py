"""Chapter 04's exercise checks: pass the reference and independent solutions, say "not
implemented yet" for a stub, and name the typical mistakes."""
from functools import partial

import numpy as np
import pytest

from course_utils import checks
from course_utils.checks.ch04 import early_stopping_reference, l2_penalty_reference
from course_utils.net import MLP
from course_utils.training import EarlyStopping


# ----------------------------------------------------------------------------- L2 penalty
def _weights(params):
    return {k: v for k, v in params.items() if k.endswith(".W")}


def l2_good(params, lam):
    penalty = 0.0
    grads = {}
    for k, v in params.items():
        if k.endswith(".W"):
            penalty += 0.5 * lam * np.sum(v ** 2)
            grads[k] = lam * v
        else:
            grads[k] = np.zeros_like(v)
    return penalty, grads


def test_l2_reference_passes(run_check):
    ok, out = run_check(checks.check_l2_penalty, l2_penalty_reference)
    assert ok and out.startswith("✓") and "correct on all 3 cases" in out


def test_l2_student_solution_passes_also_as_list(run_check):
    ok, out = run_check(checks.check_l2_penalty, lambda p, lam: list(l2_good(p, lam)))
    assert ok, out


def test_l2_reference_matches_the_net():
    net = MLP(6, [5, 4], 3, weight_decay=0.3, rng=1)
    for k in net.params:
        net.params[k] = net.params[k] + 0.1          # nonzero biases
    pen, grads = l2_penalty_reference(net.params, 0.3)
    assert np.isclose(pen, net.penalty_value())
    X, y = np.random.default_rng(0).standard_normal((4, 6)), np.array([0, 1, 2, 0])
    _, g_pen = net.loss(X, y)
    net.weight_decay = 0.0
    _, g = net.loss(X, y)
    for k in g:
        assert np.allclose(g_pen[k] - g[k], grads[k])


def test_l2_stub_not_implemented(run_check):
    def stub(params, lam):
        raise NotImplementedError("λ/2·Σw² over the '.W' keys")
    ok, out = run_check(checks.check_l2_penalty, stub)
    assert not ok and "not implemented yet" in out


def _sum_sq(arrs):
    return sum(float(np.sum(a * a)) for a in arrs)


@pytest.mark.parametrize("wrong, hint", [
    (lambda p, lam: (lam * _sum_sq(_weights(p).values()), l2_good(p, lam)[1]), "twice too large"),
    (lambda p, lam: (0.5 * lam * _sum_sq(p.values()), l2_good(p, lam)[1]), "includes the biases"),
    (lambda p, lam: (0.5 * lam * np.mean(np.concatenate([w.ravel() ** 2 for w in _weights(p).values()])),
                     l2_good(p, lam)[1]), "not a mean"),
    (lambda p, lam: (lam * sum(np.abs(w).sum() for w in _weights(p).values()), l2_good(p, lam)[1]),
     "L1 penalty"),
    (lambda p, lam: (0.5 * lam * np.sqrt(_sum_sq(_weights(p).values())), l2_good(p, lam)[1]),
     "not its square"),
    (lambda p, lam: (l2_good(p, lam)[0], {k: 0.5 * v for k, v in l2_good(p, lam)[1].items()}),
     "not λ/2·w"),
    (lambda p, lam: (l2_good(p, lam)[0], {k: 2 * v for k, v in l2_good(p, lam)[1].items()}),
     "2λ·w is the gradient"),
    (lambda p, lam: (l2_good(p, lam)[0], {k: -v for k, v in l2_good(p, lam)[1].items()}), "sign error"),
    (lambda p, lam: (l2_good(p, lam)[0], {k: lam * v for k, v in p.items()}), "biases got a gradient"),
    (lambda p, lam: (l2_good(p, lam)[0], {k: lam * v for k, v in _weights(p).items()}),
     "gradient for every parameter"),
])
def test_l2_typical_mistakes(run_check, wrong, hint):
    ok, out = run_check(checks.check_l2_penalty, wrong)
    assert not ok and out.startswith("✗") and hint in out, out


def test_l2_crash_is_reported(run_check):
    ok, out = run_check(checks.check_l2_penalty, lambda p, lam: p["fc9.W"])
    assert not ok and "raised KeyError" in out


# ----------------------------------------------------------------------------- early stopping
def es_good(val_losses, patience, *, improves=lambda loss, best: loss < best,
            stops=lambda wait, patience: wait > patience, reset=True):
    """A student's early-stopping rule: the defaults are right, each option is a mistake."""
    best, best_epoch, wait = float("inf"), 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if improves(loss, best):
            best, best_epoch = loss, epoch
            wait = 0 if reset else wait
        else:
            wait += 1
            if stops(wait, patience):
                return epoch, best_epoch
    return len(val_losses), best_epoch


def test_es_reference_passes(run_check):
    ok, out = run_check(checks.check_early_stopping, early_stopping_reference)
    assert ok and out.startswith("✓") and "correct on all 5 cases" in out


def test_es_student_solution_passes(run_check):
    ok, out = run_check(checks.check_early_stopping, es_good)
    assert ok, out


def test_es_reference_matches_training_loop():
    """The reference replays the same rule that ``train`` applies (stop epoch and best epoch)."""
    from course_utils import Optimizer, train
    g = np.random.default_rng(3)
    X, y = g.standard_normal((60, 4)), g.integers(0, 3, 60)
    Xv, yv = g.standard_normal((40, 4)), g.integers(0, 3, 40)
    net = MLP(4, [32, 32], 3, rng=0)
    hist = train(net, (X, y, Xv, yv), Optimizer("sgd", lr=0.1), epochs=300, batch_size=20,
                 early_stopping=EarlyStopping(4, restore_best=False))
    assert hist.stopped_at is not None
    assert early_stopping_reference(hist.val_loss, 4) == (hist.stopped_at, hist.best_epoch)


def test_es_stub_not_implemented(run_check):
    def stub(val_losses, patience):
        raise NotImplementedError("count epochs without improvement")
    ok, out = run_check(checks.check_early_stopping, stub)
    assert not ok and "not implemented yet" in out


def es_zero_based(val_losses, patience):
    stop, best = es_good(val_losses, patience)
    return stop - 1, best - 1


def es_previous(val_losses, patience):
    best, best_epoch, wait, prev = float("inf"), 0, 0, float("inf")
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < prev:
            wait = 0
            if loss < best:
                best, best_epoch = loss, epoch
        else:
            wait += 1
            if wait > patience:
                return epoch, best_epoch
        prev = loss
    return len(val_losses), best_epoch


def es_future(val_losses, patience):
    stop, _ = es_good(val_losses, patience)
    return stop, int(np.argmin(val_losses)) + 1


def es_none(val_losses, patience):
    stop, best = es_good(val_losses, patience)
    return (None if stop == len(val_losses) and patience >= 5 else stop), best


@pytest.mark.parametrize("wrong, hint", [
    (es_zero_based, "counted from 1"),
    (partial(es_good, stops=lambda wait, patience: wait >= patience), "one epoch early"),
    (partial(es_good, stops=lambda wait, patience: wait > patience + 1), "one epoch late"),
    (partial(es_good, improves=lambda loss, best: loss <= best), "a tie is not an improvement"),
    (es_previous, "not with the previous epoch"),
    (partial(es_good, reset=False), "reset the counter"),
    (es_future, "looked into the future"),
    (es_none, "return len(val_losses)"),
])
def test_es_typical_mistakes(run_check, wrong, hint):
    ok, out = run_check(checks.check_early_stopping, wrong)
    assert not ok and out.startswith("✗") and hint in out, out


def test_es_input_is_not_shared(run_check):
    """A function that sorts its input in place cannot change the reference's answer."""
    def sorts(val_losses, patience):
        val_losses.sort()
        return es_good(val_losses, patience)
    ok, out = run_check(checks.check_early_stopping, sorts)
    assert not ok and out.startswith("✗")


# ----------------------------------------------------------------------------- proximal L1 step
def prox_good(w, dw, lr, lam):
    u = w - lr * dw
    out = np.zeros_like(u)
    big = np.abs(u) > lr * lam
    out[big] = u[big] - lr * lam * np.sign(u[big])
    return out


def test_prox_reference_passes(run_check):
    ok, out = run_check(checks.check_prox_l1_step, checks.prox_l1_step_reference)
    assert ok and out.startswith("✓") and "correct on all 4 cases" in out


def test_prox_independent_solution_passes(run_check):
    ok, out = run_check(checks.check_prox_l1_step, prox_good)
    assert ok, out


def test_prox_reference_by_hand():
    w = np.array([0.5, -0.5, 0.004, 0.0])
    dw = np.array([1.0, 1.0, 0.0, 0.0])
    # u = w − 0.1·dw = [0.4, −0.6, 0.004, 0]; threshold ηλ = 0.01
    want = np.array([0.39, -0.59, 0.0, 0.0])
    got = checks.prox_l1_step_reference(w, dw, 0.1, 0.1)
    assert np.allclose(got, want) and np.count_nonzero(got == 0) == 2


def test_prox_is_the_minimiser_of_the_proximal_objective():
    """sign(u)·max(|u| − t, 0) minimises t·|x| + ½(x − u)² (checked on a fine grid)."""
    grid = np.linspace(-1, 1, 200001)
    for u in (-0.7, -0.02, 0.0, 0.03, 0.4):
        best = grid[np.argmin(0.05 * np.abs(grid) + 0.5 * (grid - u) ** 2)]
        assert abs(checks.prox_l1_step_reference(np.array([u]), np.array([0.0]), 0.5, 0.1)[0] - best) < 1e-4


def test_prox_stub_not_implemented(run_check):
    def stub(w, dw, lr, lam):
        raise NotImplementedError
    ok, out = run_check(checks.check_prox_l1_step, stub)
    assert not ok and "not implemented yet" in out


def _soft(u, t):
    return np.sign(u) * np.maximum(np.abs(u) - t, 0.0)


@pytest.mark.parametrize("wrong, hint", [
    (lambda w, dw, lr, lam: w - lr * (dw + lam * np.sign(w)), "plain subgradient step"),
    (lambda w, dw, lr, lam: _soft(w - lr * dw, lam), "the threshold is ηλ, not λ"),
    (lambda w, dw, lr, lam: np.where(np.abs(w - lr * dw) > lr * lam, w - lr * dw, 0.0), "hard thresholding"),
    (lambda w, dw, lr, lam: _soft(w, lr * lam) - lr * dw, "not w before the step"),
    (lambda w, dw, lr, lam: np.maximum(np.abs(w - lr * dw) - lr * lam, 0.0), "lost the sign"),
    (lambda w, dw, lr, lam: _soft(w - lr * dw, 2 * lr * lam), "threshold is 2ηλ"),
    (lambda w, dw, lr, lam: _soft(w - lr * dw, 0.5 * lr * lam), "threshold is ηλ/2"),
    (lambda w, dw, lr, lam: _soft(w + lr * dw, lr * lam), "sign error in the gradient step"),
    (lambda w, dw, lr, lam: np.where(_soft(w - lr * dw, lr * lam) == 0, 1e-12, _soft(w - lr * dw, lr * lam)),
     "only nearly 0"),
])
def test_prox_typical_mistakes(run_check, wrong, hint):
    ok, out = run_check(checks.check_prox_l1_step, wrong)
    assert not ok and out.startswith("✗") and hint in out, out


def test_prox_returning_none_is_reported(run_check):
    ok, out = run_check(checks.check_prox_l1_step, lambda w, dw, lr, lam: None)
    assert not ok and "None" in out
