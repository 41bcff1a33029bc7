"""Search spaces, the four strategies, the GP and expected improvement, executors."""
import math
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from functools import partial

import numpy as np
import pytest

from course_utils import search as S
from course_utils.search import (Choice, IntRange, LogUniform, OneMinusLogUniform, Trial, Uniform,
                                 bayes_opt, best, coarse_to_fine, expected_improvement,
                                 gp_log_likelihood, gp_posterior, grid_search, narrow,
                                 random_search, top_k)

SPACE = {"lr": LogUniform(1e-4, 1e-1), "m": Uniform(0.0, 1.0)}


def bowl(params, seed, noise=1e-3):
    """Smooth, maximum ≈ 0 at lr = 1e-2, m = 0.3; the seed adds a little noise."""
    eps = noise * np.random.default_rng(seed).standard_normal()
    return -((math.log10(params["lr"]) + 2.0) ** 2 + 4.0 * (params["m"] - 0.3) ** 2) + eps


def mixed(params, seed):
    """Uses every kind of space; returns curves too."""
    act = {"relu": 0.0, "tanh": -0.5}[params["act"]]
    score = bowl(params, seed) + act - 0.1 * params["layers"] - (params["beta"] - 0.99) ** 2
    return score, {"loss": [1.0, 0.5, -score]}


MIXED = {**SPACE, "act": Choice(["relu", "tanh"]), "layers": IntRange(1, 3),
         "beta": OneMinusLogUniform(0.9, 0.999)}


def _key(trials):
    return [(t.params, t.score, t.seed, t.index, t.round, t.curves) for t in trials]


# ---------------------------------------------------------------- spaces
def test_log_uniform_is_uniform_in_log_space():
    x = LogUniform(1e-4, 1e-1).sample(np.random.default_rng(0), 30000)
    assert x.min() >= 1e-4 and x.max() <= 1e-1
    t = np.log10(x)
    assert abs(t.mean() - (-2.5)) < 0.02
    # Kolmogorov–Smirnov distance of log10 x to U(-4, -1): 1.36/√n at the 5 % level
    q = np.sort(t)
    ks = np.max(np.abs((q + 4) / 3 - np.arange(1, len(q) + 1) / len(q)))
    assert ks < 1.36 / math.sqrt(len(q))
    decades = np.histogram(t, bins=[-4, -3, -2, -1])[0] / len(t)
    np.testing.assert_allclose(decades, 1 / 3, atol=0.015)
    # a plain uniform on the same range would put ~90 % of the draws in the top decade
    u = Uniform(1e-4, 1e-1).sample(np.random.default_rng(0), 30000)
    assert np.mean(u > 1e-2) > 0.85


def test_one_minus_log_uniform_decades():
    b = OneMinusLogUniform(0.9, 0.999).sample(np.random.default_rng(1), 30000)
    assert b.min() >= 0.9 and b.max() <= 0.999
    frac = np.histogram(np.log10(1 - b), bins=[-3, -2, -1])[0] / len(b)
    np.testing.assert_allclose(frac, 0.5, atol=0.015)
    np.testing.assert_allclose(OneMinusLogUniform(0.9, 0.999).grid(3), [0.9, 0.99, 0.999])


def test_uniform_intrange_choice_ranges_and_frequencies():
    g = np.random.default_rng(2)
    u = Uniform(-2.0, 3.0).sample(g, 20000)
    assert u.min() >= -2 and u.max() < 3 and abs(u.mean() - 0.5) < 0.05
    k = IntRange(2, 6).sample(g, 20000)
    assert k.dtype.kind == "i" and set(np.unique(k)) == {2, 3, 4, 5, 6}
    np.testing.assert_allclose(np.bincount(k - 2) / len(k), 0.2, atol=0.015)
    c = Choice(["a", "b", "c", "d"]).sample(g, 20000)
    freq = [np.mean(c == o) for o in "abcd"]
    np.testing.assert_allclose(freq, 0.25, atol=0.015)
    assert Choice([[16, 16], [32]]).sample(g) in ([16, 16], [32])   # list options stay whole
    assert isinstance(IntRange(0, 5).sample(g), (int, np.integer))


