"""max_norm (chapter 05): the projection onto ‖w_j‖₂ ≤ c per unit, by hand and by its properties."""
import numpy as np
import pytest

from course_utils import layers as L


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
