"""Chapter 06's exercise checks: pass the reference and independent solutions, say "not
implemented yet" for a stub, and name the typical mistakes."""
import math
import sys
import time

import numpy as np
import pytest

from course_utils import checks
from course_utils.checks import core
from course_utils.checks.ch06 import expected_improvement_reference, log_uniform_reference
from course_utils.gp import normal_cdf as Phi, normal_pdf as phi


# ----------------------------------------------------------------------------- the sampler and EI
@pytest.mark.parametrize("check, reference, n_cases", [
    (checks.check_log_uniform, log_uniform_reference, 4),
    (checks.check_expected_improvement, expected_improvement_reference, 3)])
def test_reference_passes_and_stub_is_not_implemented_yet(run_check, check, reference, n_cases):
    ok, out = run_check(check, reference)
    assert ok and out.startswith("✓") and f"correct on all {n_cases} cases" in out

    def stub(*args):
        raise NotImplementedError("write it")
    ok, out = run_check(check, stub)
    assert not ok and "not implemented yet" in out


# ----------------------------------------------------------------------------- log-uniform
def lu_good(lo, hi, size, rng):
    return 10.0 ** rng.uniform(np.log10(lo), np.log10(hi), size)


def lu_good_natural(lo, hi, size, rng):
    return np.exp(np.log(lo) + rng.random(size) * (np.log(hi) - np.log(lo)))


def lu_good_reversed(lo, hi, size, rng):          # r = −4·rand style: exponent from the top
    return hi * (lo / hi) ** rng.random(size)


@pytest.mark.parametrize("fn", [lu_good, lu_good_natural, lu_good_reversed])
def test_lu_other_correct_samplers_pass(run_check, fn):
    ok, out = run_check(checks.check_log_uniform, fn)
    assert ok, out


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
def test_lu_typical_mistakes(run_check, wrong, hint):
    ok, out = run_check(checks.check_log_uniform, wrong)
    assert not ok and out.startswith("✗") and hint in out, out


def test_lu_crash_is_reported(run_check):
    ok, out = run_check(checks.check_log_uniform, lambda lo, hi, size, rng: rng.nosuch(size))
    assert not ok and "raised AttributeError" in out


# ----------------------------------------------------------------------------- expected improvement
# (Φ and φ themselves are tested against math.erf in tests/test_search.py)

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


def test_ei_student_solution_passes(run_check):
    ok, out = run_check(checks.check_expected_improvement, ei_good)
    assert ok, out


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
def test_ei_typical_mistakes(run_check, wrong, hint):
    ok, out = run_check(checks.check_expected_improvement, wrong)
    assert not ok and out.startswith("✗") and hint in out, out


# ----------------------------------------------------------------------------- k-fold selection
from course_utils.checks.ch06 import kfold_select_reference, successive_halving_reference  # noqa: E402


def kf_good(fit_score, n_configs, folds):
    scores = np.array([[fit_score(c, tr, va) for tr, va in folds] for c in range(n_configs)])
    means = scores.mean(axis=1)
    return int(means.argmax()), means


def kf_stub(fit_score, n_configs, folds):
    raise NotImplementedError


def kf_first_fold(fit_score, n_configs, folds):
    m = np.array([fit_score(c, *folds[0]) for c in range(n_configs)])
    return int(m.argmax()), m


def kf_sum(fit_score, n_configs, folds):
    m = np.array([sum(fit_score(c, tr, va) for tr, va in folds) for c in range(n_configs)])
    return int(m.argmax()), m


def kf_argmin(fit_score, n_configs, folds):
    i, m = kf_good(fit_score, n_configs, folds)
    return int(m.argmin()), m


def kf_best_single_fold(fit_score, n_configs, folds):
    S = np.array([[fit_score(c, tr, va) for tr, va in folds] for c in range(n_configs)])
    return int(S.max(1).argmax()), S.mean(1)


def kf_swapped(fit_score, n_configs, folds):
    m = np.array([np.mean([fit_score(c, va, tr) for tr, va in folds]) for c in range(n_configs)])
    return int(m.argmax()), m


@pytest.mark.parametrize("fn", [kfold_select_reference, kf_good])
def test_kf_correct_passes(run_check, fn):
    ok, out = run_check(checks.check_kfold_select, fn)
    assert ok and out.startswith("✓") and "all 3 cases" in out


@pytest.mark.parametrize("fn, words", [
    (kf_stub, "not implemented"), (kf_first_fold, "first fold"), (kf_sum, "sums"),
    (kf_argmin, "argmax"), (kf_best_single_fold, "best single fold"), (kf_swapped, "validation indices"),
    (lambda f, n, folds: None, "return a pair"), (lambda f, n, folds: 1 / 0, "ZeroDivisionError"),
])
def test_kf_mistakes_are_named(run_check, fn, words):
    ok, out = run_check(checks.check_kfold_select, fn)
    assert not ok and words in out, out


@pytest.mark.parametrize("check, fn", [
    (checks.check_kfold_select, kf_good), (checks.check_successive_halving, lambda s, r: sh_good(s, r))])
