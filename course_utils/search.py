"""Hyperparameter search: search spaces; grid, random and coarse-to-fine search; Bayesian
optimization with a Gaussian process (RBF kernel) and expected improvement, in NumPy.

The objective: ``objective(params: dict, seed: int) -> score`` or ``-> (score, curves)`` with
``curves`` a dict (``{"val_acc": [...]}``) kept on the ``Trial``.  Higher is better; pass
``maximize=False`` to minimize a loss.  Use ``seed`` for everything random inside
(``MLP(..., rng=seed)``, ``train(..., rng=seed)``).

Determinism and parallelism: all parameters are drawn from ``rng`` in the calling process, and
trial i gets the seed ``SeedSequence(entropy).generate_state(n)[i]`` (entropy from ``rng``).  Any
``concurrent.futures.Executor`` (thread pool, process pool, dask's ``client.get_executor()``)
may run the trials: they come back in submission order with the same params, seeds and scores
as the serial run (only ``seconds`` differ).  A process pool pickles the objective: define it in
a .py module (a ``functools.partial`` of such a function is fine), not as a lambda or in a
notebook cell (that works only where workers fork, not on macOS or Windows).
"""
# Spaces live in spaces.py and the Gaussian process in gp.py; both are re-exported here.
import math
import sys
import time
from concurrent.futures import as_completed
from dataclasses import dataclass
from itertools import product

import numpy as np

from . import validate as _v
from .gp import (LENGTH_SCALES, BayesStep, bayes_step, expected_improvement,  # noqa: F401
                 gp_log_likelihood, gp_posterior, rbf_kernel, standardize_scores)
from .spaces import (Choice, IntRange, LogUniform, OneMinusLogUniform, Space,  # noqa: F401
                     Uniform, _check_int, _Continuous)

# n_trials beyond this would spend minutes in NumPy before the first trial (10**9 seeds is 4 GB);
# no course search needs more than a few hundred
MAX_TRIALS = 100_000

__all__ = ["Space", "LogUniform", "Uniform", "IntRange", "Choice", "OneMinusLogUniform", "Trial",
           "grid_search", "random_search", "coarse_to_fine", "successive_halving", "halving_rungs", "narrow", "bayes_opt", "best",
           "top_k", "rbf_kernel", "gp_posterior", "gp_log_likelihood", "expected_improvement",
           "bayes_step", "standardize_scores"]


# --------------------------------------------------------------------------- trials
@dataclass
class Trial:
    """One evaluation: ``params`` (name → value), ``score`` (as the objective returned it),
    ``curves`` (the objective's dict, or None), ``seconds`` (wall time of the objective where it
    ran), ``index`` (0-based submission order), ``seed`` (given to the objective) and ``round``
    (coarse_to_fine: 0-based round; bayes_opt: 0 for the random start, then the batch number)."""
    params: dict
    score: float
    curves: dict | None = None
    seconds: float = 0.0
    index: int = 0
    seed: int = 0
    round: int = 0


def top_k(trials, k, *, maximize=True):
    """The k best trials, best first; NaN and ±inf scores (diverged runs) count as the worst."""
    key = lambda t: (not math.isfinite(t.score), -t.score if maximize else t.score)  # noqa: E731
    return sorted(trials, key=key)[:_check_int("k", k, lo=0)]


def best(trials, *, maximize=True):
    """The best trial (the first one on ties)."""
    if not trials:
        raise ValueError("best() needs at least one trial")
    return top_k(trials, 1, maximize=maximize)[0]


def _py(x):
    return x.item() if isinstance(x, np.generic) else x


def _run_trial(objective, params, seed):
    """Runs in the worker: one call of the objective, timed."""
    t0 = time.perf_counter()
    out = objective(dict(params), seed)
    score, curves = out if isinstance(out, tuple) and len(out) == 2 else (out, None)
    if isinstance(score, bool) or not isinstance(score, (int, float, np.integer, np.floating)):
        raise TypeError(f"objective(params, seed) must return a score (a number; NaN for a "
                        f"diverged run) or (score, curves), got {out!r:.80}")
    return float(score), curves, time.perf_counter() - t0


def _in_notebook():
    if "ipykernel" not in sys.modules:
        return False
    from IPython import get_ipython
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


