"""Checks for chapter 06's exercises: k-fold model selection and successive halving.

    check_kfold_select(fn)         fn(fit_score, n_configs, folds) -> (best index, mean scores)
    check_successive_halving(fn)   fn(score, rungs) -> list of the indices run at each rung

Both judge the answer themselves (an index and an array; a list of lists) through
``core.judge_cases``: ``_kf_judge`` and ``_sh_judge`` compare one answer with the reference's
and name the typical mistake.  The earlier exercises, the log-uniform sampler and expected
improvement, live in ``ch06_sampling.py`` and are re-exported here.
"""
import math

import numpy as np

from .core import close as _close, judge_cases
from .ch06_sampling import (check_expected_improvement, check_log_uniform,  # noqa: F401
                            expected_improvement_reference, log_uniform_reference)

__all__ = ["check_log_uniform", "check_expected_improvement", "log_uniform_reference",
           "expected_improvement_reference", "check_kfold_select", "kfold_select_reference",
           "check_successive_halving", "successive_halving_reference"]


# ----------------------------------------------------------------------------- k-fold selection
def kfold_select_reference(fit_score, n_configs, folds):
    """Mean validation score of each configuration over the k folds, and the index of the
    largest mean (the first one on ties): ``fit_score(c, train_idx, val_idx) -> score``."""
    means = np.array([np.mean([fit_score(c, tr, va) for tr, va in folds])
                      for c in range(n_configs)])
    return int(np.argmax(means)), means


def _kf_table(seed, n_configs, k):
    """A score table T[c, fold] whose best mean is neither the best on fold 0, nor the best
    single fold, nor the best worst fold."""
    g = np.random.default_rng(seed)
    while True:
        T = np.round(g.uniform(0.5, 0.9, (n_configs, k)), 3)
        m = T.mean(1)
        picks = {int(np.argmax(m)), int(np.argmax(T[:, 0])), int(np.argmax(T.max(1))),
                 int(np.argmin(m))}
        if len(picks) == 4 and int(np.argmax(T[:, -1])) != int(np.argmax(m)):
            return T


def _kf_case(seed, n_configs, k, n=30):
    T = _kf_table(seed, n_configs, k)
    val_sets = np.array_split(np.arange(n), k)
    folds = [(np.setdiff1d(np.arange(n), va), va) for va in val_sets]

    def fit_score(c, train_idx, val_idx):
        train_idx, val_idx = np.asarray(train_idx), np.asarray(val_idx)
        if len(train_idx) < len(val_idx):            # swapped: a (wrong) score of its own
            return float(0.1 + 0.01 * c)
        fold = [j for j, va in enumerate(val_sets) if np.array_equal(va, val_idx)]
        return float(T[int(c), fold[0]]) if fold else math.nan

    return fit_score, n_configs, folds, T


def _kf_judge(out, case):
    fit_score, n_configs, folds, T = case
    want_i, want_m = kfold_select_reference(fit_score, n_configs, folds)
    try:
        got_i, got_m = out
        got_i, got_m = int(got_i), np.asarray(got_m, float)
    except (TypeError, ValueError):
        return [(True, f"return a pair (index of the best configuration, array of its "
                       f"{n_configs} mean scores), got {out!r}")], ""
    if got_i == want_i and _close(got_m, want_m):
        return None
    m = T.mean(1)
    hints = [
        (_close(got_m, np.full(n_configs, 0.1) + 0.01 * np.arange(n_configs)),
         "fit_score takes (config, train_idx, val_idx): you passed the validation indices "
         "as training indices (each pair in folds is (train, val))."),
        (_close(got_m, T[:, 0]), "you used the first fold only: average over all k folds."),
        (_close(got_m, T[:, -1]), "you kept the last fold's score only: average over all "
                                  "k folds."),
        (_close(got_m, T.sum(1)), "those are sums over the folds: divide by k for the mean."),
        (_close(got_m, want_m) and got_i == int(np.argmin(m)),
         "higher is better: the best configuration has the largest mean (argmax)."),
        (_close(got_m, want_m) and got_i == int(np.argmax(T.max(1))),
         "you chose by the best single fold: choose by the mean over the folds."),
        (_close(got_m, want_m), "the means are right but the index is not: return the "
                                "index of the largest mean."),
    ]
    return hints, (f": expected index {want_i} and means {np.round(want_m, 4)}, got {got_i} "
                   f"and {np.round(got_m, 4)}")


