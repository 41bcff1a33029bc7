"""Chapter 05's exercise checks: they pass the reference and independent solutions, say "not
implemented yet" for a stub, and give the intended hint for typical wrong answers."""
import numpy as np
import pytest

from course_utils import layers as L
from course_utils.checks import check_dropout_backward, check_dropout_forward
from course_utils.checks.ch05 import (_backward_cases, _forward_cases, dropout_backward_reference,
                                      dropout_forward_reference)


# ----------------------------------------------------------------------------- forward
def fwd_good(x, p, mask, train):
    if not train:
        return x
    return x * mask / (1 - p)


def test_forward_reference_and_solution_pass(run_check):
    ok, out = run_check(check_dropout_forward, dropout_forward_reference)
    assert ok and out.startswith("✓") and "correct on all 5 cases" in out
    assert run_check(check_dropout_forward, fwd_good)[0]


def test_forward_accepts_out_cache_pair_and_boolean_logic(run_check):
    def pair(x, p, mask, train):
        return L.dropout_forward(x, p, train=train, mask=mask.astype(bool))

    def where(x, p, mask, train):
        return np.where(mask > 0, x / (1 - p), 0.0) if train else x.copy()
    assert run_check(check_dropout_forward, pair)[0]
    assert run_check(check_dropout_forward, where)[0]


def test_forward_cases_are_informative():
    cases = _forward_cases()
    assert all(p != 0.5 for _, p, _, _ in cases)
    assert {t for *_, t in cases} == {True, False}
    for x, p, mask, train in cases:
        assert set(np.unique(mask)) == {0.0, 1.0} and np.all(x != 0)


def test_forward_stub_not_implemented(run_check):
    def stub(x, p, mask, train):
        raise NotImplementedError("x · mask / (1 − p) in training, x at test")
    ok, out = run_check(check_dropout_forward, stub)
    assert not ok and "not implemented yet" in out


def _fwd(train_rule, test_rule=lambda x, p, m: x):
    return lambda x, p, mask, train: (train_rule if train else test_rule)(x, p, mask)


@pytest.mark.parametrize("wrong, hint", [
    (_fwd(lambda x, p, m: x * m), "kept units are not scaled"),
    (_fwd(lambda x, p, m: x * m / p), "you divided by p, the DROP probability"),
    (_fwd(lambda x, p, m: x * m * p), "you multiplied by p"),
    (_fwd(lambda x, p, m: x * m * (1 - p)), "rule for TEST time"),
    (_fwd(lambda x, p, m: x * (1 - m) / (1 - p)), "mask = 1 means KEEP"),
    (_fwd(lambda x, p, m: x * (1 - m) / p), "it is not a drop mask"),
    (_fwd(lambda x, p, m: x), "you returned x unchanged"),
    (_fwd(lambda x, p, m: x / (1 - p)), "multiply by the mask"),
    (_fwd(lambda x, p, m: x * (np.random.default_rng(1).random(x.shape) >= p) / (1 - p)),
     "instead of drawing your own random numbers"),
    (_fwd(lambda x, p, m: x * m / (1 - p), lambda x, p, m: x * (1 - p)), "ORIGINAL form"),
    (_fwd(lambda x, p, m: x * m / (1 - p), lambda x, p, m: x / (1 - p)), "belongs to training only"),
    (_fwd(lambda x, p, m: x * m / (1 - p), lambda x, p, m: x * m / (1 - p)), "ignore the mask"),
    (_fwd(lambda x, p, m: x * m / (1 - p), lambda x, p, m: x * m), "no unit is dropped"),
])
def test_forward_hints(wrong, hint, run_check):
    ok, out = run_check(check_dropout_forward, wrong)
    assert not ok and out.startswith("✗") and hint in out, out


def test_forward_crash_and_none(run_check):
    ok, out = run_check(check_dropout_forward, lambda x, p, mask, train: x @ x)
    assert not ok and "raised ValueError" in out
    ok, out = run_check(check_dropout_forward, lambda x, p, mask, train: None)
    assert not ok and "returned None" in out


