"""The 2-D surfaces of the optimizer race: gradients, minima, and run_optimizer."""
import warnings

import numpy as np
import pytest

from course_utils.gradcheck import numerical_gradient, rel_error
from course_utils.optimizers import REGISTRY, Optimizer
from course_utils.surfaces import SURFACES, get_surface, rotate, run_optimizer

NAMES = ["textbook", "ill_conditioned", "rosenbrock", "saddle", "two_minima", "rotated"]


def test_registry():
    assert sorted(SURFACES) == sorted(NAMES)
    assert get_surface("rosenbrock") is SURFACES["rosenbrock"]
    with pytest.raises(ValueError, match="surface must be one of"):
        get_surface("himmelblau")


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_numerical(name):
    s = SURFACES[name]
    g = np.random.default_rng(0)
    for p in [np.array(s.start, dtype=float)] + [g.uniform([s.xlim[0], s.ylim[0]],
                                                            [s.xlim[1], s.ylim[1]]) for _ in range(5)]:
        num = numerical_gradient(lambda: s.value(p), p)
        assert rel_error(s.gradient(p), num) < 1e-7, (name, p)


@pytest.mark.parametrize("name", NAMES)
def test_minimum_is_stationary_and_in_bounds(name):
    s = SURFACES[name]
    m = np.array(s.minimum, dtype=float)
    assert np.abs(s.gradient(m)).max() < 1e-3, (name, s.gradient(m))
    assert s.xlim[0] <= m[0] <= s.xlim[1] and s.ylim[0] <= m[1] <= s.ylim[1]
    assert s.xlim[0] <= s.start[0] <= s.xlim[1] and s.ylim[0] <= s.start[1] <= s.ylim[1]
    # lower than its neighbourhood in every direction
    for d in ([1, 0], [-1, 0], [0, 1], [0, -1], [1, 1], [-1, 1]):
        assert s.value(m) <= s.value(m + 1e-2 * np.array(d)) + 1e-12, (name, d)


def test_textbook_surface():
    s = SURFACES["textbook"]
    assert s.start == (-7.0, 2.0) and s.minimum == (0.0, 0.0)
    assert s.value((2.0, 3.0)) == pytest.approx(4 / 20 + 9)
    np.testing.assert_allclose(s.gradient((2.0, 3.0)), [0.2, 6.0])
    X, Y = np.meshgrid(np.linspace(-1, 1, 3), np.linspace(-1, 1, 4))   # vectorized for contours
    assert s.f(X, Y).shape == (4, 3)


def test_two_minima_global_minimum():
    s = SURFACES["two_minima"]
    xs = np.linspace(-2, 2, 400001)
    best = xs[np.argmin(s.f(xs, 0.0))]
    assert s.minimum[0] == pytest.approx(best, abs=1e-4)


def test_run_optimizer_shape_and_start():
    s = SURFACES["textbook"]
    path = run_optimizer(s, "sgd", steps=10, lr=0.1)
    assert path.shape == (11, 2) and path.dtype == np.float64
    np.testing.assert_array_equal(path[0], s.start)
    # one SGD step by hand: (−7, 2) − 0.1·(−0.7, 4) = (−6.93, 1.6)
    np.testing.assert_allclose(path[1], [-6.93, 1.6], rtol=1e-14)
    other = run_optimizer(s, "sgd", steps=3, start=(1.0, 1.0), lr=0.1)
    np.testing.assert_array_equal(other[0], [1.0, 1.0])
    # defaults of the rule are used when no hyperparameter is given (adam: lr = 0.001)
    adam = run_optimizer(s, "adam", steps=1)
    np.testing.assert_allclose(adam[1], np.array(s.start) - 0.001 * np.sign(s.start), rtol=1e-6)