def test_kf_and_sh_calls_are_guarded_like_every_check(run_check, monkeypatch, check, fn):
    # a sleeping function is stopped waiting for, a chatty one is cut at MAX_LINES, exit is caught
    monkeypatch.setattr(core, "TIMEOUT", 0.3)
    ok, out = run_check(check, lambda *a: time.sleep(2))
    assert not ok and "took more than 0.3 s on case 1 of 3" in out, out

    def chatty(*a):
        for i in range(1000):
            print("debug", i)
        return fn(*a)
    ok, out = run_check(check, chatty)
    lines = out.splitlines()
    assert ok and lines[:2] == ["debug 0", "debug 1"] and len(lines) == 3 * (core.MAX_LINES + 1) + 1
    assert lines[-2] == "… (980 more lines printed by your function hidden)" and lines[-1].startswith("✓")
    ok, out = run_check(check, lambda *a: sys.exit(3))
    assert not ok and out.strip().endswith("your function raised SystemExit: 3"), out


def test_kf_reference_on_a_hand_table():
    folds = [(np.array([1, 2]), np.array([0])), (np.array([0, 2]), np.array([1])), (np.array([0, 1]), np.array([2]))]
    T = np.array([[0.9, 0.1, 0.2], [0.5, 0.6, 0.5]])            # best fold 0 ≠ best mean
    i, m = kfold_select_reference(lambda c, tr, va: T[c, va[0]], 2, folds)
    assert i == 1 and np.allclose(m, [0.4, 16 / 30])


# ----------------------------------------------------------------------------- successive halving
def sh_good(score, rungs):
    alive, out = list(range(rungs[0][0])), []
    for k, (n, b) in enumerate(rungs):
        out.append(list(alive))
        if k + 1 < len(rungs):
            s = np.array([score(i, b) for i in alive])
            order = np.argsort(-s, kind="stable")[:rungs[k + 1][0]]
            alive = sorted(alive[j] for j in order)
    return out


def sh_worst(score, rungs):
    alive, out = list(range(rungs[0][0])), []
    for k, (n, b) in enumerate(rungs):
        out.append(list(alive))
        if k + 1 < len(rungs):
            alive = sorted(sorted(alive, key=lambda i: score(i, b))[:rungs[k + 1][0]])
    return out


def sh_reuse_first(score, rungs):
    alive, out = list(range(rungs[0][0])), []
    for k, (n, b) in enumerate(rungs):
        out.append(list(alive))
        if k + 1 < len(rungs):
            alive = sorted(sorted(alive, key=lambda i: -score(i, rungs[0][1]))[:rungs[k + 1][0]])
    return out


def sh_own_size(score, rungs):
    alive, out = list(range(rungs[0][0])), []
    for k, (n, b) in enumerate(rungs):
        out.append(list(alive))
        if k + 1 < len(rungs):
            alive = sorted(sorted(alive, key=lambda i: -score(i, b))[:n])
    return out


def sh_one_rung_short(score, rungs):
    return sh_good(score, rungs)[:-1]


def test_sh_reference_by_hand():
    # scores at budget 1 rank 2 > 0 > 1 > 3; at budget 3 config 0 overtakes 2
    table = {1: [0.5, 0.3, 0.6, 0.1], 3: [0.9, 0.4, 0.7, 0.2]}
    got = successive_halving_reference(lambda i, b: table[b][i], [(4, 1), (2, 3), (1, 9)])
    assert got == [[0, 1, 2, 3], [0, 2], [0]]


@pytest.mark.parametrize("fn", [successive_halving_reference, sh_good])
def test_sh_correct_passes(run_check, fn):
    ok, out = run_check(checks.check_successive_halving, fn)
    assert ok and out.startswith("✓") and "all 3 cases" in out


@pytest.mark.parametrize("fn, words", [
    (sh_worst, "lowest"), (sh_reuse_first, "own budget"), (sh_own_size, "NEXT rung"),
    (sh_one_rung_short, "3 rungs"), (lambda s, r: 5, "one list of indices"),
    (lambda s, r: (_ for _ in ()).throw(NotImplementedError), "not implemented"),
])
def test_sh_mistakes_are_named(run_check, fn, words):
    ok, out = run_check(checks.check_successive_halving, fn)
    assert not ok and words in out, out


def test_sh_reference_matches_search_successive_halving():
    # the exercise's reference selects like course_utils.search.successive_halving
    from course_utils.search import Uniform, successive_halving
    f = lambda p, seed: p["a"] + p["c"] * math.log(p["epochs"])            # noqa: E731
    trials = successive_halving(f, {"a": Uniform(0, 1), "c": Uniform(0, 0.5)}, 9, rng=4,
                                min_budget=1, max_budget=9)
    configs = [t.params for t in trials[:9]]
    ref = successive_halving_reference(lambda i, b: f(dict(configs[i], epochs=b), 0),
                                       [(9, 1), (3, 3), (1, 9)])
    assert ref == [sorted(t.index for t in trials if t.round == r) for r in range(3)]