def test_unit_maps_round_trip():
    for s in (LogUniform(1e-5, 1.0), Uniform(-1, 1), OneMinusLogUniform(0.5, 0.9999)):
        x = s.sample(np.random.default_rng(3), 100)
        np.testing.assert_allclose(s.from_unit(s.to_unit(x)), x, rtol=1e-9)
        assert np.all((s.to_unit(x) >= 0) & (s.to_unit(x) <= 1))
    np.testing.assert_allclose(LogUniform(1e-4, 1e-2).to_unit([1e-4, 1e-3, 1e-2]), [0, 0.5, 1])
    for s in (IntRange(-3, 4), Choice(["x", 2, (1, 2)])):
        vals = list(s.grid(100))
        assert list(s.from_unit(s.to_unit(vals))) == vals


def test_grids():
    lr = LogUniform(1e-4, 1e-1).grid(4)
    np.testing.assert_allclose(lr, [1e-4, 1e-3, 1e-2, 1e-1], rtol=1e-12)
    assert lr[0] == 1e-4 and lr[-1] == 1e-1
    np.testing.assert_allclose(lr[1:] / lr[:-1], 10.0)
    np.testing.assert_allclose(LogUniform(1e-4, 1e-2).grid(1), [1e-3])
    np.testing.assert_allclose(Uniform(0, 1).grid(5), [0, 0.25, 0.5, 0.75, 1])
    assert list(IntRange(0, 10).grid(4)) == [0, 3, 7, 10]
    assert list(IntRange(1, 3).grid(10)) == [1, 2, 3]          # deduplicated
    assert list(IntRange(1, 3).grid(1)) == [2]
    assert Choice(["relu", "tanh"]).grid(7) == ["relu", "tanh"]
    trials = grid_search(mixed, MIXED, 3, rng=0)
    assert len(trials) == 3 * 3 * 2 * 3 * 3                       # product of the grid sizes
    assert len({tuple(t.params.values()) for t in trials}) == len(trials)
    assert [t.index for t in trials] == list(range(len(trials)))
    sizes = grid_search(bowl, SPACE, {"lr": 4, "m": 2}, rng=0)
    assert len(sizes) == 8 and sorted({t.params["lr"] for t in sizes}) == list(lr)


# ---------------------------------------------------------------- trials and strategies
def test_random_search_trials_deterministic_and_prefix():
    a = random_search(mixed, MIXED, 12, rng=5)
    assert _key(a) == _key(random_search(mixed, MIXED, 12, rng=np.random.default_rng(5)))
    assert _key(a[:4]) == _key(random_search(mixed, MIXED, 4, rng=5))
    assert _key(a) != _key(random_search(mixed, MIXED, 12, rng=6))
    assert len({t.seed for t in a}) == 12
    for i, t in enumerate(a):
        assert isinstance(t, Trial) and t.index == i and t.seconds >= 0 and t.round == 0
        assert t.curves["loss"][-1] == -t.score
        assert 1e-4 <= t.params["lr"] <= 1e-1 and t.params["layers"] in (1, 2, 3)
        assert type(t.params["lr"]) is float and type(t.params["layers"]) is int


def test_best_and_top_k():
    ts = [Trial({"i": i}, s, index=i) for i, s in enumerate([0.5, float("nan"), 0.9, -1.0,
                                                              float("inf"), 0.9])]
    assert best(ts).index == 2                                    # first of the ties
    assert [t.index for t in top_k(ts, 3)] == [2, 5, 0]
    assert best(ts, maximize=False).index == 3
    assert [t.index for t in top_k(ts, 6)][-2:] == [1, 4]          # NaN, inf last
    with pytest.raises(ValueError, match="at least one trial"):
        best([])


