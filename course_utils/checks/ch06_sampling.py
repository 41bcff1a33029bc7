"""Checks for chapter 06's earlier exercises, the two ways of proposing the next configuration:
the log-uniform sampler and expected improvement (kept for other uses; their solutions are
printed in the chapter, so the notebook no longer asks them).  Re-exported by ``checks.ch06``.

    check_log_uniform(fn)          fn(lo, hi, size, rng) -> array of `size` samples
    check_expected_improvement(fn) fn(mean, std, best, xi) -> EI, element-wise

A sampler cannot be compared number by number with the reference (there are many correct ways
to use the Generator), so ``check_log_uniform`` checks properties on 20,000 samples per case:
the shape, the range [lo, hi], uniformity of log(x) on [log lo, log hi] (Kolmogorov-Smirnov
distance below 0.02; a correct sampler is above it with probability ~1e-7), and determinism
given a Generator (the same seed gives the same samples, another seed other samples).  Its hints
recognise the typical wrong samplers by their fingerprints (linear uniform, log of a uniform,
lo/hi used as exponents, mixed bases).

``check_expected_improvement`` compares with ``course_utils.search.expected_improvement``
(maximization: EI = (μ − f* − ξ)·Φ(z) + σ·φ(z), z = (μ − f* − ξ)/σ, and 0 where σ = 0); each
hint recomputes one typical wrong formula and names it when the student's output equals it.
"""
import math

import numpy as np

from ..gp import normal_cdf, normal_pdf
from ..search import LogUniform, expected_improvement
from .core import check, close as _close

__all__ = ["check_log_uniform", "check_expected_improvement", "log_uniform_reference",
           "expected_improvement_reference"]

N_SAMPLES = 20_000
KS_LIMIT = 0.02


# ----------------------------------------------------------------------------- log-uniform
def log_uniform_reference(lo, hi, size, rng):
    """``size`` samples x = 10**t, t ~ U(log10 lo, log10 hi), drawn from the Generator ``rng``."""
    return LogUniform(lo, hi).sample(rng, size)


def _ks_uniform(t):
    """Kolmogorov-Smirnov distance between the sample t and U(0, 1)."""
    t = np.sort(np.asarray(t, float))
    n = len(t)
    if n == 0 or not np.all(np.isfinite(t)):
        return np.inf
    i = np.arange(1, n + 1)
    return float(max(np.max(i / n - t), np.max(t - (i - 1) / n)))


def _uniform_on(x, a, b):
    """True when x looks uniform on [a, b] (and lies in it, up to rounding)."""
    x = np.asarray(x, float)
    if not (np.all(np.isfinite(x)) and b > a):
        return False
    tol = 1e-9 * (b - a)
    return bool(x.min() >= a - tol and x.max() <= b + tol and _ks_uniform((x - a) / (b - a)) < KS_LIMIT)


def _log_uniform_on(x, lo, hi):
    x = np.asarray(x, float)
    return bool(np.all(x > 0)) and _uniform_on(np.log(x), math.log(lo), math.log(hi))


def _in_range(x, lo, hi):
    x = np.asarray(x, float)
    tol = 1e-12 * hi
    return bool(np.all(np.isfinite(x)) and x.min() >= lo - tol and x.max() <= hi + tol)


def _lu_cases():
    # (lo, hi, seed): several decades, a short range, ranges below and across 1
    return [(1e-6, 1e-2, 61), (1e-8, 1e-4, 62), (1e-3, 10.0, 63), (0.5, 2.0, 64)]


def _as_samples(out):
    try:
        return np.asarray(out, dtype=float)
    except (TypeError, ValueError):
        return np.full(1, np.nan)


