"""Chapter 05's layers: max_norm (the projection onto ‖w_j‖₂ ≤ c per unit) and dropout's
original form next to the inverted one, by hand, by gradient checks and by their properties."""
import numpy as np
import pytest

from course_utils import layers as L
from course_utils.gradcheck import numerical_gradient, numerical_gradient_array, rel_error


def test_max_norm_by_hand():
    W = np.array([[3.0, 0.6, 0.0],
                  [4.0, 0.8, 0.0]])          # column norms 5, 1, 0
    out = L.max_norm(W, 2.0)
    np.testing.assert_allclose(out, [[1.2, 0.6, 0.0], [1.6, 0.8, 0.0]], rtol=1e-15)
    np.testing.assert_array_equal(W, [[3.0, 0.6, 0.0], [4.0, 0.8, 0.0]])   # input untouched


def test_max_norm_properties():
    g = np.random.default_rng(0)
    W = g.standard_normal((50, 30)) * g.uniform(0.1, 1.0, 30)   # norms on both sides of c
    c = 3.0
    norms = np.linalg.norm(W, axis=0)
    assert (norms > c).any() and (norms < c).any()
    out = L.max_norm(W, c)
    new = np.linalg.norm(out, axis=0)
    np.testing.assert_allclose(new[norms > c], c, rtol=1e-12)          # big columns land on c
    np.testing.assert_array_equal(out[:, norms <= c], W[:, norms <= c])  # small ones unchanged
    cos = (out * W).sum(axis=0) / (new * norms)
    np.testing.assert_allclose(cos, 1.0, rtol=1e-12)                   # directions kept
    np.testing.assert_allclose(L.max_norm(out, c), out, rtol=1e-15)    # a projection: idempotent


@pytest.mark.parametrize("c", [0.0, -1.0, np.inf, np.nan])
def test_max_norm_bad_c(c):
    with pytest.raises(ValueError, match="max-norm"):
        L.max_norm(np.ones((2, 2)), c)


def test_max_norm_bad_shape():
    with pytest.raises(ValueError, match="2-D"):
        L.max_norm(np.ones(3), 1.0)


# ----------------------------------------------------------------------------- dropout's two forms
def test_dropout_forms_by_hand():
    # keep mask m = [1, 0, 1], p = 0.2: inverted divides by 0.8 in training, original scales at test
    x, m = np.array([[1.0, 2.0, 4.0]]), np.array([[1, 0, 1]], dtype=bool)
    inv, c_inv = L.dropout_forward(x, 0.2, train=True, mask=m)
    orig, c_orig = L.dropout_forward(x, 0.2, train=True, mask=m, form="original")
    np.testing.assert_allclose(inv, [[1.25, 0.0, 5.0]], rtol=1e-15)
    np.testing.assert_array_equal(orig, [[1.0, 0.0, 4.0]])
    dout = np.array([[10.0, 10.0, 10.0]])
    np.testing.assert_allclose(L.dropout_backward(dout, c_inv), [[12.5, 0.0, 12.5]], rtol=1e-15)
    np.testing.assert_array_equal(L.dropout_backward(dout, c_orig), [[10.0, 0.0, 10.0]])
    test_inv, t_inv = L.dropout_forward(x, 0.2, train=False)
    test_orig, t_orig = L.dropout_forward(x, 0.2, train=False, form="original")
    np.testing.assert_array_equal(test_inv, x)
    np.testing.assert_allclose(test_orig, [[0.8, 1.6, 3.2]], rtol=1e-15)
    np.testing.assert_allclose(L.dropout_backward(dout, t_orig), [[8.0, 8.0, 8.0]], rtol=1e-15)
    np.testing.assert_array_equal(L.dropout_backward(dout, t_inv), dout)


@pytest.mark.parametrize("train", [True, False])
def test_dropout_original_form_gradient(train):
    g = np.random.default_rng(4)
    x, dout = g.standard_normal((6, 5)), g.standard_normal((6, 5))
    mask = g.random((6, 5)) >= 0.3
    f = lambda: L.dropout_forward(x, 0.3, train=train, mask=mask, form="original")[0]
    _, cache = L.dropout_forward(x, 0.3, train=train, mask=mask, form="original")
    num = numerical_gradient_array(f, x, dout)
    assert rel_error(L.dropout_backward(dout, cache), num) < 1e-8


def test_dropout_forms_draw_the_same_masks_and_keep_the_expectation():
    x = np.tile([3.0, 1.0, 0.5], (200_000, 1))
    inv, _ = L.dropout_forward(x, 0.4, train=True, rng=5)
    orig, _ = L.dropout_forward(x, 0.4, train=True, rng=5, form="original")
    np.testing.assert_array_equal(inv == 0, orig == 0)                 # the same units dropped
    np.testing.assert_allclose(orig, 0.6 * inv, rtol=1e-15)
    test = L.dropout_forward(x[:1], 0.4, train=False, form="original")[0]
    se = orig.std(axis=0) / np.sqrt(len(x))
    assert np.all(np.abs(orig.mean(axis=0) - test[0]) < 4 * se)         # E[training] = test


def test_dropout_bad_form():
    with pytest.raises(ValueError, match="form must be one of"):
        L.dropout_forward(np.ones((2, 2)), 0.5, train=True, rng=0, form="keep")


def test_mlp_original_form_is_the_inverted_form_with_scaled_weights():
    # original with W  ==  inverted with (1 − p)·W for every layer after a dropout layer
    from course_utils import MLP
    g = np.random.default_rng(0)
    X, p = g.standard_normal((7, 6)), 0.25
    orig = MLP(6, [5, 4], 3, dropout=p, dropout_form="original", rng=1)
    inv = MLP(6, [5, 4], 3, dropout=p, rng=1)
    inv.params = {k: (1 - p) * w if k.endswith(".W") and k != "fc1.W" else w
                  for k, w in orig.params.items()}
    masks = [g.random((7, 5)) >= p, g.random((7, 4)) >= p]
    np.testing.assert_allclose(orig.forward(X)[0], inv.forward(X)[0], rtol=1e-12)
    np.testing.assert_allclose(orig.forward(X, train=True, masks=masks)[0],
                               inv.forward(X, train=True, masks=masks)[0], rtol=1e-12)
    a = orig.forward(X, train=True, rng=3)[0]                           # same rng: same masks
    b = inv.forward(X, train=True, rng=3)[0]
    np.testing.assert_allclose(a, b, rtol=1e-12)
    assert "dropout_form='original'" in repr(orig) and "dropout_form" not in repr(inv)


def test_mlp_original_form_gradient_check():
    from course_utils import MLP
    g = np.random.default_rng(2)
    # tanh: smooth, so no ReLU kink sits between w − h and w + h
    net = MLP(6, [5, 4], 3, activation="tanh", dropout=0.3, dropout_form="original", init=1.0, rng=2)
    X, y = g.standard_normal((8, 6)), np.arange(8) % 3
    masks = [g.random((8, 5)) >= 0.3, g.random((8, 4)) >= 0.3]
    for train in (True, False):
        kw = dict(masks=masks) if train else dict(train=False)
        _, grads = net.loss(X, y, **kw)
        err = max(rel_error(grads[k], numerical_gradient(lambda: net.loss(X, y, **kw)[0], net.params[k]))
                  for k in net.params)
        assert err < 1e-7, (train, err)


def test_mlp_bad_dropout_form():
    from course_utils import MLP
    with pytest.raises(ValueError, match="dropout_form must be one of"):
        MLP(4, [3], 2, dropout=0.5, dropout_form="inverse")