def test_narrow_shrinks_around_the_best():
    trials = random_search(mixed, MIXED, 40, rng=7)
    new = narrow(MIXED, trials, keep=0.2)
    top = top_k(trials, 8)
    for name in ("lr", "m", "beta", "layers"):
        old, box = MIXED[name], new[name]
        assert type(box) is type(old) and old.lo <= box.lo <= box.hi <= old.hi
        assert all(box.lo <= t.params[name] <= box.hi for t in top)
    assert new["lr"].hi / new["lr"].lo < 1e3 and new["m"].hi - new["m"].lo < 1.0
    assert set(new["act"].options) == {t.params["act"] for t in top}
    # no widening: exactly the min and max of the kept trials
    tight = narrow(SPACE, trials, keep=0.1, widen=0.0)
    lrs = [t.params["lr"] for t in top_k(trials, 4)]
    assert (tight["lr"].lo, tight["lr"].hi) == (min(lrs), max(lrs))
    one = narrow(SPACE, trials, keep=0.01)                          # one trial: ±5 % box
    assert one["m"].lo < best(trials).params["m"] < one["m"].hi


def test_coarse_to_fine_rounds_and_boxes():
    trials, spaces = coarse_to_fine(bowl, SPACE, 41, rng=3, rounds=3, keep=0.25,
                                    return_spaces=True)
    assert [sum(t.round == r for t in trials) for r in range(3)] == [14, 14, 13]
    assert [t.index for t in trials] == list(range(41)) and len(spaces) == 3
    assert spaces[1] == narrow(SPACE, trials[:14], 0.25)
    for r in (1, 2):
        for name in SPACE:
            assert spaces[r - 1][name].lo <= spaces[r][name].lo < spaces[r][name].hi \
                <= spaces[r - 1][name].hi
        for t in trials:
            if t.round == r:
                assert all(spaces[r][n].lo <= t.params[n] <= spaces[r][n].hi for n in SPACE)
    med = [np.median([t.score for t in trials if t.round == r]) for r in range(3)]
    assert med[0] < med[1] < med[2]
    assert _key(trials) == _key(coarse_to_fine(bowl, SPACE, 41, rng=3, rounds=3, keep=0.25))
    # minimize: the boxes follow the worst trials of the maximization problem instead
    mins = coarse_to_fine(bowl, SPACE, 20, rng=3, maximize=False)
    assert np.median([t.score for t in mins if t.round == 1]) < \
        np.median([t.score for t in mins if t.round == 0])


# ---------------------------------------------------------------- GP and EI
def test_gp_interpolates_and_matches_the_textbook_formula():
    g = np.random.default_rng(0)
    X = np.array([0.05, 0.2, 0.4, 0.55, 0.8, 0.95])
    y = np.sin(6 * X)
    mean, std = gp_posterior(X, y, X, length_scale=0.2, noise=1e-10)
    np.testing.assert_allclose(mean, y, atol=1e-4)
    assert np.all(std < 1e-3)
    Xs = g.random(50)
    mean, std = gp_posterior(X, y, Xs, 0.2, signal_var=2.0, noise=0.01)
    # direct formula with an explicit inverse
    k = lambda a, b: 2.0 * np.exp(-(a[:, None] - b[None]) ** 2 / (2 * 0.2 ** 2))  # noqa: E731
    Kinv = np.linalg.inv(k(X, X) + 0.01 * np.eye(len(X)))
    np.testing.assert_allclose(mean, k(Xs, X) @ Kinv @ y, atol=1e-10)
    var = 2.0 - np.einsum("ij,jk,ik->i", k(Xs, X), Kinv, k(Xs, X))
    np.testing.assert_allclose(std, np.sqrt(var), atol=1e-8)
    assert std.max() > 0.05                                      # uncertain between points
    far_mean, far_std = gp_posterior(X, y, [10.0], 0.2, signal_var=2.0)
    assert abs(far_mean[0]) < 1e-8 and abs(far_std[0] - math.sqrt(2.0)) < 1e-8   # the prior
    # the log marginal likelihood prefers a sensible length scale to a silly one
    assert gp_log_likelihood(X, y, 0.3) > gp_log_likelihood(X, y, 0.01)
    # equal points with no noise still factor (jitter)
    m2, _ = gp_posterior([0.1, 0.1, 0.5], [1.0, 1.0, 0.0], [0.1], 0.2, noise=0.0)
    assert abs(m2[0] - 1.0) < 1e-4