def check_log_uniform(fn):
    """Check ``fn(lo, hi, size, rng)``: shape (size,), in [lo, hi], uniform in log space, and
    reproducible given the Generator (and different for another seed)."""
    samples = {}

    def draw(lo, hi, seed):
        return _as_samples(fn(lo, hi, N_SAMPLES, np.random.default_rng(seed)))

    def properties(lo, hi, seed):
        x = samples[(lo, hi, seed)] = draw(lo, hi, seed)
        shape_ok = x.shape == (N_SAMPLES,)
        again, other = draw(lo, hi, seed), draw(lo, hi, seed + 1000)
        same = again.shape == x.shape and bool(np.array_equal(again, x, equal_nan=True))
        differs = other.shape != x.shape or not np.array_equal(other, x, equal_nan=True)
        return np.array([shape_ok, shape_ok and _in_range(x, lo, hi),
                         shape_ok and _log_uniform_on(x, lo, hi), same, differs], dtype=float)

    def reference(lo, hi, seed):
        return np.ones(5)

    def sample(args):
        return samples[tuple(args)]

    def flag(k):
        return lambda got, want, args: got[k] == 0.0

    def fingerprint(test):
        return lambda got, want, args: got[:3].min() == 0.0 and test(sample(args), *args[:2])

    linear = lambda x, lo, hi: _uniform_on(x, lo, hi)
    log_of_uniform = lambda x, lo, hi: (_uniform_on(10.0 ** x, lo, hi)
                                        or _uniform_on(np.exp(np.clip(x, -700, 700)), lo, hi))
    as_exponents = lambda x, lo, hi: (bool(np.all(x > 0))
                                      and (_uniform_on(np.log10(x), lo, hi)
                                           or _uniform_on(np.log(x), lo, hi)))

    def mixed_bases(x, lo, hi):
        if not np.all(x > 0):
            return False
        l10, ln = (math.log10(lo), math.log10(hi)), (math.log(lo), math.log(hi))
        return (_uniform_on(np.log(x), *l10)          # np.exp(U(log10 lo, log10 hi))
                or _uniform_on(np.log10(x), *ln))     # 10 ** U(ln lo, ln hi)

    def log_uniform_elsewhere(x, lo, hi):           # log-uniform, but on another range
        if not np.all(x > 0):
            return False
        t = np.log(x)
        return _uniform_on(t, t.min(), t.max())

    hints = [
        (flag(0), "return an array of `size` samples, shape (size,) — e.g. one call "
                  "rng.uniform(a, b, size), not a single number or a list of lists."),
        (fingerprint(linear), "these samples are uniform in linear space: with lo = 1e-6 and "
                              "hi = 1e-2, 90 % of them land in the top decade [1e-3, 1e-2]. "
                              "Sample the exponent uniformly, then raise 10 to it: "
                              "10 ** rng.uniform(log10(lo), log10(hi), size)."),
        (fingerprint(log_of_uniform), "you sampled uniformly and then took the log — the other "
                                      "way round: sample the exponent r uniformly in "
                                      "[log10(lo), log10(hi)], then return 10 ** r."),
        (fingerprint(as_exponents), "you used lo and hi themselves as the exponent's range; the "
                                    "exponent runs from log10(lo) to log10(hi) (e.g. −6 to −2)."),
        (fingerprint(mixed_bases), "mixed bases: the exponent and the power must use the same "
                                   "base — 10 ** U(log10 lo, log10 hi), or np.exp(U(log lo, "
                                   "log hi)); np.exp with log10 (or 10 ** with np.log) lands "
                                   "outside [lo, hi]."),
        (flag(3), "two calls with Generators seeded alike gave different samples: draw from "
                  "the `rng` argument (rng.uniform or rng.random), not from np.random.* or a "
                  "new np.random.default_rng()."),
        (flag(4), "your samples do not depend on `rng` (another seed gave the same numbers): "
                  "draw them from the Generator passed in — a generator of your own with a "
                  "fixed seed, or a grid like np.logspace, gives the same numbers every time."),
        (flag(1), "some samples fall outside [lo, hi] — check the exponent's range "
                  "[log10(lo), log10(hi)]."),
        (fingerprint(log_uniform_elsewhere), "log(x) is uniform, but not over [lo, hi]: the "
                                             "exponent must run exactly from log10(lo) to "
                                             "log10(hi)."),
        (flag(2), "the samples lie in [lo, hi] but are not uniform in log space: every decade "
                  "must get the same share of them (sample the exponent uniformly)."),
    ]
    return check("log-uniform sampler", properties, reference, _lu_cases(), hints, atol=0.0)


