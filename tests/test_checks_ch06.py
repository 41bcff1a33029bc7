"""Chapter 06's exercise checks: pass the reference and independent solutions, say "not
implemented yet" for a stub, and name the typical mistakes."""
import math

import numpy as np
import pytest

from course_utils import checks
from course_utils.checks.ch06 import expected_improvement_reference, log_uniform_reference


def _run(capsys, check, fn):
    ok = check(fn)
    return ok, capsys.readouterr().out


# ----------------------------------------------------------------------------- log-uniform
def lu_good(lo, hi, size, rng):
    return 10.0 ** rng.uniform(np.log10(lo), np.log10(hi), size)


def lu_good_natural(lo, hi, size, rng):
    return np.exp(np.log(lo) + rng.random(size) * (np.log(hi) - np.log(lo)))


def lu_good_reversed(lo, hi, size, rng):          # r = −4·rand style: exponent from the top
    return hi * (lo / hi) ** rng.random(size)


def test_lu_reference_passes(capsys):
    ok, out = _run(capsys, checks.check_log_uniform, log_uniform_reference)
    assert ok and out.startswith("✓") and "correct on all 4 cases" in out


@pytest.mark.parametrize("fn", [lu_good, lu_good_natural, lu_good_reversed])
def test_lu_other_correct_samplers_pass(capsys, fn):
    ok, out = _run(capsys, checks.check_log_uniform, fn)
    assert ok, out


def test_lu_stub_not_implemented(capsys):
    def stub(lo, hi, size, rng):
        raise NotImplementedError("sample the exponent")
    ok, out = _run(capsys, checks.check_log_uniform, stub)
    assert not ok and "not implemented yet" in out


@pytest.mark.parametrize("wrong, hint", [
    (lambda lo, hi, size, rng: rng.uniform(lo, hi, size), "uniform in linear space"),
    (lambda lo, hi, size, rng: np.log10(rng.uniform(lo, hi, size)), "then took the log"),
    (lambda lo, hi, size, rng: np.log(rng.uniform(lo, hi, size)), "then took the log"),
    (lambda lo, hi, size, rng: 10.0 ** rng.uniform(lo, hi, size), "lo and hi themselves"),
    (lambda lo, hi, size, rng: np.exp(rng.uniform(np.log10(lo), np.log10(hi), size)), "mixed bases"),
    (lambda lo, hi, size, rng: 10.0 ** rng.uniform(np.log(lo), np.log(hi), size), "mixed bases"),
    (lambda lo, hi, size, rng: 10.0 ** np.random.uniform(np.log10(lo), np.log10(hi), size),
     "seeded alike gave different samples"),
    (lambda lo, hi, size, rng: lu_good(lo, hi, size, np.random.default_rng(0)),
     "do not depend on `rng`"),
    (lambda lo, hi, size, rng: np.logspace(np.log10(lo), np.log10(hi), size), "np.logspace"),
    (lambda lo, hi, size, rng: lu_good(lo, hi, 1, rng)[0], "shape (size,)"),
    (lambda lo, hi, size, rng: 10.0 ** rng.uniform(np.log10(lo), np.log10(hi) + 1, size),
     "outside [lo, hi]"),
    (lambda lo, hi, size, rng: 10.0 ** rng.uniform(np.log10(lo) + 0.5, np.log10(hi) - 0.5, size),
     "not over [lo, hi]"),
    (lambda lo, hi, size, rng: 10.0 ** (np.log10(lo) + (np.log10(hi) - np.log10(lo))
                                        * rng.random(size) ** 2), "not uniform in log space"),
])
def test_lu_typical_mistakes(capsys, wrong, hint):
    ok, out = _run(capsys, checks.check_log_uniform, wrong)
    assert not ok and out.startswith("✗") and hint in out, out


def test_lu_crash_is_reported(capsys):
    ok, out = _run(capsys, checks.check_log_uniform, lambda lo, hi, size, rng: rng.nosuch(size))
    assert not ok and "raised AttributeError" in out


# ----------------------------------------------------------------------------- expected improvement
_SQ2 = math.sqrt(2.0)


def Phi(z):
    return np.vectorize(lambda v: 0.5 * (1.0 + math.erf(v / _SQ2)), otypes=[float])(z)


def phi(z):
    return np.exp(-0.5 * np.asarray(z) ** 2) / math.sqrt(2 * math.pi)


def ei_good(mean, std, best, xi):
    imp = mean - best - xi
    ei = np.zeros_like(mean)
    ok = std > 0
    z = imp[ok] / std[ok]
    ei[ok] = imp[ok] * Phi(z) + std[ok] * phi(z)
    return ei


def _naive(mean, std, best, xi, *, imp=None, swap=False, var=False, pdf_sigma=True):
    s = std ** 2 if var else std
    imp = mean - best - xi if imp is None else imp
    with np.errstate(divide="ignore", invalid="ignore"):
        z = imp / s
        a, b = (phi(z), Phi(z)) if swap else (Phi(z), phi(z))
        out = imp * a + (s if pdf_sigma else 1.0) * b
    return np.where(std > 0, out, 0.0)


def test_ei_reference_passes(capsys):
    ok, out = _run(capsys, checks.check_expected_improvement, expected_improvement_reference)
    assert ok and out.startswith("✓") and "correct on all 3 cases" in out


def test_ei_student_solution_passes(capsys):
    ok, out = _run(capsys, checks.check_expected_improvement, ei_good)
    assert ok, out


def test_ei_stub_not_implemented(capsys):
    def stub(mean, std, best, xi):
        raise NotImplementedError("(μ − f* − ξ)·Φ(z) + σ·φ(z)")
    ok, out = _run(capsys, checks.check_expected_improvement, stub)
    assert not ok and "not implemented yet" in out


def _no_zero_guard(mean, std, best, xi):
    with np.errstate(divide="ignore", invalid="ignore"):
        imp = mean - best - xi
        z = imp / std
        return imp * Phi(z) + std * phi(z)


@pytest.mark.parametrize("wrong, hint", [
    (lambda m, s, b, xi: _naive(m, s, b, xi, imp=b - m - xi), "minimization form"),
    (lambda m, s, b, xi: _naive(m, s, b, xi, imp=m - b), "ξ is missing"),
    (lambda m, s, b, xi: _naive(m, s, b, xi, imp=m - b + xi), "sign of ξ"),
    (lambda m, s, b, xi: _naive(m, s, b, xi, swap=True), "swapped"),
    (lambda m, s, b, xi: _naive(m, s, b, xi, var=True), "not the variance"),
    (lambda m, s, b, xi: _naive(m, s, b, xi, pdf_sigma=False), "left out the factor σ"),
    (_no_zero_guard, "NaN or inf"),
    (lambda m, s, b, xi: np.where(s > 0, ei_good(m, s, b, xi), 0.5), "where σ = 0 the EI is 0"),
    (lambda m, s, b, xi: ei_good(m, s, b, xi) - 0.2, "never negative"),
])
def test_ei_typical_mistakes(capsys, wrong, hint):
    ok, out = _run(capsys, checks.check_expected_improvement, wrong)
    assert not ok and out.startswith("✗") and hint in out, out
