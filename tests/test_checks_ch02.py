"""The chapter 02 checks: pass the reference, say "not implemented yet" for a stub, and catch
typical wrong answers with the intended hint."""
import numpy as np
import pytest

from course_utils import layers as L
from course_utils.checks import check_init_std, check_relu_backward, check_sigmoid_backward


def stub(*args):
    raise NotImplementedError("fill me in")


# ----------------------------------------------------------------------------- init std
def init_ref(init, fan_in, fan_out):
    return np.sqrt((1.0 if init == "xavier" else 2.0) / fan_in)


INIT_WRONG = {
    "fan_out": (lambda i, fi, fo: init_ref(i, fo, fi), "fan-OUT"),
    "glorot": (lambda i, fi, fo: np.sqrt(2.0 / (fi + fo)), "Glorot & Bengio"),
    "variance": (lambda i, fi, fo: init_ref(i, fi, fo) ** 2, "variance"),
    "swapped": (lambda i, fi, fo: np.sqrt((2.0 if i == "xavier" else 1.0) / fi), "swapped"),
    "he_for_both": (lambda i, fi, fo: np.sqrt(2.0 / fi), "swapped"),
    "upside_down": (lambda i, fi, fo: np.sqrt(fi / (1.0 if i == "xavier" else 2.0)), "upside down"),
    "sqrt_outside": (lambda i, fi, fo: np.sqrt(1.0 if i == "xavier" else 2.0) / fi, "1/√n, not 1/n"),
    "no_return": (lambda i, fi, fo: None, "forget the `return`"),
}


def test_init_std_crash_is_reported(run_check):
    ok, out = run_check(check_init_std, lambda i, fi, fo: {"he": 1}[i] / fi)
    assert not ok and "raised KeyError" in out


# ----------------------------------------------------------------------------- relu backward
def relu_ref(dout, x):
    return dout * (x > 0)


def relu_in_place(dout, x):
    dout[x <= 0] = 0.0
    return dout


RELU_WRONG = {
    "ge_at_zero": (lambda d, x: d * (x >= 0), "x > 0, not x >= 0"),
    "mask_from_dout": (lambda d, x: d * (d > 0), "not from the incoming gradient dout"),
    "mask_only": (lambda d, x: (x > 0).astype(float), "only the mask"),
    "forward": (lambda d, x: np.maximum(x, 0), "forward pass"),
    "inverted": (lambda d, x: d * (x <= 0), "inverted"),
    "inverted_strict": (lambda d, x: d * (x < 0), "inverted"),
    "identity": (lambda d, x: d, "unchanged"),
    "no_return": (lambda d, x: None, "forget the `return`"),
}


def test_relu_wrong_shape_gets_generic_message(run_check):
    ok, out = run_check(check_relu_backward, lambda d, x: (d * (x > 0)).sum(axis=0))
    assert not ok and "wrong on case 1" in out


# ----------------------------------------------------------------------------- sigmoid backward
def sig(x):
    return 1.0 / (1.0 + np.exp(-x))


SIGMOID_WRONG = {
    "no_dout": (lambda d, o: o * (1 - o), "alone"),
    "tanh": (lambda d, o: d * (1 - o ** 2), "tanh's derivative"),
    "sigma_again": (lambda d, o: d * sig(o) * (1 - sig(o)), "do not apply σ again"),
    "sign": (lambda d, o: d * o * (o - 1), "sign is flipped"),
    "missing_factor": (lambda d, o: d * o, "(1 − out) is missing"),
    "no_return": (lambda d, o: None, "forget the `return`"),
}


# ----------------------------------------------------------------------------- all three
CHECKS = {"init_std": check_init_std, "relu": check_relu_backward, "sigmoid": check_sigmoid_backward}
CORRECT = [("init_std", init_ref), ("relu", relu_ref), ("relu", relu_in_place),
           ("relu", lambda d, x: L.relu_backward(d, x > 0)), ("sigmoid", lambda d, o: d * o * (1 - o))]
WRONG = {"init_std": INIT_WRONG, "relu": RELU_WRONG, "sigmoid": SIGMOID_WRONG}


@pytest.mark.parametrize("exercise, fn", CORRECT)
def test_correct_answers_pass(exercise, fn, run_check):
    ok, out = run_check(CHECKS[exercise], fn)
    assert ok and out.startswith("✓")


@pytest.mark.parametrize("exercise", sorted(CHECKS))
def test_stub_is_not_implemented_yet(exercise, run_check):
    ok, out = run_check(CHECKS[exercise], stub)
    assert not ok and "not implemented yet" in out


@pytest.mark.parametrize("exercise, name", [(e, n) for e in sorted(WRONG) for n in sorted(WRONG[e])])
def test_typical_mistakes_get_their_hint(exercise, name, run_check):
    fn, hint = WRONG[exercise][name]
    ok, out = run_check(CHECKS[exercise], fn)
    assert not ok and out.startswith("✗") and hint in out, out


def test_relu_cases_contain_exact_zeros_and_both_signs():
    from course_utils.checks.ch02 import _relu_cases
    for dout, x in _relu_cases():
        assert (x == 0).any() and (x > 0).any() and (x < 0).any()
        assert (dout > 0).any() and (dout < 0).any() and not (dout == 0).any()
        # the hints must be told apart: >= differs from > on these cases
        assert not np.allclose(dout * (x >= 0), dout * (x > 0))