def test_expected_improvement():
    X = np.array([[0.1, 0.2], [0.5, 0.9], [0.7, 0.3], [0.9, 0.8]])
    y = np.array([0.3, -1.0, 1.2, 0.4])
    mean, std = gp_posterior(X, y, X, 0.3, noise=0.0)
    ei = expected_improvement(mean, std, y.max())
    assert np.all(ei < 1e-8)
    grid = np.random.default_rng(0).random((500, 2))
    assert expected_improvement(*gp_posterior(X, y, grid, 0.3, noise=0.0), y.max()).max() > 1e-3
    # against the formula with math.erf
    mu, sd, fb, xi = np.array([0.0, 1.0, 2.0, -3.0]), np.array([1.0, 0.5, 0.0, 0.1]), 0.8, 0.01
    want = []
    for m, s in zip(mu, sd):
        if s == 0:
            want.append(0.0)
            continue
        z = (m - fb - xi) / s
        want.append((m - fb - xi) * 0.5 * (1 + math.erf(z / math.sqrt(2)))
                    + s * math.exp(-z * z / 2) / math.sqrt(2 * math.pi))
    np.testing.assert_allclose(expected_improvement(mu, sd, fb, xi), want, rtol=1e-12, atol=1e-300)
    assert expected_improvement([5.0], [0.0], 0.0)[0] == 0.0       # σ = 0 → 0 by convention
    assert np.all(np.diff(expected_improvement([0, 1, 2, 3], 0.5, 1.0)) > 0)  # grows with μ
    assert expected_improvement([0.0], [1e-300], 1.0)[0] == 0.0     # no overflow warning