# ----------------------------------------------------------------------------- expected improvement
def expected_improvement_reference(mean, std, best, xi):
    """EI for maximization, 0 where σ = 0 (``course_utils.search.expected_improvement``)."""
    return expected_improvement(mean, std, best, xi)


def _ei_variant(mean, std, best, xi, *, sign=1.0, xi_sign=-1.0, swap=False, sigma_power=1,
                pdf_sigma=True):
    """A (possibly wrong) EI formula, 0 where σ = 0 (for the hints)."""
    mean, std = np.asarray(mean, float), np.asarray(std, float)
    s = std ** sigma_power
    imp = sign * (mean - best) + xi_sign * xi
    out = np.zeros(mean.shape)
    ok = s > 0
    z = imp[ok] / s[ok]
    a, b = (normal_pdf(z), normal_cdf(z)) if swap else (normal_cdf(z), normal_pdf(z))
    out[ok] = imp[ok] * a + (s[ok] if pdf_sigma else 1.0) * b
    return out


def _ei_cases():
    g = np.random.default_rng(606)
    mean1 = np.linspace(-1.0, 2.0, 7)
    std1 = np.array([0.3, 0.5, 1.0, 0.2, 0.8, 1.5, 0.4])
    # σ = 0 at two "sampled points": one below the best, one exactly at best + ξ (0/0 → NaN)
    mean2 = np.array([0.2, 0.7, 0.9, 1.1, 0.4, 0.7])
    std2 = np.array([0.0, 0.0, 0.25, 0.6, 0.1, 0.3])
    mean3 = g.normal(0.0, 1.0, 10)
    std3 = g.uniform(0.05, 1.5, 10)
    return [(mean1, std1, 0.5, 0.01), (mean2, std2, 0.7, 0.0), (mean3, std3, 0.8, 0.1)]


def _ei_hints():
    def alt(**kw):
        return lambda got, want, args: _close(got, _ei_variant(*args, **kw))

    def nonfinite_at_zero_sigma(got, want, args):
        got, std = np.asarray(got, float), np.asarray(args[1], float)
        return got.shape == std.shape and not np.all(np.isfinite(got[std == 0]))

    def positive_at_zero_sigma(got, want, args):
        got, std = np.asarray(got, float), np.asarray(args[1], float)
        return got.shape == std.shape and bool(np.any(got[std == 0] != 0))

    def negative(got, want, args):
        return bool(np.any(np.asarray(got, float) < -1e-12))

    return [
        (nonfinite_at_zero_sigma, "where σ = 0 your EI is NaN or inf (0/0 in z): there is no "
                                  "uncertainty left, so EI = 0 — compute z only where σ > 0 "
                                  "(a mask or np.where)."),
        (alt(sign=-1.0), "that is the minimization form (f* − μ − ξ): here a higher score is "
                         "better, so the improvement is μ − f* − ξ."),
        (alt(xi_sign=0.0), "ξ is missing: the improvement is μ − f* − ξ (ξ > 0 asks for a "
                           "margin over the best and pushes the search to explore)."),
        (alt(xi_sign=1.0), "sign of ξ: it is subtracted, μ − f* − ξ (it raises the bar)."),
        (alt(sign=-1.0, xi_sign=0.0), "minimization form and no ξ: use μ − f* − ξ."),
        (alt(swap=True), "Φ and φ are swapped: EI = (μ − f* − ξ)·Φ(z) + σ·φ(z), the CDF "
                         "multiplies the improvement, the density multiplies σ."),
        (alt(sigma_power=2), "σ is the standard deviation, not the variance: use std as it is "
                             "(z = (μ − f* − ξ)/σ)."),
        (alt(pdf_sigma=False), "the second term is σ·φ(z): you left out the factor σ."),
        (positive_at_zero_sigma, "where σ = 0 the EI is 0 (nothing uncertain to gain there)."),
        (negative, "EI is never negative: both terms of (μ − f* − ξ)·Φ(z) + σ·φ(z) add up to "
                   "≥ 0 — check the signs."),
    ]


def check_expected_improvement(fn):
    """Check ``fn(mean, std, best, xi) -> EI`` against ``search.expected_improvement``."""
    return check("expected improvement", fn, expected_improvement_reference, _ei_cases(),
                 _ei_hints())
