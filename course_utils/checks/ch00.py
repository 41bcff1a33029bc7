"""Checks for chapter 00's exercises: a numerically stable, row-wise softmax.

The reference is the package's own ``course_utils.layers.softmax`` (subtract each row's max,
exp, divide by the row sum), exported here as ``reference_softmax``.
"""
from functools import partial

import numpy as np

from ..layers import softmax as reference_softmax
from .core import check, close

__all__ = ["check_softmax", "reference_softmax"]


def _softmax_cases():
    g = np.random.default_rng(0)
    return [
        (np.array([[5.0, 2.0, -1.0, 3.0]]),),                    # the lecture's numbers
        (3.0 * g.standard_normal((5, 4)),),                      # ordinary scores, N != C
        (g.standard_normal((3, 3)),),                            # square: axis mix-ups still show
        (1000.0 + 3.0 * g.standard_normal((3, 4)),),             # huge scores: exp overflows
        (np.array([[1000.0, 999.0, 998.0], [-2.0, 0.0, 1.0]]),),  # rows on very different levels
    ]


# --------------------------------------------------------------------------- typical mistakes
_same = partial(close, equal_nan=True)     # a wrong softmax is recognised by its NaNs too


def _wrong_shape(got, want, args):
    return np.shape(got) != np.shape(want)


def _log_probabilities(got, want, args):
    z = args[0] - args[0].max(axis=1, keepdims=True)
    return _same(got, z - np.log(np.exp(z).sum(axis=1, keepdims=True)))


def _global_max(got, want, args):
    z = args[0] - args[0].max()
    e = np.exp(z)
    return not np.all(np.isfinite(got)) and _same(got, e / e.sum(axis=1, keepdims=True))


def _not_finite(got, want, args):
    return not np.all(np.isfinite(np.asarray(got, dtype=float)))


def _no_exp(got, want, args):
    s = args[0]
    for z in (s, s - s.max(axis=1, keepdims=True)):
        for axis in (1, None):
            if _same(got, z / z.sum(axis=axis, keepdims=axis is not None)):
                return True
    return False


def _wrong_axis(got, want, args):
    s = args[0]
    for z in (s - s.max(axis=0, keepdims=True), s - s.max(axis=1, keepdims=True), s - s.max()):
        e = np.exp(z)
        if _same(got, e / e.sum(axis=0, keepdims=True)) or _same(got, e / e.sum()):
            return True
    return False


def _column_max(got, want, args):
    z = args[0] - args[0].max(axis=0, keepdims=True)
    e = np.exp(z)
    return _same(got, e / e.sum(axis=1, keepdims=True))


def _not_normalized(got, want, args):
    s = args[0]
    return any(_same(got, np.exp(z)) for z in (s, s - s.max(axis=1, keepdims=True), s - s.max()))


SOFTMAX_HINTS = [
    (_wrong_shape, "your output has a different shape from the scores. Return an (N, C) array: "
                   "one probability per score (use keepdims=True in max and sum)."),
    (_log_probabilities, "you returned log-probabilities (log-softmax). Return the probabilities "
                         "themselves: exp(z) / sum(exp(z))."),
    (_global_max, "NaN for rows far below the largest score: you subtracted the max of the whole "
                  "array. Subtract each row's own max: scores.max(axis=1, keepdims=True)."),
    (_not_finite, "inf or NaN for large scores (around 1000): exp overflows. Subtract each row's "
                  "max before exp; softmax does not change when a row is shifted."),
    (_no_exp, "the probabilities are the scores divided by their sum: apply np.exp before "
              "normalizing."),
    (_column_max, "you subtracted each column's max. Subtract each row's max instead "
                   "(axis=1): a shift changes nothing only when the whole row moves together."),
    (_wrong_axis, "your columns (or the whole array) sum to 1, not each row. Normalize over the "
                  "classes: sum(axis=1, keepdims=True)."),
    (_not_normalized, "you returned exp(scores) without dividing by the row sum: each row must "
                      "add up to 1."),
    (lambda got, want, args: not np.allclose(np.sum(got, axis=1), 1.0),
     "a row of your output does not sum to 1."),
]


def check_softmax(fn):
    """Check ``fn(scores) -> probabilities`` for (N, C) score arrays; prints one line."""
    def student(scores):
        try:
            return fn(scores)
        except ValueError as exc:          # (N, C) / (N,) without keepdims
            if "broadcast" in str(exc):
                raise ValueError(f"{exc} — did you forget keepdims=True in max or sum?") from None
            raise

    with np.errstate(all="ignore"):       # a naive exp(1000) warns; the hint says it better
        return check("softmax", student, reference_softmax, _softmax_cases(), SOFTMAX_HINTS)
