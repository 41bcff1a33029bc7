"""Chapter 05's exercise checks: they pass the reference and independent solutions, say "not
implemented yet" for a stub, and give the intended hint for typical wrong answers."""
import numpy as np
import pytest

from course_utils import layers as L
from course_utils.checks import check_dropout_backward, check_dropout_forward
from course_utils.checks.ch05 import (_backward_cases, _forward_cases, dropout_backward_reference,
                                      dropout_forward_reference)


def _run(capsys, check, fn):
    ok = check(fn)
    return ok, capsys.readouterr().out


# ----------------------------------------------------------------------------- forward
def fwd_good(x, p, mask, train):
    if not train:
        return x
    return x * mask / (1 - p)


def test_forward_reference_and_solution_pass(capsys):
    ok, out = _run(capsys, check_dropout_forward, dropout_forward_reference)
    assert ok and out.startswith("✓") and "correct on all 5 cases" in out
    assert _run(capsys, check_dropout_forward, fwd_good)[0]


def test_forward_accepts_out_cache_pair_and_boolean_logic(capsys):
    def pair(x, p, mask, train):
        return L.dropout_forward(x, p, train=train, mask=mask.astype(bool))

    def where(x, p, mask, train):
        return np.where(mask > 0, x / (1 - p), 0.0) if train else x.copy()
    assert _run(capsys, check_dropout_forward, pair)[0]
    assert _run(capsys, check_dropout_forward, where)[0]


def test_forward_cases_are_informative():
    cases = _forward_cases()
    assert all(p != 0.5 for _, p, _, _ in cases)
    assert {t for *_, t in cases} == {True, False}
    for x, p, mask, train in cases:
        assert set(np.unique(mask)) == {0.0, 1.0} and np.all(x != 0)


def test_forward_stub_not_implemented(capsys):
    def stub(x, p, mask, train):
        raise NotImplementedError("x · mask / (1 − p) in training, x at test")
    ok, out = _run(capsys, check_dropout_forward, stub)
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
def test_forward_hints(wrong, hint, capsys):
    ok, out = _run(capsys, check_dropout_forward, wrong)
    assert not ok and out.startswith("✗") and hint in out, out


def test_forward_crash_and_none(capsys):
    ok, out = _run(capsys, check_dropout_forward, lambda x, p, mask, train: x @ x)
    assert not ok and "raised ValueError" in out
    ok, out = _run(capsys, check_dropout_forward, lambda x, p, mask, train: None)
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


def test_backward_reference_and_solution_pass(capsys):
    ok, out = _run(capsys, check_dropout_backward, dropout_backward_reference)
    assert ok and "correct on all 3 cases" in out
    assert _run(capsys, check_dropout_backward, bwd_good)[0]


def test_backward_reference_is_the_numerical_gradient():
    from course_utils.gradcheck import numerical_gradient_array, rel_error
    for dout, p, mask in _backward_cases():
        x = np.random.default_rng(2).standard_normal(dout.shape)
        num = numerical_gradient_array(lambda: dropout_forward_reference(x, p, mask, True), x, dout)
        assert rel_error(dropout_backward_reference(dout, p, mask), num) < 1e-8


def test_backward_stub_not_implemented(capsys):
    def stub(dout, p, mask):
        raise NotImplementedError("dout · mask / (1 − p)")
    ok, out = _run(capsys, check_dropout_backward, stub)
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
def test_backward_hints(wrong, hint, capsys):
    ok, out = _run(capsys, check_dropout_backward, wrong)
    assert not ok and out.startswith("✗") and hint in out, out
