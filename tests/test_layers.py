"""Layers: numerical gradient checks of every backward pass, batch norm and dropout semantics,
and the softmax cross-entropy (stability and the lecture's numbers).  float64, seeded."""
import warnings

import numpy as np
import pytest

from course_utils import layers as L
from course_utils.gradcheck import numerical_gradient, numerical_gradient_array, rel_error

TOL = 1e-7


def away_from_zero(x, gap=0.1):
    """Move every entry at least ``gap`` away from 0 (the kink of relu / leaky relu)."""
    return np.sign(x) * (np.abs(x) + gap)


def upstream(rng, shape):
    """An upstream gradient with entries of size 0.5 to 1.5 and random signs.

    The relative error is taken entry by entry; a tiny entry of ``dout`` would make a tiny
    entry of the input gradient, whose relative error is then central differences' rounding
    noise (~1e-11 / entry) rather than a property of the backward pass.
    """
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 1.5, size=shape)


@pytest.fixture
def rng():
    return np.random.default_rng(42)


# ----------------------------------------------------------------------------- gradient checks
def test_affine_gradients(rng):
    x, W, b = rng.standard_normal((4, 5)), rng.standard_normal((5, 3)), rng.standard_normal(3)
    dout = upstream(rng, (4, 3))
    out, cache = L.affine_forward(x, W, b)
    np.testing.assert_allclose(out, x @ W + b, rtol=0, atol=1e-14)
    dx, dW, db = L.affine_backward(dout, cache)
    f = lambda: L.affine_forward(x, W, b)[0]
    assert rel_error(dx, numerical_gradient_array(f, x, dout)) < TOL
    assert rel_error(dW, numerical_gradient_array(f, W, dout)) < TOL
    assert rel_error(db, numerical_gradient_array(f, b, dout)) < TOL
    # the first layer skips dx, with the same dW and db
    none, dW2, db2 = L.affine_backward(dout, cache, need_dx=False)
    assert none is None
    np.testing.assert_array_equal(dW2, dW)
    np.testing.assert_array_equal(db2, db)


@pytest.mark.parametrize("name, forward, backward, kink", [
    ("relu", L.relu_forward, L.relu_backward, True),
    ("sigmoid", L.sigmoid_forward, L.sigmoid_backward, False),
    ("tanh", L.tanh_forward, L.tanh_backward, False),
    ("leaky_relu", L.leaky_relu_forward, L.leaky_relu_backward, True),
    ("leaky_relu_0.2", lambda x: L.leaky_relu_forward(x, 0.2), L.leaky_relu_backward, True),
    ("elu", L.elu_forward, L.elu_backward, True),
    ("elu_0.5", lambda x: L.elu_forward(x, 0.5), L.elu_backward, True),
])
def test_activation_gradients(rng, name, forward, backward, kink):
    x = rng.uniform(-2.5, 2.5, size=(4, 6))         # not saturated: tanh'(2.5) = 0.03
    if kink:
        x = away_from_zero(x)
    dout = upstream(rng, x.shape)
    out, cache = forward(x)
    assert out.shape == x.shape and out.dtype == np.float64
    dx = backward(dout, cache)
    num = numerical_gradient_array(lambda: forward(x)[0], x, dout)
    assert rel_error(dx, num) < TOL, name


def test_activation_values():
    x = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]])
    np.testing.assert_allclose(L.relu_forward(x)[0], [[0, 0, 0, 0.5, 3.0]])
    np.testing.assert_allclose(L.leaky_relu_forward(x)[0], [[-0.02, -0.005, 0, 0.5, 3.0]])
    np.testing.assert_allclose(L.elu_forward(x)[0], [[np.exp(-2) - 1, np.exp(-0.5) - 1, 0, 0.5, 3.0]])
    np.testing.assert_allclose(L.sigmoid_forward(x)[0], 1 / (1 + np.exp(-x)), rtol=1e-15)
    np.testing.assert_allclose(L.tanh_forward(x)[0], np.tanh(x))
    # relu's derivative at exactly 0 is taken as 0
    np.testing.assert_array_equal(L.relu_backward(np.ones_like(x), L.relu_forward(x)[1]),
                                  [[0, 0, 0, 1, 1]])