def test_reference_forward_matches_the_layer():
    g = np.random.default_rng(0)
    x = g.standard_normal((200, 50))
    out, _ = L.dropout_forward(x, 0.3, train=True, rng=1)
    mask = (np.random.default_rng(1).random(x.shape) >= 0.3).astype(float)
    np.testing.assert_allclose(dropout_forward_reference(x, 0.3, mask, True), out)
    np.testing.assert_allclose(dropout_forward_reference(x, 0.3, mask, False), x)


# ----------------------------------------------------------------------------- backward
def bwd_good(dout, p, mask):
    return dout * mask / (1 - p)


def test_backward_reference_and_solution_pass(run_check):
    ok, out = run_check(check_dropout_backward, dropout_backward_reference)
    assert ok and "correct on all 3 cases" in out
    assert run_check(check_dropout_backward, bwd_good)[0]


def test_backward_reference_is_the_numerical_gradient():
    from course_utils.gradcheck import numerical_gradient_array, rel_error
    for dout, p, mask in _backward_cases():
        x = np.random.default_rng(2).standard_normal(dout.shape)
        num = numerical_gradient_array(lambda: dropout_forward_reference(x, p, mask, True), x, dout)
        assert rel_error(dropout_backward_reference(dout, p, mask), num) < 1e-8


def test_backward_stub_not_implemented(run_check):
    def stub(dout, p, mask):
        raise NotImplementedError("dout · mask / (1 − p)")
    ok, out = run_check(check_dropout_backward, stub)
    assert not ok and "not implemented yet" in out


@pytest.mark.parametrize("wrong, hint", [
    (lambda d, p, m: d * m, "you forgot the scale"),
    (lambda d, p, m: d / (1 - p), "multiply by the mask too"),
    (lambda d, p, m: d, "not the identity"),
    (lambda d, p, m: d * (1 - m) / (1 - p), "mask = 1 means KEEP"),
    (lambda d, p, m: d * m / p, "you divided by p"),
    (lambda d, p, m: d * m * (1 - p), "the backward pass divides too"),
    (lambda d, p, m: d * m * p, "you multiplied by p"),
    (lambda d, p, m: d * m / (1 - p) ** 2, "not squared"),
])
def test_backward_hints(wrong, hint, run_check):
    ok, out = run_check(check_dropout_backward, wrong)
    assert not ok and out.startswith("✗") and hint in out, out


# ----------------------------------------------------------------------------- max-norm
from course_utils.checks import check_max_norm, check_mc_dropout  # noqa: E402
from course_utils.checks.ch05 import (_max_norm_cases, _mc_cases, max_norm_reference,  # noqa: E402
                                      mc_dropout_reference)


def max_norm_good(W, c):
    out = W.copy()
    for j in range(W.shape[1]):
        n = np.sqrt(np.sum(W[:, j] ** 2))
        if n > c:
            out[:, j] = W[:, j] * (c / n)
    return out


def test_max_norm_reference_and_solution_pass(run_check):
    ok, out = run_check(check_max_norm, max_norm_reference)
    assert ok and "correct on all 3 cases" in out
    assert run_check(check_max_norm, max_norm_good)[0]


def test_max_norm_cases_have_columns_inside_and_outside():
    for W, c in _max_norm_cases():
        norms = np.linalg.norm(W, axis=0)
        assert (norms > c * 1.5).any() and (norms < c * 0.9).any()


def _col(W):
    return np.linalg.norm(W, axis=0, keepdims=True)


@pytest.mark.parametrize("wrong, hint", [
    (lambda W, c: max_norm_good(W.T, c).T, "ROWS"),
    (lambda W, c: W * c / _col(W), "stay unchanged"),
    (lambda W, c: np.clip(W, -c, c), "bounds the entries"),
    (lambda W, c: np.where(_col(W) > c, W / _col(W), W), "not 1"),
    (lambda W, c: W * np.minimum(1, c / _col(W) ** 2), "not its square"),
    (lambda W, c: W.copy(), "must be shrunk"),
])
def test_max_norm_hints(wrong, hint, run_check):
    ok, out = run_check(check_max_norm, wrong)
    assert not ok and out.startswith("✗") and hint in out, out


