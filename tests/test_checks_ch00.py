"""Chapter 00's check: the reference passes, a stub is "not implemented yet", and each typical
wrong softmax gets its own hint."""
import numpy as np
import pytest

from course_utils import checks, layers
from course_utils.checks.ch00 import reference_softmax


def test_reference_is_the_packages_softmax_and_passes(run_check):
    assert reference_softmax is layers.softmax
    ok, out = run_check(checks.check_softmax, reference_softmax)
    assert ok and out.startswith("✓ softmax: correct on all 5 cases.")


def test_reference_gives_the_lecture_numbers():
    p = reference_softmax(np.array([[5.0, 2.0, -1.0, 3.0]]))
    np.testing.assert_allclose(p.round(3), [[0.842, 0.042, 0.002, 0.114]])


def test_stub_is_not_implemented_yet(run_check):
    def stub(scores):
        raise NotImplementedError("subtract the row max")

    ok, out = run_check(checks.check_softmax, stub)
    assert not ok and len(out.strip().splitlines()) == 1 and "not implemented yet" in out


def naive(s):                                   # no max subtraction
    e = np.exp(s)
    return e / e.sum(axis=1, keepdims=True)


def global_max(s):
    e = np.exp(s - s.max())
    return e / e.sum(axis=1, keepdims=True)


def column_max(s):
    e = np.exp(s - s.max(axis=0, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def wrong_axis(s):
    e = np.exp(s - s.max(axis=1, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def whole_array(s):
    e = np.exp(s - s.max(axis=1, keepdims=True))
    return e / e.sum()


def no_exp(s):
    return s / s.sum(axis=1, keepdims=True)


def log_probs(s):
    z = s - s.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def no_division(s):
    return np.exp(s - s.max(axis=1, keepdims=True))


def no_keepdims(s):
    e = np.exp(s - s.max(axis=1, keepdims=True))
    return e / e.sum(axis=1)


def flattened(s):
    return reference_softmax(s).ravel()


@pytest.mark.parametrize("fn, hint", [
    (naive, "exp overflows"),
    (global_max, "max of the whole array"),
    (column_max, "each column's max"),
    (wrong_axis, "columns (or the whole array) sum to 1"),
    (whole_array, "columns (or the whole array) sum to 1"),
    (no_exp, "apply np.exp"),
    (log_probs, "log-probabilities"),
    (no_division, "without dividing by the row sum"),
    (no_keepdims, "forget keepdims=True"),
    (flattened, "different shape"),
])
def test_typical_mistakes_get_their_hint(run_check, fn, hint):
    ok, out = run_check(checks.check_softmax, fn)
    assert not ok
    assert out.startswith("✗ softmax:") and len(out.strip().splitlines()) == 1, out
    assert hint in out, out


def test_in_place_student_cannot_spoil_the_reference(run_check):
    def in_place(s):
        s -= s.max(axis=1, keepdims=True)
        np.exp(s, out=s)
        s /= s.sum(axis=1, keepdims=True)
        return s

    ok, _ = run_check(checks.check_softmax, in_place)
    assert ok


def test_no_warning_escapes_from_a_naive_student():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert checks.check_softmax(naive) is False
