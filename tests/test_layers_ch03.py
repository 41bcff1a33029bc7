"""Layer normalization (added for chapter 03's tiny-batch exercise): numerical gradient check,
the per-example statistics, and independence from the rest of the batch."""
import numpy as np

from course_utils import layers as L
from course_utils.gradcheck import numerical_gradient_array, rel_error


def test_layernorm_forward_normalizes_each_row():
    g = np.random.default_rng(0)
    x = 3.0 + 2.0 * g.standard_normal((6, 50))
    out, _ = L.layernorm_forward(x, np.ones(50), np.zeros(50))
    np.testing.assert_allclose(out.mean(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=1), np.sqrt(x.var(axis=1) / (x.var(axis=1) + 1e-5)),
                               rtol=1e-12)
    gamma, beta = g.standard_normal(50), g.standard_normal(50)
    by_hand = gamma * (x - x.mean(axis=1, keepdims=True)) / np.sqrt(
        x.var(axis=1, keepdims=True) + 1e-5) + beta
    np.testing.assert_allclose(L.layernorm_forward(x, gamma, beta)[0], by_hand, rtol=1e-12)


def test_layernorm_is_independent_of_the_batch():
    g = np.random.default_rng(1)
    x = g.standard_normal((5, 8))
    gamma, beta = g.standard_normal(8), g.standard_normal(8)
    whole, _ = L.layernorm_forward(x, gamma, beta)
    for i in range(5):
        alone, _ = L.layernorm_forward(x[i:i + 1], gamma, beta)
        np.testing.assert_allclose(alone[0], whole[i], rtol=1e-13, atol=1e-14)


def test_layernorm_gradients():
    g = np.random.default_rng(2)
    x = 1.0 + 2.0 * g.standard_normal((4, 7))
    gamma, beta = 1.0 + 0.5 * g.standard_normal(7), g.standard_normal(7)
    dout = g.choice([-1.0, 1.0], size=(4, 7)) * g.uniform(0.5, 1.5, size=(4, 7))
    _, cache = L.layernorm_forward(x, gamma, beta)
    dx, dgamma, dbeta = L.layernorm_backward(dout, cache)
    f = lambda: L.layernorm_forward(x, gamma, beta)[0]
    assert rel_error(dx, numerical_gradient_array(f, x, dout)) < 1e-7
    assert rel_error(dgamma, numerical_gradient_array(f, gamma, dout)) < 1e-7
    assert rel_error(dbeta, numerical_gradient_array(f, beta, dout)) < 1e-7