class _Progress:
    """``progress=True``: an ipywidgets bar in a notebook kernel (never stderr there: nbval
    compares it), else one carriage-return line on stderr.  Lives in the calling process."""

    def __init__(self, total, enabled, maximize, label):
        self.total, self.done, self.best = total, 0, -math.inf
        self.sign, self.label, self.t0 = (1.0 if maximize else -1.0), label, time.perf_counter()
        self.mode = enabled and "stderr"
        if enabled and _in_notebook():
            import ipywidgets as W
            from IPython.display import display
            self.bar = W.IntProgress(value=0, min=0, max=total, description=label)
            self.html = W.HTML(value=f"0/{total} trials")
            display(W.HBox([self.bar, self.html]))
            self.mode = "widget"

    def update(self, score):
        self.done += 1
        if math.isfinite(score) and self.sign * score > self.best:
            self.best = self.sign * score
        shown = f"{self.best / self.sign:.4g}" if math.isfinite(self.best) else "-"
        secs = time.perf_counter() - self.t0
        text = f"{self.done}/{self.total} trials, best {shown}, {secs:.1f} s"
        if self.mode == "widget":
            self.bar.value, self.html.value = self.done, text
        elif self.mode:
            fill = round(20 * self.done / self.total)
            sys.stderr.write(f"\r{self.label} [{'#' * fill}{'.' * (20 - fill)}] {text}   ")
            sys.stderr.flush()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.mode == "stderr":
            sys.stderr.write("\n")


def _evaluate(objective, params, seeds, start, round_, executor, bar):
    """Trials for ``params`` (with ``seeds``), serially or on ``executor``, in submission order."""
    if executor is None:
        results = []
        for p, s in zip(params, seeds):
            results.append(_run_trial(objective, p, s))
            bar.update(results[-1][0])
    else:
        futures = [executor.submit(_run_trial, objective, p, s) for p, s in zip(params, seeds)]
        try:
            for f in as_completed(futures):
                bar.update(f.result()[0])
        except BaseException:
            for f in futures:
                f.cancel()
            raise
        results = [f.result() for f in futures]
    return [Trial(dict(p), score, curves, sec, start + i, int(s), round_)
            for i, (p, s, (score, curves, sec)) in enumerate(zip(params, seeds, results))]


def _setup(objective, space, n, name, rng, executor):
    if not callable(objective):
        raise ValueError(f"objective must be callable as objective(params, seed), "
                         f"got {objective!r}")
    if not isinstance(space, dict) or not space:
        raise ValueError(f"space must be a non-empty dict name -> space object, got {space!r}")
    for key, s in space.items():
        if not isinstance(s, Space):
            raise ValueError(f"space[{key!r}] must be a LogUniform, Uniform, OneMinusLogUniform, "
                             f"IntRange or Choice, got {s!r}")
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise ValueError(f"executor must be a concurrent.futures.Executor or None, "
                         f"got {executor!r}")
    if isinstance(rng, bool) or not (rng is None or isinstance(rng, (int, np.integer, np.random.Generator,
                                                                 np.random.SeedSequence))):
        raise TypeError(f"rng must be an integer seed or a numpy Generator, got {rng!r}")
    return _check_int(name, n, 1, MAX_TRIALS), np.random.default_rng(rng)


def _seeds(rng, n):
    entropy = int(rng.integers(2**63))
    return [int(s) for s in np.random.SeedSequence(entropy).generate_state(n)]


def _sample(space, rng, n):
    return [{name: _py(s.sample(rng)) for name, s in space.items()} for _ in range(n)]


