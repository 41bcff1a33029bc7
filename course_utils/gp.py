"""Gaussian-process regression with an RBF kernel, and expected improvement: the surrogate
and the acquisition function of ``search.bayes_opt``, and ``bayes_step``, one step of it (which
chapter 06 also runs by hand).  Cholesky factorizations throughout (never an explicit inverse),
with growing jitter if a kernel matrix is numerically singular.
"""
import math
from dataclasses import dataclass

import numpy as np

LENGTH_SCALES = np.geomspace(0.05, 2.0, 12)   # ℓ grid of bayes_step, in unit-cube coordinates


def _rows(X):
    X = np.asarray(X, float)
    return X[:, None] if X.ndim == 1 else X


def rbf_kernel(A, B, length_scale, signal_var=1.0):
    """k(a, b) = s²·exp(−‖a − b‖² / (2ℓ²)) for every row a of A and b of B; s² = ``signal_var``."""
    diff = _rows(A)[:, None, :] - _rows(B)[None, :, :]
    return signal_var * np.exp(-(diff ** 2).sum(-1) / (2.0 * length_scale ** 2))


def _cholesky(K):
    """L with L·Lᵀ = K.  If K is numerically singular (e.g. a point twice with noise = 0), adds a
    jitter of 1e-10·mean(diag K) to the diagonal, ×10 until it factors."""
    jitter = 0.0
    for _ in range(10):
        try:
            return np.linalg.cholesky(K + jitter * np.eye(len(K)))
        except np.linalg.LinAlgError:
            jitter = max(10.0 * jitter, 1e-10 * float(np.mean(np.diag(K))))
    raise np.linalg.LinAlgError("kernel matrix is not positive definite, even with jitter")


def _factor(X, y, length_scale, signal_var, noise):
    L = _cholesky(rbf_kernel(X, X, length_scale, signal_var) + noise * np.eye(len(X)))
    alpha = np.linalg.solve(L.T, np.linalg.solve(L, y))     # α = K⁻¹y = L⁻ᵀ(L⁻¹y)
    return L, alpha


def gp_posterior(X_train, y_train, X_test, length_scale, signal_var=1.0, noise=1e-6):
    """Posterior mean and std of f at ``X_test`` for a zero-mean GP with the RBF kernel, given
    y = f(X) + ε, ε ~ N(0, noise) (``noise`` is a variance):

        K = k(X, X) + noise·I = L·Lᵀ (Cholesky),   α = L⁻ᵀ(L⁻¹y),
        μ(x) = k(x, X)·α,   σ²(x) = s² − ‖L⁻¹k(X, x)‖²  (clipped at 0).

    σ is the std of f, without the noise.  X: (n, d), or (n,) for one dimension."""
    X, Xs, y = _rows(X_train), _rows(X_test), np.asarray(y_train, float)
    if len(X) == 0:
        return np.zeros(len(Xs)), np.full(len(Xs), math.sqrt(signal_var))
    L, alpha = _factor(X, y, length_scale, signal_var, noise)
    Ks = rbf_kernel(X, Xs, length_scale, signal_var)
    v = np.linalg.solve(L, Ks)
    return Ks.T @ alpha, np.sqrt(np.maximum(signal_var - (v ** 2).sum(0), 0.0))


def gp_log_likelihood(X, y, length_scale, signal_var=1.0, noise=1e-6):
    """log p(y | X) = −½·yᵀα − Σᵢ log Lᵢᵢ − (n/2)·log 2π (same L, α as ``gp_posterior``)."""
    y = np.asarray(y, float)
    L, alpha = _factor(_rows(X), y, length_scale, signal_var, noise)
    return float(-0.5 * y @ alpha - np.log(np.diag(L)).sum() - 0.5 * len(y) * math.log(2 * math.pi))


_erfc = np.vectorize(math.erfc, otypes=[float])


def normal_cdf(z):
    """Φ(z) = ½·erfc(−z/√2), the standard normal CDF, element-wise (``math.erfc``: NumPy has
    no erf, and erfc stays accurate in the far lower tail where 1 + erf would round to 0)."""
    return 0.5 * _erfc(-np.asarray(z, float) / math.sqrt(2.0))


def normal_pdf(z):
    """φ(z) = exp(−z²/2)/√(2π), the standard normal density, element-wise."""
    return np.exp(-0.5 * np.asarray(z, float) ** 2) / math.sqrt(2.0 * math.pi)


def expected_improvement(mean, std, best, xi=0.01):
    """EI(x) = (μ − f* − ξ)·Φ(z) + σ·φ(z) with z = (μ − f* − ξ)/σ, and EI = 0 where σ = 0
    (maximization: f* = best score so far; to minimize, pass −μ and −f*); Φ, φ: ``normal_cdf``,
    ``normal_pdf``."""
    mean, std = np.broadcast_arrays(np.asarray(mean, float), np.asarray(std, float))
    ei, ok = np.zeros(mean.shape), std > 0
    imp = mean[ok] - best - xi
    with np.errstate(over="ignore"):
        z = np.clip(imp / std[ok], -40.0, 40.0)      # beyond ±40, Φ is 0 or 1 and φ is 0
    ei[ok] = imp * normal_cdf(z) + std[ok] * normal_pdf(z)
    return np.maximum(ei, 0.0)


def standardize_scores(scores):
    """``(z, center, scale)`` with ``z = (y − center) / scale``: the scores as mean 0, std 1
    (scale 1 when they are all equal), NaN and ±inf (diverged runs) first replaced by the worst
    finite score (0 if there is none).  ``z·scale + center`` undoes it."""
    y = np.asarray(scores, float)
    finite = np.isfinite(y)
    y = np.where(finite, y, y[finite].min() if finite.any() else 0.0)
    center, scale = y.mean(), (y.std() if y.std() > 0 else 1.0)
    return (y - center) / scale, center, scale


@dataclass
class BayesStep:
    """What ``bayes_step`` computed: GP ``mean`` and ``std`` and ``ei`` at every candidate,
    the ``length_scale`` ℓ it used, and ``pick``, the index of the candidate to evaluate next."""
    mean: np.ndarray
    std: np.ndarray
    ei: np.ndarray
    length_scale: float
    pick: int


def bayes_step(X, y, candidates, *, xi=0.01, noise=1e-6, length_scale=None, best=None):
    """One step of Bayesian optimization (maximization), on standardized scores ``y`` at the
    points ``X`` (see ``standardize_scores``):

    1. ℓ: the value of ``LENGTH_SCALES`` that maximizes ``gp_log_likelihood`` (s² = 1, noise
       variance ``noise``), unless ``length_scale`` is given;
    2. the GP posterior mean μ and std σ at every row of ``candidates``;
    3. EI(x) with f* = ``best`` (default: max y) and margin ξ = ``xi``, both in std units;
    4. the proposal: the candidate with the largest EI (the first one if several tie).

    X: (n, d), or (n,) for one dimension, like ``candidates``.  Returns a ``BayesStep``."""
    y = np.asarray(y, float)
    if length_scale is None:
        length_scale = max(LENGTH_SCALES, key=lambda ls: gp_log_likelihood(X, y, ls, 1.0, noise))
    mean, std = gp_posterior(X, y, candidates, length_scale, 1.0, noise)
    ei = expected_improvement(mean, std, y.max() if best is None else best, xi)
    return BayesStep(mean, std, ei, float(length_scale), int(np.argmax(ei)))