def test_normal_cdf_and_pdf_against_math_erf():
    from course_utils.gp import normal_cdf, normal_pdf
    z = np.array([-8.0, -3.0, -1.0, -0.25, 0.0, 0.5, 2.0, 6.0])
    np.testing.assert_allclose(normal_cdf(z), [0.5 * (1 + math.erf(v / math.sqrt(2))) for v in z],
                               rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(normal_pdf(z), [math.exp(-v * v / 2) / math.sqrt(2 * math.pi) for v in z],
                               rtol=1e-12)
    assert normal_cdf(0.0) == 0.5 and np.shape(normal_cdf(0.0)) == ()
    assert 1 + math.erf(-30 / math.sqrt(2)) == 0.0 and 0 < normal_cdf(-30.0) < 1e-196  # far tail
    assert np.array_equal(normal_cdf([[-1.0, 1.0]]) + normal_cdf([[1.0, -1.0]]), [[1.0, 1.0]])


def test_bayes_opt_beats_random_search():
    def regret(method, seed):
        trials = method(bowl, SPACE, 15, rng=seed)
        return -best(trials).score
    bo = [regret(bayes_opt, s) for s in range(4)]
    rs = [regret(random_search, s) for s in range(4)]
    assert np.mean(bo) < 0.5 * np.mean(rs)
    assert max(bo) < 0.05


def test_bayes_opt_details():
    t = bayes_opt(mixed, MIXED, 12, rng=4, n_init=4, batch_size=3)
    assert _key(t) == _key(bayes_opt(mixed, MIXED, 12, rng=4, n_init=4, batch_size=3))
    assert _key(t[:4]) == _key(random_search(mixed, MIXED, 4, rng=4))   # the random start
    assert [x.round for x in t] == [0] * 4 + [1] * 3 + [2] * 3 + [3] * 2
    assert all(x.params["act"] in ("relu", "tanh") and x.params["layers"] in (1, 2, 3)
               and 0.9 <= x.params["beta"] <= 0.999 for x in t)
    assert len({tuple(x.params.values()) for x in t}) == 12           # a batch does not repeat
    # minimizing −bowl is maximizing bowl
    neg = bayes_opt(partial(_neg, bowl), SPACE, 10, rng=1, maximize=False)
    pos = bayes_opt(bowl, SPACE, 10, rng=1)
    assert [x.params for x in neg] == [x.params for x in pos]
    # diverged (NaN) trials do not break the GP
    nan = bayes_opt(_nan_sometimes, SPACE, 10, rng=2)
    assert len(nan) == 10 and any(math.isnan(x.score) for x in nan)


def test_standardize_scores():
    z, center, scale = S.standardize_scores([1.0, 3.0, float("nan"), float("inf")])
    # NaN and inf count as the worst finite score, 1: y = [1, 3, 1, 1], mean 1.5, std √0.75
    np.testing.assert_allclose(z * scale + center, [1.0, 3.0, 1.0, 1.0])
    assert center == 1.5 and scale == pytest.approx(math.sqrt(0.75))
    assert z.mean() == pytest.approx(0.0) and z.std() == pytest.approx(1.0)
    z, center, scale = S.standardize_scores([2.0, 2.0])
    assert scale == 1.0 and np.array_equal(z, [0.0, 0.0])
    assert np.array_equal(S.standardize_scores([math.nan])[0], [0.0])


def test_bayes_step_is_gp_then_ei():
    g = np.random.default_rng(0)
    X = g.uniform(0, 1, (7, 2))
    y = S.standardize_scores(-((X - 0.6) ** 2).sum(axis=1))[0]
    C = g.uniform(0, 1, (300, 2))
    step = S.bayes_step(X, y, C, xi=0.05, noise=1e-4)
    # 1. ℓ maximizes the marginal likelihood over the grid
    ll = [S.gp_log_likelihood(X, y, ls, 1.0, 1e-4) for ls in S.LENGTH_SCALES]
    assert step.length_scale == S.LENGTH_SCALES[int(np.argmax(ll))]
    # 2.-4. posterior, EI against the best standardized score, the argmax
    mean, std = S.gp_posterior(X, y, C, step.length_scale, 1.0, 1e-4)
    np.testing.assert_array_equal(step.mean, mean)
    np.testing.assert_array_equal(step.ei, S.expected_improvement(mean, std, y.max(), 0.05))
    assert step.pick == int(np.argmax(step.ei)) and step.ei[step.pick] > 0
    # given ℓ and f*, both are used as they are
    fixed = S.bayes_step(X, y, C, xi=0.05, noise=1e-4, length_scale=0.3, best=y.max() + 1.0)
    assert fixed.length_scale == 0.3
    assert fixed.ei.max() < step.ei.max()          # a higher bar leaves less to gain
    # at the data, without noise, EI vanishes: a sampled point is not proposed again
    at_data = S.bayes_step(X, y, X, noise=1e-10)
    assert at_data.ei.max() < 1e-6


def test_bayes_opt_proposes_what_bayes_step_proposes():
    # the first proposal after the random start, recomputed by hand from its own trials
    def unit(params):
        return np.column_stack([s.to_unit([p[name] for p in params]) for name, s in SPACE.items()])

    trials = bayes_opt(bowl, SPACE, 6, rng=5, n_init=5, n_candidates=400)
    U = unit([t.params for t in trials[:5]])
    y = S.standardize_scores([t.score for t in trials[:5]])[0]
    proposed = unit([trials[5].params])
    step = S.bayes_step(U, y, proposed, noise=1e-6)
    others = S.bayes_step(U, y, np.random.default_rng(0).random((400, U.shape[1])), noise=1e-6)
    assert step.ei[0] >= 0.9 * others.ei.max()     # as good as the best of 400 random points


def _neg(f, params, seed):
    return -f(params, seed)


def _nan_sometimes(params, seed):
    return float("nan") if params["lr"] > 0.03 else bowl(params, seed)


# ---------------------------------------------------------------- executors
def test_parallel_equals_serial():
    kw = {"rng": 11}
    runs = [(random_search, MIXED, 10, {}), (grid_search, SPACE, 3, {}),
            (coarse_to_fine, MIXED, 12, {"rounds": 2}), (bayes_opt, SPACE, 9, {"batch_size": 2})]
    serial = [_key(f(mixed if sp is MIXED else bowl, sp, n, **kw, **extra))
              for f, sp, n, extra in runs]
    # "spawn" (the default on macOS and Windows) pickles the objective by reference to its
    # module, as every platform will; Linux' "fork" would hide an unpicklable objective
    spawn = multiprocessing.get_context("spawn")
    for make in (lambda: ThreadPoolExecutor(2),
                 lambda: ProcessPoolExecutor(max_workers=2, mp_context=spawn)):
        with make() as ex:
            par = [_key(f(mixed if sp is MIXED else bowl, sp, n, **kw, **extra, executor=ex))
                   for f, sp, n, extra in runs]
        assert par == serial


def test_dask_executor():
    distributed = pytest.importorskip("distributed")
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=2,
                            dashboard_address=None) as client:
        par = random_search(bowl, SPACE, 6, rng=0, executor=client.get_executor())
    assert _key(par) == _key(random_search(bowl, SPACE, 6, rng=0))