def check_kfold_select(fn):
    """Check ``fn(fit_score, n_configs, folds) -> (best index, mean scores)``."""
    cases = [_kf_case(71, 4, 5), _kf_case(72, 6, 3), _kf_case(73, 5, 10, n=40)]
    return judge_cases("k-fold selection", fn, [(case[:3], case) for case in cases], _kf_judge)


# ----------------------------------------------------------------------------- successive halving
def successive_halving_reference(score, rungs):
    """The configurations run at each rung: rung 0 runs all n_0; rung k + 1 runs the n_{k+1}
    best of rung k, scored at rung k's budget (``score(i, budget)``; ties: the lower index).
    Each rung's indices in increasing order."""
    alive = list(range(rungs[0][0]))
    out = []
    for k, (_, b) in enumerate(rungs):
        out.append(alive)
        if k + 1 < len(rungs):
            s = {i: score(i, b) for i in alive}
            keep = sorted(alive, key=lambda i: (-s[i], i))[:rungs[k + 1][0]]
            alive = sorted(keep)
    return out


def _sh_case(seed, rungs):
    # score(i, b) = a_i + c_i·log(b): fast starters (large a, small c) and slow finishers cross;
    # the first seed from ``seed`` on where every typical mistake gives another answer
    g = np.random.default_rng(seed)
    n = rungs[0][0]
    while True:
        a, c = g.uniform(0.0, 0.5, n), g.uniform(-0.1, 0.4, n)
        score = (lambda a, c: lambda i, b: float(a[i] + c[i] * math.log(b)))(a, c)
        want = successive_halving_reference(score, rungs)
        if all(_sh_variant(score, rungs, **{k: True}) != want
               for k in ("worst", "reuse_first", "own_size")):
            return score, rungs


def _sh_variant(score, rungs, *, worst=False, reuse_first=False, own_size=False):
    alive, out, first = list(range(rungs[0][0])), [], {}
    for k, (n_k, b) in enumerate(rungs):
        out.append(alive)
        if k + 1 < len(rungs):
            bb = rungs[0][1] if reuse_first else b
            s = {i: score(i, bb) for i in alive}
            order = sorted(alive, key=lambda i: ((s[i] if worst else -s[i]), i))
            alive = sorted(order[:(rungs[k][0] if own_size else rungs[k + 1][0])])
    return out


def _sh_judge(out, case):
    score, rungs = case
    want = successive_halving_reference(score, rungs)
    try:
        got = [sorted(int(i) for i in r) for r in out]
    except (TypeError, ValueError):
        return [(True, f"return a list with one list of indices per rung, got {out!r}")], ""
    if got == want:
        return None
    hints = [
        (len(got) != len(want), f"there are {len(want)} rungs, so return {len(want)} lists "
                                "(the first one holds every configuration)."),
        (got == _sh_variant(score, rungs, worst=True), "you kept the lowest scores: higher "
                                                       "is better, keep the best."),
        (got == _sh_variant(score, rungs, reuse_first=True),
         "rank each rung by its own budget: score(i, budget of this rung), not the first "
         "rung's scores again (the ranking changes with the budget)."),
        (got == _sh_variant(score, rungs, own_size=True),
         "the next rung keeps n of the NEXT rung (n_{k+1}), not n_k."),
        ([len(r) for r in got] != [n for n, _ in rungs],
         f"the rungs hold {[n for n, _ in rungs]} configurations, yours "
         f"{[len(r) for r in got]}."),
    ]
    return hints, f" (rungs {rungs}): expected {want}, got {got}"


def check_successive_halving(fn):
    """Check ``fn(score, rungs) -> [indices run at rung 0, at rung 1, ...]``."""
    cases = [_sh_case(81, [(9, 1), (3, 3), (1, 9)]), _sh_case(82, [(27, 6), (9, 17), (3, 50)]),
             _sh_case(83, [(8, 1), (4, 2), (2, 4), (1, 8)])]
    return judge_cases("successive halving", fn,
                       [((score, [tuple(r) for r in rungs]), (score, rungs)) for score, rungs in cases],
                       _sh_judge)