def test_sigmoid_saturates_without_overflow():
    x = np.array([[-1000.0, -50.0, 0.0, 50.0, 1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out, cache = L.sigmoid_forward(x)
        dx = L.sigmoid_backward(np.ones_like(x), cache)
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(dx))
    np.testing.assert_allclose(out[0, [0, 2, 4]], [0.0, 0.5, 1.0], atol=1e-15)


def test_maxout_gradients(rng):
    x, W, b = rng.standard_normal((4, 5)), rng.standard_normal((5, 3, 2)), rng.standard_normal((3, 2))
    z = np.einsum("nd,dhk->nhk", x, W) + b
    top2 = np.sort(z, axis=2)
    assert np.min(top2[..., -1] - top2[..., -2]) > 1e-3      # no near ties: max is smooth here
    out, cache = L.maxout_forward(x, W, b)
    np.testing.assert_allclose(out, z.max(axis=2), rtol=1e-13)
    dout = upstream(rng, out.shape)
    dx, dW, db = L.maxout_backward(dout, cache)
    f = lambda: L.maxout_forward(x, W, b)[0]
    assert rel_error(dx, numerical_gradient_array(f, x, dout)) < TOL
    assert rel_error(dW, numerical_gradient_array(f, W, dout)) < TOL
    assert rel_error(db, numerical_gradient_array(f, b, dout)) < TOL


def test_batchnorm_gradients(rng):
    x = 3.0 * rng.standard_normal((6, 4)) + 2.0
    gamma, beta = 1.0 + 0.5 * rng.standard_normal(4), rng.standard_normal(4)
    dout = upstream(rng, (6, 4))
    f = lambda: L.batchnorm_forward(x, gamma, beta, None, train=True)[0]
    _, cache, _ = L.batchnorm_forward(x, gamma, beta, None, train=True)
    dx, dgamma, dbeta = L.batchnorm_backward(dout, cache)
    assert rel_error(dx, numerical_gradient_array(f, x, dout)) < TOL
    assert rel_error(dgamma, numerical_gradient_array(f, gamma, dout)) < TOL
    assert rel_error(dbeta, numerical_gradient_array(f, beta, dout)) < TOL


def test_dropout_gradient_fixed_mask(rng):
    x = rng.standard_normal((5, 6))
    mask = rng.random(x.shape) >= 0.4
    dout = upstream(rng, x.shape)
    out, cache = L.dropout_forward(x, 0.4, train=True, mask=mask)
    np.testing.assert_allclose(out, x * mask / 0.6, rtol=1e-15)
    dx = L.dropout_backward(dout, cache)
    f = lambda: L.dropout_forward(x, 0.4, train=True, mask=mask)[0]
    assert rel_error(dx, numerical_gradient_array(f, x, dout)) < TOL
    np.testing.assert_array_equal(dx[~mask], 0.0)


def test_softmax_cross_entropy_gradient(rng):
    scores, y = rng.standard_normal((5, 4)), np.array([0, 3, 1, 1, 2])
    loss, dscores = L.softmax_cross_entropy(scores, y)
    num = numerical_gradient(lambda: L.softmax_cross_entropy(scores, y)[0], scores)
    assert rel_error(dscores, num) < TOL
    p = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    assert loss == pytest.approx(-np.mean(np.log(p[np.arange(5), y])), rel=1e-13)


# ----------------------------------------------------------------------------- softmax numbers
def test_softmax_lecture_numbers():
    p = L.softmax(np.array([[5.0, 2.0, -1.0, 3.0]]))
    np.testing.assert_allclose(p[0], [0.842, 0.042, 0.002, 0.114], atol=5e-4)
    assert p.sum() == pytest.approx(1.0, abs=1e-15)


def test_cross_entropy_lecture_numbers():
    yhat = np.array([[0.3, 0.2, 0.1, 0.4]])
    loss, dscores = L.softmax_cross_entropy(np.log(yhat), np.array([1]))
    assert loss == pytest.approx(-np.log(0.2), rel=1e-12)            # 1.609...
    np.testing.assert_allclose(dscores[0], [0.3, -0.8, 0.1, 0.4], atol=1e-12)


def test_softmax_cross_entropy_stable_for_huge_scores():
    scores = np.array([[1000.0, 1000.0, 0.0], [1000.0, -1000.0, 0.0], [-1000.0, 0.0, 1000.0]])
    y = np.array([0, 1, 0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, dscores = L.softmax_cross_entropy(scores, y)
        p = L.softmax(scores)
    assert np.isfinite(loss) and np.all(np.isfinite(dscores)) and np.all(np.isfinite(p))
    # rows: log 2; 2000; 2000
    assert loss == pytest.approx((np.log(2.0) + 2000.0 + 2000.0) / 3, rel=1e-12)
    np.testing.assert_allclose(p[0], [0.5, 0.5, 0.0], atol=1e-15)
    # shifting every score of a row does not change anything
    loss2, d2 = L.softmax_cross_entropy(scores - 1000.0, y)
    assert loss2 == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(d2, dscores, atol=1e-15)


@pytest.mark.parametrize("scores, y, match", [
    (np.zeros((3, 4)), np.array([0, 1, 4]), "labels"),
    (np.zeros((3, 4)), np.array([0, -1, 2]), "labels"),
    (np.zeros((3, 4)), np.array([0, 1]), "shape|must be"),
    (np.zeros(4), np.array([0]), "must be"),
])
def test_softmax_cross_entropy_bad_input(scores, y, match):
    with pytest.raises(ValueError, match=match):
        L.softmax_cross_entropy(scores, y)


# ----------------------------------------------------------------------------- batch norm
def test_batchnorm_running_average_follows_momentum(rng):
    x = 2.0 * rng.standard_normal((8, 3)) + np.array([1.0, -2.0, 5.0])
    running = {"mean": np.array([0.5, 0.0, -1.0]), "var": np.array([2.0, 1.0, 0.5])}
    before = {k: v.copy() for k, v in running.items()}
    _, _, new = L.batchnorm_forward(x, np.ones(3), np.zeros(3), running, train=True)
    batch_mean = x.sum(axis=0) / 8
    batch_var = ((x - batch_mean) ** 2).sum(axis=0) / 8                    # biased
    np.testing.assert_allclose(new["mean"], 0.9 * before["mean"] + 0.1 * batch_mean, rtol=1e-14)
    np.testing.assert_allclose(new["var"], 0.9 * before["var"] + 0.1 * batch_var, rtol=1e-14)
    # the input dict is untouched
    for k in before:
        np.testing.assert_array_equal(running[k], before[k])
    # None means mean 0 / variance 1
    _, _, first = L.batchnorm_forward(x, np.ones(3), np.zeros(3), None, train=True)
    np.testing.assert_allclose(first["mean"], 0.1 * batch_mean, rtol=1e-14)
    np.testing.assert_allclose(first["var"], 0.9 + 0.1 * batch_var, rtol=1e-14)


def test_batchnorm_running_average_converges_to_population_stats(rng):
    running, g, b = None, np.ones(2), np.zeros(2)
    for _ in range(200):
        x = rng.normal([3.0, -1.0], [2.0, 0.5], size=(500, 2))
        _, _, running = L.batchnorm_forward(x, g, b, running, train=True)
    np.testing.assert_allclose(running["mean"], [3.0, -1.0], atol=0.05)
    np.testing.assert_allclose(running["var"], [4.0, 0.25], rtol=0.05)


def test_batchnorm_test_mode_uses_running_stats(rng):
    x = rng.standard_normal((5, 3))
    gamma, beta = np.array([1.0, 2.0, 0.5]), np.array([0.0, -1.0, 3.0])
    running = {"mean": np.array([0.3, -0.2, 1.0]), "var": np.array([4.0, 0.25, 1.5])}
    out, cache, r2 = L.batchnorm_forward(x, gamma, beta, running, train=False, eps=1e-5)
    expected = gamma * (x - running["mean"]) / np.sqrt(running["var"] + 1e-5) + beta
    np.testing.assert_allclose(out, expected, rtol=1e-14)
    assert r2 is running or all(np.array_equal(r2[k], running[k]) for k in running)
    # a batch of one example at test time works and matches its row in a bigger batch
    for i in range(5):
        one, _, _ = L.batchnorm_forward(x[i:i + 1], gamma, beta, running, train=False)
        assert one.shape == (1, 3)
        np.testing.assert_allclose(one[0], out[i], rtol=1e-14)


def test_batchnorm_train_mode_normalizes(rng):
    x = rng.normal([10.0, -3.0, 0.0, 100.0], [5.0, 0.5, 1.0, 30.0], size=(64, 4))
    out, _, _ = L.batchnorm_forward(x, np.ones(4), np.zeros(4), None, train=True, eps=1e-5)
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=0), 1.0, atol=1e-4)
    var = x.var(axis=0)
    np.testing.assert_allclose(out.var(axis=0), var / (var + 1e-5), rtol=1e-12)   # exactly


def test_batchnorm_can_undo_itself(rng):
    x = rng.normal([10.0, -3.0, 0.5], [5.0, 0.2, 1.0], size=(16, 3))
    eps = 1e-5
    gamma, beta = np.sqrt(x.var(axis=0) + eps), x.mean(axis=0)
    out, _, _ = L.batchnorm_forward(x, gamma, beta, None, train=True, eps=eps)
    np.testing.assert_allclose(out, x, rtol=1e-12, atol=1e-12)


# ----------------------------------------------------------------------------- dropout
def test_dropout_test_mode_is_identity(rng):
    x = rng.standard_normal((4, 7))
    out, cache = L.dropout_forward(x, 0.5, train=False, rng=0)
    np.testing.assert_array_equal(out, x)
    np.testing.assert_array_equal(L.dropout_backward(np.ones_like(x), cache), 1.0)
    out0, _ = L.dropout_forward(x, 0.0, train=True, rng=0)
    np.testing.assert_array_equal(out0, x)


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_dropout_train_drops_about_p_and_scales_the_rest(p):
    x = np.full((200, 500), 3.0)
    out, _ = L.dropout_forward(x, p, train=True, rng=np.random.default_rng(1))
    dropped = out == 0
    assert abs(dropped.mean() - p) < 0.01                      # 100,000 units: sd ≈ 0.0016
    np.testing.assert_allclose(out[~dropped], 3.0 / (1 - p), rtol=1e-15)


def test_dropout_is_seeded():
    x = np.ones((10, 10))
    a, _ = L.dropout_forward(x, 0.5, train=True, rng=7)
    b, _ = L.dropout_forward(x, 0.5, train=True, rng=7)
    c, _ = L.dropout_forward(x, 0.5, train=True, rng=8)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_dropout_preserves_expected_activation():
    x = np.array([1.0, -2.0, 0.5, 4.0, -0.25])
    p, n = 0.3, 20000
    g = np.random.default_rng(3)
    out, _ = L.dropout_forward(np.tile(x, (n, 1)), p, train=True, rng=g)
    sd = np.abs(x) * np.sqrt(p / (1 - p)) / np.sqrt(n)          # standard error of the mean
    assert np.all(np.abs(out.mean(axis=0) - x) < 4 * sd)


@pytest.mark.parametrize("p", [1.0, -0.1, 1.5, np.nan])
def test_dropout_bad_p(p):
    with pytest.raises(ValueError, match="dropout"):
        L.dropout_forward(np.ones((2, 2)), p, train=True, rng=0)