def _sleepy(params, seed):
    """Slow for small m, so trials finish out of submission order on a pool."""
    time.sleep(0.04 * (1.0 - params["m"]))
    return bowl(params, seed)


def test_results_come_back_in_submission_order():
    serial = random_search(_sleepy, SPACE, 8, rng=1)
    with ThreadPoolExecutor(4) as ex:
        assert _key(random_search(_sleepy, SPACE, 8, rng=1, executor=ex)) == _key(serial)


def _boom(params, seed):
    raise RuntimeError("objective failed")


def test_objective_errors_propagate():
    with pytest.raises(RuntimeError, match="objective failed"):
        random_search(_boom, SPACE, 3, rng=0)
    with ThreadPoolExecutor(2) as ex, pytest.raises(RuntimeError, match="objective failed"):
        random_search(_boom, SPACE, 3, rng=0, executor=ex)


# ---------------------------------------------------------------- progress
def test_progress_terminal(capsys):
    random_search(bowl, SPACE, 3, rng=0, progress=True)
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("\rrandom search [") and err.count("\r") == 3
    assert "3/3 trials, best" in err and err.endswith("\n")
    random_search(bowl, SPACE, 3, rng=0)
    assert capsys.readouterr() == ("", "")


def test_progress_notebook_uses_a_widget_never_stderr(capsys, monkeypatch):
    pytest.importorskip("ipywidgets")
    import IPython.display
    shown = []
    monkeypatch.setattr(S, "_in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.extend(a))
    bayes_opt(bowl, SPACE, 4, rng=0, n_init=2, progress=True)
    out, err = capsys.readouterr()
    assert (out, err) == ("", "")
    bar, label = shown[0].children
    assert bar.value == bar.max == 4 and label.value.startswith("4/4 trials")


# ---------------------------------------------------------------- errors
@pytest.mark.parametrize("make, match", [
    (lambda: LogUniform(0, 1), r"LogUniform\(lo, hi\) needs 0 < lo < hi.*lo=0, hi=1"),
    (lambda: LogUniform(1e-2, 1e-3), r"0 < lo < hi"),
    (lambda: LogUniform("a", 1), r"LogUniform.*lo='a'"),
    (lambda: Uniform(1, 1), r"Uniform\(lo, hi\) needs lo < hi"),
    (lambda: Uniform(0, float("inf")), r"finite"),
    (lambda: OneMinusLogUniform(0.9, 1.0), r"0 <= lo < hi < 1"),
    (lambda: IntRange(3, 2), r"IntRange\(lo, hi\) needs integers lo <= hi, got lo=3, hi=2"),
    (lambda: IntRange(1, 2.5), r"integers"),
    (lambda: Choice([]), r"Choice\(options\) needs a non-empty list"),
    (lambda: Choice("relu"), r"non-empty list"),
    (lambda: random_search(bowl, {"lr": 0.1}, 3, rng=0), r"space\['lr'\] must be a LogUniform"),
    (lambda: random_search(bowl, {}, 3, rng=0), r"non-empty dict"),
    (lambda: random_search(bowl, SPACE, 0, rng=0), r"n_trials must be an integer in \[1, 100000\]"),
    (lambda: random_search(bowl, SPACE, 3, rng=0, executor=4), r"executor must be"),
    (lambda: grid_search(bowl, SPACE, {"lr": 3}, rng=0), r"n_per_dim has no entry for \['m'\]"),
    (lambda: coarse_to_fine(bowl, SPACE, 2, rng=0, rounds=3), r"n_trials >= rounds"),
    (lambda: narrow(SPACE, [Trial({"lr": 0.1, "m": 0.5}, 1.0)], keep=0), r"0 < keep <= 1"),
    (lambda: coarse_to_fine(_boom, SPACE, 4, rng=0, keep=1.5), r"0 < keep <= 1"),   # up front
    (lambda: coarse_to_fine(bowl, SPACE, 4, rng=0, widen=-1), r"widen >= 0"),
    (lambda: bayes_opt(bowl, SPACE, 5, rng=0, xi=-1), r"xi must be >= 0"),
    (lambda: bayes_opt(bowl, SPACE, 5, rng=0, batch_size=0), r"batch_size must be"),
])
def test_bad_input_raises(make, match):
    with pytest.raises(ValueError, match=match):
        make()


# ---------------------------------------------------------------- cell-centred grids (ch06)
def test_centred_grid_points_are_cell_centres():
    assert np.allclose(Uniform(0.0, 1.0).grid(3, centered=True), [1 / 6, 0.5, 5 / 6])
    assert np.allclose(Uniform(2.0, 4.0).grid(4, centered=True), [2.25, 2.75, 3.25, 3.75])
    # log scale: centres of the decades' cells, 10^-3.5 ... (geometric midpoints)
    assert np.allclose(LogUniform(1e-4, 1.0).grid(4, centered=True), 10.0 ** np.array([-3.5, -2.5, -1.5, -0.5]))
    assert list(IntRange(1, 6).grid(3, centered=True)) == [2, 4, 6]     # cells of u = 1/6, 1/2, 5/6
    assert Choice(["a", "b"]).grid(5, centered=True) == ["a", "b"]
    # the default is unchanged: both ends included
    assert np.allclose(Uniform(0.0, 1.0).grid(3), [0.0, 0.5, 1.0])


def test_grid_search_centered():
    plain = grid_search(bowl, SPACE, 3, rng=0)
    cent = grid_search(bowl, SPACE, 3, rng=0, centered=True)
    assert len(cent) == 9
    assert sorted({t.params["m"] for t in cent}) == pytest.approx([1 / 6, 0.5, 5 / 6])
    assert sorted({t.params["m"] for t in plain}) == pytest.approx([0.0, 0.5, 1.0])
    assert [t.seed for t in cent] == [t.seed for t in plain]


# ---------------------------------------------------------------- successive halving (ch06)
def test_halving_rungs_by_hand():
    assert S.halving_rungs(27, 5, 50) == [(27, 6), (9, 17), (3, 50)]     # 50/9 = 5.6 → 6, 50/3 → 17
    assert S.halving_rungs(9, 1, 9) == [(9, 1), (3, 3), (1, 9)]
    assert S.halving_rungs(8, 1, 8, eta=2) == [(8, 1), (4, 2), (2, 4), (1, 8)]
    assert S.halving_rungs(10, 3, 5) == [(10, 5)]                        # one rung: plain random search
    assert S.halving_rungs(2, 1, 27) == [(2, 1), (1, 3), (1, 9), (1, 27)]
    r = S.halving_rungs(20, 1.0, 10.0, eta=2)                            # float budgets stay exact
    assert r == [(20, 1.25), (10, 2.5), (5, 5.0), (2, 10.0)]


@pytest.mark.parametrize("kw, match", [
    (dict(n_trials=0, min_budget=1, max_budget=9), "n_trials"),
    (dict(n_trials=9, min_budget=1, max_budget=9, eta=1), "eta"),
    (dict(n_trials=9, min_budget=10, max_budget=9), "min_budget"),
    (dict(n_trials=9, min_budget=0, max_budget=9), "min_budget"),
])
def test_halving_rungs_bad_input(kw, match):
    with pytest.raises(ValueError, match=match):
        S.halving_rungs(**kw)


def _budgeted(params, seed):
    """Score grows with the budget; the ranking by m flips between short and long budgets:
    m > 0.5 learn fast (good at budget 1), small m finish best (good at budget 9)."""
    b, m = params["epochs"], params["m"]
    fast = 1.0 - (m - 0.8) ** 2
    slow = 1.0 - (m - 0.2) ** 2
    w = (b - 1) / 8
    return (1 - w) * fast + w * slow + 1e-3 * np.random.default_rng(seed).random(), {"b": b}


def test_successive_halving_rungs_survivors_and_seeds():
    trials = S.successive_halving(_budgeted, SPACE, 9, rng=3, min_budget=1, max_budget=9)
    assert [t.round for t in trials] == [0] * 9 + [1] * 3 + [2]
    assert [t.params["epochs"] for t in trials] == [1] * 9 + [3] * 3 + [9]
    rung0, rung1, rung2 = trials[:9], trials[9:12], trials[12:]
    # the first rung is random search's draws, with the same seeds
    ref = random_search(lambda p, s: _budgeted(dict(p, epochs=1), s), SPACE, 9, rng=3)
    assert [dict(t.params, epochs=1) for t in ref] == [t.params for t in rung0]
    assert [t.seed for t in ref] == [t.seed for t in rung0]
    # survivors are the top 3 of rung 0 (listed in draw order), each keeping its config and seed
    top3 = sorted(t.index for t in top_k(rung0, 3))
    assert [t.index for t in rung1] == top3
    for t in rung1:
        assert t.seed == rung0[t.index].seed
        assert {k: v for k, v in t.params.items() if k != "epochs"} == ref[t.index].params
    assert rung2[0].index == best(rung1).index


def test_successive_halving_shows_its_bias_to_fast_learners():
    # with the flip in _budgeted, a cut at budget 1 keeps the fast learners (large m) and drops
    # the configuration that a full random search at budget 9 would find
    space = {"m": Uniform(0.0, 1.0)}
    sh = S.successive_halving(_budgeted, space, 9, rng=5, min_budget=1, max_budget=9)
    full = [_budgeted(dict(t.params, epochs=9), t.seed)[0] for t in sh[:9]]
    winner = sh[-1]
    assert winner.params["m"] > 0.5
    assert max(full) > winner.score + 0.05


def test_successive_halving_nan_is_cut_and_executor_changes_nothing():
    space = {"lr": LogUniform(1e-4, 1e-1), "m": Uniform(0.0, 1.0)}

    serial = S.successive_halving(_nan_sometimes, space, 12, rng=2, min_budget=1, max_budget=4,
                                  eta=2)
    assert all(math.isfinite(t.score) for t in serial if t.round > 0)
    with ThreadPoolExecutor(3) as ex:
        par = S.successive_halving(_nan_sometimes, space, 12, rng=2, min_budget=1, max_budget=4,
                                   eta=2, executor=ex)
    assert _key(par) == _key(serial)
    assert [t.index for t in par] == [t.index for t in serial]


def test_successive_halving_bad_input():
    with pytest.raises(ValueError, match="budget"):
        S.successive_halving(_budgeted, {"epochs": Uniform(0, 1)}, 9, rng=0, min_budget=1,
                             max_budget=9)
    with pytest.raises(ValueError, match="eta"):
        S.successive_halving(_budgeted, SPACE, 9, rng=0, min_budget=1, max_budget=9, eta=0.5)
