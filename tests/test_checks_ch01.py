"""Chapter 01's exercise checks: pass the reference, say "not implemented yet" for a stub, and
name the typical mistakes."""
import numpy as np
import pytest

from course_utils import checks
from course_utils.checks.ch01 import adam_reference, momentum_reference


# ----------------------------------------------------------------------------- Momentum
def test_momentum_reference_passes(run_check):
    ok, out = run_check(checks.check_momentum, momentum_reference)
    assert ok and out.startswith("✓") and "correct on all 3 cases" in out


def test_momentum_student_solution_passes(run_check):
    def mine(w, dw, v, lr, mu):
        v = mu * v + lr * dw
        return w - v, v
    ok, out = run_check(checks.check_momentum, mine)
    assert ok, out


def test_momentum_stub_not_implemented(run_check):
    def stub(w, dw, v, lr, mu):
        raise NotImplementedError("v ← μ·v + η·g, then w ← w − v")
    ok, out = run_check(checks.check_momentum, stub)
    assert not ok and "not implemented yet" in out


@pytest.mark.parametrize("wrong, hint", [
    (lambda w, dw, v, lr, mu: (w - lr * (mu * v + dw), mu * v + dw), "off by a factor η"),
    (lambda w, dw, v, lr, mu: (w + (mu * v - lr * dw), mu * v - lr * dw), "textbook's sign convention"),
    (lambda w, dw, v, lr, mu: (w + mu * v + lr * dw, mu * v + lr * dw), "sign error"),
    (lambda w, dw, v, lr, mu: (w - v, mu * v + lr * dw), "update v first"),
    (lambda w, dw, v, lr, mu: (w - v - lr * dw, v + lr * dw), "left out μ"),
    (lambda w, dw, v, lr, mu: (w - lr * (mu * v + (1 - mu) * dw), mu * v + (1 - mu) * dw), "averaged form"),
])
def test_momentum_typical_mistakes(run_check, wrong, hint):
    ok, out = run_check(checks.check_momentum, wrong)
    assert not ok and out.startswith("✗") and hint in out, out


def test_momentum_crash_is_reported(run_check):
    ok, out = run_check(checks.check_momentum, lambda w, dw, v, lr, mu: w[10])
    assert not ok and "raised IndexError" in out


def test_momentum_does_not_mutate_reference_inputs(run_check):
    def inplace(w, dw, v, lr, mu):
        v *= mu
        v += lr * dw
        w -= v
        return w, v
    ok, out = run_check(checks.check_momentum, inplace)
    assert ok, out                                   # in-place is fine: inputs are copies


# ----------------------------------------------------------------------------- Adam
def _adam(w, dw, m, v, t, lr, b1, b2, eps, *, correct=True, inc=True, eps_in=False, sign=-1,
          store_hat=False):
    t1 = t + 1
    tc = t1 if inc else t
    m = b1 * m + (1 - b1) * dw
    v = b2 * v + (1 - b2) * dw * dw
    with np.errstate(all="ignore"):
        mh = m / (1 - b1 ** tc) if correct else m
        vh = v / (1 - b2 ** tc) if correct else v
        step = mh / np.sqrt(vh + eps) if eps_in else mh / (np.sqrt(vh) + eps)
    w = w + sign * lr * step
    return (w, mh, vh, t1) if store_hat else (w, m, v, t1)


def test_adam_reference_passes(run_check):
    ok, out = run_check(checks.check_adam, adam_reference)
    assert ok and "correct on all 4 cases" in out


def test_adam_student_solution_passes(run_check):
    ok, out = run_check(checks.check_adam, _adam)
    assert ok, out


def test_adam_stub_not_implemented(run_check):
    def stub(*args):
        raise NotImplementedError("t first, then m, v, m̂, v̂, step")
    ok, out = run_check(checks.check_adam, stub)
    assert not ok and "not implemented yet" in out


@pytest.mark.parametrize("kw, hint", [
    (dict(correct=False), "missing bias correction"),
    (dict(inc=False), "t not incremented before the bias correction"),
    (dict(eps_in=True), "ε inside the root"),
    (dict(sign=+1), "sign error"),
    (dict(store_hat=True), "return the raw moments"),
])
def test_adam_typical_mistakes(run_check, kw, hint):
    ok, out = run_check(checks.check_adam, lambda *a: _adam(*a, **kw))
    assert not ok and out.startswith("✗") and hint in out, out


def test_adam_t_not_returned(run_check):
    def wrong(*args):
        w, m, v, t = _adam(*args)
        return w, m, v, t - 1
    ok, out = run_check(checks.check_adam, wrong)
    assert not ok and "return the incremented t" in out


def test_adam_v_not_squared(run_check):
    def wrong(w, dw, m, v, t, lr, b1, b2, eps):
        t += 1
        m = b1 * m + (1 - b1) * dw
        v = b2 * v + (1 - b2) * dw
        with np.errstate(all="ignore"):
            return w - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps), m, v, t
    ok, out = run_check(checks.check_adam, wrong)
    assert not ok and "squared gradient" in out


def test_adam_swapped_betas(run_check):
    def wrong(w, dw, m, v, t, lr, b1, b2, eps):
        t += 1
        m = (1 - b1) * m + b1 * dw
        v = (1 - b2) * v + b2 * dw * dw
        return w - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps), m, v, t
    ok, out = run_check(checks.check_adam, wrong)
    assert not ok and "swapped" in out
