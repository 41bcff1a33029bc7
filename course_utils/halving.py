"""Multi-fidelity search: successive halving (many configurations on a small budget, the best
on a large one).  Re-exported by ``course_utils.search``; same objective contract as there, with
the budget passed in ``params[budget]`` (e.g. ``params["epochs"]``)."""
import math

import numpy as np

from .spaces import _check_int

__all__ = ["halving_rungs", "successive_halving"]


def halving_rungs(n_trials, min_budget, max_budget, eta=3):
    """The rungs of successive halving as a list of ``(n_configs, budget)``.

    Rung k = 0..s, with s = ⌊log_η(max_budget / min_budget)⌋:
        budget_k = max_budget · η^(k − s)      (the last rung trains with max_budget),
        n_k      = max(1, ⌊n_trials / η^k⌋)    (the best 1/η of the previous rung go on).
    Budgets are rounded to integers (at least 1) when ``min_budget`` and ``max_budget`` are
    ints, e.g. epochs: ``halving_rungs(27, 5, 50)`` → [(27, 6), (9, 17), (3, 50)]."""
    n = _check_int("n_trials", n_trials)
    if isinstance(eta, bool) or not (isinstance(eta, (int, float)) and eta > 1):
        raise ValueError(f"eta must be a number > 1, got {eta!r}")
    if not (isinstance(min_budget, (int, float)) and isinstance(max_budget, (int, float))
            and 0 < min_budget <= max_budget):
        raise ValueError(f"need 0 < min_budget <= max_budget, got {min_budget!r}, {max_budget!r}")
    s = int(math.floor(math.log(max_budget / min_budget) / math.log(eta) + 1e-9))
    ints = all(isinstance(b, (int, np.integer)) for b in (min_budget, max_budget))
    rungs = []
    for k in range(s + 1):
        b = max_budget * float(eta) ** (k - s)
        rungs.append((max(1, int(n / float(eta) ** k)), max(1, int(round(b))) if ints else b))
    return rungs


def successive_halving(objective, space, n_trials, *, rng, min_budget, max_budget, eta=3,
                       budget="epochs", executor=None, maximize=True, progress=False):
    """Successive halving (Jamieson & Talwalkar 2016; the inner loop of Hyperband, Li et al.
    2017): train many configurations briefly, keep the best 1/η, train those longer, repeat.

    1. draw ``n_trials`` configurations from ``space`` (the same draws and seeds as
       ``random_search`` with this ``rng``);
    2. rung k of ``halving_rungs(n_trials, min_budget, max_budget, eta)``: run its
       configurations with ``params[budget]`` set to the rung's budget (e.g. epochs) and each
       configuration's own seed; every run starts from scratch (no checkpoints are resumed);
    3. the best n_{k+1} of rung k (NaN counts as the worst; ties: the earlier trial) go on.
    Returns every Trial of every rung in order; ``Trial.round`` is the rung, ``Trial.index``
    the configuration's draw number.  The answer is ``best(t for t in trials if t.round ==
    last)``.  Cost: Σ n_k · budget_k, e.g. 27 × 6 + 9 × 17 + 3 × 50 = 465 epochs for
    (27, 5, 50), the price of ~9 full runs.  Bias: a configuration that learns slowly but would
    finish best is cut at the first rung; short rungs favour fast learners (large η)."""
    from .search import _evaluate, _Progress, _sample, _seeds, _setup, top_k   # search imports us
    n, g = _setup(objective, space, n_trials, "n_trials", rng, executor)
    if not isinstance(budget, str) or budget in space:
        raise ValueError(f"budget must be a name (str) that is not in space, got {budget!r}")
    rungs = halving_rungs(n, min_budget, max_budget, eta)
    seeds, configs = _seeds(g, n), _sample(space, g, n)
    alive, trials = list(range(n)), []
    with _Progress(sum(k for k, _ in rungs), progress, maximize, "successive halving") as bar:
        for r, (size, b) in enumerate(rungs):
            if r:
                keep = top_k(last, size, maximize=maximize)
                alive = sorted(t.index for t in keep)
            params = [dict(configs[i], **{budget: b}) for i in alive]
            last = _evaluate(objective, params, [seeds[i] for i in alive], 0, r, executor, bar)
            for t, i in zip(last, alive):
                t.index = i
            trials += last
    return trials