# --------------------------------------------------------------------------- strategies
def grid_search(objective, space, n_per_dim, *, rng, executor=None, maximize=True, progress=False,
                centered=False):
    """Every combination of the grids ``space[name].grid(n_per_dim)``: ∏ₙ (grid size) trials
    (Choice: all options; IntRange: deduplicated).  ``n_per_dim`` is an int or a dict
    name → int; the last name varies fastest.  ``rng`` only draws the trials' seeds;
    ``maximize`` only matters for the progress bar's "best".  ``centered=True`` puts the
    points at the cell centres (i + ½)/n of each axis instead of including both ends."""
    _, g = _setup(objective, space, 1, "n_per_dim", rng, executor)
    counts = n_per_dim if isinstance(n_per_dim, dict) else dict.fromkeys(space, n_per_dim)
    missing = [name for name in space if name not in counts]
    if missing:
        raise ValueError(f"n_per_dim has no entry for {missing}")
    grids = [[_py(v) for v in _grid(space[name], _check_int(f"n_per_dim[{name!r}]", counts[name], 1,
                                                            MAX_TRIALS), centered)] for name in space]
    if math.prod(len(gr) for gr in grids) > MAX_TRIALS:
        raise ValueError(f"grid_search would run {math.prod(len(gr) for gr in grids):,} trials; "
                         f"n_per_dim must keep the grid at most MAX_TRIALS = {MAX_TRIALS:,}")
    params = [dict(zip(space, combo)) for combo in product(*grids)]
    seeds = _seeds(g, len(params))
    with _Progress(len(params), progress, maximize, "grid search") as bar:
        return _evaluate(objective, params, seeds, 0, 0, executor, bar)


def _grid(s, n, centered):
    return s.grid(n, centered=True) if centered else s.grid(n)


def random_search(objective, space, n_trials, *, rng, executor=None, maximize=True, progress=False):
    """``n_trials`` independent draws from ``space`` (Bergstra & Bengio 2012).  The first k
    trials of a longer search with the same ``rng`` are those of a k-trial search."""
    n, g = _setup(objective, space, n_trials, "n_trials", rng, executor)
    seeds = _seeds(g, n)
    with _Progress(n, progress, maximize, "random search") as bar:
        return _evaluate(objective, _sample(space, g, n), seeds, 0, 0, executor, bar)


def _check_keep(keep, widen):
    keep = _v.number("keep", keep, where="in (0, 1]")
    widen = _v.number("widen", widen, where=">= 0")
    if not (0 < keep <= 1 and widen >= 0):
        raise ValueError(f"need 0 < keep <= 1 and widen >= 0, got keep={keep}, widen={widen}")


def narrow(space, trials, keep=0.2, *, widen=0.1, maximize=True):
    """The space of the next coarse-to-fine round: the box around the best trials.

    Take the top ⌈keep·n⌉ trials.  Each numeric dimension shrinks to [min, max] of their values,
    measured in ``to_unit`` coordinates (log scale for LogUniform) and widened by ``widen``·width
    on each side (±0.05 of the old range if they all agree), clipped to the old range: the new box
    lies inside the old one and contains every kept trial.  A Choice keeps the options they use.
    """
    _check_keep(keep, widen)
    if not trials:
        raise ValueError("narrow needs at least one trial")
    top = top_k(trials, math.ceil(keep * len(trials)), maximize=maximize)
    new = {}
    for name, s in space.items():
        vals = [t.params[name] for t in top]
        if isinstance(s, Choice):
            new[name] = Choice([o for o in s.options if o in vals])
            continue
        u = s.to_unit(vals)
        margin = widen * (u.max() - u.min()) if u.max() > u.min() else 0.05
        lo = min(s.from_unit(max(u.min() - margin, 0.0)), min(vals))
        hi = max(s.from_unit(min(u.max() + margin, 1.0)), max(vals))
        new[name] = type(s)(_py(lo), _py(hi))
    return new