def test_max_norm_stub(run_check):
    def stub(W, c):
        raise NotImplementedError
    ok, out = run_check(check_max_norm, stub)
    assert not ok and "not implemented yet" in out


# ----------------------------------------------------------------------------- MC dropout
def _softmax(s):
    e = np.exp(s - s.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def mc_good(net, X, K, rng):
    g = np.random.default_rng(rng)
    total = np.zeros((len(X), net.dims[-1]))
    for _ in range(K):
        scores, *_ = net.forward(X, train=True, rng=g)
        total += _softmax(scores)
    P = total / K
    H = -np.sum(np.where(P > 0, P * np.log(np.where(P > 0, P, 1.0)), 0.0), axis=1)
    return P, H


def test_mc_reference_and_solution_pass(run_check):
    ok, out = run_check(check_mc_dropout, mc_dropout_reference)
    assert ok and "correct on all 3 cases" in out
    assert run_check(check_mc_dropout, mc_good)[0]


def test_mc_reference_is_a_mean_of_probabilities_and_differs_from_one_pass():
    for net, X, K, seed in _mc_cases():
        P, H = mc_dropout_reference(net, X, K, seed)
        np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-12)
        assert np.all(H >= 0) and np.all(H <= np.log(P.shape[1]) + 1e-12)
        one, _ = mc_dropout_reference(net, X, 1, seed)
        scaled = _softmax(net.forward(X)[0])
        assert not np.allclose(P, one) and not np.allclose(P, scaled)


def test_mc_average_converges_in_k():
    net, X, _, _ = _mc_cases()[0]
    a, _ = mc_dropout_reference(net, X, 2000, 0)
    b, _ = mc_dropout_reference(net, X, 2000, 1)          # independent masks
    c, _ = mc_dropout_reference(net, X, 5, 1)
    assert np.abs(a - b).max() < 0.03 < np.abs(a - c).max()


def _mc_variant(kind):
    def fn(net, X, K, rng):
        g = np.random.default_rng(rng)
        if kind == "inference":
            P = _softmax(net.forward(X)[0])
            return P, -np.sum(P * np.log(P), axis=1)
        if kind == "reseed":
            S = [net.forward(X, train=True, rng=rng)[0] for _ in range(K)]
        else:
            S = [net.forward(X, train=True, rng=g)[0] for _ in range(K)]
        if kind == "scores":
            P = _softmax(np.mean(S, axis=0))
        elif kind == "no softmax":
            P = np.mean(S, axis=0)
        elif kind == "sum":
            P = np.sum([_softmax(s) for s in S], axis=0)
        else:
            P = np.mean([_softmax(s) for s in S], axis=0)
        H = -np.sum(P * np.log(P), axis=1) if kind != "no softmax" else np.zeros(len(X))
        if kind == "mean entropy":
            H = np.mean([-np.sum(_softmax(s) * np.log(_softmax(s)), axis=1) for s in S], axis=0)
        if kind == "log2":
            H = H / np.log(2)
        if kind == "sign":
            H = -H
        if kind == "probs only":
            return P
        return P, H
    return fn


@pytest.mark.parametrize("kind, hint", [
    ("probs only", "return the pair"),
    ("inference", "inference mode"),
    ("reseed", "same mask"),
    ("scores", "averaged the scores"),
    ("no softmax", "take the softmax"),
    ("sum", "divide the sum by K"),
    ("mean entropy", "entropy of the MEAN"),
    ("log2", "natural logarithm"),
    ("sign", "minus sign"),
])
def test_mc_hints(kind, hint, run_check):
    ok, out = run_check(check_mc_dropout, _mc_variant(kind))
    assert not ok and out.startswith("✗") and hint in out, out


def test_mc_stub(run_check):
    def stub(net, X, K, rng):
        raise NotImplementedError
    ok, out = run_check(check_mc_dropout, stub)
    assert not ok and "not implemented yet" in out