def test_run_optimizer_stops_cleanly_when_diverging():
    s = SURFACES["textbook"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = run_optimizer(s, "sgd", steps=500, lr=5.0)     # |1 − 2·5| = 9 > 1 on y
    assert 2 <= len(path) < 501
    assert np.all(np.isfinite(path)) and np.abs(path).max() <= 1e6


@pytest.mark.parametrize("rule, hp", [("momentum", dict(lr=0.001, momentum=0.9)),
                                      ("adam", dict(lr=0.02)), ("rmsprop", dict(lr=0.002))])
def test_rosenbrock_progress(rule, hp):
    s = SURFACES["rosenbrock"]
    path = run_optimizer(s, rule, steps=3000, **hp)
    assert len(path) == 3001
    assert s.value(path[-1]) < 0.01 * s.value(path[0])
    assert np.linalg.norm(path[-1] - np.array(s.minimum)) < 0.5


def test_rotated_bowl_by_hand():
    r, a = SURFACES["rotated"], SURFACES["ill_conditioned"]
    c = np.sqrt(0.5)
    # the start (−8, 1) turned by 45°: (c·(−8) − c·1, c·(−8) + c·1)
    np.testing.assert_allclose(r.start, [-9 * c, -7 * c], rtol=1e-14)
    # f at (1, 1): u = √2, v = 0 -> 2/100; at (−1, 1): u = 0, v = √2 -> 4·2 = 8
    assert r.value(np.array([1.0, 1.0])) == pytest.approx(0.02, rel=1e-13)
    assert r.value(np.array([-1.0, 1.0])) == pytest.approx(8.0, rel=1e-13)
    # the same values along the path: f_rot(R p) = f(p)
    for p in ([3.0, -0.5], [-8.0, 1.0], [0.2, 0.7]):
        q = np.array([c * p[0] - c * p[1], c * p[0] + c * p[1]])
        assert r.value(q) == pytest.approx(a.value(np.array(p)), rel=1e-12)
    # the Hessian has the same eigenvalues (1/50, 8) but is no longer diagonal
    H = np.array([numerical_gradient(lambda: r.gradient(p)[i], p) for p in [np.zeros(2)] for i in (0, 1)])
    np.testing.assert_allclose(np.sort(np.linalg.eigvalsh((H + H.T) / 2)), [0.02, 8.0], rtol=1e-6)
    assert abs(H[0, 1]) > 1.0


def test_rotate_keeps_sgd_and_momentum_but_not_the_diagonal_methods():
    a, r = SURFACES["ill_conditioned"], SURFACES["rotated"]
    R = np.array([[1, -1], [1, 1]]) * np.sqrt(0.5)
    for rule, hp in (("sgd", dict(lr=0.2)), ("momentum", dict(lr=0.4, momentum=0.9))):
        pa, pr = run_optimizer(a, rule, steps=100, **hp), run_optimizer(r, rule, steps=100, **hp)
        np.testing.assert_allclose(pr, pa @ R.T, atol=1e-10)      # the same path, turned
    pa, pr = run_optimizer(a, "adagrad", steps=100, lr=1.0), run_optimizer(r, "adagrad", steps=100, lr=1.0)
    assert np.abs(pr - pa @ R.T).max() > 0.1                       # AdaGrad is not rotation-invariant
    # a full turn gives the same surface
    full = rotate(SURFACES["textbook"], 360)
    np.testing.assert_allclose(full.start, SURFACES["textbook"].start, atol=1e-12)


@pytest.mark.parametrize("name", list(REGISTRY))
def test_run_optimizer_takes_every_registered_rule(name):
    """run_optimizer is the registry's rule on one array: the same steps as Optimizer on a
    one-key dict whose key is decayed (a point is shrunk by a decoupled weight decay)."""
    s = SURFACES["rosenbrock"]
    path = run_optimizer(s, name, steps=5, lr=1e-3)
    assert path.shape == (6, 2)
    opt = Optimizer(name, lr=1e-3)
    p = {"point.W": np.array(s.start)}
    state = opt.init(p)
    for t in range(1, 6):
        p, state = opt.update(p, {"point.W": s.gradient(p["point.W"])}, state)
        np.testing.assert_array_equal(path[t], p["point.W"])
    np.testing.assert_array_equal(run_optimizer(s, name.upper(), steps=5, lr=1e-3), path)


def test_run_optimizer_reports_the_registry_errors():
    s = SURFACES["textbook"]
    with pytest.raises(ValueError, match=r"unknown optimizer name 'no-such-rule'; choose one of \['adadelta'"):
        run_optimizer(s, "no-such-rule")
    with pytest.raises(ValueError, match="momentum must be in"):
        run_optimizer(s, "momentum", momentum=1.0)