def coarse_to_fine(objective, space, n_trials, *, rng, rounds=2, keep=0.2, widen=0.1,
                   executor=None, maximize=True, progress=False, return_spaces=False):
    """Random search in ``rounds`` rounds, each inside ``narrow(space of the previous round,
    trials of the previous round, keep, widen=widen)``.

    ``n_trials`` is the total budget, split evenly over the rounds (the first rounds get the
    remainder), so it compares with ``random_search(..., n_trials)``.  Each Trial's ``round``
    says where it came from.  ``return_spaces=True`` returns ``(trials, spaces)`` with the box of
    every round (``spaces[0]`` is ``space``), e.g. to draw the narrowed boxes."""
    n, g = _setup(objective, space, n_trials, "n_trials", rng, executor)
    rounds = _check_int("rounds", rounds)
    _check_keep(keep, widen)
    if n < rounds:
        raise ValueError(f"coarse_to_fine needs n_trials >= rounds, got {n} < {rounds}")
    sizes = [n // rounds + (r < n % rounds) for r in range(rounds)]
    seeds, trials, spaces = _seeds(g, n), [], [dict(space)]
    with _Progress(n, progress, maximize, "coarse to fine") as bar:
        for r, size in enumerate(sizes):
            if r:
                last = trials[-sizes[r - 1]:]
                spaces.append(narrow(spaces[-1], last, keep, widen=widen, maximize=maximize))
            k = len(trials)
            trials += _evaluate(objective, _sample(spaces[-1], g, size), seeds[k:k + size], k, r,
                                executor, bar)
    return (trials, spaces) if return_spaces else trials


def _to_unit(space, params):
    return np.column_stack([s.to_unit([p[name] for p in params]) for name, s in space.items()])


def bayes_opt(objective, space, n_trials, *, rng, n_init=5, xi=0.01, executor=None, noise=1e-6,
              batch_size=1, n_candidates=2000, maximize=True, progress=False):
    """Bayesian optimization: a GP surrogate of the score, and expected improvement.

    1. ``n_init`` random trials (the first ``n_init`` of ``random_search`` with the same rng);
    2. map params to the unit cube (``to_unit``: log scale for LogUniform, cells for
       IntRange/Choice); scores (negated if ``maximize=False``) through ``standardize_scores``
       (NaN/inf → the worst finite one; mean 0, std 1);
    3-4. ``bayes_step``: GP with the RBF kernel, s² = 1, noise variance ``noise`` (in units of
       the score's std; raise it to ~0.01–0.1 for noisy scores), ℓ maximizing
       ``gp_log_likelihood`` over ``LENGTH_SCALES``; propose the point of largest EI (ξ = ``xi``,
       standardized units) among ``n_candidates`` uniform points of the cube plus
       n_candidates/4 Gaussian steps (σ = 0.05) around the best trial, discrete coordinates
       snapped to their cells' centres;
    5. batches: ``batch_size`` proposals per fit, by the "kriging believer" rule (after each
       pick the GP takes its own mean there as an observation, so σ and EI vanish there and the
       next pick goes elsewhere); the batch runs on ``executor`` if given.  Repeat until
       ``n_trials``.
    The result depends on ``rng`` and ``batch_size``, never on the executor: batch_size = 1
    (the default) is classical sequential BO; with an executor pass the number of workers."""
    n, g = _setup(objective, space, n_trials, "n_trials", rng, executor)
    n_init = min(_check_int("n_init", n_init), n)
    batch_size = _check_int("batch_size", batch_size)
    n_candidates = _check_int("n_candidates", n_candidates, 1, 1_000_000)
    xi = _v.number("xi", xi, 0.0)
    noise = _v.number("noise", noise, 0.0)
    sign, spaces = (1.0 if maximize else -1.0), list(space.values())
    seeds = _seeds(g, n)
    with _Progress(n, progress, maximize, "bayes opt") as bar:
        start = _sample(space, g, n_init)
        trials = _evaluate(objective, start, seeds[:n_init], 0, 0, executor, bar)
        while len(trials) < n:
            U = _to_unit(space, [t.params for t in trials])
            y = standardize_scores(sign * np.array([t.score for t in trials]))[0]
            y_best, u_best = y.max(), U[np.argmax(y)]
            ell, picks = None, []                  # ℓ is fitted by the batch's first step
            for _ in range(min(batch_size, n - len(trials))):
                local = u_best + 0.05 * g.standard_normal((n_candidates // 4, len(spaces)))
                C = np.clip(np.vstack([g.random((n_candidates, len(spaces))), local]), 0.0, 1.0)
                for i, s in enumerate(spaces):
                    if s.cells:                                   # snap to the cell centres
                        C[:, i] = s.to_unit(s.from_unit(C[:, i]))
                step = bayes_step(U, y, C, xi=xi, noise=noise, length_scale=ell, best=y_best)
                ell, j = step.length_scale, step.pick
                picks.append({name: _py(s.from_unit(C[j, i:i + 1])[0])
                              for i, (name, s) in enumerate(space.items())})
                U, y = np.vstack([U, C[j]]), np.append(y, step.mean[j])
            k = len(trials)
            trials += _evaluate(objective, picks, seeds[k:k + len(picks)], k,
                                trials[-1].round + 1, executor, bar)
    return trials



# multi-fidelity search lives in halving.py (it uses the helpers above); re-exported here
from .halving import halving_rungs, successive_halving  # noqa: E402,F401
